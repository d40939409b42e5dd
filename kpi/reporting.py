"""Returns received, on time or late, and missing: the secretariat's chase list."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import duckdb
import pandas as pd

from kpi import settings
from kpi.catalog import Plan
from kpi.fmt import fmt_date
from kpi.periods import Period, quarters
from kpi.store import sql_in


def due_days() -> int:
    """Days after a quarter's end by which its return is due (``CHITIEU_REPORT_DUE_DAYS``)."""
    return settings.get("CHITIEU_REPORT_DUE_DAYS")


def uploads_for_reporting(con: duckdb.DuckDBPyConnection, units: list[str] | None = None) -> pd.DataFrame:
    """The quarterly returns received (of ``units`` only, if given): unit, period, when, committed or withdrawn."""
    sql, params = "SELECT unit, period, uploaded_at, status, format FROM uploads WHERE format = 'return'", []
    if units is not None:
        marks, params = sql_in(units)
        sql += f" AND unit IN ({marks})"
    return con.execute(sql, params).df()


def report_due(period: Period) -> dt.date:
    return period.end_date() + dt.timedelta(days=due_days())


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
                "due_days": due_days()}
    start = min(sent_periods, key=lambda p: p.sort_key())   # counting starts with the first return received
    for q in quarters(start.year, as_of.year, as_of.quarter or 4):
        if q < start:
            continue
        due = report_due(q)
        expected = [c for c in subunits if valid_during(units[c], q)]
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
            "latest": last, "due_days": due_days()}


def valid_during(u: dict, q: Period) -> bool:
    start, end = u.get("valid_from"), u.get("valid_to")
    return (start is None or start <= q.end_date()) and (end is None or end >= q.start_date())


# --- from the plan's obligations (issue 11) -----------------------------------------------


def obligations_table(rows: list[dict], expected: list[str] | None = None) -> dict:
    """``reporting_table``'s figures from the plan's obligations (``kpi.obligations.rows_through``).

    Only reports with a deadline count (an obligation the plan gives no deadline
    is never late); ``expected`` narrows to those reporters (a page's level or
    cluster) unless none of them owes anything, then every reporter counts.
    Counting starts with the first quarter for which chitieu received anything.
    """
    rows = [r for r in rows if r["due"] is not None and r["state"] != "no_event"]
    if expected is not None:
        mine = [r for r in rows if r["reporter"] in set(expected)]
        rows = mine or rows
    received = [r["quarter"] for r in rows if r["sent_at"] is not None]
    empty = {"by_period": [], "missing": pd.DataFrame(), "late": pd.DataFrame(), "latest": None,
             "due_days": due_days(), "source": "obligations"}
    if not received:
        return empty
    start = min(received, key=lambda p: p.sort_key())
    by_q: dict = {}
    missing, late = [], []
    for r in rows:
        q = r["quarter"]
        if q < start or r["state"] == "not_yet_due":
            continue
        c = by_q.setdefault(q, Counter())
        c["expected"] += 1
        if r["state"] == "missing":
            c["missing"] += 1
            missing.append({"Kỳ": q.label(), "Đơn vị": r["reporter_name"], "Báo cáo": r["title"],
                            "Hạn nộp": fmt_date(r["due"])})
        elif r["state"] == "late":
            c["late"] += 1
            late.append({"Kỳ": q.label(), "Đơn vị": r["reporter_name"], "Báo cáo": r["title"],
                         "Hạn nộp": fmt_date(r["due"]), "Ngày nộp": fmt_date(r["sent_at"].date()),
                         "Trễ (ngày)": r["late_days"]})
        else:
            c["on_time"] += 1
    by_period = [{"period": q.label(), "on_time": c["on_time"], "late": c["late"], "missing": c["missing"],
                  "expected": c["expected"]} for q, c in sorted(by_q.items(), key=lambda kv: kv[0].sort_key())]
    days = sorted({(r["due"] - r["quarter"].end_date()).days for r in rows if r["period"] == str(r["quarter"])})
    return {"by_period": by_period, "missing": pd.DataFrame(missing), "late": pd.DataFrame(late),
            "latest": by_period[-1] if by_period else None, "due_days": days[0] if len(days) == 1 else due_days(),
            "source": "obligations"}
