"""One file in: recognise it, read and check it without holding the database, write it in one transaction.

The command line (``load FILE|DIR``) and the app's upload page both call
:func:`load_bytes`. The database is opened twice, briefly: once to read the
catalogue (pass ``catalog`` to skip it), once to compare with the unit's
history and write. Reading the workbook, the slow part, holds nothing, so the
app and other loads can use the file meanwhile. ``actor`` (a ``kpi.permissions.Actor``)
is who sends it: a reporter may write only its own units (``etl.load.write``
refuses the rest, so a dry run already shows the refusal)::

    s = load_bytes("bao-cao.xlsx", data, actor=actor, dry_run=True)
    s.to_dict()["new"], [str(e) for e in s.errors]      # (12, [])
"""

from __future__ import annotations

import datetime as dt
import io
import re
import os

import pandas as pd

from etl.excel import MAX_FILE_BYTES  # noqa: F401  the upload page says this limit
from etl import returns
from etl.bulk import check_bulk
from etl.load import Summary, list_uploads, withdraw, write
from etl.validate import Issue
from kpi import repo
from kpi.errors import NotFound
from kpi.fmt import fmt_datetime, fmt_number
from kpi.permissions import Actor, can
from kpi.catalog import Catalog
from kpi.periods import Period, PeriodError, quarters
from kpi.units import TERRITORIES
from kpi.repo import units_by_code
from kpi.store import StoreError, connect, db_path, open_existing
from kpi.texts import unit_label


def read_catalog(db: str | os.PathLike | None = None) -> tuple[Catalog, dict[str, dict]]:
    """The catalogue and the units, from the database (held only while reading them)."""
    with connect(db, create=False) as con:
        return repo.read_catalog(con), units_by_code(con)


def read_aliases(db: str | os.PathLike | None = None) -> list:
    """Remembered indicator names (``etl.names``), from the database (held only while reading them)."""
    from etl import names

    with connect(db, create=False) as con:
        return names.read_aliases(con)


def load_bytes(name: str, data: bytes, *, actor: Actor, db: str | os.PathLike | None = None,
               dry_run: bool = False, status: str | None = None, plan: str | None = None,
               unit: str | None = None, period: Period | None = None,
               catalog: tuple[Catalog, dict[str, dict]] | None = None) -> Summary:
    """Check a file and, unless ``dry_run`` or it has errors, write it as one upload.

    A return (XLSX with a return's table) or the bulk format (CSV, or XLSX
    whose first row is the bulk header). ``plan``, ``unit``, ``period``: what
    the uploader chose for a return (a header that says otherwise is an
    error); they must exist (check them first: unknown ones raise NotFound).
    ``status``: bulk rows without one (default official); a return's quarter
    and year-to-date values (default preliminary). The original file is kept
    under ``uploads/`` next to the database.
    """
    cat, units = catalog or read_catalog(db)
    if plan is not None and plan not in cat.plans:
        raise NotFound(f"Không có kế hoạch '{plan}'. Các kế hoạch: {', '.join(sorted(cat.plans))}")
    if unit is not None and unit not in units:
        raise NotFound(f"Không có đơn vị '{unit}'")
    common = dict(file_name=name, data=data, actor=actor, dry_run=dry_run,
                  uploads_dir=db_path(db).parent / "uploads")
    try:
        if returns.sniff(name, data) == "bulk":
            checked = check_bulk(name, data, cat.indicators, units, default_status=status or "official")
            with connect(db, create=False) as con:
                return write(con, checked, fmt="bulk", meta={"kind": "bulk"}, **common)
        rf = returns.read_return(name, data, cat, units, plan_id=plan, unit_code=unit, period=period,
                                 status=status, aliases=read_aliases(db))
        with connect(db, create=False) as con:
            if not rf.checked.errors:
                returns.check_history(con, rf, cat)
            return write(con, rf.checked, fmt="return", unit=rf.unit["code"] if rf.unit else None,
                         period=str(rf.period) if rf.period else None, plan_id=rf.plan.id if rf.plan else None,
                         prepared_by=rf.preparer or None, meta=rf.meta(), **common)
    except StoreError as e:   # damaged, full, read-only: the page and the CLI show it like any refusal
        return Summary(file=name, dry_run=dry_run, errors=[Issue("error", name, str(e))])


def write_template_for(out, plan_id: str, unit_code: str, period: Period, *, db: str | os.PathLike | None = None,
                       catalog: tuple[Catalog, dict[str, dict]] | None = None) -> list[str]:
    """Write the return form of a unit and quarter to ``out`` (a path or a binary file); its indicator codes.

    Raises NotFound for an unknown plan or unit, ValueError (the reason in
    Vietnamese) for a unit or quarter the plan does not allow.
    """
    cat, units = catalog or read_catalog(db)
    if plan_id not in cat.plans:
        raise NotFound(f"Không có kế hoạch '{plan_id}'. Các kế hoạch: {', '.join(sorted(cat.plans))}")
    if unit_code not in units:
        raise NotFound(f"Không có đơn vị '{unit_code}'")
    plan, unit = cat.plans[plan_id], units[unit_code]
    problem = returns.unit_problem(plan, unit, period, units)
    if problem:
        raise ValueError(f"Không tạo biểu được: {problem}")
    codes = [i.code for i in returns.reporting_indicators(cat, plan, unit)]
    with connect(db) as con:
        known = returns.last_known(con, unit_code, codes, period)
    returns.write_template(out, cat, plan, unit, period, known)
    return codes


