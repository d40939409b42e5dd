"""``python -m etl COMMAND``: create the store, load the catalogue and data, report.

Exit codes: 0 done, 1 data rejected (or the store busy, damaged, full or
read-only; an unknown upload; a symbolic link as input), 2 wrong usage.
Messages for people are in Vietnamese; ``--json`` prints data for programs.
Only ``init`` creates the database file: every other command on a path
without one stops (exit 1) and creates nothing.

Each command holds the database only while it needs it (DuckDB lets one
process open the file at a time, and the app uses it too): ``load`` reads
the catalogue, lets go, reads and checks the file, then opens the database
again to write it in one transaction.

Who acts: without ``--user`` a command acts as the local administrator
(``@local`` in the audit log: whoever can open the database file can do
anything to it anyway); with ``--user NAME`` it acts as that account, with
its role and units, and is refused (exit code 1) what the account may not
do. ``--user`` names an account, it does not sign in: no password is asked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import os
import stat
import sys
import time
from pathlib import Path

import duckdb

from etl import plans_cli
from etl.command import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, Rejected, UsageError
from etl.command import actor as _actor
from etl.command import print_json as _print_json
from etl.command import say as _say
from kpi import accounts, permissions, plan_versions, repo
from kpi.catalog import CatalogError, load_catalog
from kpi.errors import NotFound
from kpi.periods import Period, PeriodError, parse_quarter
from kpi.store import NoDatabase, StoreBusy, StoreError, connect, db_path, scalar, store_problem
from kpi.units import build_units, provinces_for

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own messages are English; say what it is in Vietnamese
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Lỗi cú pháp lệnh: {message}\nXem hướng dẫn: {self.prog} --help\n")


# --- who acts ----------------------------------------------------------------


def _read_password(args, prompt: str = "Mật khẩu", from_stdin: bool | None = None) -> str:
    """From standard input with ``--password-stdin`` (one line), else typed twice in a terminal. Never argv."""
    if getattr(args, "password_stdin", False) if from_stdin is None else from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UsageError("Không đọc được mật khẩu từ đầu vào chuẩn (--password-stdin)")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("Không có terminal để gõ mật khẩu: dùng --password-stdin, ví dụ "
                         "printf '%s\\n' \"$MAT_KHAU\" | python -m etl user add …")
    import getpass

    first_try = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} (nhập lại): ") != first_try:
        raise UsageError("Hai lần nhập mật khẩu không khớp")
    return first_try


# --- commands --------------------------------------------------------------


def cmd_init(args) -> int:
    try:
        cat = load_catalog(args.targets)
    except CatalogError as e:
        raise Rejected(f"Danh mục chỉ tiêu có lỗi:\n{e}") from None
    admin_password = _read_password(args, from_stdin=True) if args.admin_password_stdin else None
    with connect(args.db) as con:
        actor = _actor(args, con)
        permissions.authorize(actor, "edit_targets")
        con.execute("BEGIN TRANSACTION")
        try:
            # Communes only of the provinces the plans cover (--all-communes: all 13.356): the
            # pages read every unit on each run, and 14.202 rows cost 0,13-0,34 s a read.
            provinces = None if args.all_communes else provinces_for(p.scope_unit for p in cat.plans.values())
            units_changed = repo.sync_units(con, build_units(provinces=provinces))
            cat = plan_versions.with_published(con, cat)   # plans published in the app stay
            changed = repo.sync_catalog(con, cat, actor=actor)
            con.execute("COMMIT")
        except CatalogError as e:
            con.execute("ROLLBACK")
            raise Rejected(f"Danh mục chỉ tiêu có lỗi:\n{e}") from None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        first_admin = None
        if accounts.account_count(con) == 0:
            # The first administrator: a random password shown once, unless given on standard input.
            first_admin = admin_password or accounts.new_password()
            try:
                accounts.create_user(con, "admin", first_admin, role="admin", full_name="Quản trị", actor=actor)
            except accounts.AccountError as e:
                raise Rejected(str(e)) from None
    n_t = sum(len(p.targets) for p in cat.plans.values())
    n_m = sum(len(p.milestones) for p in cat.plans.values())
    state = "đã cập nhật" if (changed or units_changed) else "không có gì thay đổi"
    _say(f"Cơ sở dữ liệu {db_path(args.db)}: {state}.",
         f"{len(cat.plans)} kế hoạch, {n_t} chỉ tiêu, {n_m} mốc thời hạn, {len(cat.indicators)} chỉ số.")
    if first_admin and not admin_password:
        _say("Đã tạo tài khoản quản trị đầu tiên: admin, mật khẩu (chỉ hiện một lần, hãy ghi lại): "
             f"{first_admin}",
             "Đổi mật khẩu: python -m etl user password admin; thêm tài khoản: python -m etl user add …")
    elif first_admin:
        _say("Đã tạo tài khoản quản trị đầu tiên: admin (mật khẩu đọc từ đầu vào chuẩn).")
    return EXIT_OK


def _ensure_catalog(con) -> None:
    if scalar(con, "SELECT count(*) FROM plans") == 0:
        raise Rejected("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy trước: python -m etl init")


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
    from etl.intake import read_catalog

    return read_catalog(db)      # NoCatalog: exit 1 (main)


def _quarter_arg(text: str) -> Period:
    try:
        return parse_quarter(text)
    except PeriodError as e:     # NotAQuarter too: its message says a quarter is needed
        raise UsageError(str(e)) from None


def read_input(path: Path) -> bytes:
    """The bytes of a file to load; a symbolic link is refused without opening what it points to."""
    try:
        st = os.lstat(path)
    except OSError as e:
        raise UsageError(f"Không tìm thấy tệp: {path} ({e.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise Rejected(f"Tệp '{path}' là liên kết tượng trưng (symbolic link): không đọc, kể cả tệp nó trỏ tới. "
                       "Chép tệp thật vào đây rồi nạp lại.")
    if not stat.S_ISREG(st.st_mode):
        raise Rejected(f"'{path}' không phải tệp thường (thiết bị, ống dẫn…): không đọc.")
    try:   # O_NOFOLLOW: a link put there after the check is refused too
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise Rejected(f"Tệp '{path}' là liên kết tượng trưng (symbolic link): không đọc.") from None
        raise Rejected(f"Không đọc được tệp '{path}': {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _load_path(args, path: Path, catalog, actor):
    from etl.intake import load_bytes

    data = read_input(path)
    try:
        return load_bytes(path.name, data, db=args.db, actor=actor, dry_run=args.dry_run,
                          status=args.status, plan=args.plan, unit=args.unit,
                          period=_quarter_arg(args.period) if args.period else None, catalog=catalog)
    except NotFound as e:
        raise UsageError(str(e)) from None


def cmd_load(args) -> int:
    target = Path(args.file)
    if target.is_dir() and not target.is_symlink():
        return _load_dir(args, target)
    if not target.is_symlink() and not target.exists():
        raise UsageError(f"Không tìm thấy tệp: {target}")
    if args.obligation:     # a narrative report; without --obligation a .docx or .pdf is refused as data (exit 1)
        return _load_report(args, target)
    actor = _actor(args)
    summary = _load_path(args, target, _catalog(args.db), actor)
    if args.json:
        _print_json(summary.to_dict())
    else:
        _say(*summary.lines_vi())
    return EXIT_OK if summary.ok else EXIT_REJECTED


def _load_report(args, path: Path) -> int:
    """A narrative report (Word/PDF) against an obligation: ``load FILE --plan P --obligation O --unit U --period Q``."""
    from etl.narrative import submit_report
    from kpi.obligations import ObligationsError

    missing = [f"--{n}" for n in ("plan", "obligation", "unit", "period") if not getattr(args, n)]
    if missing:
        raise UsageError(f"Báo cáo bằng văn bản cần {', '.join(missing)} (kỳ: 2025Q2, 2025, hoặc once)")
    with connect(args.db) as con:
        actor = _actor(args, con)
        try:
            receipt = submit_report(con, args.plan, args.obligation, args.unit, args.period, path.name,
                                    path.read_bytes(), actor=actor, dry_run=args.dry_run,
                                    uploads_dir=db_path(args.db).parent / "uploads")
        except ObligationsError as e:
            raise UsageError(str(e)) from None
    if args.json:
        _print_json(receipt.to_dict())
    else:
        _say(*receipt.lines_vi())
    return EXIT_OK if receipt.ok else EXIT_REJECTED


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
                   if (p.is_symlink() or p.is_file()) and p.suffix.lower() in LOADABLE
                   and not p.name.startswith(("~$", ".")))
    if not files:
        raise UsageError(f"Thư mục {folder} không có tệp .xlsx hoặc .csv nào")
    actor = _actor(args)
    catalog = _catalog(args.db)
    results = []
    for i, path in enumerate(files, start=1):
        _progress(i - 1, len(files), path.name)
        try:
            results.append(_load_path(args, path, catalog, actor))
        except (StoreBusy, Rejected) as e:   # this file waits for next time, or is refused; the others still go
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
    except (NotFound, ValueError) as e:
        raise UsageError(str(e)) from None
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
        rows = list_uploads(con, actor=_actor(args, con), unit=args.unit, period=args.period, limit=args.limit)
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
            result = withdraw(con, args.upload_id, actor=_actor(args, con))
        except (NotFound, ValueError) as e:    # no such upload, or already withdrawn: exit 1
            raise Rejected(str(e)) from None
    if args.json:
        _print_json(result.to_dict())
    else:
        _say(*result.lines_vi())
    return EXIT_OK


def cmd_user(args) -> int:
    """``user add|list|disable|enable|password``: accounts (an administrator's act)."""
    with connect(args.db) as con:
        actor = _actor(args, con)
        try:
            if args.action == "add":
                password = None if args.no_password else _read_password(args)
                if args.no_password and not args.email:
                    raise UsageError("--no-password chỉ dùng cùng --email (đăng nhập qua nhà cung cấp định danh)")
                made = accounts.create_user(con, args.name, password, role=args.role, units=args.unit or (),
                                        full_name=args.full_name or "", email=args.email, actor=actor)
                _say(f"Đã thêm tài khoản {made.describe()}.")
            elif args.action == "list":
                users = accounts.list_users(con, actor=actor)
                if args.json:
                    _print_json(users)
                    return EXIT_OK
                if not users:
                    _say("Chưa có tài khoản nào.")
                for u in users:
                    state = "đang dùng" if u["active"] else "đã vô hiệu hóa"
                    if u["locked"]:
                        state += f", tạm khóa đến {u['locked_until']:%H:%M %d/%m/%Y}"
                    units = f" của {', '.join(u['units'])}" if u["units"] else ""
                    name = f" — {u['full_name']}" if u["full_name"] else ""
                    _say(f"{u['username']}: {u['role_label']}{units}{name} [{state}]"
                         + (" (tài khoản minh họa)" if u["demo"] else ""))
            elif args.action == "disable":
                accounts.disable_user(con, args.name, actor=actor)
                _say(f"Đã vô hiệu hóa tài khoản '{accounts.normalize(args.name)}'; các phiên đăng nhập của nó đã kết thúc.")
            elif args.action == "enable":
                accounts.enable_user(con, args.name, actor=actor)
                _say(f"Đã mở lại tài khoản '{accounts.normalize(args.name)}'.")
            elif args.action == "password":
                accounts.set_password(con, args.name, _read_password(args, "Mật khẩu mới"), actor=actor)
                _say(f"Đã đặt mật khẩu mới cho '{accounts.normalize(args.name)}'.")
        except accounts.AccountError as e:
            raise Rejected(str(e)) from None
    return EXIT_OK


def cmd_alias(args) -> int:
    """``alias add|list``: names units' forms use for catalogue indicators (etl/names.py)."""
    from etl import names

    with connect(args.db) as con:
        actor = _actor(args, con)
        if args.action == "add":
            if not args.all and not args.unit:
                raise UsageError("Cần --unit CODE (tên của một đơn vị) hoặc --all (cho mọi đơn vị)")
            try:
                a = names.remember(con, args.name, args.indicator, actor=actor, unit=args.unit, everyone=args.all)
            except KeyError as e:
                raise Rejected(e.args[0]) from None
            _say(f"Đã ghi nhớ: '{a.alias}' là chỉ số {a.indicator} "
                 + ("cho mọi đơn vị." if a.unit == names.EVERYONE else f"trong biểu của đơn vị {a.unit}."))
            return EXIT_OK
        rows = [a.__dict__ for a in names.read_aliases(con) if not args.unit or a.unit in (args.unit, names.EVERYONE)]
    rows.sort(key=lambda a: (a["unit"], a["indicator"], a["key"]))
    if args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        _say("Chưa có tên chỉ tiêu nào được ghi nhớ.")
    for a in rows:
        scope = "mọi đơn vị" if a["unit"] == names.EVERYONE else f"đơn vị {a['unit']}"
        _say(f"'{a['alias']}' → {a['indicator']} ({scope}; {a['created_by'] or '—'})")
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
        versions = {p.id: plan_versions.current_version(con, p.id) for p in plans}
    if args.json:
        # which version of the plan the verdicts used: 0 = as shipped in targets/, n = published in the app
        out = [report_json(r, cat) | {"plan_version": versions[r.plan.id]} for r in reports]
        _print_json(out[0] if args.plan else out)
        return EXIT_OK
    from kpi.fmt import fmt_value

    for r in reports:
        counts = ", ".join(f"{STATUSES[s]['label']}: {n}" for s, n in r.counts().items() if n)
        _say(f"{r.plan.short_title} — đơn vị {r.unit}, số liệu đến {r.as_of.as_of_label()}: {counts}")
        for w in r.warnings:
            _say(f"  ! {w}")
        for a in r.targets:
            ind = cat.indicators[r.plan.target(a.target_id).indicator]
            _say(f"  {STATUSES[a.status]['symbol']} {a.target_id}: {STATUSES[a.status]['label']}"
                 f"{' (tạm tính)' if a.provisional else ''}; "
                 f"{fmt_value(a.latest_value, ind.unit, ind.decimals)}; dựa trên {a.basis}")
    return EXIT_OK


def _date_arg(text: str):
    import datetime as dt

    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise UsageError(f"Ngày '{text}' không đúng dạng YYYY-MM-DD hoặc dd/mm/yyyy")


def cmd_units(args) -> int:
    from kpi.fmt import fmt_date
    from kpi.units import UnknownUnit, list_units, parse_kinds

    try:
        kinds = parse_kinds(args.kind)
    except ValueError as e:
        raise UsageError(str(e)) from None
    as_of = _date_arg(args.as_of) if args.as_of else None
    with connect(args.db) as con:
        try:
            rows = list_units(con, parent=args.parent, as_of=as_of, kinds=kinds)
        except UnknownUnit as e:
            raise UsageError(str(e)) from None
    if args.json:
        _print_json(rows)
        return EXIT_OK
    where = f" thuộc {args.parent}" if args.parent else ""
    when = f" còn hiệu lực ngày {fmt_date(as_of)}" if as_of else ""
    _say(f"{len(rows)} đơn vị{where}{when}:")
    for r in rows:
        span = ""
        if r["valid_from"] or r["valid_to"]:
            span = f" [{fmt_date(r['valid_from']) if r['valid_from'] else '…'} – " \
                   f"{fmt_date(r['valid_to']) if r['valid_to'] else 'nay'}]"
        links = ""
        if r["predecessors"]:
            links += f"; trước: {', '.join(r['predecessors'])}"
        if r["successors"]:
            links += f"; sau: {', '.join(r['successors'])}"
        _say(f"  {r['code']:<24} {r['name']} ({r['level_label']}){span}{links}")
    return EXIT_OK


def cmd_obligations(args) -> int:
    from kpi.fmt import fmt_date, fmt_datetime
    from kpi.catalog import FREQUENCIES
    from kpi.obligations import ObligationsError, obligation_rows, reporting_rate

    period = _quarter_arg(args.period)
    today = _date_arg(args.on) if args.on else None
    with connect(args.db) as con:
        _ensure_catalog(con)
        try:
            out = obligation_rows(con, args.plan, period, today=today, obligation=args.obligation)
        except (ObligationsError, CatalogError) as e:
            raise UsageError(str(e)) from None
    rows, plan = out["rows"], out["plan"]
    if args.json:
        _print_json({"plan": plan.id, "period": str(period), "rate": reporting_rate(rows), "notes": out["notes"],
                     "rows": rows})
        return EXIT_OK
    _say(f"{plan.short_title} — nghĩa vụ báo cáo, {period.label()}:")
    if not plan.obligations:
        _say("  Kế hoạch chưa khai báo nghĩa vụ báo cáo nào.")
    for ob in (plan.obligations if not args.obligation else [plan.obligation(args.obligation)]):
        mine = [r for r in rows if r["obligation"] == ob.id]
        via = f" (qua {out['names'][ob.via]})" if ob.via else ""
        _say(f"- {ob.id}: {ob.title}. Gửi {out['names'][ob.to]}{via}; {FREQUENCIES[ob.frequency].lower()}"
             f"; {len(mine)} lượt báo cáo trong quý.")
        for n in out["notes"].get(ob.id, []):
            _say(f"    ! {n}")
        for r in mine:
            extra = ""
            if r["sent_at"]:
                extra += f"; nộp {fmt_datetime(r['sent_at'])}, lần nạp số {r['upload_id']}"
            if r["late_days"]:
                extra += f", trễ {r['late_days']} ngày"
            if r["overdue_days"]:
                extra += f"; quá hạn {r['overdue_days']} ngày"
            if r["review"]:
                extra += f"; {r['review_label'].lower()}" + (f": {r['review_reason']}" if r["review_reason"] else "")
            due = f"hạn {fmt_date(r['due'])}" if r["due"] else "không có hạn"
            _say(f"    {r['reporter']:<22} {r['reporter_name']} [{r['period']}, {due}]: {r['state_label']}{extra}")
    rate = reporting_rate(rows)
    if rate["expected"]:
        _say(f"Đã đến hạn: {rate['expected']}; đúng hạn {rate['on_time']}, trễ {rate['late']}, "
             f"chưa nộp {rate['missing']} (tỷ lệ đã nộp {str(rate['rate']).replace('.', ',')}%).")
    return EXIT_OK


def cmd_review(args) -> int:
    """``review inbox|accept|send-back|reopen``: the receiver's side, one unit or many (batch)."""
    from kpi import approval
    from kpi.obligations import ObligationsError, obligation_rows

    period = _quarter_arg(args.period)
    with connect(args.db) as con:
        _ensure_catalog(con)
        actor = _actor(args, con)
        try:
            rows = obligation_rows(con, args.plan, period, today=None, obligation=args.obligation)["rows"]
        except (ObligationsError, CatalogError) as e:
            raise UsageError(str(e)) from None
        if args.action == "inbox":
            inbox = [r for r in rows if r["review"] in ("pending", "sent_back")]
            if args.json:
                _print_json(inbox)
                return EXIT_OK
            _say(f"Hộp nhận {args.plan} {period.label()}: {sum(r['review'] == 'pending' for r in inbox)} chờ xem xét, "
                 f"{sum(r['review'] == 'sent_back' for r in inbox)} đã trả lại.")
            for r in inbox:
                _say(f"  {r['obligation']} {r['reporter']} ({r['reporter_name']}) [{r['period']}]: {r['review_label']}"
                     f"; lần nạp số {r['upload_id']}" + (f"; lý do: {r['review_reason']}" if r["review_reason"] else ""))
            return EXIT_OK
        if args.action == "send-back" and not (args.reason or "").strip():
            raise UsageError("Trả lại cần --reason \"lý do\"")
        if args.all_pending:
            targets = [(r["obligation"], r["reporter"], r["period"]) for r in rows
                       if r["review"] == ("accepted" if args.action == "reopen" else "pending")]
        else:
            if not args.unit:
                raise UsageError("Chọn đơn vị: --unit CODE (lặp lại được) hoặc --all-pending")
            if not args.obligation:
                raise UsageError("Chọn nghĩa vụ báo cáo: --obligation ID")
            keys = {r["reporter"]: r["period"] for r in rows}
            targets = [(args.obligation, u, keys.get(u, str(period))) for u in args.unit]
        step = {"accept": approval.accept, "send-back": approval.send_back, "reopen": approval.reopen}[args.action]
        failed = 0
        for ob, unit, key in targets:
            try:
                state = step(con, args.plan, ob, unit, key, reason=args.reason or "", actor=actor)
                _say(f"  ✔ {ob} {unit} {key}: {approval_label(state['state'])}")
            except (approval.ReviewError, ObligationsError) as e:
                failed += 1
                _say(f"  ✖ {e}")
        if not targets:
            _say("Không có báo cáo nào để xử lý.")
    return EXIT_REJECTED if failed else EXIT_OK


def cmd_remind(args) -> int:
    from etl import remind
    from kpi.obligations import ObligationsError
    from kpi.reminders import app_url, compose, due_items

    period = _quarter_arg(args.period)
    day = _date_arg(args.on) if args.on else remind.today()
    settings = None
    if not args.dry_run:
        try:
            settings = remind.SmtpSettings.from_env()
        except remind.SmtpSettingsError as e:
            raise UsageError(str(e)) from None
    with connect(args.db) as con:
        _ensure_catalog(con)
        actor = _actor(args, con)
        permissions.authorize(actor, "remind")
        try:
            items = due_items(con, args.plan, period, days_before=args.days_before, today=day)
        except (ObligationsError, CatalogError) as e:
            raise UsageError(str(e)) from None
        title = repo.catalog_from_db(con).plans[args.plan].title
        letters = [compose(i, plan_title=title, app_url=app_url(), today=day) for i in items]
        out = remind.send_reminders(con, items, letters, settings=settings, actor=actor, dry_run=args.dry_run)
    if args.json:
        _print_json(out.to_dict())
        return EXIT_OK if out.ok else EXIT_REJECTED
    verb = "Sẽ gửi (chạy thử, không gửi)" if args.dry_run else "Đã gửi"
    _say(f"{verb} {len(out.sent)} thư nhắc; {len(out.failed)} thư lỗi; {len(out.no_recipient)} đơn vị không có e-mail.")
    for e in out.sent:
        _say(f"  ✔ {e['what']} → {', '.join(e['to'])}: {e['subject']}")
    for e in out.failed:
        _say(f"  ✖ {e['what']} → {', '.join(e['to'])}: {e['error']}")
    for e in out.no_recipient:
        _say(f"  ! {e['what']}: không có tài khoản báo cáo viên nào có e-mail")
    return EXIT_OK if out.ok else EXIT_REJECTED


def approval_label(state: str) -> str:
    from kpi.obligations import REVIEWS

    return REVIEWS.get(state, state) or "chưa nhận"


# --- parser ----------------------------------------------------------------


def cmd_report(args) -> int:
    """``report``: the quarter's Word report, or the leader's brief (and, if asked, the scorecard and the charts),
    through the same ``kpi.exports.build`` as the export page. Every report written is recorded in the audit log.

    The texts people wrote for the plan and quarter (``kpi.exports.texts``) go in; ``--text SECTION=FILE``
    stores one first (the secretariat and admins). ``--signer``/``--deputy`` are for this run only.
    """
    from kpi import exports
    from kpi.exports.images import chart_renderer

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
    out = Path(args.output or f"{'tom-tat' if args.brief else 'bao-cao'}_{args.plan}_{period}.docx")
    if out.suffix.lower() != ".docx":
        raise UsageError(f"Tệp báo cáo phải có đuôi .docx (nhận được '{out}')")
    actor = _actor(args)                       # an unknown or disabled --user: exit 1, nothing written
    given = _read_texts(args.text)             # a bad --text: exit 2 before anything is read or written
    t0 = time.perf_counter()
    with chart_renderer():                     # the browser starts while the data is read (it does not wait)
        return _report(args, period, day, out, actor, given, t0)


def _report(args, period, day, out, actor, given, t0) -> int:
    import dataclasses

    from kpi import audit, exports
    from kpi.exports.texts import load_texts, save_texts
    from kpi.fmt import fmt_seconds

    try:
        data = exports.report_data(args.db, args.plan, period, unit=args.unit)
    except exports.ExportError as e:
        raise UsageError(str(e)) from None
    lh = exports.letterhead_for(data.plan, body=args.body, parent=args.parent, number=args.number, date=day,
                                holder=(data.holder() or {}).get("name"))
    if given:
        save_texts(args.db, data.plan.id, str(period), given, actor=actor)
    texts = load_texts(args.db, data.plan.id, str(period))
    texts = dataclasses.replace(texts, **{k: v for k, v in (("signer_name", args.signer), ("deputy_title", args.deputy))
                                          if v is not None})
    keys = exports.report_charts(data, brief=args.brief)

    def progress(i, n, name):
        if n and not args.json:
            _progress(i, n, name)

    try:
        bundle = exports.build(data, keys if args.charts else [], lh, progress=progress, texts=texts,
                               brief_only=args.brief)
    except exports.RenderError as e:
        raise Rejected(str(e)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bundle.brief if args.brief else bundle.docx)
    written = [str(out)]
    if args.xlsx:
        x = Path(args.xlsx)
        x.parent.mkdir(parents=True, exist_ok=True)
        x.write_bytes(bundle.xlsx)
        written.append(str(x))
    if args.charts:
        folder = Path(args.charts)
        folder.mkdir(parents=True, exist_ok=True)
        for name, blob in bundle.blobs.items():
            (folder / name).write_bytes(blob)
        written.append(str(folder))
    t1 = time.perf_counter()
    audit.log_event(args.db, actor, "export", f"{data.plan.id} {period}", after={"unit": data.unit, "files": written})
    missing = data.quarter_reporting()["missing"]
    summary = {
        "file": str(out), "files": written, "brief": args.brief, "plan": data.plan.id, "period": str(period),
        "unit": data.unit, "targets": len(data.rows), "counts": data.counts(), "charts": len(keys),
        "milestones_due": len(data.milestones_due()), "units_not_reported": len(missing),
        "seconds": {k: round(v, 2) for k, v in bundle.seconds.items()} | {"total": round(t1 - t0, 2)},
    }
    if args.json:
        _print_json(summary)
    else:
        _say(f"Đã ghi {'bản tóm tắt' if args.brief else 'báo cáo'} {out}: {data.plan.short_title}, {period.label()}, "
             f"đơn vị {data.unit_name}; {len(data.rows)} chỉ tiêu, {len(keys)} biểu đồ, {summary['milestones_due']} mốc "
             f"quá hạn/đến hạn, {len(missing)} đơn vị chưa gửi báo cáo ({fmt_seconds(t1 - t0)}).")
        for extra in written[1:]:
            _say(f"Đã ghi thêm {extra}")
    return EXIT_OK


def _read_texts(items: list[str]) -> dict[str, str]:
    """``["causes=a.txt", …]`` → ``{"causes": "<the file's text>"}``; a bad item is a usage error in Vietnamese."""
    from kpi.exports.texts import SECTIONS

    out = {}
    for item in items:
        section, _, name = item.partition("=")
        if section not in SECTIONS or not name:
            raise UsageError(f"--text phải có dạng MỤC=TỆP, MỤC là một trong: {', '.join(SECTIONS)} "
                             f"(nhận được '{item}')")
        try:
            out[section] = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"Không đọc được tệp '{name}' (--text {section}): {e}") from None
    return out


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
    s.add_argument("--user", help="tài khoản thực hiện (văn phòng hoặc quản trị; mặc định: quản trị cục bộ)")
    s.add_argument("--admin-password-stdin", action="store_true",
                   help="mật khẩu của tài khoản quản trị đầu tiên 'admin', đọc từ đầu vào chuẩn "
                        "(mặc định: tạo ngẫu nhiên và in ra một lần)")
    s.add_argument("--all-communes", action="store_true",
                   help="nạp xã, phường của cả 63 tỉnh cũ / 34 tỉnh mới (mặc định: chỉ các tỉnh có kế hoạch)")
    s.set_defaults(func=cmd_init)

    s = add("units", "Liệt kê đơn vị: địa bàn, cơ quan, cụm khối thi đua, theo ngày hiệu lực")
    s.add_argument("--parent", metavar="CODE", help="chỉ các đơn vị trực thuộc mã này, ví dụ 11")
    s.add_argument("--as-of", dest="as_of", metavar="DATE", help="còn hiệu lực ngày này (YYYY-MM-DD hoặc dd/mm/yyyy)")
    s.add_argument("--kind", help="loại: commune, district, province, department, party, mass_org, government, "
                                  "group; hoặc territory (mặc định), body, all; nhiều loại cách bằng dấu phẩy")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_units)

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
    s.add_argument("--user", help="nạp với tư cách tài khoản này (báo cáo viên: chỉ đơn vị của mình)")
    s.add_argument("--plan", help="biểu báo cáo: kế hoạch (mặc định: theo phần đầu biểu)")
    s.add_argument("--unit", help="biểu báo cáo: đơn vị đã chọn; khác với phần đầu biểu là lỗi")
    s.add_argument("--period", help="biểu báo cáo: quý đã chọn, ví dụ 2025Q2; khác với phần đầu biểu là lỗi")
    s.add_argument("--obligation", help="báo cáo bằng văn bản (.docx, .pdf): mã nghĩa vụ báo cáo; cần cả --plan, "
                                        "--unit, --period (2025Q2, 2025, hoặc once)")
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
    s.add_argument("--user", help="xem với tư cách tài khoản này (báo cáo viên: chỉ đơn vị của mình)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_uploads)

    s = add("rollback", "Rút lại một lần nạp; số liệu trước đó được dùng lại")
    s.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    s.add_argument("--user", help="rút lại với tư cách tài khoản này (văn phòng, quản trị; báo cáo viên: "
                                  "lần nạp của chính mình)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_rollback)

    s = add("user", "Tài khoản: thêm, liệt kê, vô hiệu hóa, mở lại, đặt mật khẩu")
    users = s.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    users.required = True

    def user_cmd(name, help_):
        u = users.add_parser(name, help=help_, description=help_)
        u.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
        u.add_argument("--user", help="thực hiện với tư cách tài khoản quản trị này (mặc định: quản trị cục bộ)")
        u.set_defaults(func=cmd_user)
        return u

    u = user_cmd("add", "Thêm tài khoản")
    u.add_argument("name", help="tên đăng nhập: chữ thường không dấu, số, . _ -")
    u.add_argument("--role", required=True, choices=tuple(permissions.ROLES),
                   help="viewer (lãnh đạo, chỉ xem), reporter (báo cáo viên của --unit), "
                        "secretariat (văn phòng: chỉ tiêu, mốc, rút lại, nhật ký), admin (quản trị)")
    u.add_argument("--unit", action="append", metavar="CODE", help="đơn vị của báo cáo viên (lặp lại nếu nhiều)")
    u.add_argument("--full-name", help="họ tên, chức vụ")
    u.add_argument("--email", help="e-mail để đăng nhập qua nhà cung cấp định danh (st.login)")
    u.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (một dòng)")
    u.add_argument("--no-password", action="store_true", help="không mật khẩu: chỉ đăng nhập qua --email")
    u = user_cmd("list", "Liệt kê tài khoản")
    u.add_argument("--json", action="store_true")
    u = user_cmd("disable", "Vô hiệu hóa tài khoản (các phiên đăng nhập kết thúc ngay)")
    u.add_argument("name")
    u = user_cmd("enable", "Mở lại tài khoản đã vô hiệu hóa")
    u.add_argument("name")
    u = user_cmd("password", "Đặt mật khẩu mới (bỏ tạm khóa, kết thúc các phiên đăng nhập)")
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (một dòng)")

    s = add("alias", "Tên chỉ tiêu trong biểu của đơn vị: ghi nhớ, liệt kê")
    aliases = s.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    aliases.required = True
    a = aliases.add_parser("add", help="Ghi nhớ: tên NAME trong biểu là chỉ số INDICATOR")
    a.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
    a.add_argument("name", help="tên chỉ tiêu như ghi trong biểu, ví dụ \"Tạo việc làm mới\"")
    a.add_argument("indicator", help="mã chỉ số trong danh mục, ví dụ new_jobs")
    a.add_argument("--unit", help="chỉ cho biểu của đơn vị này")
    a.add_argument("--all", action="store_true", help="cho mọi đơn vị (văn phòng, quản trị)")
    a.add_argument("--user", help="thực hiện với tư cách tài khoản này")
    a.set_defaults(func=cmd_alias)
    a = aliases.add_parser("list", help="Liệt kê các tên đã ghi nhớ")
    a.add_argument("--db", default=argparse.SUPPRESS, help="tệp cơ sở dữ liệu")
    a.add_argument("--unit", help="chỉ tên dùng được cho đơn vị này")
    a.add_argument("--user", help="xem với tư cách tài khoản này")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_alias)

    s = add("obligations", "Ai phải báo cáo gì, cho ai, hạn nào, trong một quý; đã nộp, trễ, chưa nộp")
    s.add_argument("--plan", required=True)
    s.add_argument("--period", required=True, help="quý, ví dụ 2025Q2")
    s.add_argument("--obligation", help="chỉ một nghĩa vụ (mã)")
    s.add_argument("--on", metavar="DATE", help="tình trạng tính đến ngày này (mặc định: hôm nay)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_obligations)

    s = add("review", "Nơi nhận xem xét báo cáo: hộp nhận, chấp nhận, trả lại (kèm lý do), mở lại")
    s.add_argument("action", choices=("inbox", "accept", "send-back", "reopen"))
    s.add_argument("--plan", required=True)
    s.add_argument("--period", required=True, help="quý, ví dụ 2025Q2")
    s.add_argument("--obligation", help="mã nghĩa vụ báo cáo")
    s.add_argument("--unit", action="append", metavar="CODE", help="đơn vị (lặp lại để xử lý nhiều đơn vị)")
    s.add_argument("--all-pending", action="store_true",
                   help="mọi báo cáo đang chờ (reopen: mọi báo cáo đã chấp nhận) của kỳ này")
    s.add_argument("--reason", help="lý do (bắt buộc khi trả lại)")
    s.add_argument("--user", help="thực hiện với tư cách tài khoản này (văn phòng, quản trị)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_review)

    s = add("remind", "Gửi thư nhắc các đơn vị sắp đến hạn hoặc quá hạn báo cáo (SMTP: CHITIEU_SMTP_*)")
    s.add_argument("--plan", required=True)
    s.add_argument("--period", required=True, help="quý, ví dụ 2025Q2")
    s.add_argument("--days-before", dest="days_before", type=int, default=3,
                   help="nhắc cả báo cáo còn từ chừng này ngày trở xuống (mặc định 3)")
    s.add_argument("--dry-run", action="store_true", help="chỉ liệt kê thư sẽ gửi, không gửi")
    s.add_argument("--on", metavar="DATE", help="tính hạn đến ngày này (mặc định: hôm nay)")
    s.add_argument("--user", help="thực hiện với tư cách tài khoản này (văn phòng, quản trị)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_remind)

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

    help_ = "Lập báo cáo quý (Word) của một kế hoạch: số chỉ tiêu theo trạng thái, bảng chỉ tiêu, biểu đồ"
    s = add("report", help_)
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
    s.add_argument("--brief", action="store_true",
                   help="bản tóm tắt cho lãnh đạo (tối đa 5 trang: số chỉ tiêu, chỉ tiêu cần chỉ đạo, tối đa 4 biểu đồ)")
    s.add_argument("--text", action="append", default=[], metavar="MỤC=TỆP",
                   help="lưu phần người viết cho kế hoạch và quý này rồi đưa vào báo cáo; MỤC: causes (nguyên nhân), "
                        "directions (phương hướng), proposals (kiến nghị), assessment (đánh giá chung), "
                        "signer_name, signer_title, deputy_title; TỆP: văn bản UTF-8")
    s.add_argument("--signer", help="họ và tên người ký, ví dụ \"Nguyễn Văn A\" (chỉ cho lần này)")
    s.add_argument("--deputy", help="ký thay (KT.): chức vụ của cấp phó, ví dụ \"Phó Giám đốc\" (chỉ cho lần này)")
    s.add_argument("--user", help="tài khoản lập báo cáo, ghi vào nhật ký (mặc định: quản trị cục bộ)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_report)

    plans_cli.register(sub)
    return p


CREATES_DB = ("init",)   # every other command needs the file to exist, and never creates it
NO_DB = ("draft-targets",)   # reads a plan's text and the shipped catalogue only


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command not in CREATES_DB + NO_DB and str(args.db) != ":memory:" and not db_path(args.db).is_file():
            p = db_path(args.db)
            raise Rejected(f"Chưa có cơ sở dữ liệu {p}: chạy trước python -m etl init"
                           + (f" --db {p}" if args.db else "") + " (lệnh này không tạo tệp mới).")
        return args.func(args)
    except UsageError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Rejected as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_REJECTED
    except (StoreBusy, NoDatabase) as e:      # NoCatalog too
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_REJECTED
    except (permissions.PermissionDenied, accounts.AuthError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_REJECTED
    except StoreError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return EXIT_REJECTED
    except (duckdb.Error, OSError) as e:   # the database file or its folder failed under us: say so, no traceback
        print(f"Lỗi: {store_problem(db_path(getattr(args, 'db', None)), e)}", file=sys.stderr)
        return EXIT_REJECTED
