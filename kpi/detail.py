"""The target page: one target's chart, assessment, values with their revisions, and each unit's latest value."""

from __future__ import annotations

import pandas as pd

from kpi import charts
from kpi.assess import assess_unit_target, default_as_of, unit_target
from kpi.catalog import KIND_LABELS, Plan, Target
from kpi.fmt import fmt_datetime, fmt_value
from kpi.periods import Period
from kpi.repo import current_values, history, read_catalog, series_points, units_by_code
from kpi.store import STATUS_LABELS, open_existing
from kpi.texts import latest_text, source_line, target_text, unit_label


def target_detail(path=None, plan_id: str | None = None, target_id: str | None = None, as_of: str | None = None,
                  unit: str | None = None) -> dict:
    """Everything the target page shows."""
    with open_existing(path) as con:
        cat = read_catalog(con)
        plan = cat.plan(plan_id)
        t = plan.target(target_id) if target_id else plan.targets[0]
        ind = cat.indicators[t.indicator]
        report_unit = unit or plan.scope_unit
        as_of_p = Period.parse(as_of) if as_of else default_as_of(con, plan, report_unit)
        series = series_points(current_values(con, [t.indicator], [report_unit]))
        scope = series if report_unit == plan.scope_unit else \
            series_points(current_values(con, [t.indicator], [plan.scope_unit]))
        bench = None
        if t.benchmark:
            bench = series_points(current_values(con, [t.benchmark["indicator"]], [t.benchmark["unit"]]))
        # the unit's own target (kpi.assess.unit_target), as on every other page, the CLI and the report
        ut = unit_target(plan, t, ind, report_unit, series, scope)
        a = assess_unit_target(ut, t, ind, series, as_of_p, benchmark=bench)
        shown = ut.target or t
        hist = history(con, t.indicator, report_unit)
        units = units_by_code(con)
        by_unit = breakdown(con, plan, t, ind, units, as_of_p)
    fig = charts.target_chart(shown, ind, series, a, as_of_p, benchmark=bench, title=ind.name,
                              source=source_line(plan, as_of_p))
    values = pd.DataFrame({
        "Kỳ": [Period.parse(p).label() for p in hist["period"]],
        "Giá trị": [fmt_value(v, ind.unit, ind.decimals) for v in hist["value"]],
        "Tình trạng số liệu": [STATUS_LABELS.get(s, s) for s in hist["status"]],
        "Lần sửa": hist["revision"],
        "Đang dùng": ["✔" if c else "" for c in hist["is_current"]],
        "Nguồn": hist["source"].fillna(""),
        "Lần nạp": [f"#{int(u)}" if pd.notna(u) else "–" for u in hist["upload_id"]],
        "Tệp": hist["file_name"].fillna(""),
        "Người nạp": hist["uploaded_by"].fillna(""),
        "Thời điểm ghi": [fmt_datetime(x) for x in hist["recorded_at"]],
        "Đã rút lại": ["có" if s == "rolled_back" else "" for s in hist["upload_status"]],
    })
    # a figure newer than the as-of (a commune's return for a quarter the province has not reached)
    newest = max(series, key=lambda p: p.period.end_date(), default=None)
    newer = None
    if newest is not None and newest.period.end_date() > as_of_p.end_date() and newest.period.quarter:
        newer = {"text": fmt_value(newest.value, ind.unit, ind.decimals), "period": newest.period.label(),
                 "asof": str(Period(newest.period.year, newest.period.quarter))}
    return {
        "newer": newer,
        "plan": plan, "target": t, "indicator": ind, "assessment": a, "chart": fig, "as_of": as_of_p,
        "unit": report_unit, "unit_name": unit_label(units.get(report_unit), report_unit),
        "target_text": target_text(shown, ind), "target_short": target_text(shown, ind).split(" (")[0],
        "latest_text": latest_text(a, t, ind), "unit_target": ut,
        "kind_label": KIND_LABELS.get(t.kind, t.kind), "values": values, "breakdown": by_unit,
        "reference": plan.reference(),
    }


def breakdown(con, plan: Plan, t: Target, ind, units: dict, as_of: Period) -> pd.DataFrame:
    """The latest value of each unit below the plan's scope, for this indicator."""
    below = sorted(c for c, u in units.items() if u.get("parent") == plan.scope_unit and c != plan.scope_unit)
    df = current_values(con, [t.indicator], below)   # the plan's units only, not the country's
    if df.empty:
        return pd.DataFrame()
    rows = []
    for code, g in df.groupby("unit"):
        pts = [p for p in series_points(g) if p.period.end_date() <= as_of.end_date()]
        if not pts:
            continue
        last = pts[-1]
        u = units[code]
        rows.append({"Mã": code, "Đơn vị": u["name"], "Cấp": "Xã/phường" if u["level"] == "commune" else "Huyện (cũ)",
                     "Kỳ": last.period.label(), "Giá trị": last.value,
                     "Hiển thị": fmt_value(last.value, ind.unit, ind.decimals)})
    return pd.DataFrame(rows)


def target_choices(path=None, plan_id: str | None = None) -> dict[str, str]:
    """Target id → how it reads in a picker: section, indicator, target."""
    with open_existing(path) as con:
        cat = read_catalog(con)
    plan = cat.plan(plan_id)
    return {t.id: f"{t.section} · {cat.indicators[t.indicator].name} ({target_text(t, cat.indicators[t.indicator])})"
            for t in plan.targets}
