"""Hộp nhận (the receiver's inbox): what came for a plan and quarter, its review state, and the review acts.

Page-data functions (``kpi.ui.load``) for ``pages/hop_nhan.py``; the rules live in
``kpi.obligations`` (who owes what) and ``kpi.approval`` (accept, send back, reopen).
"""

from __future__ import annotations

import pandas as pd

from kpi import approval
from kpi.fmt import fmt_date, fmt_datetime
from kpi.obligations import obligation_rows, reporting_rate
from kpi.periods import Period
from kpi.store import connect, db_path, open_existing

VIEWS = {"waiting": "Chờ xem xét", "sent_back": "Đã trả lại", "accepted": "Đã chấp nhận",
         "missing": "Chưa nộp (quá hạn)", "all": "Tất cả"}


def item_key(r: dict) -> str:
    """``obligation|unit|period``: how the page names one item."""
    return f"{r['obligation']}|{r['reporter']}|{r['period']}"


def inbox_view(path=None, plan_id: str = "", period: str = "") -> dict:
    """Every obligation row of the quarter with its review, as a table, and the items each act applies to."""
    with open_existing(path) as con:
        out = obligation_rows(con, plan_id, _quarter(period))
    rows = out["rows"]
    table = pd.DataFrame([{
        "Mã": item_key(r), "Nghĩa vụ": r["title"], "Đơn vị": r["reporter_name"], "Kỳ": r["period"],
        "Hạn": fmt_date(r["due"]) if r["due"] else "không có hạn", "Tình trạng": r["state_label"],
        "Nộp lúc": fmt_datetime(r["sent_at"]) if r["sent_at"] else "", "Lần nạp": r["upload_id"],
        "Xem xét": r["review_label"], "Lý do": r["review_reason"], "_state": r["state"], "_review": r["review"],
    } for r in rows])
    labels = {item_key(r): f"{r['reporter_name']} — {r['title']} ({r['period']}, lần nạp số {r['upload_id']})"
              for r in rows if r["upload_id"] or r["review"]}
    return {
        "plan": out["plan"], "period": period, "table": table, "labels": labels, "notes": out["notes"],
        "rate": reporting_rate(rows),
        "counts": {"waiting": sum(r["review"] == "pending" for r in rows),
                   "sent_back": sum(r["review"] == "sent_back" for r in rows),
                   "accepted": sum(r["review"] == "accepted" for r in rows),
                   "missing": sum(r["state"] == "missing" for r in rows)},
        "can": {"accept": [item_key(r) for r in rows if r["review"] == "pending"],
                "send_back": [item_key(r) for r in rows if r["review"] == "pending"],
                "reopen": [item_key(r) for r in rows if r["review"] == "accepted"]},
    }


def _quarter(period: str) -> Period:
    p = Period.parse(period)
    return Period(p.year, p.quarter or 4)


def filtered(table: pd.DataFrame, view: str) -> pd.DataFrame:
    """The rows of one of ``VIEWS``, without the helper columns."""
    if table.empty:
        return table
    keep = {"waiting": table["_review"] == "pending", "sent_back": table["_review"] == "sent_back",
            "accepted": table["_review"] == "accepted", "missing": table["_state"] == "missing"}.get(view)
    t = table if keep is None else table[keep]
    return t.drop(columns=["_state", "_review"])


def review(path=None, *, action: str, plan_id: str, key: str, reason: str = "", actor) -> str:
    """Accept, send back or reopen one item as ``actor``; what happened, in Vietnamese.

    ``PermissionDenied`` for an account that may not review, ``approval.ReviewError`` when the
    item's state does not allow it.
    """
    ob, unit, period = key.split("|")
    step = {"accept": approval.accept, "send_back": approval.send_back, "reopen": approval.reopen}[action]
    with connect(db_path(path)) as con:
        state = step(con, plan_id, ob, unit, period, reason=reason, actor=actor)["state"]
    return {"accepted": "Đã chấp nhận; số liệu của kỳ này đã khóa với đơn vị báo cáo.",
            "sent_back": "Đã trả lại cho đơn vị, kèm lý do.",
            "pending": "Đã mở lại; đơn vị có thể gửi bản sửa."}.get(state, state)
