"""The overview page: counts by status, the targets by area (value, target, status, change since the
previous quarter, trend), and the overdue milestones with the body responsible."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from kpi import charts, progress
from kpi.assess import assess_plan
from kpi.catalog import AREAS
from kpi.fmt import fmt_count, fmt_date, fmt_signed
from kpi.periods import Period
from kpi.progress import ATTENTION
from kpi.repo import current_values, read_catalog, series_points, units_by_code
from kpi.store import open_existing
from kpi.texts import latest_text, source_line, target_text, unit_label


def yearly_trend(points: list, ind, as_of: Period) -> list[float]:
    return [round(v.estimate, 4) for v in progress.current_series(points, ind, as_of)]


def previous_quarter(p: Period) -> Period:
    q = p.quarter or 4
    return Period(p.year - (q == 1), (q - 2) % 4 + 1)


def change_text(now, before, t, ind) -> str:
    """``+1,2 điểm % · trước: Chậm tiến độ``: the value's change since the previous quarter, and the
    status it had then when it was another one."""
    parts = []
    if now.latest_value is not None and before.latest_value is not None and t.kind not in ("avg_growth", "change"):
        delta = now.latest_value - before.latest_value
        if abs(delta) >= 10 ** -ind.decimals / 2:
            unit = "điểm %" if ind.is_percent else ind.unit
            parts.append(fmt_signed(delta, unit, ind.decimals))
        else:
            parts.append("không đổi")
    if before.status != now.status:
        parts.append("trước: " + progress.STATUSES[before.status]["label"].lower())
    return " · ".join(parts) or "–"


def status_label(a) -> str:
    """Symbol and label; a verdict the method marks provisional says so (``assessment.provisional``)."""
    meta = progress.STATUSES[a.status]
    mark = " (tạm tính)" if getattr(a, "provisional", False) else ""
    return f"{meta['symbol']} {meta['label']}{mark}"


def overview(path=None, plan_id: str | None = None, as_of: str | None = None, unit: str | None = None) -> dict:
    """Counts by status, and the targets grouped by area with latest value, target, status, change and trend."""
    with open_existing(path) as con:
        cat = read_catalog(con)
        plan = cat.plan(plan_id) if plan_id else next(iter(cat.plans.values()))
        report = assess_plan(con, plan.id, as_of=as_of, unit=unit, catalog=cat)
        before = assess_plan(con, plan.id, as_of=previous_quarter(report.as_of), unit=report.unit, catalog=cat)
        df = current_values(con, sorted({t.indicator for t in plan.targets}), [report.unit])
        unit_name = unit_label(units_by_code(con).get(report.unit), report.unit)
    by_ind = {code: series_points(g) for code, g in df.groupby("indicator")} if not df.empty else {}
    groups: dict[str, list] = defaultdict(list)
    for t, a, b in zip(plan.targets, report.targets, before.targets):
        ind = cat.indicators[t.indicator]
        meta = progress.STATUSES[a.status]
        shown = report.unit_targets[t.id].target or t if t.id in report.unit_targets else t   # the unit's own
        groups[ind.area].append({
            "target_id": t.id, "status": a.status, "rank": meta["rank"] or 9,
            "provisional": bool(getattr(a, "provisional", False)),
            "Trạng thái": status_label(a),
            "Chỉ tiêu": ind.name, "Thực hiện": latest_text(a, t, ind),
            "Kỳ": a.latest_period.label() if a.latest_period else "–",
            "Mục tiêu": target_text(shown, ind), "Căn cứ": a.basis,
            "So với quý trước": change_text(a, b, t, ind),
            "Xu hướng": yearly_trend(by_ind.get(t.indicator, []), ind, report.as_of),
            "Nhận định": a.sentence,
        })
    areas = [a for a in AREAS if a in groups] + [a for a in groups if a not in AREAS]
    worst = sorted((r for rows in groups.values() for r in rows if r["status"] in ATTENTION),
                   key=lambda r: -r["rank"])
    periods = {r["Kỳ"] for rows in groups.values() for r in rows if r["Kỳ"] != "–"}
    counts = report.counts()
    cards = [dict(status=s, count=n, **progress.STATUSES[s]) for s, n in counts.items()]
    ms = report.milestone_counts()
    by_mid = {m.id: m for m in plan.milestones}
    overdue = [{"Mốc": by_mid[m.milestone_id].title, "Hạn": fmt_date(m.deadline),
                "Quá hạn": f"{fmt_count(-m.days_left)} ngày" if m.days_left is not None else "–",
                "Chịu trách nhiệm": by_mid[m.milestone_id].responsible or "–"}
               for m in sorted(report.milestones, key=lambda m: m.deadline) if m.status == "overdue"]
    return {
        "plan": plan, "reference": plan.reference(), "unit": report.unit, "as_of": report.as_of,
        "previous": previous_quarter(report.as_of),
        "unit_name": unit_name, "attention": pd.DataFrame(worst), "warnings": report.warnings,
        # the period of the figures, said once when every target shares it
        "period": periods.pop() if len(periods) == 1 else None,
        "counts": counts, "cards": cards, "total": len(plan.targets),
        "milestone_cards": [dict(status=s, count=n, **progress.MILESTONE_STATUSES[s]) for s, n in ms.items()],
        "overdue": pd.DataFrame(overdue),
        "groups": {a: pd.DataFrame(groups[a]) for a in areas},
        "chart": charts.status_bar(counts, title="Chỉ tiêu theo trạng thái",
                                   source=source_line(plan, report.as_of)) if plan.targets else None,
    }
