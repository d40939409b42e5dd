"""``python -m etl COMMAND``: create the store, load the catalogue and data, report.

Exit codes: 0 done, 1 data rejected (or the store busy), 2 wrong usage.
Messages for people are in Vietnamese; ``--json`` prints data for programs.
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
    cols = [d[0] for d in con.execute("SELECT * FROM units LIMIT 0").description]
    return {r[0]: dict(zip(cols, r)) for r in con.execute("SELECT * FROM units").fetchall()}


def cmd_demo(args) -> int:
    from etl import demo
    from etl.bulk import check_bulk
    from etl.load import write

    with connect(args.db) as con:
        _ensure_catalog(con)
        cat = repo.catalog_from_db(con)
        repo.sync_units(con, build_units() + list(demo.DEMO_UNITS))
        frame = demo.generate_demo(cat, seed=args.seed)
        data = frame.to_csv(index=False).encode("utf-8")
        name = f"demo-seed-{args.seed}.csv"
        checked = check_bulk(name, data, cat.indicators, _units(con))
        summary = write(con, checked, file_name=name, data=data, fmt="demo", uploaded_by="demo",
                        note="Dữ liệu minh họa")
    if args.json:
        _print_json(summary.to_dict())
    else:
        _say(*summary.lines_vi())
    return EXIT_OK if summary.ok else EXIT_REJECTED


def cmd_load(args) -> int:
    from etl.bulk import check_bulk
    from etl.load import write

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"Không tìm thấy tệp: {path}")
    data = path.read_bytes()
    with connect(args.db) as con:
        _ensure_catalog(con)
        cat = repo.catalog_from_db(con)
        checked = check_bulk(path.name, data, cat.indicators, _units(con), default_status=args.status)
        summary = write(con, checked, file_name=path.name, data=data, fmt="bulk",
                        uploaded_by=args.user or "", dry_run=args.dry_run)
    if args.json:
        _print_json(summary.to_dict())
    else:
        _say(*summary.lines_vi())
    return EXIT_OK if summary.ok else EXIT_REJECTED


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

    s = add("load", "Nạp số liệu dạng bảng dài (CSV hoặc XLSX)")
    s.add_argument("file")
    s.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    s.add_argument("--json", action="store_true")
    s.add_argument("--status", default="official", choices=("estimate", "preliminary", "official"),
                   help="trạng thái cho các dòng không ghi trạng thái (mặc định: official)")
    s.add_argument("--user", help="tên người nạp")
    s.set_defaults(func=cmd_load)

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
