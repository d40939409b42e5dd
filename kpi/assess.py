"""A plan's targets judged as of a period: the store's data through the method.

This is what the CLI's ``status`` and the pages call::

    with connect() as con:
        report = assess_plan(con, "dienbien_2021_2025", as_of="2025Q3")
    report.counts()   # {'achieved': …, 'on_track': …, …}
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from kpi import progress
from kpi.catalog import Catalog, Plan
from kpi.periods import Period
from kpi.repo import catalog_from_db, current_values, milestone_marks, series_points


@dataclass
class PlanReport:
    plan: Plan
    unit: str
    as_of: Period
    targets: list = field(default_factory=list)      # progress.Assessment, in plan order
    milestones: list = field(default_factory=list)   # progress.MilestoneAssessment
    warnings: list = field(default_factory=list)     # sentences to show above the verdicts

    def counts(self) -> dict[str, int]:
        c = Counter(a.status for a in self.targets)
        return {s: c.get(s, 0) for s in progress.STATUSES}

    def milestone_counts(self) -> dict[str, int]:
        c = Counter(m.status for m in self.milestones)
        return {s: c.get(s, 0) for s in progress.MILESTONE_STATUSES}


def latest_period(con: duckdb.DuckDBPyConnection, plan: Plan, unit: str | None = None) -> Period | None:
    """The last quarter (or year) with any current value for the plan's indicators and unit.

    A yearly *estimate* does not count: a quarterly return carries "Ước cả năm"
    for a year that is not over, and that forecast must not move the as-of to
    the year's end (nor judge the year on it).
    """
    codes = sorted({t.indicator for t in plan.targets})
    if not codes:
        return None
    df = current_values(con, codes, [unit or plan.scope_unit])
    if df.empty:
        return None
    periods = [Period.parse(p) for p, s in zip(df["period"], df["status"])
               if not (s == "estimate" and Period.parse(p).kind == "Y")]
    if not periods:
        return None
    latest = max(periods, key=lambda p: p.sort_key())
    return Period(latest.year, latest.quarter) if latest.quarter else Period(latest.year, 4)


def default_as_of(con: duckdb.DuckDBPyConnection, plan: Plan, unit: str | None = None) -> Period:
    """The latest period with data, else the end of the plan (or today, if earlier)."""
    latest = latest_period(con, plan, unit)
    if latest is not None:
        return latest
    today = dt.date.today()
    year = min(today.year, plan.end)
    return Period(year, 4 if year < today.year else (today.month - 1) // 3 + 1)


def assess_plan(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: Period | str | None = None,
                unit: str | None = None, catalog: Catalog | None = None) -> PlanReport:
    cat = catalog or catalog_from_db(con)
    plan = cat.plan(plan_id)
    unit = unit or plan.scope_unit
    if as_of is None:
        as_of = default_as_of(con, plan, unit)
    elif isinstance(as_of, str):
        as_of = Period.parse(as_of)
    codes = sorted({t.indicator for t in plan.targets})
    bench = {(t.benchmark["indicator"], t.benchmark["unit"]) for t in plan.targets if t.benchmark}
    df = current_values(con, codes, [unit])
    by_ind = {code: g for code, g in df.groupby("indicator")} if not df.empty else {}
    bench_df = {}
    for code, bunit in bench:
        bench_df[(code, bunit)] = current_values(con, [code], [bunit])
    report = PlanReport(plan=plan, unit=unit, as_of=as_of, warnings=territory_warnings(con, plan, unit))
    for t in plan.targets:
        g = by_ind.get(t.indicator)
        series = series_points(g) if g is not None else []
        benchmark = None
        if t.benchmark:
            b = bench_df[(t.benchmark["indicator"], t.benchmark["unit"])]
            benchmark = series_points(b) if not b.empty else []
        report.targets.append(progress.assess_target(t, cat.indicators[t.indicator], series, as_of,
                                                     benchmark=benchmark))
    marks = milestone_marks(con, plan.id)
    for m in plan.milestones:
        mark = marks.get(m.id)
        report.milestones.append(progress.assess_milestone(m, mark.done_on if mark else None,
                                                           as_of.end_date()))
    return report


def territory_warnings(con: duckdb.DuckDBPyConnection, plan: Plan, unit: str) -> list[str]:
    """Issue 11: a plan follows its own territory. Asking for it with the unit that absorbed that
    territory (Bến Tre's plan with Vĩnh Long, 86) compares a larger area with the plan's targets."""
    rows = con.execute("SELECT code, name, valid_to, successor FROM units WHERE list_contains(?, code)",
                       [[plan.scope_unit, unit]]).fetchall()
    units = {r[0]: {"name": r[1], "valid_to": r[2], "successor": r[3]} for r in rows}
    scope = units.get(plan.scope_unit)
    if scope is None or unit == plan.scope_unit or not scope["valid_to"]:
        return []
    if scope["successor"] == unit:
        new = units.get(unit, {"name": unit})
        return [f"Kế hoạch '{plan.short_title}' đặt chỉ tiêu cho {scope['name']} (mã {plan.scope_unit}). Từ "
                f"{scope['valid_to'] + dt.timedelta(days=1):%d/%m/%Y} địa bàn này thuộc {new['name']} (mã {unit}): "
                f"số liệu của {new['name']} phủ một địa bàn rộng hơn, không so được với chỉ tiêu của kế hoạch. "
                f"Xem theo mã {plan.scope_unit} (số liệu tính theo địa giới cũ)."]
    return []


def report_json(report: PlanReport, cat: Catalog) -> dict:
    """The assessment as plain data (the CLI's ``status --json``)."""
    targets = []
    by_id = {t.id: t for t in report.plan.targets}
    for a in report.targets:
        t = by_id[a.target_id]
        ind = cat.indicators[t.indicator]
        d = a.to_dict()
        d.update({
            "indicator": t.indicator, "indicator_name": ind.name, "unit_of_measure": ind.unit,
            "kind": t.kind, "status_label": progress.STATUSES[a.status]["label"],
            "section": t.section, "quote": t.quote,
        })
        targets.append(d)
    milestones = []
    by_mid = {m.id: m for m in report.plan.milestones}
    for ma in report.milestones:
        m = by_mid[ma.milestone_id]
        milestones.append({
            "milestone_id": m.id, "title": m.title, "deadline": m.deadline.isoformat(),
            "responsible": m.responsible, "status": ma.status,
            "status_label": progress.MILESTONE_STATUSES[ma.status]["label"],
            "done_on": ma.done_on.isoformat() if ma.done_on else None,
            "days_left": ma.days_left, "sentence": ma.sentence,
        })
    return {
        "plan": report.plan.id, "reference": report.plan.reference(), "unit": report.unit,
        "as_of": str(report.as_of), "as_of_label": report.as_of.as_of_label(),
        "counts": report.counts(), "milestone_counts": report.milestone_counts(),
        "warnings": report.warnings, "targets": targets, "milestones": milestones,
    }
