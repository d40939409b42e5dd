"""What the pages show, computed without Streamlit so tests can call it.

Each function opens the store briefly, reads, closes, and returns plain data
(dicts, lists, DataFrames, Plotly figures). Pages only lay these out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import Counter, defaultdict

import pandas as pd

from kpi import audit, auth, charts, progress
from kpi.auth import can
from kpi.assess import assess_plan, default_as_of
from kpi.catalog import AREAS, KIND_LABELS, Catalog, Plan, Target
from kpi.fmt import fmt_date, fmt_datetime, fmt_number, fmt_value
from kpi.periods import Period, quarters
from kpi.repo import (catalog_from_db, current_values, history, mark_milestone, milestone_marks, series_points,
                      units_by_code)
from kpi.store import STATUS_LABELS, connect, db_path, scalar

# A quarterly return is due this many days after the quarter ends; later counts as late.
REPORT_DUE_DAYS = int(os.environ.get("CHITIEU_REPORT_DUE_DAYS", 15))
GOOD = ("achieved", "on_track")
ATTENTION = ("missed", "regressing", "off_track")   # what a leader must see first


class NoDatabase(RuntimeError):
    """The database is missing or has no catalogue yet."""


def data_version(path=None) -> tuple:
    """Changes whenever the database file does: the pages' cache key."""
    p = db_path(path)
    out = []
    for f in (p, p.with_name(p.name + ".wal")):
        try:
            st = f.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def _open(path):
    p = db_path(path)
    if not p.exists():
        raise NoDatabase(f"Chưa có cơ sở dữ liệu {p}. Chạy: make db (hoặc python -m etl init && python -m etl demo)")
    return connect(p)


def _catalog(con) -> Catalog:
    if not scalar(con, "SELECT count(*) FROM plans"):
        raise NoDatabase("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy: python -m etl init")
    return catalog_from_db(con)


# --- filters ---------------------------------------------------------------


def filter_options(path=None) -> dict:
    """Plans, and per plan the as-of quarters and the units that can be chosen."""
    with _open(path) as con:
        cat = _catalog(con)
        units = units_by_code(con)
        out = {"plans": {}, "default_plan": None}
        for plan in cat.plans.values():
            latest = default_as_of(con, plan)
            first = plan.baseline_year or plan.start
            qs = [str(q) for q in quarters(min(first + 1, plan.start), latest.year, latest.quarter or 4)]
            if str(latest) not in qs:
                qs.append(str(latest))
            codes = [plan.scope_unit] + sorted(
                c for c in _reporting_units(con, plan, units) if c != plan.scope_unit)
            out["plans"][plan.id] = {
                "label": plan.short_title, "as_of": qs[::-1], "default_as_of": str(latest),
                "units": {c: unit_label(units.get(c), c) for c in codes},
                "has_targets": bool(plan.targets),
            }
        with_targets = [p for p, v in out["plans"].items() if v["has_targets"]]
        out["default_plan"] = with_targets[0] if with_targets else next(iter(out["plans"]), None)
    return out


def unit_label(u: dict | None, code: str) -> str:
    if not u:
        return code
    end = f" (đến {u['valid_to']:%d/%m/%Y})" if u.get("valid_to") else ""
    return f"{u['name']}{end}"


def _reporting_units(con, plan: Plan, units: dict) -> set[str]:
    """The scope unit and the units below it that have any value for the plan's indicators."""
    codes = sorted({t.indicator for t in plan.targets})
    if not codes:
        return {plan.scope_unit}
    rows = con.execute("SELECT DISTINCT unit FROM current_observations WHERE list_contains(?, indicator)",
                       [codes]).fetchall()
    found = {r[0] for r in rows}
    return {c for c in found if c == plan.scope_unit or units.get(c, {}).get("parent") == plan.scope_unit} | {
        plan.scope_unit}


# --- overview ----------------------------------------------------------------


