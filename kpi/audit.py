"""The audit log: who did what, when, to what, with the state before and after.

One call records one event, on the caller's connection, so that a change and
its audit row commit together (call it inside the change's transaction)::

    with transaction(con):
        ...change something...
        audit.record(con, actor, "milestone", "dienbien_2021_2025/final_review",
                     before={"done_on": None}, after={"done_on": "2025-12-20"})

``actor`` is a ``kpi.permissions.Actor`` (or, for a sign-in under a name that may
not exist, the name typed). ``before`` and ``after`` are anything JSON can
hold (dates become text); never put a password or a hash there. For a
caller without a connection, :func:`log_event` opens the database briefly.

Actions recorded (``ACTIONS``): sign_in, sign_in_failed, sign_in_locked,
sign_out, session_expired, upload, upload_refused, rollback, milestone,
targets, plan_publish, user_add, user_disable, user_enable, user_password, export,
indicator_alias (a name a unit's form uses for an indicator, remembered),
review_accept, review_send_back, review_reopen (``kpi.approval``), reminder,
reminder_failed (``etl remind``), report_text (what people write into a quarter's report).
Exports are recorded by whoever builds them, e.g.::

    audit.log_event(None, actor, "export", "dienbien_2021_2025 2025Q2",
                    after={"files": ["bao-cao.docx", "bang.xlsx"]})

The log is read with :func:`entries` (secretariat and admins) and written
out with :func:`to_csv` and :func:`to_xlsx`, where text that a spreadsheet
would take for a formula stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os

import duckdb
import pandas as pd

from kpi.permissions import ROLES, authorize
from kpi.store import connect, open_existing

ACTIONS = {
    "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập sai",
    "sign_in_locked": "Đăng nhập khi đang tạm khóa",
    "sign_out": "Đăng xuất",
    "session_expired": "Hết phiên làm việc",
    "upload": "Nạp số liệu",
    "upload_refused": "Nạp số liệu bị từ chối",
    "rollback": "Rút lại lần nạp",
    "milestone": "Xác nhận mốc thời hạn",
    "targets": "Cập nhật danh mục chỉ tiêu",
    "plan_publish": "Công bố kế hoạch (phiên bản mới)",
    "user_add": "Thêm tài khoản",
    "user_disable": "Vô hiệu hóa tài khoản",
    "user_enable": "Mở lại tài khoản",
    "user_password": "Đặt lại mật khẩu",
    "export": "Xuất báo cáo, bảng, biểu đồ",
    "indicator_alias": "Ghi nhớ tên chỉ tiêu",

    "review_accept": "Chấp nhận báo cáo",
    "review_send_back": "Trả lại báo cáo",
    "review_reopen": "Mở lại báo cáo đã chấp nhận",
    "reminder": "Gửi thư nhắc báo cáo",
    "reminder_failed": "Gửi thư nhắc thất bại",
    "report_text": "Viết nội dung báo cáo quý",
}
VIA_LABELS = {"app": "ứng dụng web", "cli": "dòng lệnh", "system": "hệ thống"}
MAX_LIST = 200   # lists inside before/after longer than this are cut, with the count kept


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(_cut(value), ensure_ascii=False, default=_default, sort_keys=True)


def _default(x):
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat(sep=" ") if isinstance(x, dt.datetime) else x.isoformat()
    if isinstance(x, (set, frozenset)):
        return sorted(x)
    return str(x)


def _cut(value):
    if isinstance(value, dict):
        out = {k: _cut(v) for k, v in list(value.items())[:MAX_LIST]}
        if len(value) > MAX_LIST:
            out["…"] = f"và {len(value) - MAX_LIST} mục khác"
        return out
    if isinstance(value, (list, tuple)):
        items = [_cut(v) for v in value[:MAX_LIST]]
        if len(value) > MAX_LIST:
            items.append(f"… và {len(value) - MAX_LIST} mục khác")
        return items
    return value


def record(con: duckdb.DuckDBPyConnection, actor, action: str, obj: str = "", before=None, after=None,
           detail: str = "", *, now: dt.datetime | None = None, via: str | None = None) -> int:
    """Add one event to the audit log; returns its id. Runs in the caller's transaction, if any."""
    if action not in ACTIONS:
        raise KeyError(f"unknown audit action {action!r}")
    if isinstance(actor, str):
        username, name, role, actor_via = actor, "", None, via or "app"
    else:
        username, name, role, actor_via = actor.username, actor.full_name, actor.role, via or actor.via
    rows = con.execute(
        "INSERT INTO audit_log (happened_at, actor, actor_name, role, via, action, object, before, after, detail) "
        "VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
        [now or dt.datetime.now(), username[:64], name, role, actor_via, action, str(obj or ""),
         _json(before), _json(after), detail or ""]).fetchall()
    return int(rows[0][0])


def log_event(db: str | os.PathLike | None, actor, action: str, obj: str = "", before=None, after=None,
              detail: str = "") -> int:
    """:func:`record` on a connection of its own (for callers that hold none, such as an export)."""
    with connect(db) as con:
        return record(con, actor, action, obj, before, after, detail)


