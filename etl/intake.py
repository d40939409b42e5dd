"""One file in: recognise it, read and check it without holding the database, write it in one transaction.

The command line (``load FILE|DIR``) and the app's upload page both call
:func:`load_bytes`. The database is opened twice, briefly: once to read the
catalogue (pass ``catalog`` to skip it), once to compare with the unit's
history and write. Reading the workbook, the slow part, holds nothing, so the
app and other loads can use the file meanwhile. ``actor`` (a ``kpi.auth.Actor``)
is who sends it: a reporter may write only its own units (``etl.load.write``
refuses the rest, so a dry run already shows the refusal)::

    s = load_bytes("bao-cao.xlsx", data, actor=actor, dry_run=True)
    s.to_dict()["new"], [str(e) for e in s.errors]      # (12, [])
"""

from __future__ import annotations

import os

import duckdb

from etl import returns
from etl.bulk import check_bulk
from etl.load import Summary, write
from kpi import repo
from kpi.auth import Actor
from kpi.catalog import Catalog
from kpi.periods import Period
from kpi.repo import units_by_code  # noqa: F401  (callers import it from here too)
from kpi.store import connect, db_path, scalar


class NoCatalog(RuntimeError):
    """The database has no catalogue yet."""


def read_catalog(db: str | os.PathLike | None = None) -> tuple[Catalog, dict[str, dict]]:
    """The catalogue and the units, from the database (held only while reading them)."""
    with connect(db) as con:
        if scalar(con, "SELECT count(*) FROM plans") == 0:
            raise NoCatalog("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy trước: python -m etl init")
        return repo.catalog_from_db(con), units_by_code(con)


def load_bytes(name: str, data: bytes, *, actor: Actor, db: str | os.PathLike | None = None,
               dry_run: bool = False, status: str | None = None, plan: str | None = None,
               unit: str | None = None, period: Period | None = None,
               catalog: tuple[Catalog, dict[str, dict]] | None = None) -> Summary:
    """Check a file and, unless ``dry_run`` or it has errors, write it as one upload.

    A return (XLSX with a return's table) or the bulk format (CSV, or XLSX
    whose first row is the bulk header). ``plan``, ``unit``, ``period``: what
    the uploader chose for a return (a header that says otherwise is an
    error); they must exist (check them first: unknown ones raise KeyError).
    ``status``: bulk rows without one (default official); a return's quarter
    and year-to-date values (default preliminary). The original file is kept
    under ``uploads/`` next to the database.
    """
    cat, units = catalog or read_catalog(db)
    if plan is not None and plan not in cat.plans:
        raise KeyError(f"Không có kế hoạch '{plan}'. Các kế hoạch: {', '.join(sorted(cat.plans))}")
    if unit is not None and unit not in units:
        raise KeyError(f"Không có đơn vị '{unit}'")
    common = dict(file_name=name, data=data, actor=actor, dry_run=dry_run,
                  uploads_dir=db_path(db).parent / "uploads")
    if returns.sniff(name, data) == "bulk":
        checked = check_bulk(name, data, cat.indicators, units, default_status=status or "official")
        with connect(db) as con:
            return write(con, checked, fmt="bulk", meta={"kind": "bulk"}, **common)
    rf = returns.read_return(name, data, cat, units, plan_id=plan, unit_code=unit, period=period, status=status)
    with connect(db) as con:
        if not rf.checked.errors:
            returns.check_history(con, rf, cat)
        return write(con, rf.checked, fmt="return", unit=rf.unit["code"] if rf.unit else None,
                     period=str(rf.period) if rf.period else None, plan_id=rf.plan.id if rf.plan else None,
                     prepared_by=rf.preparer or None, meta=rf.meta(), **common)


def write_template_for(out, plan_id: str, unit_code: str, period: Period, *, db: str | os.PathLike | None = None,
                       catalog: tuple[Catalog, dict[str, dict]] | None = None) -> list[str]:
    """Write the return form of a unit and quarter to ``out`` (a path or a binary file); its indicator codes.

    Raises KeyError for an unknown plan or unit, ValueError (the reason in
    Vietnamese) for a unit or quarter the plan does not allow.
    """
    cat, units = catalog or read_catalog(db)
    if plan_id not in cat.plans:
        raise KeyError(f"Không có kế hoạch '{plan_id}'. Các kế hoạch: {', '.join(sorted(cat.plans))}")
    if unit_code not in units:
        raise KeyError(f"Không có đơn vị '{unit_code}'")
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