def target_text(t: Target, ind) -> str:
    d = ind.decimals
    cmp = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< "}.get(t.cmp or "", "")
    if t.kind == "range":
        return f"{fmt_number(t.low, d)}–{fmt_value(t.high, ind.unit, d)}/năm"
    if t.kind == "relative":
        return f"{cmp}mức cả nước" if t.benchmark and t.benchmark.get("unit") == "VN" else f"{cmp}mức chuẩn"
    if t.kind == "avg_growth":
        return f"{cmp}{fmt_number(t.value, 2)}%/năm (bình quân {t.start}–{t.end})"
    if t.kind == "change":
        unit = "điểm %" if ind.is_percent else ind.unit
        return f"{cmp}{fmt_number(t.value, 2)} {unit}/năm"
    if t.kind == "sum":
        return f"{cmp}{fmt_value(t.value, ind.unit, d)} ({t.start}–{t.end})"
    if t.kind == "yearly":
        return f"{cmp}{fmt_value(t.value, ind.unit, d)}/năm"
    if t.kind == "share":
        return f"{fmt_value(t.value, ind.unit, d)} (±{fmt_number(t.tolerance or 1, 1)})"
    return f"{cmp}{fmt_value(t.value, ind.unit, d)} ({t.end})"


def latest_text(a: progress.Assessment, t: Target, ind) -> str:
    if a.latest_value is None:
        return "–"
    if t.kind in ("avg_growth",):
        return f"{fmt_number(a.latest_value, 2)}%/năm"
    if t.kind == "change":
        return f"{fmt_number(a.latest_value, 2)} {a.pace_unit.replace('/năm', '') or ind.unit}/năm"
    return fmt_value(a.latest_value, ind.unit, ind.decimals)


def _yearly_trend(points: list, ind, as_of: Period) -> list[float]:
    return [round(v.estimate, 4) for v in progress.current_series(points, ind, as_of)]


def resolve(opts: dict, plan_id: str | None, as_of: str | None, unit: str | None) -> tuple[str, str, str]:
    """Valid filter values: the ones asked for where they exist, else the defaults."""
    plan_id = plan_id if plan_id in opts["plans"] else opts["default_plan"]
    p = opts["plans"][plan_id]
    as_of = as_of if as_of in p["as_of"] else p["default_as_of"]
    unit = unit if unit in p["units"] else next(iter(p["units"]))
    return plan_id, as_of, unit


