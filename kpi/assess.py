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

    def counts(self) -> dict[str, int]:
        c = Counter(a.status for a in self.targets)
        return {s: c.get(s, 0) for s in progress.STATUSES}

    def provisional_count(self) -> int:
        """How many verdicts rest on an estimate, part of a year, a missing year or an unreported deadline year."""
        return sum(1 for a in self.targets if a.provisional)

    def milestone_counts(self) -> dict[str, int]:
        c = Counter(m.status for m in self.milestones)
        return {s: c.get(s, 0) for s in progress.MILESTONE_STATUSES}

    def overdue(self, inferred: bool) -> list:
        """Overdue milestones whose deadline the plan states (``inferred=False``) or the tracking body chose:
        listed apart, since a missed date the plan never gave is not a broken commitment of the plan."""
        return [m for m in self.milestones if m.status == "overdue" and m.deadline_inferred == inferred]


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
    report = PlanReport(plan=plan, unit=unit, as_of=as_of)
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
            "deadline_source": ma.deadline_source,
            "deadline_label": progress.deadline_text(m),
            "responsible": m.responsible, "status": ma.status,
            "status_label": progress.MILESTONE_STATUSES[ma.status]["label"],
            "done_on": ma.done_on.isoformat() if ma.done_on else None,
            "days_left": ma.days_left, "sentence": ma.sentence,
        })
    return {
        "plan": report.plan.id, "reference": report.plan.reference(), "unit": report.unit,
        "as_of": str(report.as_of), "as_of_label": report.as_of.as_of_label(),
        "counts": report.counts(), "provisional_count": report.provisional_count(),
        "milestone_counts": report.milestone_counts(),
        "milestones_overdue": {"stated": [m.milestone_id for m in report.overdue(False)],
                               "inferred": [m.milestone_id for m in report.overdue(True)]},
        "targets": targets, "milestones": milestones,
    }
