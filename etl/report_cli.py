"""``python -m etl report``: the quarter's Word report (and, if asked, the scorecard and the charts) for batch use.

    python -m etl report --plan dienbien_2021_2025 --period 2025Q2 -o bao-cao.docx
    python -m etl report --plan bentre_2024_2025 --period 2025Q2 --xlsx bang.xlsx --charts bieu-do/

Exit codes as for every command: 0 written, 1 the database has no catalogue
(or is busy for too long), the charts could not be drawn, or ``--user`` is
not an active account; 2 wrong usage (unknown plan or unit, a period that is
not a quarter of the plan). Every report written is recorded in the audit log
(``kpi.audit``, action ``export``) under ``--user`` or the local administrator.

``etl/cli.py`` adds the command with ``report_cli.register(sub)``; this
module imports ``etl.cli`` only when the command runs, so the two can import
each other.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path


def register(subparsers) -> None:
    """Add the ``report`` command to ``python -m etl``'s subparsers."""
    help_ = "Lập báo cáo quý (Word) của một kế hoạch: số chỉ tiêu theo trạng thái, bảng chỉ tiêu, biểu đồ"
    s = subparsers.add_parser("report", help=help_, description=help_)
    s.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
    s.add_argument("--plan", required=True, help="mã kế hoạch, ví dụ dienbien_2021_2025")
    s.add_argument("--period", required=True, help="quý báo cáo, ví dụ 2025Q2 (số liệu đến hết quý)")
    s.add_argument("-o", "--output", help="tệp .docx sẽ ghi (mặc định: bao-cao_<kế hoạch>_<quý>.docx)")
    s.add_argument("--unit", help="đơn vị được báo cáo (mặc định: đơn vị của kế hoạch, ví dụ 11)")
    s.add_argument("--xlsx", help="ghi thêm bảng chỉ tiêu (Excel) vào tệp này")
    s.add_argument("--charts", metavar="DIR", help="ghi thêm các biểu đồ của báo cáo (PNG và SVG) vào thư mục này")
    s.add_argument("--body", help="cơ quan ban hành báo cáo, ví dụ \"Sở Nội vụ\" (mặc định: theo cơ quan ban hành "
                                  "kế hoạch)")
    s.add_argument("--parent", help="cơ quan chủ quản, ví dụ \"UBND tỉnh Điện Biên\"")
    s.add_argument("--number", help="số, ký hiệu, ví dụ \"125/BC-SNV\" (mặc định: để trống số)")
    s.add_argument("--date", help="ngày ban hành, dạng 2025-07-10 (mặc định: để trống ngày, tháng)")
    s.add_argument("--user", help="tài khoản lập báo cáo, ghi vào nhật ký (mặc định: quản trị cục bộ)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from etl.cli import EXIT_OK, Rejected, UsageError, _actor, _print_json, _progress, _say
    from kpi import audit, exports
    from kpi.exports.data import NoCatalog, file_stem
    from kpi.exports.images import render

    day = None
    if args.date:
        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"Ngày không hợp lệ: '{args.date}' (dạng đúng: 2025-07-10)") from None
    try:
        period = exports.parse_quarter(args.period)
    except exports.ExportError as e:
        raise UsageError(str(e)) from None
    out = Path(args.output or f"bao-cao_{args.plan}_{period}.docx")
    if out.suffix.lower() != ".docx":
        raise UsageError(f"Tệp báo cáo phải có đuôi .docx (nhận được '{out}')")
    actor = _actor(args)                       # an unknown or disabled --user: exit 1, nothing written
    t0 = time.perf_counter()
    try:
        data = exports.report_data(args.db, args.plan, period, unit=args.unit)
    except NoCatalog as e:
        raise Rejected(str(e)) from None
    except exports.ExportError as e:
        raise UsageError(str(e)) from None
    lh = exports.letterhead_for(data.plan, body=args.body, parent=args.parent, number=args.number, date=day)
    keys = exports.report_charts(data)
    figs = {k: exports.chart(data, k) for k in keys}
    figs = {k: f for k, f in figs.items() if f is not None}
    formats = ("png", "svg") if args.charts else ("png",)
    stems = {k: file_stem(k, i) for i, k in enumerate(figs, start=1)}
    t1 = time.perf_counter()

    def progress(i, n, name):
        if n and not args.json:
            _progress(i, n, name)

    try:
        drawn = render({stems[k]: f for k, f in figs.items()}, formats=formats, progress=progress)
    except exports.RenderError as e:
        raise Rejected(str(e)) from None
    t2 = time.perf_counter()
    images = {k: drawn[f"{stems[k]}.png"] for k in figs}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(exports.report_docx(data, lh, images=images))
    written = [str(out)]
    if args.xlsx:
        x = Path(args.xlsx)
        x.parent.mkdir(parents=True, exist_ok=True)
        x.write_bytes(exports.scorecard_xlsx(data))
        written.append(str(x))
    if args.charts:
        folder = Path(args.charts)
        folder.mkdir(parents=True, exist_ok=True)
        for name, blob in drawn.items():
            (folder / name).write_bytes(blob)
        written.append(str(folder))
    t3 = time.perf_counter()
    audit.log_event(args.db, actor, "export", f"{data.plan.id} {period}", after={"unit": data.unit, "files": written})
    missing = data.quarter_reporting()["missing"]
    summary = {
        "file": str(out), "files": written, "plan": data.plan.id, "period": str(period), "unit": data.unit,
        "targets": len(data.rows), "counts": data.counts(), "charts": len(figs),
        "milestones_due": len(data.milestones_due()), "units_not_reported": len(missing),
        "seconds": {"read": round(t1 - t0, 2), "charts": round(t2 - t1, 2), "write": round(t3 - t2, 2)},
    }
    if args.json:
        _print_json(summary)
    else:
        _say(f"Đã ghi báo cáo {out}: {data.plan.short_title}, {period.label()}, đơn vị {data.unit_name}; "
             f"{len(data.rows)} chỉ tiêu, {len(figs)} biểu đồ, {summary['milestones_due']} mốc quá hạn/đến hạn, "
             f"{len(missing)} đơn vị chưa gửi báo cáo ({t3 - t0:.1f} giây).")
        for extra in written[1:]:
            _say(f"Đã ghi thêm {extra}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.report_cli report …``: the command through ``etl.cli.main`` before it is wired there."""
    from etl import cli

    build = cli.build_parser

    def with_report():
        p = build()
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        if "report" not in sub.choices:
            register(sub)
        return p

    cli.build_parser = with_report
    try:
        return cli.main(argv)
    finally:
        cli.build_parser = build


if __name__ == "__main__":
    sys.exit(main())