def overview(path=None, plan_id: str | None = None, as_of: str | None = None, unit: str | None = None) -> dict:
    """Counts by status, and the targets grouped by area with latest value, target, status and trend."""
    with _open(path) as con:
        cat = _catalog(con)
        plan = cat.plan(plan_id) if plan_id else next(iter(cat.plans.values()))
        report = assess_plan(con, plan.id, as_of=as_of, unit=unit, catalog=cat)
        df = current_values(con, sorted({t.indicator for t in plan.targets}), [report.unit])
        unit_name = unit_label(units_by_code(con).get(report.unit), report.unit)
    by_ind = {code: series_points(g) for code, g in df.groupby("indicator")} if not df.empty else {}
    groups: dict[str, list] = defaultdict(list)
    for t, a in zip(plan.targets, report.targets):
        ind = cat.indicators[t.indicator]
        meta = progress.STATUSES[a.status]
        groups[ind.area].append({
            "target_id": t.id, "status": a.status, "rank": meta["rank"] or 9,
            "Trạng thái": f"{meta['symbol']} {meta['label']}",
            "Chỉ tiêu": ind.name, "Thực hiện": latest_text(a, t, ind),
            "Kỳ": a.latest_period.label() if a.latest_period else "–",
            "Mục tiêu": target_text(t, ind),
            "Xu hướng": _yearly_trend(by_ind.get(t.indicator, []), ind, report.as_of),
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
        "unit_name": unit_name, "attention": pd.DataFrame(worst),
        "counts": counts, "cards": cards, "total": len(plan.targets),
        "milestone_cards": [dict(status=s, count=n, **progress.MILESTONE_STATUSES[s]) for s, n in ms.items()],
        "groups": {a: pd.DataFrame(groups[a]) for a in areas},
        "chart": charts.status_bar(counts, title="Chỉ tiêu theo trạng thái",
                                   source=source_line(plan, report.as_of)) if plan.targets else None,
    }


def source_line(plan: Plan, as_of: Period) -> str:
    return f"Nguồn: chitieu, {plan.short_title} ({plan.reference()}); số liệu đến {as_of.as_of_label()}"


def plan_summaries(path=None) -> list[dict]:
    """One row per plan: reference, as-of and the count of targets by status (the landing summary)."""
    with _open(path) as con:
        cat = _catalog(con)
        reports = [assess_plan(con, plan_id, catalog=cat) for plan_id in cat.plans]
    out = []
    for r in reports:
        cards = [dict(status=s, count=n, **progress.STATUSES[s]) for s, n in r.counts().items()] if r.plan.targets else []
        cards += [dict(status=s, count=n, **progress.MILESTONE_STATUSES[s]) for s, n in r.milestone_counts().items()
                  if r.plan.milestones]
        out.append(dict(id=r.plan.id, short_title=r.plan.short_title, reference=r.plan.reference(),
                        as_of_label=r.as_of.as_of_label(), cards=cards))
    return out


# --- one target ----------------------------------------------------------------


def target_detail(path=None, plan_id: str | None = None, target_id: str | None = None, as_of: str | None = None,
                  unit: str | None = None) -> dict:
    """Everything the target page shows."""
    with _open(path) as con:
        cat = _catalog(con)
        plan = cat.plan(plan_id)
        t = plan.target(target_id) if target_id else plan.targets[0]
        ind = cat.indicators[t.indicator]
        report_unit = unit or plan.scope_unit
        as_of_p = Period.parse(as_of) if as_of else default_as_of(con, plan, report_unit)
        series = series_points(current_values(con, [t.indicator], [report_unit]))
        bench = None
        if t.benchmark:
            bench = series_points(current_values(con, [t.benchmark["indicator"]], [t.benchmark["unit"]]))
        a = progress.assess_target(t, ind, series, as_of_p, benchmark=bench)
        hist = history(con, t.indicator, report_unit)
        units = units_by_code(con)
        breakdown = _breakdown(con, plan, t, ind, units, as_of_p)
    fig = charts.target_chart(t, ind, series, a, as_of_p, benchmark=bench, title=ind.name,
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
    return {
        "plan": plan, "target": t, "indicator": ind, "assessment": a, "chart": fig, "as_of": as_of_p,
        "unit": report_unit, "unit_name": unit_label(units.get(report_unit), report_unit),
        "target_text": target_text(t, ind), "target_short": target_text(t, ind).split(" (")[0],
        "latest_text": latest_text(a, t, ind),
        "kind_label": KIND_LABELS.get(t.kind, t.kind), "values": values, "breakdown": breakdown,
        "reference": plan.reference(),
    }


def _breakdown(con, plan: Plan, t: Target, ind, units: dict, as_of: Period) -> pd.DataFrame:
    """The latest value of each unit below the plan's scope, for this indicator."""
    df = current_values(con, [t.indicator])
    if df.empty:
        return pd.DataFrame()
    df = df[df["unit"].map(lambda c: units.get(c, {}).get("parent") == plan.scope_unit)]
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


# --- units ---------------------------------------------------------------------


def _scaled(t: Target, factor: float) -> Target:
    """A province target brought to a unit's size (for indicators that add up across units)."""
    def s(x):
        return None if x is None else x * factor
    return dataclasses.replace(
        t, value=s(t.value) if t.kind not in ("avg_growth", "share", "relative") else t.value,
        low=s(t.low), high=s(t.high),
        baseline=dataclasses.replace(t.baseline, value=t.baseline.value * factor) if t.baseline else None)


LEVEL_LABELS = {"district": "Huyện, thị xã, thành phố (đến 30/06/2025)", "commune": "Xã, phường (từ 01/07/2025)"}


def units_view(path=None, plan_id: str | None = None, as_of: str | None = None, cluster: str | None = None,
               level: str | None = None) -> dict:
    """Units side by side: ranking, unit × indicator heatmap, reporting rate and timeliness.

    Units are judged on the plan's own targets. For an indicator that adds up
    across units (aggregation ``sum``) a unit's target is the province target
    times the unit's share of the province in the first year both have
    values; rates and percentages keep the province's target.
    """
    with _open(path) as con:
        cat = _catalog(con)
        plan = cat.plan(plan_id)
        units = units_by_code(con)
        as_of_p = Period.parse(as_of) if as_of else default_as_of(con, plan)
        codes = sorted({t.indicator for t in plan.targets})
        df = current_values(con, codes) if codes else pd.DataFrame()
        uploads = con.execute("SELECT unit, period, uploaded_at, status, format FROM uploads "
                              "WHERE format = 'return'").df()
    subunits = sorted({c for c in df.get("unit", []) if units.get(c, {}).get("parent") == plan.scope_unit})
    # Former districts and the communes after them are never ranked together.
    levels = [lv for lv in LEVEL_LABELS if any(units[c]["level"] == lv for c in subunits)]
    level = level if level in levels else (levels[0] if levels else None)
    subunits = [c for c in subunits if units[c]["level"] == level]
    clusters = sorted({units[c]["cluster"] for c in subunits if units[c].get("cluster")})
    if cluster:
        subunits = [c for c in subunits if units[c].get("cluster") == cluster]
    series = {(i, u): series_points(g) for (i, u), g in df.groupby(["indicator", "unit"])} if not df.empty else {}
    province = {i: series.get((i, plan.scope_unit), []) for i in codes}
    heat_targets = [t for t in plan.targets
                    if cat.indicators[t.indicator].aggregation != "none" and not t.benchmark]
    ranking, matrix = [], []
    for code in subunits:
        row, good, total = [], 0, 0
        for t in heat_targets:
            ind = cat.indicators[t.indicator]
            pts = series.get((t.indicator, code), [])
            if not pts:
                row.append(None)
                continue
            target = t
            if ind.aggregation == "sum":
                factor = _share(pts, province[t.indicator])
                if factor is None:
                    row.append(None)
                    continue
                target = _scaled(t, factor)
            a = progress.assess_target(target, ind, pts, as_of_p)
            row.append(a.status)
            if a.status != "no_data":
                total += 1
                good += a.status in GOOD
        matrix.append(row)
        if total:
            ranking.append({"code": code, "name": units[code]["name"], "good": good, "total": total,
                            "share": good / total, "cluster": units[code].get("cluster") or ""})
    labels = [f"{units[c]['name']}" for c in subunits]
    ind_labels = [_short(cat.indicators[t.indicator].name, t) for t in heat_targets]
    keep = [j for j in range(len(heat_targets)) if any(r[j] for r in matrix)]
    matrix = [[r[j] for j in keep] for r in matrix]
    ind_labels = [ind_labels[j] for j in keep]
    src = source_line(plan, as_of_p)
    # every unit under the plan's scope at this level is expected to report, data or not
    expected = sorted(c for c, u in units.items() if u.get("parent") == plan.scope_unit and u["level"] == level
                      and (not cluster or u.get("cluster") == cluster))
    reporting = reporting_table(plan, units, uploads, expected, as_of_p)
    return {
        "plan": plan, "as_of": as_of_p, "clusters": clusters, "ranking": ranking,
        "levels": {lv: LEVEL_LABELS[lv] for lv in levels}, "level": level,
        "ranking_chart": charts.unit_ranking(ranking, title="Xếp hạng đơn vị theo tỷ lệ chỉ tiêu đạt / đúng tiến độ",
                                             source=src) if ranking else None,
        "heatmap": charts.unit_heatmap(labels, ind_labels, matrix, title="Tiến độ theo đơn vị và chỉ số",
                                       source=src) if matrix and ind_labels else None,
        "reporting": reporting,
        "reporting_chart": charts.reporting_bar(reporting["by_period"], title="Tình hình nộp báo cáo quý",
                                                source=src) if reporting["by_period"] else None,
    }


def _short(name: str, t: Target) -> str:
    return name if len(name) <= 38 else name[:36] + "…"


def _share(unit_pts: list, prov_pts: list) -> float | None:
    """The unit's share of the province in the first full year both report."""
    uy = {p.period.year: p.value for p in unit_pts if p.period.kind == "Y"}
    py = {p.period.year: p.value for p in prov_pts if p.period.kind == "Y"}
    for y in sorted(set(uy) & set(py)):
        if py[y]:
            return uy[y] / py[y]
    return None


def report_due(period: Period) -> dt.date:
    return period.end_date() + dt.timedelta(days=REPORT_DUE_DAYS)


def reporting_table(plan: Plan, units: dict, uploads: pd.DataFrame, subunits: list[str], as_of: Period) -> dict:
    """Which units sent each quarter's return, on time or late, and which did not (up to ``as_of``).

    Counting starts with the first quarter for which chitieu received any
    return: before that, returns went on paper and chitieu cannot know.
    """
    first = {}
    if not uploads.empty:
        ok = uploads[uploads["status"] == "committed"]
        wanted = set(subunits)
        for r in ok.itertuples():
            if not r.period or r.unit not in wanted:   # only this plan's units count
                continue
            key = (r.unit, str(Period.parse(r.period)).replace("-YTD", ""))
            if key not in first or r.uploaded_at < first[key]:
                first[key] = r.uploaded_at
    by_period, missing, late = [], [], []
    sent_periods = [Period.parse(p) for (_u, p) in first]
    if not sent_periods:   # chitieu has not received any return yet: nothing to count
        return {"by_period": [], "missing": pd.DataFrame(), "late": pd.DataFrame(), "latest": None,
                "due_days": REPORT_DUE_DAYS}
    start = min(sent_periods, key=lambda p: p.sort_key())   # counting starts with the first return received
    for q in quarters(start.year, as_of.year, as_of.quarter or 4):
        if q < start:
            continue
        due = report_due(q)
        expected = [c for c in subunits if _valid_during(units[c], q)]
        if not expected:
            continue
        counts = Counter()
        for c in expected:
            sent = first.get((c, str(q)))
            if sent is None:
                counts["missing"] += 1
                missing.append({"Kỳ": q.label(), "Đơn vị": units[c]["name"], "Hạn nộp": fmt_date(due)})
            elif sent.date() > due:
                counts["late"] += 1
                late.append({"Kỳ": q.label(), "Đơn vị": units[c]["name"], "Hạn nộp": fmt_date(due),
                             "Ngày nộp": fmt_date(sent.date()), "Trễ (ngày)": (sent.date() - due).days})
            else:
                counts["on_time"] += 1
        by_period.append({"period": q.label(), "on_time": counts["on_time"], "late": counts["late"],
                          "missing": counts["missing"], "expected": len(expected)})
    last = by_period[-1] if by_period else None
    return {"by_period": by_period, "missing": pd.DataFrame(missing), "late": pd.DataFrame(late),
            "latest": last, "due_days": REPORT_DUE_DAYS}


def _valid_during(u: dict, q: Period) -> bool:
    start, end = u.get("valid_from"), u.get("valid_to")
    return (start is None or start <= q.end_date()) and (end is None or end >= q.start_date())


# --- plans and milestones ------------------------------------------------------


def plans_view(path=None, as_of: str | None = None) -> list[dict]:
    """Every plan with its document, targets in the plan's words and milestones with their state."""
    today = dt.date.today()
    out = []
    with _open(path) as con:
        cat = _catalog(con)
        units = units_by_code(con)
        for plan in cat.plans.values():
            marks = milestone_marks(con, plan.id)
            day = Period.parse(as_of).end_date() if as_of else today
            ms = []
            for m in plan.milestones:
                mark = marks.get(m.id)
                a = progress.assess_milestone(m, mark.done_on if mark else None, day)
                meta = progress.MILESTONE_STATUSES[a.status]
                ms.append({"id": m.id, "Trạng thái": f"{meta['symbol']} {meta['label']}", "status": a.status,
                           "Mốc": m.title, "Hạn": fmt_date(m.deadline), "Chịu trách nhiệm": m.responsible,
                           "Nhận định": a.sentence, "Ghi chú": mark.note if mark else "",
                           "Người xác nhận": mark.recorded_by if mark else "", "Căn cứ": m.quote})
            targets = [{"Mục": t.section, "Mã": t.id, "Chỉ số": cat.indicators[t.indicator].name,
                        "Loại": KIND_LABELS.get(t.kind, t.kind), "Mục tiêu": target_text(t, cat.indicators[t.indicator]),
                        "Nguyên văn kế hoạch": t.quote, "Cách hiểu": t.choice} for t in plan.targets]
            out.append({"plan": plan, "reference": plan.reference(), "targets": pd.DataFrame(targets),
                        "scope_name": unit_label(units.get(plan.scope_unit), plan.scope_unit),
                        "milestones": pd.DataFrame(ms), "milestone_ids": [m.id for m in plan.milestones],
                        "milestone_titles": {m.id: m.title for m in plan.milestones}})
    return out


def set_milestone(path, plan_id: str, milestone_id: str, done_on: dt.date | None, note: str, *, actor) -> None:
    """Mark a milestone done (or not) as ``actor`` (the secretariat, an admin): PermissionDenied otherwise."""
    with connect(db_path(path)) as con:
        mark_milestone(con, plan_id, milestone_id, done_on, note, actor=actor)


def target_choices(path=None, plan_id: str | None = None) -> dict[str, str]:
    """Target id → how it reads in a picker: section, indicator, target."""
    with _open(path) as con:
        cat = _catalog(con)
    plan = cat.plan(plan_id)
    return {t.id: f"{t.section} · {cat.indicators[t.indicator].name} ({target_text(t, cat.indicators[t.indicator])})"
            for t in plan.targets}


# --- uploads -----------------------------------------------------------------------


def upload_choices(path=None, plan_id: str | None = None, actor=None) -> dict:
    """Units that send returns for the plan (those ``actor`` may write, if given), and the plan's quarters up to now."""
    import etl.returns as returns

    with _open(path) as con:
        cat = _catalog(con)
        plan = cat.plan(plan_id)
        units = units_by_code(con)
    today = dt.date.today()
    last_year = min(plan.end, today.year)
    last_q = 4 if last_year < today.year else (today.month - 1) // 3 + 1
    qs = [str(q) for q in quarters(plan.start, last_year, last_q)][::-1]
    candidates = [plan.scope_unit] + sorted(c for c, u in units.items() if u.get("parent") == plan.scope_unit)
    out_units = {}
    for c in candidates:
        u = units[c]
        if returns.reporting_indicators(cat, plan, u) and (actor is None or can(actor, "write_unit", c)):
            out_units[c] = unit_label(u, c)
    return {"units": out_units, "quarters": qs, "has_targets": bool(plan.targets)}


def template_bytes(path=None, plan_id: str = "", unit: str = "", period: str = "") -> tuple[bytes, str]:
    """The return form for a unit and quarter, and a file name for it. ValueError says why not."""
    import io

    from etl.intake import write_template_for

    buf = io.BytesIO()
    write_template_for(buf, plan_id, unit, Period.parse(period), db=db_path(path))
    return buf.getvalue(), f"bieu-bao-cao-{unit}-{period}.xlsx"


def _summary_view(s, names: dict[str, str] | None = None) -> dict:
    names = names or {}
    issues = pd.DataFrame([{"Mức": "Lỗi" if i.level == "error" else "Cảnh báo", "Vị trí": i.where,
                            "Nội dung": i.message} for i in (s.errors + s.warnings)])
    changes = pd.DataFrame([{"Chỉ số": names.get(c.indicator, c.indicator), "Đơn vị": c.unit, "Kỳ": Period.parse(c.period).label(),
                             "Cũ": fmt_number(c.old, None), "Mới": fmt_number(c.new, None)} for c in s.changed])
    return {"summary": s.to_dict(), "lines": s.lines_vi(), "issues": issues, "changes": changes, "ok": s.ok,
            "duplicate_of": s.duplicate_of, "upload_id": s.upload_id}


def check_upload(path=None, name: str = "", data: bytes = b"", plan_id: str | None = None, unit: str | None = None,
                 period: str | None = None, *, actor, dry_run: bool = True) -> dict:
    """Read and check a file sent by ``actor`` (and write it unless ``dry_run``): the import summary.

    A reporter sending another unit's figures gets the refusal in the summary's errors.
    """
    from etl.intake import load_bytes, read_catalog

    catalog = read_catalog(db_path(path))
    s = load_bytes(name, data, db=db_path(path), actor=actor, dry_run=dry_run, plan=plan_id, unit=unit,
                   period=Period.parse(period) if period else None, catalog=catalog)
    return _summary_view(s, {c: i.name for c, i in catalog[0].indicators.items()})


def uploads_table(path=None, actor=None, limit: int = 200) -> pd.DataFrame:
    """The uploads ``actor`` may see (a reporter: its units' and its own), newest first."""
    return uploads_view(path, actor=actor, limit=limit)["table"]


def uploads_view(path=None, actor=None, limit: int = 200) -> dict:
    """The uploads table and the ids of the uploads ``actor`` may roll back."""
    from etl.load import list_uploads

    with _open(path) as con:
        rows = list_uploads(con, actor=actor, limit=limit)
    return {"table": _uploads_frame(rows), "withdrawable": [r["id"] for r in rows if r["can_withdraw"]]}


def _uploads_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Số": r["id"], "Thời điểm": fmt_datetime(r["uploaded_at"]), "Tệp": r["file_name"],
        "Loại": {"return": "Báo cáo quý", "bulk": "Bảng dài", "demo": "Minh họa"}.get(r["format"], r["format"]),
        "Đơn vị": r["unit_name"] or r["unit"] or "", "Kỳ": Period.parse(r["period"]).label() if r["period"] else "",
        "Người nạp": r["uploaded_by"] or "", "Mới": r["rows_new"], "Thay đổi": r["rows_changed"],
        "Cảnh báo": r["warnings"] or 0, "Trạng thái": r["status_label"],
    } for r in rows])


