"""Who had to report what, to whom, by when, for a period, and what came: the secretariat's chase list.

A plan's obligations (``targets/*.yaml``, :class:`kpi.catalog.Obligation`) name
their reporters by code or by selector (every department under 11, a
group's members). For a quarter, each obligation gives zero or more
*instances* (the reporting period it covers, its deadline), and each instance
one row per reporter that existed during that reporting period::

    with connect(db) as con:
        rows = obligation_rows(con, "dienbien_2021_2025", Period.parse("2025Q2"), today=dt.date(2025, 8, 1))
    rows[0]["state"]     # received | late | missing | not_yet_due | no_deadline | no_event

Which instances fall in a quarter ``Q``:

* quarterly: ``Q`` itself; monthly: its three months; six-monthly: the half
  year ending with ``Q`` (Q2, Q4); yearly: the year, in Q4;
* once: when its deadline falls in ``Q`` (a fixed date, or N days before the
  reporter's own event, ``unit_events``); an event not recorded yet shows in
  every quarter of the plan as ``no_event``;
* unspecified (the plan gives no period): ``Q``, and nothing is ever late.

What counts as received: an upload (committed, not rolled back) of that unit
for that period, sent against the obligation (``uploads.obligation_id``), or,
for an obligation whose ``what`` is ``return``/``both``, a quarterly return of
the unit for that quarter. The first upload decides on-time or late; the
newest is the one the receiver reviews (``kpi.approval``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from kpi.catalog import FREQUENCIES, WHAT, Catalog, Obligation, Plan
from kpi.periods import Period

STATES = {
    "received": "Đã nhận, đúng hạn",
    "late": "Đã nhận, trễ hạn",
    "missing": "Chưa nộp, quá hạn",
    "not_yet_due": "Chưa đến hạn",
    "no_deadline": "Không có hạn (kế hoạch không nêu)",
    "no_event": "Chưa có ngày sự kiện để tính hạn",
}
REVIEWS = {"pending": "Chờ xem xét", "accepted": "Đã chấp nhận", "sent_back": "Trả lại", "": ""}
EVENT_LABELS = {"congress": "Đại hội (Hội nghị) thi đua của đơn vị"}


@dataclass(frozen=True)
class Instance:
    """One reporting period of an obligation: its key (``2025Q2``, ``2025``, ``2025H1``, ``2025-04``, ``once``)."""

    key: str
    start: dt.date
    end: dt.date
    due: dt.date | None = None


class ObligationsError(ValueError):
    """A plan or obligation the store does not have, or a reporter code the registry lacks (Vietnamese)."""


# --- which instances fall in a quarter --------------------------------------------------


def _months(q: Period) -> list[Instance]:
    out = []
    for m in range(3 * q.quarter - 2, 3 * q.quarter + 1):
        start = dt.date(q.year, m, 1)
        end = (dt.date(q.year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
        out.append(Instance(f"{q.year}-{m:02d}", start, end))
    return out


def instances(ob: Obligation, plan: Plan, q: Period) -> list[Instance]:
    """The reporting periods of ``ob`` that end in quarter ``q`` (deadlines filled in when they are rules).

    >>> from kpi.catalog import load_catalog
    >>> plan = load_catalog().plans["bentre_2024_2025"]
    >>> [(i.key, str(i.due)) for i in instances(plan.obligation("party_bodies_quarterly"), plan, Period.parse("2025Q2"))]
    [('2025Q2', '2025-07-15')]
    """
    after = ob.due.get("days_after")

    def due(end: dt.date) -> dt.date | None:
        return end + dt.timedelta(days=after) if after is not None else None

    if ob.frequency == "quarterly":
        out = [Instance(str(q), q.start_date(), q.end_date())]
    elif ob.frequency == "monthly":
        out = _months(q)
    elif ob.frequency == "half_yearly":
        out = [] if q.quarter not in (2, 4) else [Instance(
            f"{q.year}H{q.quarter // 2}", dt.date(q.year, 1 if q.quarter == 2 else 7, 1), q.end_date())]
    elif ob.frequency == "yearly":
        out = [Instance(str(q.year), dt.date(q.year, 1, 1), q.end_date())] if q.quarter == 4 else []
    elif ob.frequency == "unspecified":
        out = [Instance(str(q), q.start_date(), q.end_date())]
    else:   # once: placed by its deadline (events are placed per reporter, see obligation_rows)
        d = ob.due_date
        if d is not None:
            return [Instance("once", dt.date(plan.start, 1, 1), d, d)] if q.start_date() <= d <= q.end_date() else []
        return [Instance("once", dt.date(plan.start, 1, 1), q.end_date())] if plan.start <= q.year <= plan.end else []
    if not plan.start <= q.year <= plan.end:
        return []
    return [Instance(i.key, i.start, i.end, due(i.end)) for i in out]


# --- who reports ------------------------------------------------------------------------


def _valid_during(u: dict, start: dt.date, end: dt.date) -> bool:
    a, b = u.get("valid_from"), u.get("valid_to")
    return (a is None or a <= end) and (b is None or b >= start)


def reporter_codes(ob: Obligation, units: dict[str, dict], members: dict[str, list[str]],
                   start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
    """The units ``ob`` names (codes and selectors expanded), valid during [start, end] when given.

    The receiver and the body reports go through are never among its own reporters.
    """
    out: list[str] = []
    for sel in ob.reporters:
        if isinstance(sel, str):
            if sel not in units:
                raise ObligationsError(f"Nghĩa vụ '{ob.id}' ({ob.plan_id}): đơn vị báo cáo '{sel}' không có trong danh mục")
            out.append(sel)
        elif "group" in sel:
            if sel["group"] not in units:
                raise ObligationsError(f"Nghĩa vụ '{ob.id}' ({ob.plan_id}): nhóm '{sel['group']}' không có trong danh mục")
            out.extend(members.get(sel["group"], []))
        else:
            out.extend(sorted(c for c, u in units.items()
                              if u["level"] == sel["level"] and u.get("parent") == sel["parent"]))
    seen, keep = set(), []
    for c in out:
        if c in seen or c in (ob.to, ob.via) or c not in units:
            continue
        seen.add(c)
        if start is None or _valid_during(units[c], start, end):
            keep.append(c)
    return keep


# --- what came ---------------------------------------------------------------------------


def _received(con, plan_id: str, ob: Obligation, codes: list[str], keys: list[str]) -> dict[tuple, list]:
    """(unit, key) → [(upload id, uploaded_at)] oldest first."""
    if not codes or not keys:
        return {}
    returns_count = ob.what in ("return", "both")
    rows = con.execute("""
        SELECT unit, coalesce(period, 'once') AS k, id, uploaded_at FROM uploads
        WHERE status = 'committed' AND list_contains(?, unit) AND list_contains(?, coalesce(period, 'once'))
          AND ((obligation_id = ? AND plan_id = ?)
               OR (? AND obligation_id IS NULL AND format = 'return' AND (plan_id IS NULL OR plan_id = ?)))
        ORDER BY uploaded_at, id""", [codes, keys, ob.id, plan_id, returns_count, plan_id]).fetchall()
    out: dict[tuple, list] = {}
    for unit, k, uid, at in rows:
        out.setdefault((unit, k), []).append((int(uid), at))
    return out


def _reviews(con, plan_id: str, ob_id: str) -> dict[tuple, tuple]:
    """(unit, key) → the newest review row: (action, reason, happened_at, upload_id)."""
    rows = con.execute("""
        SELECT unit, period, action, reason, happened_at, upload_id FROM reviews
        WHERE plan_id = ? AND obligation_id = ?
        QUALIFY row_number() OVER (PARTITION BY unit, period ORDER BY id DESC) = 1""", [plan_id, ob_id]).fetchall()
    return {(u, p): (a, r, at, up) for u, p, a, r, at, up in rows}


def review_state(review: tuple | None, uploads: list) -> tuple[str, str]:
    """(state, reason): accepted; sent_back (until a newer upload comes); pending when something came."""
    if not uploads:
        return ("sent_back", review[1] or "") if review and review[0] == "send_back" else ("", "")
    if review is None:
        return "pending", ""
    action, reason, at, _up = review
    if action == "accept":
        return "accepted", reason or ""
    if action == "send_back":
        newer = any(u_at > at for _id, u_at in uploads)
        return ("pending", "") if newer else ("sent_back", reason or "")
    return "pending", reason or ""   # reopen


def _events(con, event: str) -> dict[str, dt.date]:
    return {u: d for u, d in con.execute("SELECT unit, day FROM unit_events WHERE event = ?", [event]).fetchall()}


def _members(con) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for g, m in con.execute("SELECT grp, member FROM unit_members ORDER BY member").fetchall():
        out.setdefault(g, []).append(m)
    return out


def _units(con) -> dict[str, dict]:
    # Only the columns needed, and not the 13.000 communes of provinces no plan covers.
    cur = con.execute("SELECT code, name, level, parent, valid_from, valid_to, successor FROM units")
    cols = [d[0] for d in cur.description]
    return {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}


def _state(inst_due: dt.date | None, uploads: list, today: dt.date) -> tuple[str, int | None]:
    if uploads:
        first = uploads[0][1].date()
        if inst_due is not None and first > inst_due:
            return "late", (first - inst_due).days
        return "received", None
    if inst_due is None:
        return "no_deadline", None
    return ("missing", (today - inst_due).days) if today > inst_due else ("not_yet_due", None)


def obligation_rows(con: duckdb.DuckDBPyConnection, plan_id: str, period: Period, *, today: dt.date | None = None,
                    catalog: Catalog | None = None, obligation: str | None = None,
                    registry: tuple[dict, dict] | None = None) -> dict:
    """Per obligation and reporter for quarter ``period``: due date, state, what came, the review.

    Returns ``{"rows": [...], "notes": {obligation id: [sentences]}, "plan": Plan}``. Rows carry
    Vietnamese labels beside the codes, for pages and the CLI alike.
    """
    from kpi.repo import catalog_from_db

    today = today or dt.date.today()
    cat = catalog or catalog_from_db(con)
    if plan_id not in cat.plans:
        raise ObligationsError(f"Không có kế hoạch '{plan_id}'. Các kế hoạch: {', '.join(sorted(cat.plans))}")
    plan = cat.plans[plan_id]
    obs = [plan.obligation(obligation)] if obligation else list(plan.obligations)
    units, members = registry or (_units(con), _members(con))

    def name(c):
        return units[c]["name"] if c in units else c

    rows, notes = [], {}
    for ob in obs:
        note = notes.setdefault(ob.id, [])
        insts = instances(ob, plan, period)
        events = _events(con, ob.due["event"]) if "event" in ob.due else {}
        all_codes = reporter_codes(ob, units, members)
        keys = sorted({i.key for i in insts})
        got = _received(con, plan_id, ob, all_codes, keys)
        reviews = _reviews(con, plan_id, ob.id)
        for inst in insts:
            codes = reporter_codes(ob, units, members, inst.start, inst.end)
            ended = [c for c in all_codes if c not in codes and units[c].get("valid_to")
                     and units[c]["valid_to"] < inst.start]
            if ended and not codes:
                last = max(units[c]["valid_to"] for c in ended)
                note.append(f"{inst.key}: cả {len(ended)} đơn vị báo cáo đã hết hiệu lực từ "
                            f"{last + dt.timedelta(days=1):%d/%m/%Y}; kế hoạch vẫn theo dõi địa bàn cũ, "
                            f"chưa có đơn vị kế thừa nhiệm vụ báo cáo trong danh mục.")
            for who, label in ((ob.to, "Cơ quan nhận"), (ob.via, "Cơ quan trung gian")):
                if who and who in units and units[who].get("valid_to") and units[who]["valid_to"] < inst.end:
                    note.append(f"{inst.key}: {label} {name(who)} hết hiệu lực từ "
                                f"{units[who]['valid_to'] + dt.timedelta(days=1):%d/%m/%Y}.")
            for c in codes:
                due = inst.due
                if "event" in ob.due:
                    day = events.get(c)
                    due = day - dt.timedelta(days=ob.due["days_before_event"]) if day else None
                    if day and not period.start_date() <= due <= period.end_date():
                        continue   # placed in the quarter its deadline falls in
                ups = got.get((c, inst.key), [])
                state, days = _state(due, ups, today)
                if "event" in ob.due and due is None and not ups:
                    state = "no_event"
                review, reason = review_state(reviews.get((c, inst.key)), ups)
                rows.append({
                    "plan": plan_id, "obligation": ob.id, "title": ob.title, "reporter": c,
                    "reporter_name": name(c), "reporter_level": units[c]["level"],
                    "to": ob.to, "to_name": name(ob.to), "via": ob.via, "via_name": name(ob.via) if ob.via else None,
                    "what": ob.what, "what_label": WHAT[ob.what], "frequency": ob.frequency,
                    "frequency_label": FREQUENCIES[ob.frequency], "period": inst.key, "due": due,
                    "state": state, "state_label": STATES[state],
                    "late_days": days if state == "late" else None,
                    "overdue_days": days if state == "missing" else None,
                    "sent_at": ups[0][1] if ups else None, "first_upload": ups[0][0] if ups else None,
                    "upload_id": ups[-1][0] if ups else None, "uploads": len(ups),
                    "review": review, "review_label": REVIEWS[review], "review_reason": reason,
                })
        notes[ob.id] = list(dict.fromkeys(note))
    named = {c: name(c) for ob in obs for c in (ob.to, ob.via) if c}
    return {"rows": rows, "notes": notes, "plan": plan, "names": named}


def rows_through(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: Period, *, catalog: Catalog,
                 today: dt.date | None = None) -> list[dict]:
    """The rows of every quarter of ``plan`` up to ``as_of`` (for the reporting-rate figures)."""
    from kpi.periods import quarters

    registry = (_units(con), _members(con))
    out = []
    last_year = min(as_of.year, plan.end)
    for q in quarters(plan.start, last_year, as_of.quarter or 4 if last_year == as_of.year else 4):
        for r in obligation_rows(con, plan.id, q, today=today, catalog=catalog, registry=registry)["rows"]:
            out.append(dict(r, quarter=q))
    return out


def reporting_rate(rows: list[dict]) -> dict:
    """Counts for the reporting-rate figures: only rows with a deadline that has passed count as expected.

    >>> reporting_rate([{"state": "received"}, {"state": "late"}, {"state": "missing"}, {"state": "not_yet_due"}])
    {'on_time': 1, 'late': 1, 'missing': 1, 'not_yet_due': 1, 'expected': 3, 'rate': 66.7}
    """
    n = {s: sum(1 for r in rows if r["state"] == s) for s in ("received", "late", "missing", "not_yet_due")}
    expected = n["received"] + n["late"] + n["missing"]
    return {"on_time": n["received"], "late": n["late"], "missing": n["missing"], "not_yet_due": n["not_yet_due"],
            "expected": expected,
            "rate": round(100 * (n["received"] + n["late"]) / expected, 1) if expected else None}
