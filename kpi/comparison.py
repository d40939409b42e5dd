"""The units page: units side by side on the plan's targets, and who sent their returns."""

from __future__ import annotations

import pandas as pd

from kpi import charts
from kpi.assess import assess_unit_target, default_as_of, unit_target
from kpi.periods import Period
from kpi.progress import GOOD
from kpi.obligations import rows_through
from kpi.repo import current_values, read_catalog, series_by_key, units_by_code, units_with_values
from kpi.reporting import obligations_table, reporting_table, uploads_for_reporting
from kpi.store import open_existing
from kpi.texts import LEVEL_LABELS, short_name, source_line


def units_view(path=None, plan_id: str | None = None, as_of: str | None = None, cluster: str | None = None,
               level: str | None = None) -> dict:
    """Units side by side: ranking, unit × indicator heatmap, reporting rate and timeliness.

    Units are judged on the target ``kpi.assess.unit_target`` gives them (docs/method.md, "Một chỉ tiêu cho
    mỗi đơn vị"): an amount that adds up is the province target times the unit's share in the plan's base
    year; rates and percentages keep the province's target.
    """
    with open_existing(path) as con:
        cat = read_catalog(con)
        plan = cat.plan(plan_id)
        units = units_by_code(con)
        as_of_p = Period.parse(as_of) if as_of else default_as_of(con, plan)
        codes = sorted({t.indicator for t in plan.targets})
        # the scope unit and the units under it only: a province's page costs what the province holds
        mine = [plan.scope_unit] + sorted(c for c, u in units.items()
                                          if u.get("parent") == plan.scope_unit and c != plan.scope_unit)
        with_values = sorted(units_with_values(con, codes, mine[1:]))
        # Former districts and the communes after them are never ranked together.
        levels = [lv for lv in LEVEL_LABELS if any(units[c]["level"] == lv for c in with_values)]
        level = level if level in levels else (levels[0] if levels else None)
        subunits = [c for c in with_values if units[c]["level"] == level]
        # the values of the level shown only (and the scope's, for the shares)
        df = current_values(con, codes, [plan.scope_unit] + subunits) if codes else pd.DataFrame()
        uploads = uploads_for_reporting(con, mine[1:])
        # issue 11: who owes what comes from the plan's obligations, not from a fixed rule
        obligation_rows = rows_through(con, plan, as_of_p, catalog=cat) if plan.obligations else None
    clusters = sorted({units[c]["cluster"] for c in subunits if units[c].get("cluster")})
    if cluster:
        subunits = [c for c in subunits if units[c].get("cluster") == cluster]
    series = series_by_key(df)
    province = {i: series.get((i, plan.scope_unit), []) for i in codes}
    heat_targets = [t for t in plan.targets
                    if cat.indicators[t.indicator].aggregation != "none" and not t.benchmark]
    ranking, matrix = [], []
    statuses: dict[str, dict[str, str]] = {}      # unit → target id → status (the heatmap's cells, by id)
    for code in subunits:
        row, good, total = [], 0, 0
        for t in heat_targets:
            ind = cat.indicators[t.indicator]
            pts = series.get((t.indicator, code), [])
            if not pts:
                row.append(None)
                continue
            # one rule for a unit's target (kpi.assess.unit_target): the same colour as on every other page
            ut = unit_target(plan, t, ind, code, pts, province[t.indicator])
            a = assess_unit_target(ut, t, ind, pts, as_of_p)
            row.append(a.status)
            statuses.setdefault(code, {})[t.id] = a.status
            if a.status != "no_data":
                total += 1
                good += a.status in GOOD
        matrix.append(row)
        if total:
            ranking.append({"code": code, "name": units[code]["name"], "good": good, "total": total,
                            "share": good / total, "cluster": units[code].get("cluster") or ""})
    labels = [f"{units[c]['name']}" for c in subunits]
    ind_labels = [short_name(cat.indicators[t.indicator].name) for t in heat_targets]
    keep = [j for j in range(len(heat_targets)) if any(r[j] for r in matrix)]
    matrix = [[r[j] for j in keep] for r in matrix]
    ind_labels = [ind_labels[j] for j in keep]
    src = source_line(plan, as_of_p)
    # every unit under the plan's scope at this level is expected to report, data or not
    expected = sorted(c for c, u in units.items() if u.get("parent") == plan.scope_unit and u["level"] == level
                      and (not cluster or u.get("cluster") == cluster))
    if obligation_rows is not None:
        reporting = obligations_table(obligation_rows, expected)
    else:
        reporting = reporting_table(plan, units, uploads, expected, as_of_p)
    return {
        "plan": plan, "as_of": as_of_p, "clusters": clusters, "ranking": ranking, "statuses": statuses,
        "levels": {lv: LEVEL_LABELS[lv] for lv in levels}, "level": level,
        "ranking_chart": charts.unit_ranking(ranking, title="Xếp hạng đơn vị theo tỷ lệ chỉ tiêu đạt / đúng tiến độ",
                                             source=src) if ranking else None,
        "heatmap": charts.unit_heatmap(labels, ind_labels, matrix, title="Tiến độ theo đơn vị và chỉ số",
                                       source=src) if matrix and ind_labels else None,
        "reporting": reporting,
        "reporting_chart": charts.reporting_bar(reporting["by_period"], title="Tình hình nộp báo cáo quý",
                                                source=src) if reporting["by_period"] else None,
    }

