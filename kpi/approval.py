"""The receiver's review of what a reporter sent: accept, send back with a reason, reopen.

Reviews are rows of ``reviews`` (append-only); the newest row of (plan,
obligation, unit, period) is its state. Every step writes its audit row in
the same transaction::

    with connect(db) as con:
        accept(con, "dienbien_2021_2025", "periodic_return", "099", "2025Q2", actor=secretariat)
        locked(con, "099", "2025Q2")                       # True: the reporter can no longer change it
        reopen(con, "dienbien_2021_2025", "periodic_return", "099", "2025Q2", reason="sửa số", actor=secretariat)

Rules: only the receiver's side reviews (the secretariat and admins: ``review`` in kpi.permissions);
something must have come to accept or send back; a sent-back or accepted item
cannot be accepted twice without a new upload or a reopen; sending back needs a
reason. Once accepted, that unit's figures for that period (the quarter, its
year-to-date) are locked for reporters: ``etl.load.write`` refuses them until
the receiver reopens.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from kpi import audit
from kpi.permissions import Actor, authorize
from kpi.catalog import CatalogError
from kpi.obligations import ObligationsError, review_state
from kpi.store import transaction

ACTIONS = {"accept": "review_accept", "send_back": "review_send_back", "reopen": "review_reopen"}


class ReviewError(ValueError):
    """A review step that does not fit the item's state (message in Vietnamese)."""


def _uploads(con, plan_id: str, ob, unit: str, period: str) -> list:
    returns = ob.what in ("return", "both")
    rows = con.execute("""
        SELECT id, uploaded_at FROM uploads
        WHERE status = 'committed' AND unit = ? AND coalesce(period, 'once') = ?
          AND ((obligation_id = ? AND plan_id = ?)
               OR (? AND obligation_id IS NULL AND format = 'return' AND (plan_id IS NULL OR plan_id = ?)))
        ORDER BY uploaded_at, id""", [unit, period, ob.id, plan_id, returns, plan_id]).fetchall()
    return [(int(i), at) for i, at in rows]


def current(con, plan_id: str, obligation_id: str, unit: str, period: str) -> dict:
    """The item's review state: ``{"state": pending|accepted|sent_back|'', "reason", "uploads": [...]}``."""
    ob = _obligation(con, plan_id, obligation_id)
    ups = _uploads(con, plan_id, ob, unit, period)
    rows = con.execute("SELECT action, reason, happened_at, upload_id FROM reviews WHERE plan_id = ? AND "
                       "obligation_id = ? AND unit = ? AND period = ? ORDER BY id DESC LIMIT 1",
                       [plan_id, obligation_id, unit, period]).fetchall()
    state, reason = review_state(rows[0] if rows else None, ups)
    return {"state": state, "reason": reason, "uploads": ups}


def _obligation(con, plan_id: str, obligation_id: str):
    from kpi.repo import catalog_from_db

    cat = catalog_from_db(con)
    try:
        return cat.plan(plan_id).obligation(obligation_id)
    except CatalogError as e:
        raise ObligationsError(str(e)) from None


def _check(actor: Actor) -> None:
    if not isinstance(actor, Actor):
        raise TypeError("review needs an Actor (kpi.permissions.Actor)")
    authorize(actor, "review")


def _step(con, action: str, plan_id: str, obligation_id: str, unit: str, period: str, reason: str,
          actor: Actor, now: dt.datetime | None) -> dict:
    _check(actor)
    item = current(con, plan_id, obligation_id, unit, period)
    what = f"{plan_id}/{obligation_id} {unit} {period}"
    state = item["state"]
    if action in ("accept", "send_back") and not item["uploads"]:
        raise ReviewError(f"{what}: chưa nhận được gì để {'chấp nhận' if action == 'accept' else 'trả lại'}")
    if action in ("accept", "send_back") and state == "accepted":
        raise ReviewError(f"{what}: đã được chấp nhận; muốn sửa thì mở lại trước (reopen)")
    if action == "accept" and state == "sent_back":
        raise ReviewError(f"{what}: đã trả lại, chờ đơn vị gửi lại; chưa có bản mới để chấp nhận")
    if action == "send_back" and not reason.strip():
        raise ReviewError(f"{what}: trả lại cần nêu lý do")
    if action == "reopen" and state != "accepted":
        raise ReviewError(f"{what}: chỉ mở lại được báo cáo đã chấp nhận (hiện: {state or 'chưa nhận'})")
    upload_id = item["uploads"][-1][0] if item["uploads"] else None
    with transaction(con):
        con.execute("INSERT INTO reviews (plan_id, obligation_id, unit, period, upload_id, action, reason, actor, "
                    "happened_at) VALUES (?,?,?,?,?,?,?,?, coalesce(?, current_timestamp))",
                    [plan_id, obligation_id, unit, period, upload_id, action, reason or None, actor.username, now])
        audit.record(con, actor, ACTIONS[action], what, before={"state": state or None},
                     after={"state": {"accept": "accepted", "send_back": "sent_back", "reopen": "pending"}[action],
                            "upload_id": upload_id}, detail=reason or "", now=now)
    return current(con, plan_id, obligation_id, unit, period)


def accept(con: duckdb.DuckDBPyConnection, plan_id: str, obligation_id: str, unit: str, period: str, *,
           actor: Actor, reason: str = "", now: dt.datetime | None = None) -> dict:
    """Accept the newest upload of the item; it locks the unit's figures for that period."""
    return _step(con, "accept", plan_id, obligation_id, unit, period, reason, actor, now)


def send_back(con: duckdb.DuckDBPyConnection, plan_id: str, obligation_id: str, unit: str, period: str, *,
              reason: str, actor: Actor, now: dt.datetime | None = None) -> dict:
    """Send the item back to the reporter with ``reason`` (required)."""
    return _step(con, "send_back", plan_id, obligation_id, unit, period, reason, actor, now)


def reopen(con: duckdb.DuckDBPyConnection, plan_id: str, obligation_id: str, unit: str, period: str, *,
           actor: Actor, reason: str = "", now: dt.datetime | None = None) -> dict:
    """Undo an acceptance so the reporter may correct the figures (the lock goes)."""
    return _step(con, "reopen", plan_id, obligation_id, unit, period, reason, actor, now)


def _period_key(period: str) -> str:
    return period.replace("-YTD", "")


def locks(con: duckdb.DuckDBPyConnection, unit_periods: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Of (unit, period) pairs (``2025Q2`` or ``2025Q2-YTD``), those accepted: → who accepted, as text."""
    if not unit_periods:
        return {}
    keys = sorted({(u, _period_key(p)) for u, p in unit_periods})
    rows = con.execute("""
        SELECT unit, period, action, actor, happened_at FROM reviews
        WHERE list_contains(?, unit || '|' || period)
        QUALIFY row_number() OVER (PARTITION BY plan_id, obligation_id, unit, period ORDER BY id DESC) = 1""",
                       [[f"{u}|{p}" for u, p in keys]]).fetchall()
    accepted = {(u, p): f"{who} chấp nhận lúc {at:%H:%M %d/%m/%Y}" for u, p, a, who, at in rows if a == "accept"}
    return {(u, p): accepted[(u, _period_key(p))] for u, p in unit_periods if (u, _period_key(p)) in accepted}


def locked(con: duckdb.DuckDBPyConnection, unit: str, period: str) -> bool:
    return bool(locks(con, {(unit, period)}))