COUNTS = ("rows_read", "new", "changed", "unchanged", "outranked", "ignored", "errors", "warnings")


def totals(results: list[Summary]) -> dict:
    """One summary for many files. Values count only files that were (or would be) written."""
    def count(s: Summary, k: str) -> int:
        v = getattr(s, k)
        return v if isinstance(v, int) else len(v)

    out = {k: sum(count(s, k) for s in results if s.ok or k in ("rows_read", "ignored", "errors", "warnings"))
           for k in COUNTS}
    out.update(files=len(results), loaded=sum(1 for s in results if s.ok and s.duplicate_of is None),
               duplicates=sum(1 for s in results if s.duplicate_of is not None),
               rejected=sum(1 for s in results if not s.ok))
    return out


# --- what the upload page shows (pages/nhap_so_lieu.py) ------------------------------


def upload_choices(path=None, plan_id: str | None = None, actor=None) -> dict:
    """Units that send returns for the plan (those ``actor`` may write, if given), and the plan's quarters up to now."""
    with open_existing(path) as con:
        cat = repo.read_catalog(con)
        plan = cat.plan(plan_id)
        units = units_by_code(con)
    today = dt.date.today()
    last_year = min(plan.end, today.year)
    last_q = 4 if last_year < today.year else (today.month - 1) // 3 + 1
    qs = [str(q) for q in quarters(plan.start, last_year, last_q)][::-1]
    # territories only: departments and Party bodies send narrative reports (etl/narrative.py), not returns
    candidates = [plan.scope_unit] + sorted(c for c, u in units.items() if u.get("parent") == plan.scope_unit
                                            and u.get("level") in TERRITORIES)
    out_units = {}
    for c in candidates:
        u = units[c]
        if returns.reporting_indicators(cat, plan, u) and (actor is None or can(actor, "write_unit", c)):
            out_units[c] = unit_label(u, c)
    return {"units": out_units, "quarters": qs, "has_targets": bool(plan.targets)}


def template_bytes(path=None, plan_id: str = "", unit: str = "", period: str = "") -> tuple[bytes, str]:
    """The return form for a unit and quarter, and a file name for it. ValueError says why not."""
    buf = io.BytesIO()
    write_template_for(buf, plan_id, unit, Period.parse(period), db=db_path(path))
    return buf.getvalue(), f"bieu-bao-cao-{unit}-{period}.xlsx"


# Errors that stop the whole file, whatever its cells say: the form of another unit, quarter or plan,
# a unit the account may not write, no table found. Shown first: fixing a cell is pointless until they are.
BLOCKING = re.compile(r"khác với (kế hoạch|kỳ|đơn vị)|ghi trong biểu là|không được ghi số liệu|không tìm thấy bảng"
                      r"|không phải biểu|không đọc được")


def blocking(issue) -> bool:
    """Whether ``issue`` stops the whole file (wrong unit, quarter or plan; not allowed; unreadable)."""
    return issue.level == "error" and bool(BLOCKING.search(issue.message))


def sorted_issues(issues: list) -> list:
    """What blocks the file first, then the other errors, then warnings; the file's order within each."""
    return sorted(issues, key=lambda i: (not blocking(i), i.level != "error"))


def _summary_view(s, names: dict[str, str] | None = None) -> dict:
    names = names or {}
    ordered = sorted_issues(s.errors + s.warnings)
    issues = pd.DataFrame([{"Mức": "Lỗi chặn cả tệp" if blocking(i) else ("Lỗi" if i.level == "error" else "Cảnh báo"),
                            "Vị trí": i.where, "Nội dung": i.message} for i in ordered])
    changes = pd.DataFrame([{"Chỉ số": names.get(c.indicator, c.indicator), "Đơn vị": c.unit, "Kỳ": Period.parse(c.period).label(),
                             "Cũ": fmt_number(c.old, None), "Mới": fmt_number(c.new, None)} for c in s.changed])
    return {"summary": s.to_dict(), "lines": s.lines_vi(), "issues": issues, "changes": changes, "ok": s.ok,
            "blocking": sum(1 for i in ordered if blocking(i)),
            "duplicate_of": s.duplicate_of, "upload_id": s.upload_id, "names": name_questions(s.meta, names)}


def name_questions(meta: dict, names: dict[str, str]) -> list[dict]:
    """Rows of a return whose indicator name is not the catalogue's: what the clerk confirms or picks.

    Each: the cell, the name as written, the indicator chosen by similarity (None when none was clear),
    and the options (codes, the chosen or best first) with their labels. Empty for other files.
    """
    out = []
    for m in meta.get("by_name", []) + meta.get("unmatched", []):
        options = list(dict.fromkeys(([m["indicator"]] if m.get("indicator") else [])
                                     + [c for c, _ in m.get("candidates", [])]))
        if not m.get("name") or not options:
            continue
        out.append({"row": m["row"], "where": m["where"], "name": m["name"], "chosen": m.get("indicator"),
                    "options": options, "labels": {c: f"{names.get(c, c)} ({c})" for c in options}})
    return out


