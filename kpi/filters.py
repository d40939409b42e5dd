"""The shared filters every page reads: plan, as-of quarter, unit."""

from __future__ import annotations

from kpi.assess import default_as_of
from kpi.catalog import Plan
from kpi.periods import quarters
from kpi.repo import read_catalog, units_by_code, units_with_values
from kpi.store import open_existing
from kpi.texts import unit_label


def filter_options(path=None) -> dict:
    """Plans, and per plan the units that can be chosen and, per unit, its as-of quarters.

    A unit's quarters run to the later of the plan's latest quarter and the unit's own: a commune
    that has just sent a return for a quarter the province has not reached yet can see it
    (``as_of_by_unit``). ``as_of`` is the scope unit's list.
    """
    with open_existing(path) as con:
        cat = read_catalog(con)
        units = units_by_code(con)
        out = {"plans": {}, "default_plan": None}
        for plan in cat.plans.values():
            latest = default_as_of(con, plan)
            first = plan.baseline_year or plan.start
            qs = [str(q) for q in quarters(min(first + 1, plan.start), latest.year, latest.quarter or 4)]
            if str(latest) not in qs:
                qs.append(str(latest))
            codes = [plan.scope_unit] + sorted(
                c for c in reporting_units(con, plan, units) if c != plan.scope_unit)
            own = latest_by_unit(con, plan, codes)
            by_unit = {}
            for c in codes:
                last = max(latest, own.get(c, latest), key=lambda p: p.sort_key())
                extra = [str(q) for q in quarters(latest.year, last.year, last.quarter or 4)
                         if q.sort_key() > latest.sort_key()]
                by_unit[c] = (qs + extra)[::-1]
            out["plans"][plan.id] = {
                "label": plan.short_title, "as_of": qs[::-1], "default_as_of": str(latest), "as_of_by_unit": by_unit,
                "units": {c: unit_label(units.get(c), c) for c in codes},
                "has_targets": bool(plan.targets),
            }
        with_targets = [p for p, v in out["plans"].items() if v["has_targets"]]
        out["default_plan"] = with_targets[0] if with_targets else next(iter(out["plans"]), None)
    return out


def reporting_units(con, plan: Plan, units: dict) -> set[str]:
    """The scope unit and the units below it that have any value for the plan's indicators."""
    codes = sorted({t.indicator for t in plan.targets})
    if not codes:
        return {plan.scope_unit}
    # the plan's own units first (from ``units``, a few thousand rows), then their values: never the country's
    mine = [plan.scope_unit] + sorted(c for c, u in units.items() if u.get("parent") == plan.scope_unit)
    return units_with_values(con, codes, mine) | {plan.scope_unit}


def latest_by_unit(con, plan: Plan, codes: list[str]):
    """Each unit's latest quarter with a figure for the plan's indicators (yearly estimates do not count)."""
    from kpi.periods import Period

    indicators = sorted({t.indicator for t in plan.targets})
    if not indicators:
        return {}
    rows = con.execute(
        "SELECT unit, max(year * 4 + quarter - 1) FROM current_observations "
        "WHERE list_contains(?, indicator) AND list_contains(?, unit) AND quarter IS NOT NULL GROUP BY unit",
        [indicators, codes]).fetchall()
    return {u: Period(k // 4, k % 4 + 1) for u, k in rows if k is not None}


def resolve(opts: dict, plan_id: str | None, as_of: str | None, unit: str | None) -> tuple[str, str, str]:
    """Valid filter values: the ones asked for where they exist, else the defaults.

    The quarter is checked against the unit's own list: ``asof=2025Q4`` for a commune that sent
    Quý IV/2025 stays Quý IV/2025 even while the province is at Quý III.
    """
    plan_id = plan_id if plan_id in opts["plans"] else opts["default_plan"]
    p = opts["plans"][plan_id]
    unit = unit if unit in p["units"] else next(iter(p["units"]))
    options = p.get("as_of_by_unit", {}).get(unit, p["as_of"])
    as_of = as_of if as_of in options else p["default_as_of"]
    return plan_id, as_of, unit