def rollback(path=None, upload_id: int = 0, *, actor) -> list[str]:
    """Withdraw an upload as ``actor``; what came back, in Vietnamese (PermissionDenied if not allowed)."""
    from etl.load import withdraw

    with connect(db_path(path)) as con:
        return withdraw(con, int(upload_id), actor=actor).lines_vi()


# --- accounts, sessions, the audit log ------------------------------------------


def sign_in(path=None, username: str = "", password: str = "") -> tuple[str, auth.SessionInfo]:
    """Sign in: the session token and what the app keeps about the session; AuthError otherwise."""
    with _open(path) as con:
        token, _actor = auth.sign_in(con, username, password)
        return token, auth.session_info(con, token)


def sign_in_external(path=None, email: str | None = None) -> tuple[str, auth.SessionInfo]:
    """Sign in through the identity provider (``st.login``): the account with that e-mail."""
    with _open(path) as con:
        token, _actor = auth.sign_in_external(con, email)
        return token, auth.session_info(con, token)


def session(path=None, token: str = "", seen: dt.datetime | None = None) -> auth.SessionInfo:
    """Check a session (SessionExpired when over) and note the activity ``seen``."""
    with connect(db_path(path)) as con:
        return auth.session_info(con, token, seen=seen)


def sign_out(path=None, token: str = "") -> None:
    with connect(db_path(path)) as con:
        auth.sign_out(con, token)