def remember_names(path=None, picks: dict[str, str] | None = None, *, actor, unit: str | None,
                   everyone: bool = False) -> int:
    """Remember the clerk's picks (name as written → indicator code) for ``unit``, or for everyone.

    Each is audited (``indicator_alias``); the next check of the same file takes them without a question.
    Raises PermissionDenied when ``actor`` may not (a reporter: only its own units; everyone: the secretariat).
    """
    from etl import names as names_mod

    picks = {n: c for n, c in (picks or {}).items() if n and c}
    with open_existing(path) as con:
        for name, code in picks.items():
            names_mod.remember(con, name, code, actor=actor, unit=unit, everyone=everyone)
    return len(picks)


def check_upload(path=None, name: str = "", data: bytes = b"", plan_id: str | None = None, unit: str | None = None,
                 period: str | None = None, *, actor, dry_run: bool = True) -> dict:
    """Read and check a file sent by ``actor`` (and write it unless ``dry_run``): the import summary.

    A reporter sending another unit's figures gets the refusal in the summary's errors.
    """
    catalog = read_catalog(db_path(path))
    s = load_bytes(name, data, db=db_path(path), actor=actor, dry_run=dry_run, plan=plan_id, unit=unit,
                   period=Period.parse(period) if period else None, catalog=catalog)
    return _summary_view(s, {c: i.name for c, i in catalog[0].indicators.items()})


def uploads_view(path=None, actor=None, limit: int = 200) -> dict:
    """The uploads table and the ids of the uploads ``actor`` may roll back."""
    with open_existing(path) as con:
        rows = list_uploads(con, actor=actor, limit=limit)
    return {"table": _uploads_frame(rows), "withdrawable": [r["id"] for r in rows if r["can_withdraw"]]}


def _uploads_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Số": r["id"], "Thời điểm": fmt_datetime(r["uploaded_at"]), "Tệp": r["file_name"],
        "Loại": {"return": "Báo cáo quý", "bulk": "Bảng dài", "demo": "Minh họa", "report": "Báo cáo văn bản"}.get(r["format"], r["format"]),
        "Đơn vị": r["unit_name"] or r["unit"] or "", "Kỳ": _period_label(r["period"]),
        "Người nạp": r["uploaded_by"] or "", "Mới": r["rows_new"], "Thay đổi": r["rows_changed"],
        "Cảnh báo": r["warnings"] or 0, "Trạng thái": r["status_label"],
    } for r in rows])


def rollback(path=None, upload_id: int = 0, *, actor) -> list[str]:
    """Withdraw an upload as ``actor``; what came back, in Vietnamese (PermissionDenied if not allowed)."""
    with connect(db_path(path)) as con:
        return withdraw(con, int(upload_id), actor=actor).lines_vi()


def _period_label(period: str | None) -> str:
    """A period as people read it; a narrative report's own period (``2025H1``, ``2025-04``) as it is."""
    if not period:
        return ""
    try:
        return Period.parse(period).label()
    except PeriodError:
        return period


# --- narrative reports (a Word or PDF file against a plan's obligation) --------------------------------------


def report_choices(path=None, plan_id: str | None = None, actor=None, today: dt.date | None = None) -> dict:
    """What ``actor`` may send as a narrative report for the plan: per obligation (those asking for a report),
    its reporters that ``actor`` may write and the periods due up to now, newest first."""
    from kpi.obligations import _members, instances, reporter_codes

    today = today or dt.date.today()
    with open_existing(path) as con:
        plan = repo.read_catalog(con).plan(plan_id)
        units, members = units_by_code(con), _members(con)
    last_year = min(plan.end, today.year)
    last_q = 4 if last_year < today.year else (today.month - 1) // 3 + 1
    out = {}
    for ob in plan.obligations:
        if ob.what == "return":   # narrative or both
            continue
        codes = [c for c in reporter_codes(ob, units, members) if actor is None or can(actor, "write_unit", c)]
        keys = list(dict.fromkeys(i.key for q in quarters(plan.start, last_year, last_q)
                                  for i in instances(ob, plan, q)))[::-1]
        if codes and keys:
            out[ob.id] = {"title": ob.title, "units": {c: unit_label(units.get(c), c) for c in codes},
                          "periods": keys}
    return out


def send_report(path=None, plan_id: str = "", obligation_id: str = "", unit: str = "", period: str = "",
                name: str = "", data: bytes = b"", *, actor) -> dict:
    """Check and keep a narrative report (etl.narrative): ``{"ok", "lines"}`` with the receipt or the errors."""
    from etl.narrative import submit_report

    with connect(db_path(path)) as con:
        r = submit_report(con, plan_id, obligation_id, unit, period, name, data, actor=actor,
                          uploads_dir=db_path(path).parent / "uploads")
    return {"ok": not r.errors, "lines": r.lines_vi()}
