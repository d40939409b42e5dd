"""The overview page: counts by status, and the targets by area with value, target, status and trend."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from kpi import charts, progress
from kpi.assess import assess_plan
from kpi.catalog import AREAS
from kpi.periods import Period
from kpi.progress import ATTENTION
from kpi.repo import current_values, read_catalog, series_points, units_by_code
from kpi.store import open_existing
from kpi.texts import latest_text, source_line, target_text, unit_label


def yearly_trend(points: list, ind, as_of: Period) -> list[float]:
    return [round(v.estimate, 4) for v in progress.current_series(points, ind, as_of)]


def overview(path=None, plan_id: str | None = None, as_of: str | None = None, unit: str | None = None) -> dict:
    """Counts by status, and the targets grouped by area with latest value, target, status and trend."""
    with open_existing(path) as con:
        cat = read_catalog(con)
        plan = cat.plan(plan_id) if plan_id else next(iter(cat.plans.values()))
        report = assess_plan(con, plan.id, as_of=as_of, unit=unit, catalog=cat)
        df = current_values(con, sorted({t.indicator for t in plan.targets}), [report.unit])
        unit_name = unit_label(units_by_code(con).get(report.unit), report.unit)
    by_ind = {code: series_points(g) for code, g in df.groupby("indicator")} if not df.empty else {}
    groups: dict[str, list] = defaultdict(list)
    for t, a in zip(plan.targets, report.targets):
        ind = cat.indicators[t.indicator]
        meta = progress.STATUSES[a.status]
        shown = report.unit_targets[t.id].target or t if t.id in report.unit_targets else t   # the unit's own
        groups[ind.area].append({
            "target_id": t.id, "status": a.status, "rank": meta["rank"] or 9,
            "Trạng thái": f"{meta['symbol']} {meta['label']}" + (" (tạm tính)" if a.provisional else ""),
            "Chỉ tiêu": ind.name, "Thực hiện": latest_text(a, t, ind),
            "Kỳ": a.latest_period.label() if a.latest_period else "–",
            "Mục tiêu": target_text(shown, ind), "Căn cứ": a.basis, "provisional": a.provisional,
            "Xu hướng": yearly_trend(by_ind.get(t.indicator, []), ind, report.as_of),
            "Nhận định": a.sentence,
        })
    areas = [a for a in AREAS if a in groups] + [a for a in groups if a not in AREAS]
    worst = sorted((r for rows in groups.values() for r in rows if r["status"] in ATTENTION),
                   key=lambda r: -r["rank"])
    counts = report.counts()
    cards = [dict(status=s, count=n, **progress.STATUSES[s]) for s, n in counts.items()]
    ms = report.milestone_counts()
    return {
        "plan": plan, "reference": plan.reference(), "unit": report.unit, "as_of": report.as_of,
        "unit_name": unit_name, "attention": pd.DataFrame(worst), "warnings": report.warnings,
        "counts": counts, "cards": cards, "total": len(plan.targets),
        "milestone_cards": [dict(status=s, count=n, **progress.MILESTONE_STATUSES[s]) for s, n in ms.items()],
        "groups": {a: pd.DataFrame(groups[a]) for a in areas},
        "chart": charts.status_bar(counts, title="Chỉ tiêu theo trạng thái",
                                   source=source_line(plan, report.as_of)) if plan.targets else None,
    }