def demo_hint(path=None) -> dict | None:
    """What the sign-in page tells: the demo accounts that still have the demo password, and that password;
    or that there is no account yet. None on a real database with accounts."""
    from etl.demo import DEMO_PASSWORD

    p = db_path(path)
    if not p.exists():
        return None
    with connect(p) as con:
        accounts = auth.demo_accounts(con)
        none_yet = auth.account_count(con) == 0
    if none_yet:
        return {"accounts": [], "password": None, "no_accounts": True}
    return {"accounts": accounts, "password": DEMO_PASSWORD, "no_accounts": False} if accounts else None


def audit_view(path=None, *, actor, who: str | None = None, action: str | None = None,
               since: dt.date | None = None, until: dt.date | None = None, limit: int | None = None) -> dict:
    """The audit log for the Nhật ký page: filter choices, the entries (Vietnamese headers), their count."""
    with _open(path) as con:
        df = audit.entries(con, actor=actor, who=who, action=action, since=since, until=until, limit=limit)
        facets = audit.facets(con)
    return {"facets": facets, "entries": audit.for_people(df), "count": len(df)}


def audit_files(path=None, *, actor, **filters) -> tuple[bytes, bytes]:
    """The filtered audit log as CSV and XLSX (text that looks like a formula kept as text)."""
    table = audit_view(path, actor=actor, **filters)["entries"]
    return audit.to_csv(table), audit.to_xlsx(table)


