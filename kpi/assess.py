"""A plan's targets judged as of a period: the store's data through the method.

This is what the CLI's ``status`` and the pages call::

    with connect() as con:
        report = assess_plan(con, "dienbien_2021_2025", as_of="2025Q3")
    report.counts()   # {'achieved': …, 'on_track': …, …}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from kpi import progress
from kpi.catalog import Catalog, Indicator, Plan, Target
from kpi.fmt import fmt_number
from kpi.kinds import SCALED_KINDS
from kpi.periods import Period
from kpi.repo import catalog_from_db, current_values, milestone_marks, series_points


# --- a unit's target ------------------------------------------------------------------------------------



@dataclass(frozen=True)
class UnitTarget:
    """What a unit is judged against for one of its plan's targets (docs/method.md, "Một chỉ tiêu cho mỗi đơn vị").

    ``how``: ``own`` (the plan's scope unit: the plan's own target), ``same`` (a rate, a level per head, a
    growth rate or a share: the plan's number applies to each unit), ``scaled`` (an amount that adds up across
    units: the plan's number times the unit's share of the scope unit in ``share_year``), ``none`` (no target can
    be derived; ``target`` is None and ``note`` says why).
    """
    target: Target | None
    how: str
    factor: float | None = None
    share_year: int | None = None
    note: str = ""

    def to_dict(self) -> dict:
        t = self.target
        return {"how": self.how, "factor": self.factor, "share_year": self.share_year, "note": self.note,
                "value": t.value if t else None, "low": t.low if t else None, "high": t.high if t else None}


def _whole_years(points: list) -> dict[int, float]:
    return {p.period.year: p.value for p in points or [] if p.period.kind == "Y"}


def unit_target(plan: Plan, target: Target, indicator: Indicator, unit: str, unit_points: list,
                scope_points: list) -> UnitTarget:
    """The one rule that decides a unit's target; the CLI, the overview, the target page, the Đơn vị page and the
    report all call it (through ``assess_plan(..., unit=...)`` or directly).

    An amount that adds up (``aggregation: sum``) is shared out by the unit's weight in the year the plan
    measures from: its share of the scope unit in the plan's baseline year (else the year before the plan, else
    the first year of the period both report). Later years are not used: they would move the unit's target
    with its own results. The result is rounded to the indicator's decimals. The baseline becomes the unit's
    own figure for that year when it has one.

    >>> from kpi.catalog import load_catalog
    >>> from kpi.progress import Point
    >>> cat = load_catalog(); plan = cat.plans["dienbien_2021_2025"]; t = plan.target("new_jobs_yearly")
    >>> ut = unit_target(plan, t, cat.indicators[t.indicator], "099", [Point.of(2020, 900)], [Point.of(2020, 9000)])
    >>> ut.how, ut.factor, ut.target.value
    ('scaled', 0.1, 900.0)
    """
    if unit == plan.scope_unit:
        return UnitTarget(target, "own", note="Chỉ tiêu của kế hoạch.")
    if indicator.aggregation != "sum" or target.kind not in SCALED_KINDS:
        return UnitTarget(target, "same", note="Mức của kế hoạch áp dụng cho từng đơn vị (tỷ lệ, mức bình quân, "
                                               "tốc độ hoặc cơ cấu không chia theo quy mô).")
    mine, scope = _whole_years(unit_points), _whole_years(scope_points)
    candidates = [y for y in (target.baseline.year if target.baseline else None, plan.baseline_year,
                              plan.start - 1) if y is not None]
    candidates += sorted(y for y in set(mine) & set(scope) if plan.start <= y <= plan.end)
    year = next((y for y in candidates if y in mine and y in scope and scope[y] > 0 and mine[y] > 0), None)
    if year is None:
        return UnitTarget(None, "none", note="Chưa xác định được chỉ tiêu của đơn vị: chưa có số liệu cả năm của "
                                             "đơn vị và của tỉnh cùng một năm gốc để chia chỉ tiêu của kế hoạch.")
    f = mine[year] / scope[year]

    def s(x):      # a share of the plan's number, rounded as the indicator is written (6,2 xã → 6 xã)
        return None if x is None else round(x * f, indicator.decimals)
    base = target.baseline
    if base is not None:
        own = mine.get(base.year)
        base = dataclasses.replace(base, value=own if own is not None else base.value * f,
                                   implied=base.implied or own is None)
    scaled = dataclasses.replace(target, value=s(target.value), low=s(target.low), high=s(target.high),
                                 baseline=base)
    return UnitTarget(scaled, "scaled", f, year,
                      note=f"Chỉ tiêu của đơn vị = chỉ tiêu kế hoạch × tỷ trọng của đơn vị năm {year} "
                           f"({fmt_number(100 * f, 1)}%).")


@dataclass
class PlanReport:
    plan: Plan
    unit: str
    as_of: Period
    targets: list = field(default_factory=list)      # progress.Assessment, in plan order
    milestones: list = field(default_factory=list)   # progress.MilestoneAssessment
    unit_targets: dict = field(default_factory=dict)  # target id → UnitTarget (what the unit is judged against)
    warnings: list = field(default_factory=list)     # sentences to show above the verdicts

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
    df = current_values(con, codes, sorted({unit, plan.scope_unit}))
    by_ind = {(code, u): g for (code, u), g in df.groupby(["indicator", "unit"])} if not df.empty else {}
    bench_df = {}
    for code, bunit in bench:
        bench_df[(code, bunit)] = current_values(con, [code], [bunit])
    report = PlanReport(plan=plan, unit=unit, as_of=as_of, warnings=territory_warnings(con, plan, unit))
    for t in plan.targets:
        ind = cat.indicators[t.indicator]
        g = by_ind.get((t.indicator, unit))
        series = series_points(g) if g is not None else []
        scope = by_ind.get((t.indicator, plan.scope_unit))
        ut = unit_target(plan, t, ind, unit, series, series_points(scope) if scope is not None else [])
        report.unit_targets[t.id] = ut
        benchmark = None
        if t.benchmark:
            b = bench_df[(t.benchmark["indicator"], t.benchmark["unit"])]
            benchmark = series_points(b) if not b.empty else []
        report.targets.append(assess_unit_target(ut, t, ind, series, as_of, benchmark))
    marks = milestone_marks(con, plan.id)
    for m in plan.milestones:
        mark = marks.get(m.id)
        report.milestones.append(progress.assess_milestone(m, mark.done_on if mark else None,
                                                           as_of.end_date()))
    return report


def assess_unit_target(ut: UnitTarget, target: Target, indicator: Indicator, series: list, as_of: Period,
                       benchmark: list | None = None) -> progress.Assessment:
    """Judge ``target`` for a unit against its ``unit_target`` (pages call this with the series they hold)."""
    if ut.target is None:
        # no target to judge against, but the unit's own latest figure is still shown (issue 15)
        years = progress.current_series(series, indicator, as_of)
        last = years[-1] if years else None
        return progress.Assessment(target_id=target.id, kind=target.kind, status="no_data", sentence=ut.note,
                                   notes=[ut.note], basis="chưa xác định được chỉ tiêu của đơn vị",
                                   latest_value=last.value if last else None,
                                   latest_period=last.period if last else None)
    a = progress.assess_target(ut.target, indicator, series, as_of, benchmark=benchmark)
    if ut.how == "scaled":
        a.notes.insert(0, ut.note)
    return a


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
        if a.target_id in report.unit_targets:
            d["unit_target"] = report.unit_targets[a.target_id].to_dict()
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
        "warnings": report.warnings, "targets": targets, "milestones": milestones,
    }
