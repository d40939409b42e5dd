"""Who to remind of which report, and the letter (Vietnamese). Sending is ``etl/remind.py``'s job.

A reminder goes to each reporter whose obligation is due within N days (not
sent yet) or late (deadline passed, nothing came), for a plan and a quarter;
one letter per (obligation, reporter, period) to the e-mails of the active
accounts that report for that unit. An item without any such e-mail is kept,
with ``recipients == []``, so the caller reports it instead of dropping it.

>>> letter = compose({"title": "Báo cáo quý", "reporter": "099", "reporter_name": "Huyện Tuần Giáo",
...     "period": "2025Q2", "due": __import__("datetime").date(2025, 7, 15), "state": "missing",
...     "overdue_days": 3, "to_name": "UBND tỉnh", "via_name": "Sở Nội vụ", "what_label": "Biểu số liệu"},
...     plan_title="Kế hoạch 2021-2025", app_url="http://localhost:8501", today=__import__("datetime").date(2025, 7, 18))
>>> letter["subject"]
'[chitieu] Quá hạn 3 ngày: Báo cáo quý — Huyện Tuần Giáo, Quý II/2025'
"""

from __future__ import annotations

import datetime as dt
import duckdb

from kpi import settings
from kpi.fmt import fmt_date
from kpi.obligations import obligation_rows
from kpi.periods import Period

UPLOAD_PAGE = "nhap_so_lieu"   # pages/nhap_so_lieu.py


def app_url() -> str:
    """Where the dashboard is: ``CHITIEU_APP_URL`` (default http://localhost:8501)."""
    return settings.get("CHITIEU_APP_URL").rstrip("/")


def _period_label(key: str) -> str:
    try:
        return Period.parse(key).label()
    except Exception:   # 2025H1, 2025-04, once: shown as they are
        return {"once": "một lần"}.get(key, key)


def due_items(con: duckdb.DuckDBPyConnection, plan_id: str, period: Period, *, days_before: int = 3,
              today: dt.date | None = None) -> list[dict]:
    """Obligation rows to remind of: late (missing after the deadline), or due within ``days_before`` days.

    A report that came but was sent back counts as not sent. Each item gets ``recipients``.
    """
    today = today or dt.date.today()
    rows = obligation_rows(con, plan_id, period, today=today)["rows"]
    out = []
    for r in rows:
        sent_back = r["review"] == "sent_back"
        waiting = r["state"] in ("missing", "not_yet_due") or sent_back
        if not waiting or r["due"] is None:
            continue
        if r["state"] == "not_yet_due" and (r["due"] - today).days > days_before:
            continue
        out.append(dict(r, recipients=recipients(con, r["reporter"])))
    return out


def recipients(con: duckdb.DuckDBPyConnection, unit: str) -> list[str]:
    """E-mails of the active reporter accounts of ``unit``."""
    return [e for (e,) in con.execute("""
        SELECT DISTINCT a.email FROM accounts a JOIN account_units u USING (username)
        WHERE u.unit = ? AND a.active AND a.role = 'reporter' AND coalesce(a.email, '') <> ''
        ORDER BY a.email""", [unit]).fetchall()]


def compose(item: dict, *, plan_title: str, app_url: str, today: dt.date) -> dict:
    """Subject and body of one reminder, in Vietnamese."""
    period = _period_label(item["period"])
    due = item["due"]
    if item.get("review") == "sent_back":
        head = "Báo cáo bị trả lại"
    elif due < today:
        head = f"Quá hạn {(today - due).days} ngày"
    elif due == today:
        head = "Hết hạn hôm nay"
    else:
        head = f"Còn {(due - today).days} ngày"
    via = f" (qua {item['via_name']})" if item.get("via_name") else ""
    lines = [
        f"Kính gửi {item['reporter_name']},",
        "",
        f"chitieu nhắc báo cáo sau, theo {plan_title}:",
        f"- Nội dung: {item['title']} ({item['what_label'].lower()})",
        f"- Kỳ báo cáo: {period}",
        f"- Hạn nộp: {fmt_date(due)} ({head.lower()})",
        f"- Gửi: {item['to_name']}{via}",
    ]
    if item.get("review") == "sent_back":
        lines.append(f"- Lý do trả lại: {item.get('review_reason') or '(không ghi)'}")
    lines += ["", f"Nộp báo cáo tại: {app_url}/{UPLOAD_PAGE} (chọn đơn vị {item['reporter']}, kỳ {period}).",
              "Nếu đã gửi bằng đường khác, xin báo lại để văn phòng cập nhật.", "",
              "Thư này được gửi tự động từ chitieu; xin đừng trả lời thư này."]
    return {"subject": f"[chitieu] {head}: {item['title']} — {item['reporter_name']}, {period}",
            "body": "\n".join(lines)}