def record_export(path=None, *, actor, what: str, files: list[str] | None = None, detail: str = "") -> None:
    """Note in the audit log that ``actor`` exported ``what`` (a report, a table, the log itself)."""
    auth.authorize(actor, "export")
    audit.log_event(db_path(path), actor, "export", what, after={"files": files or []}, detail=detail)


def accounts_view(path=None, *, actor) -> dict:
    """Accounts for the Tài khoản page, and the units a reporter can be given."""
    with _open(path) as con:
        users = auth.list_users(con, actor=actor)
        units = units_by_code(con)
    table = pd.DataFrame([{
        "Tên đăng nhập": u["username"], "Họ tên": u["full_name"], "Vai trò": u["role_label"],
        "Đơn vị": ", ".join(u["units"]), "Trạng thái": ("Đang dùng" if u["active"] else "Đã vô hiệu hóa")
        + (" · tạm khóa" if u["locked"] else "") + (" · minh họa" if u["demo"] else ""),
        "Đăng nhập gần nhất": fmt_datetime(u["last_sign_in"]) if u["last_sign_in"] else "",
        "Tạo lúc": fmt_datetime(u["created_at"]), "Người tạo": u["created_by"] or "",
    } for u in users])
    pickable = {c: f"{unit_label(u, c)} ({c})" for c, u in sorted(units.items()) if u["level"] != "country"}
    return {"table": table, "usernames": [u["username"] for u in users],
            "active": {u["username"]: u["active"] for u in users}, "units": pickable, "roles": dict(auth.ROLES)}


def add_account(path=None, *, actor, username: str, password: str, role: str, units=(), full_name: str = "") -> str:
    with connect(db_path(path)) as con:
        return auth.create_user(con, username, password, role=role, units=units, full_name=full_name,
                                actor=actor).describe()


def set_account_active(path=None, *, actor, username: str, active: bool) -> None:
    with connect(db_path(path)) as con:
        auth.set_active(con, username, active, actor=actor)


def reset_password(path=None, *, actor, username: str, password: str) -> None:
    with connect(db_path(path)) as con:
        auth.set_password(con, username, password, actor=actor)
