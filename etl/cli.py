"""``python -m etl COMMAND``: create the store, load the catalogue and data, report.

Exit codes: 0 done, 1 data rejected (or the store busy), 2 wrong usage.
Messages for people are in Vietnamese; ``--json`` prints data for programs.

Each command holds the database only while it needs it (DuckDB lets one
process open the file at a time, and the app uses it too): ``load`` reads
the catalogue, lets go, reads and checks the file, then opens the database
again to write it in one transaction.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kpi import repo
from kpi.catalog import CatalogError, load_catalog
from kpi.periods import Period, PeriodError
from kpi.store import StoreBusy, connect, db_path, scalar
from kpi.units import build_units

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Wrong command line: exit code 2."""


class Rejected(Exception):
    """Data refused: exit code 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own messages are English; say what it is in Vietnamese
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Lỗi cú pháp lệnh: {message}\nXem hướng dẫn: {self.prog} --help\n")


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _say(*lines: str) -> None:
    for line in lines:
        print(line)


# --- commands --------------------------------------------------------------


def cmd_init(args) -> int:
    try:
        cat = load_catalog(args.targets)
    except CatalogError as e:
        raise Rejected(f"Danh mục chỉ tiêu có lỗi:\n{e}") from None
    with connect(args.db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            units_changed = repo.sync_units(con, build_units())
            changed = repo.sync_catalog(con, cat)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    n_t = sum(len(p.targets) for p in cat.plans.values())
    n_m = sum(len(p.milestones) for p in cat.plans.values())
    state = "đã cập nhật" if (changed or units_changed) else "không có gì thay đổi"
    _say(f"Cơ sở dữ liệu {db_path(args.db)}: {state}.",
         f"{len(cat.plans)} kế hoạch, {n_t} chỉ tiêu, {n_m} mốc thời hạn, {len(cat.indicators)} chỉ số.")
    return EXIT_OK


def _ensure_catalog(con) -> None:
    if scalar(con, "SELECT count(*) FROM plans") == 0:
        raise Rejected("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy trước: python -m etl init")


def _units(con) -> dict[str, dict]:
    from etl.intake import units_by_code

    return units_by_code(con)


def cmd_demo(args) -> int:
    from etl import demo

    with connect(args.db) as con:
        _ensure_catalog(con)
        summaries = demo.load_demo(con, repo.catalog_from_db(con), seed=args.seed)
    main, returns = summaries[0], summaries[1:]
    ok = all(s.ok for s in summaries)
    if args.json:
        _print_json({"data": main.to_dict(), "returns": [s.to_dict() for s in returns]})
    else:
        _say(*main.lines_vi())
        written = [s for s in returns if s.upload_id is not None]
        _say(f"Báo cáo quý minh họa của các đơn vị: {len(returns)} tệp, {len(written)} tệp mới được ghi.")
    return EXIT_OK if ok else EXIT_REJECTED


LOADABLE = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")


def _catalog(db):
    from etl.intake import NoCatalog, read_catalog

    try:
        return read_catalog(db)
    except NoCatalog as e:
        raise Rejected(str(e)) from None


def _quarter_arg(text: str) -> Period:
    try:
        p = Period.parse(text)
    except PeriodError as e:
        raise UsageError(str(e)) from None
    if p.quarter is None or p.ytd:
        raise UsageError(f"Kỳ của biểu báo cáo phải là một quý, ví dụ 2025Q2 (nhận được '{text}')")
    return p


def _load_path(args, path: Path, catalog):
    from etl.intake import load_bytes

    try:
        return load_bytes(path.name, path.read_bytes(), db=args.db, user=args.user or "", dry_run=args.dry_run,
                          status=args.status, plan=args.plan, unit=args.unit,
                          period=_quarter_arg(args.period) if args.period else None, catalog=catalog)
    except KeyError as e:
        raise UsageError(e.args[0]) from None


def cmd_load(args) -> int:
    target = Path(args.file)
    if target.is_dir():
        return _load_dir(args, target)
    if not target.is_file():
        raise UsageError(f"Không tìm thấy tệp: {target}")
    summary = _load_path(args, target, _catalog(args.db))
    if args.json:
        _print_json(summary.to_dict())
    else:
        _say(*summary.lines_vi())
    return EXIT_OK if summary.ok else EXIT_REJECTED


def _progress(i: int, n: int, name: str, width: int = 24) -> None:
    """A one-line text progress bar on stderr (redrawn in a terminal, one line per step otherwise)."""
    done = int(width * i / n) if n else width
    line = f"[{'#' * done}{'.' * (width - done)}] {i}/{n} {name}"
    if sys.stderr.isatty():
        sys.stderr.write("\r" + line[:100].ljust(100) + ("\n" if i == n else ""))
    else:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _load_dir(args, folder: Path) -> int:
    """Every .xlsx/.csv in ``folder`` (not its subfolders), each on its own; one summary at the end."""
    from etl.intake import totals
    from etl.load import Summary
    from etl.validate import Issue

    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in LOADABLE and not p.name.startswith(("~$", ".")))
    if not files:
        raise UsageError(f"Thư mục {folder} không có tệp .xlsx hoặc .csv nào")
    catalog = _catalog(args.db)
    results = []
    for i, path in enumerate(files, start=1):
        _progress(i - 1, len(files), path.name)
        try:
            results.append(_load_path(args, path, catalog))
        except StoreBusy as e:   # this file waits for next time; the others still go
            results.append(Summary(file=path.name, dry_run=args.dry_run, errors=[Issue("error", path.name, str(e))]))
        _progress(i, len(files), path.name)
    t = totals(results)
    ok = all(s.ok for s in results)
    if args.json:
        _print_json({"folder": str(folder), "dry_run": args.dry_run, "ok": ok, "totals": t,
                     "files": [s.to_dict() for s in results]})
        return EXIT_OK if ok else EXIT_REJECTED
    for s in results:
        _say(*s.lines_vi(limit=20), "")
    head = "Tổng kết kiểm tra thử" if args.dry_run else "Tổng kết"
    _say(f"{head} {folder}: {t['files']} tệp — {t['loaded']} {'hợp lệ' if args.dry_run else 'đã nạp'}, "
         f"{t['duplicates']} đã nạp trước đây, {t['rejected']} bị từ chối; {t['new']} giá trị mới, "
         f"{t['changed']} thay đổi, {t['unchanged']} không đổi, {t['errors']} lỗi, {t['warnings']} cảnh báo.")
    for s in results:
        if not s.ok:
            _say(f"  ✖ {s.file}: {len(s.errors)} lỗi")
    return EXIT_OK if ok else EXIT_REJECTED


def cmd_template(args) -> int:
    from etl.intake import write_template_for
    from etl.returns import template_name

    period = _quarter_arg(args.period)
    cat, units = _catalog(args.db)
    out = Path(args.output or template_name(args.plan, args.unit, period))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        codes = write_template_for(out, args.plan, args.unit, period, db=args.db, catalog=(cat, units))
    except (KeyError, ValueError) as e:
        raise UsageError(e.args[0]) from None
    if args.json:
        _print_json({"file": str(out), "plan": args.plan, "unit": args.unit, "period": str(period),
                     "indicators": codes})
    else:
        unit = units[args.unit]
        _say(f"Đã tạo biểu {out}: {unit['name']} (mã {unit['code']}), {period.label()}, kế hoạch "
             f"{cat.plans[args.plan].short_title}; {len(codes)} chỉ tiêu.")
    return EXIT_OK


def cmd_uploads(args) -> int:
    from etl.load import list_uploads
    from kpi.fmt import fmt_datetime

    with connect(args.db) as con:
        rows = list_uploads(con, unit=args.unit, period=args.period, limit=args.limit)
    if args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        _say("Chưa có lần nạp nào.")
    for u in rows:
        who = u["uploaded_by"] or "—"
        what = " ".join(x for x in (u["unit"] and f"{u['unit_name'] or u['unit']}", u["period"]) if x)
        _say(f"#{u['id']} {fmt_datetime(u['uploaded_at'])} {who}: {u['file_name']} [{u['format']}] {what}".rstrip()
             + f" — {u['status_label']}; {u['rows_new']} mới, {u['rows_changed']} thay đổi, "
             f"{u['rows_unchanged']} không đổi, {u['warnings'] or 0} cảnh báo; "
             f"{u['values_current']}/{u['values_stored']} giá trị đang dùng")
    return EXIT_OK


def cmd_rollback(args) -> int:
    from etl.load import withdraw

    with connect(args.db) as con:
        try:
            result = withdraw(con, args.upload_id, by=args.user or "")
        except KeyError as e:
            raise UsageError(e.args[0]) from None
        except ValueError as e:
            raise Rejected(str(e)) from None
    if args.json:
        _print_json(result.to_dict())
    else:
        _say(*result.lines_vi())
    return EXIT_OK


def _plans(cat, plan_id):
    if plan_id:
        try:
            return [cat.plan(plan_id)]
        except CatalogError as e:
            raise UsageError(str(e)) from None
    return list(cat.plans.values())


def cmd_targets(args) -> int:
    with connect(args.db) as con:
        _ensure_catalog(con)
        cat = repo.catalog_from_db(con)
    plans = _plans(cat, args.plan)
    if args.json:
        used = {t.indicator for p in plans for t in p.targets}
        _print_json({
            "plans": [p.to_dict() for p in plans],
            "indicators": {c: i.__dict__ | {"breaks": [list(b) for b in i.breaks]}
                           for c, i in cat.indicators.items() if c in used},
        })
        return EXIT_OK
    for p in plans:
        _say(f"{p.id}: {p.title}", f"  {p.reference()}; {len(p.targets)} chỉ tiêu, {len(p.milestones)} mốc")
        for t in p.targets:
            _say(f"  - {t.id} [{t.kind}] {t.quote[:90]}")
    return EXIT_OK


def cmd_status(args) -> int:
    from kpi.assess import assess_plan, report_json
    from kpi.progress import STATUSES

    as_of = None
    if args.as_of:
        try:
            as_of = Period.parse(args.as_of)
        except PeriodError as e:
            raise UsageError(str(e)) from None
    with connect(args.db) as con:
        _ensure_catalog(con)
        cat = repo.catalog_from_db(con)
        plans = _plans(cat, args.plan)
        if args.unit and scalar(con, "SELECT count(*) FROM units WHERE code = ?", [args.unit]) == 0:
            raise UsageError(f"Không có đơn vị '{args.unit}'")
        reports = [assess_plan(con, p.id, as_of=as_of, unit=args.unit, catalog=cat) for p in plans]
    if args.json:
        out = [report_json(r, cat) for r in reports]
        _print_json(out[0] if args.plan else out)
        return EXIT_OK
    from kpi.fmt import fmt_value

    for r in reports:
        counts = ", ".join(f"{STATUSES[s]['label']}: {n}" for s, n in r.counts().items() if n)
        _say(f"{r.plan.short_title} — đơn vị {r.unit}, số liệu đến {r.as_of.as_of_label()}: {counts}")
        for a in r.targets:
            ind = cat.indicators[r.plan.target(a.target_id).indicator]
            _say(f"  {STATUSES[a.status]['symbol']} {a.target_id}: {STATUSES[a.status]['label']}; "
                 f"{fmt_value(a.latest_value, ind.unit, ind.decimals)}")
    return EXIT_OK


# --- parser ----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m etl", description="chitieu: nạp và đánh giá chỉ tiêu kế hoạch.")
    p.add_argument("--db", help="tệp cơ sở dữ liệu (mặc định: $CHITIEU_DB hoặc data/chitieu.duckdb)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def add(name, help_):
        s = sub.add_parser(name, help=help_, description=help_)
        s.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
        return s

    s = add("init", "Tạo hoặc nâng cấp cơ sở dữ liệu và nạp danh mục chỉ tiêu")
    s.add_argument("--targets", help="thư mục danh mục (mặc định: targets/)")
    s.set_defaults(func=cmd_init)

    s = add("demo", "Nạp dữ liệu minh họa")
    s.add_argument("--seed", type=int, default=2025)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_demo)

    s = add("load", "Nạp biểu báo cáo quý (XLSX) hoặc số liệu dạng bảng dài (CSV, XLSX); một tệp hoặc cả thư mục")
    s.add_argument("file", help="tệp, hoặc thư mục: nạp từng tệp .xlsx/.csv trong đó")
    s.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    s.add_argument("--json", action="store_true")
    s.add_argument("--status", default=None, choices=("estimate", "preliminary", "official"),
                   help="trạng thái cho số không ghi trạng thái (mặc định: official với bảng dài; "
                        "preliminary với cột Thực hiện quý, Lũy kế của biểu báo cáo)")
    s.add_argument("--user", help="tên người nạp")
    s.add_argument("--plan", help="biểu báo cáo: kế hoạch (mặc định: theo phần đầu biểu)")
    s.add_argument("--unit", help="biểu báo cáo: đơn vị đã chọn; khác với phần đầu biểu là lỗi")
    s.add_argument("--period", help="biểu báo cáo: quý đã chọn, ví dụ 2025Q2; khác với phần đầu biểu là lỗi")
    s.set_defaults(func=cmd_load)

    s = add("template", "Tạo biểu báo cáo quý (Excel) cho một đơn vị")
    s.add_argument("--plan", required=True)
    s.add_argument("--unit", required=True, help="mã đơn vị, ví dụ 11 hoặc 099")
    s.add_argument("--period", required=True, help="quý, ví dụ 2025Q2")
    s.add_argument("-o", "--output", help="tệp .xlsx sẽ ghi (mặc định: bao-cao_<kế hoạch>_<đơn vị>_<quý>.xlsx)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_template)

    s = add("uploads", "Liệt kê các lần nạp (mới nhất trước)")
    s.add_argument("--unit")
    s.add_argument("--period")
    s.add_argument("--limit", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_uploads)

    s = add("rollback", "Rút lại một lần nạp; số liệu trước đó được dùng lại")
    s.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    s.add_argument("--user", help="tên người rút lại")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_rollback)

    s = add("targets", "In danh mục chỉ tiêu")
    s.add_argument("--plan")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_targets)

    s = add("status", "Đánh giá tiến độ các chỉ tiêu")
    s.add_argument("--plan")
    s.add_argument("--unit")
    s.add_argument("--as-of", dest="as_of", help="kỳ đánh giá, ví dụ 2025Q2")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Rejected as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_REJECTED
    except StoreBusy as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_REJECTED
