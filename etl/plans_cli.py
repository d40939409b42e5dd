"""``python -m etl draft-targets FILE`` and ``python -m etl plan export|import``.

``draft-targets`` reads a plan's document (.txt, .docx, .pdf) and prints a draft
of its targets, milestones and obligations (kpi.drafting), offline. ``plan
export`` writes the YAML of a plan as the database holds it; ``plan import``
checks a plan's YAML with the catalogue's own rules (kpi.catalog) and publishes
it as the plan's next version (kpi.plan_versions), recorded in the audit log.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.command import EXIT_OK, Rejected, UsageError
from etl.command import actor as _actor
from etl.command import print_json as _print_json
from etl.command import say as _say


def _ensure_catalog(con) -> None:
    from kpi.store import scalar

    if scalar(con, "SELECT count(*) FROM plans") == 0:
        raise Rejected("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy trước: python -m etl init")


def register(subparsers) -> None:
    help_ = "Đọc văn bản kế hoạch (.txt, .docx, .pdf) và đề xuất bản nháp chỉ tiêu, mốc thời hạn, nghĩa vụ báo cáo"
    s = subparsers.add_parser("draft-targets", help=help_, description=help_)
    s.add_argument("file", help="văn bản kế hoạch")
    s.add_argument("--period", help="giai đoạn của kế hoạch, ví dụ 2026-2030 (mặc định: đọc từ tên văn bản)")
    s.add_argument("--targets", help="thư mục danh mục để gợi ý chỉ số (mặc định: targets/)")
    s.add_argument("--json", action="store_true", help='in {"drafts": [...], "milestones": [...], "obligations": [...]}')
    s.set_defaults(func=cmd_draft_targets)

    help_ = "Kế hoạch trong cơ sở dữ liệu: xuất ra YAML, nhập từ YAML (một phiên bản mới)"
    s = subparsers.add_parser("plan", help=help_, description=help_)
    actions = s.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    e = actions.add_parser("export", help="In (hoặc ghi) YAML của một kế hoạch")
    e.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
    e.add_argument("--plan", required=True)
    e.add_argument("-o", "--output", help="tệp .yaml sẽ ghi (mặc định: in ra màn hình)")
    e.set_defaults(func=cmd_plan_export)
    i = actions.add_parser("import", help="Nạp một kế hoạch từ YAML (kiểm tra như danh mục), thành phiên bản mới")
    i.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
    i.add_argument("file", help="tệp <mã kế hoạch>.yaml theo targets/README.md")
    i.add_argument("--indicators", help="tệp YAML các chỉ số mới mà kế hoạch dùng (như indicators.yaml)")
    i.add_argument("--note", help="ghi chú của phiên bản")
    i.add_argument("--user", help="tài khoản thực hiện (văn phòng hoặc quản trị; mặc định: quản trị cục bộ)")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_plan_import)
    v = actions.add_parser("versions", help="Các phiên bản đã công bố của một kế hoạch")
    v.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
    v.add_argument("--plan", required=True)
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_plan_versions)


def _period(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        a, _, b = text.partition("-")
        y0, y1 = int(a), int(b or a)
    except ValueError:
        raise UsageError(f"--period phải có dạng 2026-2030 (có: '{text}')") from None
    if y0 > y1:
        raise UsageError(f"--period: năm đầu {y0} sau năm cuối {y1}")
    return y0, y1


def cmd_draft_targets(args) -> int:
    from kpi.catalog import CatalogError, load_catalog
    from kpi.drafting import DraftError, draft_document

    period = _period(args.period)
    try:
        indicators = load_catalog(args.targets).indicators
    except CatalogError as e:
        raise Rejected(f"Danh mục chỉ tiêu có lỗi:\n{e}") from None
    try:
        out = draft_document(Path(args.file), indicators=indicators, period=period)
    except DraftError as e:
        raise Rejected(str(e)) from None
    out.pop("text")
    if args.json:
        _print_json(out)
        return EXIT_OK
    y0, y1 = out["period"]
    _say(f"{args.file}: giai đoạn {y0}-{y1}; {len(out['drafts'])} chỉ tiêu, {len(out['milestones'])} mốc, "
         f"{len(out['obligations'])} nghĩa vụ báo cáo (bản nháp: cần rà soát trước khi công bố).")
    for d in out["drafts"]:
        num = f"{d['low']:g}-{d['high']:g}" if d["kind"] == "range" else (
            "" if d["value"] is None else f"{d['cmp'] or ''}{d['value']:g}")
        ind = (f"{d['indicator']} ({d['confidence']:.0%})" if d.get("new_indicator") is None
               else f"MỚI {d['new_indicator']['code']}")
        _say(f"  {d['id']} [{d['kind']}] {num} {d['unit'] or ''} {d['start']}-{d['end']} → {ind}",
             f"      «{d['quote'][:110]}»")
    for m in out["milestones"]:
        how = "ghi trong văn bản" if m["stated"] else "suy ra"
        _say(f"  {m['id']} hạn {m['deadline']} ({m['deadline_written']}, {how}); {m['responsible'] or '—'}",
             f"      «{m['quote'][:110]}»")
    for o in out["obligations"]:
        _say(f"  báo cáo: {o['who'] or '—'} → {o['to']}, {o['frequency'] or o['by_when']}")
    return EXIT_OK


def cmd_plan_export(args) -> int:
    from kpi import plan_versions, repo
    from kpi.catalog import CatalogError
    from kpi.store import connect

    with connect(args.db) as con:
        _ensure_catalog(con)
        cat = repo.catalog_from_db(con)
    try:
        text = plan_versions.plan_yaml(cat.plan(args.plan))
    except CatalogError as e:
        raise UsageError(str(e)) from None
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _say(f"Đã ghi {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_plan_import(args) -> int:
    from kpi import plan_versions
    from kpi.catalog import CatalogError, read_yaml
    from kpi.store import connect

    path = Path(args.file)
    try:
        data = read_yaml(path)
        extra = read_yaml(Path(args.indicators)) if args.indicators else None
    except CatalogError as e:
        raise Rejected(str(e)) from None
    except OSError as e:
        raise Rejected(f"{e.filename}: không đọc được tệp ({e.strerror})") from None
    with connect(args.db) as con:
        actor = _actor(args, con)
        try:
            v = plan_versions.publish(con, data, actor, file_name=path.name, indicators=extra,
                                      note=args.note or "")
        except CatalogError as e:
            raise Rejected(str(e)) from None
    if args.json:
        _print_json(v)
    elif v["changed"]:
        _say(f"Đã công bố kế hoạch {v['plan_id']}, phiên bản {v['version']}.")
    else:
        _say(f"Kế hoạch {v['plan_id']} không thay đổi (vẫn là phiên bản {v['version']}).")
    return EXIT_OK


def cmd_plan_versions(args) -> int:
    from kpi import plan_versions
    from kpi.store import connect

    with connect(args.db) as con:
        rows = plan_versions.versions(con, args.plan)
    if args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        _say(f"{args.plan}: chưa có phiên bản nào được công bố trong ứng dụng (kế hoạch theo tệp YAML đi kèm).")
    for r in rows:
        _say(f"{args.plan} v{r['version']}: {r['published_at']:%d/%m/%Y %H:%M} bởi {r['published_by']}"
             + (f" — {r['note']}" if r["note"] else ""))
    return EXIT_OK