def entries(con: duckdb.DuckDBPyConnection, *, actor, who: str | None = None, action: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None, limit: int | None = None) -> pd.DataFrame:
    """Audit events, newest first, filtered by account (``who``), action and days (inclusive).

    ``actor`` is who is reading: the secretariat or an admin (``read_audit``).
    """
    authorize(actor, "read_audit")
    sql = ("SELECT id, happened_at AS at, actor, actor_name, role, via, action, object, before::VARCHAR AS before, "
           "after::VARCHAR AS after, detail FROM audit_log WHERE 1=1")
    params: list = []
    if who:
        sql += " AND actor = ?"
        params.append(who)
    if action:
        sql += " AND action = ?"
        params.append(action)
    if since:
        sql += " AND happened_at >= ?"
        params.append(dt.datetime.combine(since, dt.time()))
    if until:
        sql += " AND happened_at < ?"
        params.append(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    sql += " ORDER BY id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return con.execute(sql, params).df()


def facets(con: duckdb.DuckDBPyConnection) -> dict:
    """The accounts and actions that occur in the log, and its first and last day (for filters)."""
    who = [r[0] for r in con.execute("SELECT DISTINCT actor FROM audit_log ORDER BY actor").fetchall()]
    actions = [r[0] for r in con.execute("SELECT DISTINCT action FROM audit_log").fetchall()]
    span = con.execute("SELECT min(happened_at), max(happened_at) FROM audit_log").fetchall()[0]
    return {"actors": who, "actions": [a for a in ACTIONS if a in actions],
            "first": span[0].date() if span[0] else None, "last": span[1].date() if span[1] else None}


COLUMNS = {"id": "Số", "at": "Thời điểm", "actor": "Tài khoản", "actor_name": "Họ tên", "role": "Vai trò",
           "via": "Qua", "action": "Hành động", "object": "Đối tượng", "before": "Trước", "after": "Sau",
           "detail": "Chi tiết"}


def for_people(df: pd.DataFrame) -> pd.DataFrame:
    """The log with Vietnamese headers and labels (what the page shows and the files hold)."""
    out = pd.DataFrame({
        COLUMNS["id"]: df["id"].astype("int64") if len(df) else pd.Series(dtype="int64"),
        COLUMNS["at"]: [x.strftime("%d/%m/%Y %H:%M:%S") for x in df["at"]],
        COLUMNS["actor"]: df["actor"],
        COLUMNS["actor_name"]: df["actor_name"].fillna(""),
        COLUMNS["role"]: [ROLES.get(r, r or "") for r in df["role"].fillna("")],
        COLUMNS["via"]: [VIA_LABELS.get(v, v or "") for v in df["via"].fillna("")],
        COLUMNS["action"]: [ACTIONS.get(a, a) for a in df["action"]],
        COLUMNS["object"]: df["object"].fillna(""),
        COLUMNS["before"]: df["before"].fillna(""),
        COLUMNS["after"]: df["after"].fillna(""),
        COLUMNS["detail"]: df["detail"].fillna(""),
    })
    return out


# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (Excel reads the accents); text that looks like a formula gets a leading ``'``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(list(df.columns))
    for row in df.itertuples(index=False):
        w.writerow([("'" + v) if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, sheet: str = "Nhật ký") -> bytes:
    """An XLSX of ``df`` in which every text cell is text: ``=cmd|…`` stays a string, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(df.columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    for r, row in enumerate(df.itertuples(index=False), start=2):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(r, c)
            if isinstance(v, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", v)
                cell.data_type = "s"         # openpyxl would store "=…" as a formula
                cell.number_format = "@"     # and Excel keeps it text if the cell is edited
            elif v is None or (isinstance(v, float) and pd.isna(v)):
                continue
            else:
                cell.value = v.item() if hasattr(v, "item") else v
    for c, name in enumerate(df.columns, start=1):
        ws.column_dimensions[ws.cell(1, c).column_letter].width = min(60, max(10, len(str(name)) + 4))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- what the Nhật ký page calls ----------------------------------------------------


def audit_view(path=None, *, actor, who: str | None = None, action: str | None = None,
               since: dt.date | None = None, until: dt.date | None = None, limit: int | None = None) -> dict:
    """The audit log for the Nhật ký page: filter choices, the entries (Vietnamese headers), their count."""
    with open_existing(path) as con:
        df = entries(con, actor=actor, who=who, action=action, since=since, until=until, limit=limit)
        choices = facets(con)
    return {"facets": choices, "entries": for_people(df), "count": len(df)}


def audit_files(path=None, *, actor, **filters) -> tuple[bytes, bytes]:
    """The filtered audit log as CSV and XLSX (text that looks like a formula kept as text)."""
    table = audit_view(path, actor=actor, **filters)["entries"]
    return to_csv(table), to_xlsx(table)


def record_export(path=None, *, actor, what: str, files: list[str] | None = None, detail: str = "") -> None:
    """Note in the audit log that ``actor`` exported ``what`` (a report, a table, the log itself)."""
    authorize(actor, "export")
    log_event(path, actor, "export", what, after={"files": files or []}, detail=detail)
