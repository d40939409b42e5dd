"""Writing checked rows into the store: the only code that adds observations.

Every file is one transaction: all its rows and its upload record, or
nothing. Before writing, each row is compared with the current value of its
(indicator, unit, period):

- new: there was none;
- changed: it becomes the current value (another number, or a more official status);
- unchanged: same number and status as the current value: not stored again;
- outranked: stored as history, but a more official value stays current.

The same file (by SHA-256) loaded twice is a no-op, reported as such; the
store guards it itself (``upload_hashes``, migration 6: one committed upload
per SHA-256), so the same file sent twice at the same moment commits once and
the other load reports a duplicate. The original file is kept under
``uploads/<sha256>.<ext>`` next to the database, written just before the
transaction through a temporary file of its own (unique name, removed on any
failure; a copy left by a failed commit is harmless: it is found again by its
hash).

A file with no value at all is refused ("nothing to write"), so a page never
offers to confirm it. A database that cannot be written (full disk, read-only
folder, damaged file) gives an error in the summary, in Vietnamese, and
nothing is written.

Test hook: with ``CHITIEU_TEST_SLOW_LOAD=<seconds>`` the writer prints a line
to stderr and sleeps inside the transaction, after inserting the rows and
before COMMIT, so a test can kill the process mid-load.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl.validate import Checked, Issue, Row
from kpi import audit, settings
from kpi.errors import NotFound
from kpi.permissions import Actor, can, can_withdraw
from kpi.fmt import fmt_number
from kpi.store import sql_in, first, refresh_heads, scalar, store_problem, transaction

RANK = {"estimate": 1, "preliminary": 2, "official": 3}


@dataclass
class Change:
    indicator: str
    unit: str
    period: str
    old: float | None
    new: float
    old_status: str | None
    status: str


@dataclass
class Summary:
    """What a load did, or would do with ``dry_run``: the import summary."""

    file: str = ""
    dry_run: bool = False
    rows_read: int = 0
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    outranked: int = 0
    ignored: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    upload_id: int | None = None
    duplicate_of: int | None = None
    format: str = ""
    meta: dict = field(default_factory=dict)   # what a reader found (a return: unit, period, sheet, …)
    stored_path: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> int:
        return 0 if self.dry_run or not self.ok else len(self.new) + len(self.changed) + self.outranked

    def to_dict(self) -> dict:
        return {
            "file": self.file, "dry_run": self.dry_run, "ok": self.ok,
            "rows_read": self.rows_read, "new": len(self.new), "changed": len(self.changed),
            "unchanged": self.unchanged, "outranked": self.outranked, "ignored": self.ignored,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
            "changes": [c.__dict__ for c in self.changed],
            "written": self.written, "upload_id": self.upload_id, "duplicate_of": self.duplicate_of,
            "format": self.format, "meta": self.meta, "stored_path": self.stored_path,
        }

    def lines_vi(self, limit: int = 50) -> list[str]:
        """The summary for people, in Vietnamese."""
        head = "Kiểm tra thử (không ghi)" if self.dry_run else "Kết quả nạp"
        out = [f"{head}: {self.file}"]
        if self.meta.get("description"):
            out.append(self.meta["description"])
        if self.duplicate_of is not None:
            out.append(f"Tệp này đã được nạp trước đây (lần nạp số {self.duplicate_of}); không ghi gì thêm.")
            return out
        out.append(
            f"Đọc {self.rows_read} dòng: {len(self.new)} giá trị mới, {len(self.changed)} thay đổi, "
            f"{self.unchanged} không đổi, {self.outranked} lưu làm lịch sử, {self.ignored} bỏ qua; "
            f"{len(self.errors)} lỗi, {len(self.warnings)} cảnh báo.")
        for c in self.changed[:limit]:
            out.append(f"  Thay đổi {c.indicator} / {c.unit} / {c.period}: "
                       f"{fmt_number(c.old, 2)} → {fmt_number(c.new, 2)}")
        for i in (self.errors + self.warnings)[:limit]:
            out.append(f"  {i}")
        hidden = len(self.errors) + len(self.warnings) - limit
        if hidden > 0:
            out.append(f"  … và {hidden} thông báo khác")
        if self.errors:
            out.append("Tệp có lỗi nên không ghi giá trị nào. Sửa các ô nêu trên rồi nạp lại.")
        elif not self.dry_run and self.upload_id is not None:
            out.append(f"Đã ghi {self.written} giá trị (lần nạp số {self.upload_id}).")
        return out


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rows_frame(rows: list[Row]) -> pd.DataFrame:
    return pd.DataFrame({
        "i": range(len(rows)),
        "indicator": [r.indicator for r in rows],
        "unit": [r.unit for r in rows],
        "period": [str(r.period) for r in rows],
        "period_kind": [r.period.kind for r in rows],
        "year": [r.period.year for r in rows],
        "quarter": pd.array([r.period.quarter for r in rows], dtype="Int64"),
        "value": [float(r.value) for r in rows],
        "status": [r.status for r in rows],
        "source": [r.source for r in rows],
        "note": [r.note for r in rows],
    })


def classify(con: duckdb.DuckDBPyConnection, rows: list[Row], summary: Summary) -> pd.DataFrame:
    """Compare rows with current values; fill the summary; return the rows to write."""
    if not rows:
        return _rows_frame([]).assign(old_value=[], old_status=[], action=[])
    df = _rows_frame(rows)
    marks, units = sql_in(df["unit"])
    con.register("_incoming", df)
    try:
        # the file's units first (DuckDB then skips other units' row groups), then by key
        cur = con.execute(f"""
            SELECT i.i, c.value AS old_value, c.status AS old_status
            FROM _incoming i LEFT JOIN (SELECT indicator, unit, period, value, status FROM current_observations
                                        WHERE unit IN ({marks})) c
              ON c.indicator = i.indicator AND c.unit = i.unit AND c.period = i.period
            ORDER BY i.i""", units).df()
    finally:
        con.unregister("_incoming")
    df = df.merge(cur, on="i", how="left")
    actions = []
    for r in df.itertuples():
        old = None if pd.isna(r.old_value) else float(r.old_value)
        change = Change(r.indicator, r.unit, r.period, old, r.value, r.old_status if old is not None else None,
                        r.status)
        if old is None:
            summary.new.append(change)
            actions.append("new")
        elif RANK[r.status] < RANK[r.old_status]:
            summary.outranked += 1
            actions.append("outranked")
        elif abs(old - r.value) <= 1e-9 * max(1.0, abs(old)) and r.status == r.old_status:
            summary.unchanged += 1
            actions.append("unchanged")
        else:
            summary.changed.append(change)
            actions.append("changed")
    df["action"] = actions
    return df


def keep_original(uploads_dir: Path, digest: str, file_name: str, data: bytes) -> Path:
    """Write the file as ``<uploads_dir>/<sha256><ext>`` (atomically; kept if already there)."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    path = uploads_dir / f"{digest}{Path(file_name).suffix.lower()}"
    if not path.exists():
        # A name of its own (two sessions of one process may keep the same file at once); removed on failure.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=uploads_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return path




# What the file system or a concurrent load can do to a write; anything else is a bug and is raised.
STORE_FAULTS = (duckdb.IOException, duckdb.TransactionException, duckdb.ConstraintException, duckdb.FatalException,
                OSError)
NOTHING_TO_WRITE = "tệp không có giá trị nào để ghi (mọi ô số liệu đều trống); không có gì để xác nhận"


def _test_pause() -> None:
    seconds = settings.get("CHITIEU_TEST_SLOW_LOAD")
    if seconds:
        print(f"CHITIEU_TEST_SLOW_LOAD: đang ở giữa giao dịch, chờ {seconds} giây", file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def unit_refusals(con: duckdb.DuckDBPyConnection, actor: Actor, rows: list[Row], unit: str | None = None,
                  limit: int = 8) -> list[Issue]:
    """One error per unit that ``actor`` may not write, naming the account, the unit and the cells."""
    cells: dict[str, list[str]] = {}
    for r in rows:
        if not can(actor, "write_unit", r.unit):
            cells.setdefault(r.unit, []).append(r.where)
    if unit is not None and not can(actor, "write_unit", unit):
        cells.setdefault(unit, [])
    out = []
    for code, where in cells.items():
        name = scalar(con, "SELECT name FROM units WHERE code = ?", [code])
        shown = [w for w in where if w][:limit]
        more = len(where) - len(shown)
        place = ", ".join(shown) + (f" và {more} ô khác" if more > 0 else "") if shown else "phần đầu biểu"
        out.append(Issue("error", place, f"Tài khoản {actor.describe()} không được ghi số liệu của đơn vị {code}"
                                         + (f" ({name})" if name else "")
                                         + (f", {len(where)} giá trị" if where else "")
                                         + "; không ghi gì từ tệp này"))
    return out


def lock_refusals(con: duckdb.DuckDBPyConnection, actor: Actor, rows: list[Row], unit: str | None,
                  period: str | None) -> list[Issue]:
    """Issue 11: a reporter may not change a quarter the receiver has accepted (kpi.approval);
    the receiver reopens it first. The secretariat and admins are not held (they are the receiver)."""
    if actor.role != "reporter":
        return []
    from kpi.approval import locks

    wanted = {(r.unit, str(r.period)) for r in rows if r.period.quarter} | ({(unit, period)} if unit and period else set())
    found = {(u, p.replace("-YTD", "")): who for (u, p), who in locks(con, wanted).items()}
    return [Issue("error", "phần đầu biểu" if (u, p) == (unit, period) else f"số liệu {u} {p}",
                  f"Báo cáo của đơn vị {u} kỳ {p} đã được {who}: không sửa được nữa; đề nghị nơi nhận mở lại "
                  f"(python -m etl review reopen …) rồi gửi lại; không ghi gì từ tệp này")
            for (u, p), who in sorted(found.items())]


# Two loads in one process (two app sessions) that change the same key conflict in DuckDB: the later
# one's transaction is refused whole. It is compared and written again, up to this many times, then the
# sender is told to try again (StoreBusy), with nothing written.
WRITE_ATTEMPTS = 5


def _is_conflict(e: Exception) -> bool:
    return isinstance(e, duckdb.TransactionException) and "conflict" in str(e).lower()


def write(con: duckdb.DuckDBPyConnection, checked: Checked, **kw) -> Summary:
    """Store ``checked.rows`` as one upload by ``actor``, all or nothing (see :func:`_write_once`).

    A write that conflicts with another one committed meanwhile (the same
    indicator, unit and period) is compared again with what is now current
    and retried; after ``WRITE_ATTEMPTS`` it raises ``kpi.store.StoreBusy``
    ("try again"), having written nothing.
    """
    from kpi.store import StoreBusy

    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            return _write_once(con, checked, **kw)
        except duckdb.TransactionException as e:
            if not _is_conflict(e):
                raise
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if attempt == WRITE_ATTEMPTS:
                raise StoreBusy(f"Tệp {kw.get('file_name', '')}: nhiều lần nạp cùng lúc ghi cùng chỉ tiêu, đơn vị "
                                "và kỳ; chưa ghi gì. Vui lòng gửi lại sau ít giây.") from e
            time.sleep(random.uniform(0.05, 0.2) * attempt)
    raise AssertionError("unreachable")


def _write_once(con: duckdb.DuckDBPyConnection, checked: Checked, *, actor: Actor, file_name: str,
                data: bytes | None, fmt: str, unit: str | None = None, period: str | None = None,
                dry_run: bool = False, note: str = "", plan_id: str | None = None,
                uploads_dir: Path | None = None, prepared_by: str | None = None,
                meta: dict | None = None, uploaded_at=None) -> Summary:
    """Store ``checked.rows`` as one upload by ``actor``, all or nothing. Errors in ``checked`` write nothing.

    ``actor`` (a ``kpi.permissions.Actor``) must be allowed to write every unit in the
    file (``write_unit``): a reporter only its own units. Otherwise the summary
    carries one error per refused unit, naming the cells, and nothing is
    written, not even in part; the refusal is in the audit log (also for a dry
    run: it is an attempt to write beyond one's rights).

    ``uploaded_at`` (default: now) is for the demo, which replays returns sent in the past.

    With ``uploads_dir`` the original file is kept there by its SHA-256; the
    upload row records the path relative to ``uploads_dir``'s parent.
    """
    if not isinstance(actor, Actor):
        raise TypeError("write() needs actor=kpi.permissions.Actor")
    summary = Summary(file=file_name, dry_run=dry_run, rows_read=checked.rows_read, ignored=checked.ignored,
                      errors=checked.errors, warnings=checked.warnings, format=fmt, meta=dict(meta or {}))
    digest = sha256_of(data) if data is not None else None
    refused = unit_refusals(con, actor, checked.rows, unit) + lock_refusals(con, actor, checked.rows, unit, period)
    if refused:
        summary.errors = refused + summary.errors
        _audit_refused(con, actor, summary, digest, unit, period, permission=True)
        return summary
    if digest:
        dup = _duplicate_of(con, digest)
        if dup is not None:
            summary.duplicate_of = int(dup)
            return summary
    if not checked.rows and not summary.errors:
        summary.errors = [Issue("error", file_name, NOTHING_TO_WRITE)]
    df = classify(con, checked.rows, summary)
    if summary.errors and not dry_run:
        _audit_refused(con, actor, summary, digest, unit, period, permission=False)
    if dry_run or summary.errors:
        return summary
    to_write = df[df["action"].isin(["new", "changed", "outranked"])].drop(
        columns=["i", "old_value", "old_status", "action"])
    kept, fresh = None, False
    try:
        if uploads_dir is not None and data is not None:
            fresh = not (uploads_dir / f"{digest}{Path(file_name).suffix.lower()}").exists()
            kept = keep_original(uploads_dir, digest, file_name, data)
            summary.stored_path = kept.relative_to(uploads_dir.parent).as_posix()
        upload_id = _insert(con, summary, to_write, actor=actor, file_name=file_name, digest=digest, fmt=fmt,
                            unit=unit, period=period, note=note, plan_id=plan_id, prepared_by=prepared_by,
                            uploaded_at=uploaded_at)
    except STORE_FAULTS as e:   # full disk, read-only folder, a concurrent commit of the same file
        dup = _duplicate_of(con, digest) if digest and isinstance(e, (duckdb.ConstraintException,
                                                                      duckdb.TransactionException)) else None
        if dup is not None:
            summary.duplicate_of = int(dup)   # the same file committed by another load at the same moment
            return summary
        if fresh and kept is not None:   # nothing committed: do not leave the copy this load made
            with contextlib.suppress(OSError):
                kept.unlink()
        if uploads_dir is not None:
            with contextlib.suppress(OSError):
                uploads_dir.rmdir()        # only if empty
        summary.stored_path = None
        if _is_conflict(e):   # another load changed the same keys meanwhile: write() compares again and retries
            raise
        summary.errors = [Issue("error", file_name, store_problem(None, e))]
        return summary
    summary.upload_id = int(upload_id)
    return summary


def _duplicate_of(con, digest: str) -> int | None:
    try:
        return scalar(con, "SELECT upload_id FROM upload_hashes WHERE sha256 = ?", [digest])
    except duckdb.Error:
        return None


def _insert(con, summary: Summary, to_write: pd.DataFrame, *, actor: Actor, file_name: str, digest: str | None,
            fmt: str, unit, period, note, plan_id, prepared_by, uploaded_at) -> int:
    with transaction(con):
        upload_id = scalar(con, """
            INSERT INTO uploads (file_name, sha256, format, unit, period, uploaded_by, rows_read,
                                 rows_new, rows_changed, rows_unchanged, rows_ignored, note,
                                 plan_id, stored_path, warnings, prepared_by, uploaded_at)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, coalesce(?, current_timestamp)) RETURNING id""", [
            file_name, digest, fmt, unit, period, actor.username, summary.rows_read, len(summary.new),
            len(summary.changed), summary.unchanged, summary.ignored, note,
            plan_id, summary.stored_path, len(summary.warnings), prepared_by, uploaded_at])
        if digest:   # the constraint: a second commit of the same file fails here, or at COMMIT
            con.execute("INSERT INTO upload_hashes (sha256, upload_id) VALUES (?, ?)", [digest, upload_id])
        audit.record(con, actor, "upload", f"lần nạp số {upload_id}: {file_name}", after={
            "upload_id": upload_id, "file": file_name, "sha256": digest, "format": fmt, "unit": unit,
            "period": period, "plan": plan_id, "rows_read": summary.rows_read, "new": len(summary.new),
            "changed": len(summary.changed), "unchanged": summary.unchanged, "outranked": summary.outranked,
            "warnings": len(summary.warnings),
            "changes": [{"indicator": c.indicator, "unit": c.unit, "period": c.period, "old": c.old, "new": c.new,
                         "old_status": c.old_status, "status": c.status} for c in summary.changed]},
            before={"values": [{"indicator": c.indicator, "unit": c.unit, "period": c.period, "value": c.old,
                                "status": c.old_status} for c in summary.changed]} if summary.changed else None)
        if len(to_write):
            insert_observations(con, to_write, upload_id)
        _test_pause()
    return upload_id


def insert_observations(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, upload_id: int | None) -> int:
    """Append ``rows`` (indicator, unit, period, period_kind, year, quarter, value, status, source, note) as
    observations of ``upload_id``, each the next revision of its key, and keep their current values.

    Call inside the write's transaction. The revision is looked up by key in
    ``observation_heads`` (narrowed to the rows' units), not by a GROUP BY
    over every observation.
    """
    marks, units = sql_in(rows["unit"])
    con.register("_to_write", rows)
    try:
        con.execute(f"""
            INSERT INTO observations (indicator, unit, period, period_kind, year, quarter, value,
                                      status, source, upload_id, revision, note)
            SELECT w.indicator, w.unit, w.period, w.period_kind, w.year, w.quarter, w.value,
                   w.status, w.source, ?, coalesce(h.last_revision, 0) + 1, w.note
            FROM _to_write w LEFT JOIN (SELECT indicator, unit, period, last_revision FROM observation_heads
                                        WHERE unit IN ({marks})) h
              ON h.indicator = w.indicator AND h.unit = w.unit AND h.period = w.period""",
                    [upload_id] + units)
    finally:
        with contextlib.suppress(duckdb.Error):   # in an aborted transaction: keep the first error
            con.unregister("_to_write")
    return refresh_heads(con, rows)


def _upload_keys(con: duckdb.DuckDBPyConnection, upload_id: int) -> pd.DataFrame:
    """The (indicator, unit, period) an upload wrote (the rows of that upload only)."""
    return con.execute("SELECT DISTINCT indicator, unit, period FROM observations WHERE upload_id = ?",
                       [upload_id]).df()


def _audit_refused(con, actor: Actor, summary: Summary, digest: str | None, unit, period, *, permission: bool):
    audit.record(con, actor, "upload_refused", summary.file, after={
        "file": summary.file, "sha256": digest, "unit": unit, "period": period, "rows_read": summary.rows_read,
        "errors": [str(i) for i in summary.errors[:20]], "error_count": len(summary.errors)},
        detail=("không có quyền ghi đơn vị này" if permission else "tệp có lỗi")
        + ("; kiểm tra thử" if summary.dry_run else ""))


def upload_units(con: duckdb.DuckDBPyConnection, upload_id: int) -> set[str]:
    """The units an upload wrote (its values' units and the unit it was sent for)."""
    units = {r[0] for r in con.execute("SELECT DISTINCT unit FROM observations WHERE upload_id = ?",
                                       [upload_id]).fetchall()}
    u = scalar(con, "SELECT unit FROM uploads WHERE id = ?", [upload_id])
    return units | ({u} if u else set())


def check_withdraw(con: duckdb.DuckDBPyConnection, upload_id: int, actor: Actor) -> None:
    """NotFound (no such upload), ValueError (already withdrawn) or PermissionDenied, else nothing."""
    from kpi.permissions import PermissionDenied, denied_message

    if not isinstance(actor, Actor):
        raise TypeError("rolling back needs actor=kpi.permissions.Actor")
    row = first(con, "SELECT status, uploaded_by FROM uploads WHERE id = ?", [upload_id])
    if row is None:
        raise NotFound(f"Không có lần nạp số {upload_id}")
    if not can_withdraw(actor, row[1], upload_units(con, upload_id)):
        raise PermissionDenied(denied_message(actor, "rollback") + f" (lần nạp số {upload_id})")
    if row[0] != "committed":
        raise ValueError(f"Lần nạp số {upload_id} đã được rút lại trước đó")


def _mark_rolled_back(con, upload_id: int, actor: Actor, keys: pd.DataFrame | None = None) -> int:
    """Mark the upload withdrawn and recompute the current values of the keys it wrote."""
    con.execute("UPDATE uploads SET status = 'rolled_back', rolled_back_at = current_timestamp, "
                "rolled_back_by = ? WHERE id = ?", [actor.username, upload_id])
    refresh_heads(con, _upload_keys(con, upload_id) if keys is None else keys)
    con.execute("DELETE FROM upload_hashes WHERE upload_id = ?", [upload_id])   # the file may come again
    return scalar(con, "SELECT count(*) FROM observations WHERE upload_id = ?", [upload_id])


def rollback_upload(con: duckdb.DuckDBPyConnection, upload_id: int, *, actor: Actor) -> int:
    """Withdraw an upload: its values stop counting and what they superseded comes back.

    The secretariat and admins may withdraw any upload; a reporter only one it
    sent itself, for its own units (``kpi.permissions.can_withdraw``). Returns how
    many observations the upload had. Nothing is deleted. Use :func:`withdraw`
    to learn which values came back (and to have them in the audit log).
    """
    return withdraw(con, upload_id, actor=actor).values


# --- the list of uploads, and withdrawing one ------------------------------

UPLOAD_STATUS_LABELS = {"committed": "Đã ghi", "rolled_back": "Đã rút lại"}


def list_uploads(con: duckdb.DuckDBPyConnection, *, actor: Actor, unit: str | None = None,
                 period: str | None = None, limit: int | None = None) -> list[dict]:
    """Uploads, newest first: who, when, what, counts, status, and how many values are still current.

    ``values_superseded`` counts values of a committed upload that a later or
    more official figure has replaced. A reporter sees only the uploads of its
    own units (and its own); ``can_withdraw`` says whether ``actor`` may roll it back.
    """
    if not isinstance(actor, Actor):
        raise TypeError("list_uploads needs actor=kpi.permissions.Actor")
    mine = sorted(actor.units) if actor.role == "reporter" else None
    sql = """
        SELECT u.id, u.file_name, u.format, u.unit, un.name AS unit_name, u.period, u.plan_id,
               u.uploaded_by, u.prepared_by, u.uploaded_at, u.rows_read, u.rows_new, u.rows_changed,
               u.rows_unchanged, u.rows_ignored, u.warnings, u.status, u.rolled_back_at, u.rolled_back_by,
               u.sha256, u.stored_path, u.note
        FROM uploads u LEFT JOIN units un ON un.code = u.unit
        WHERE (? IS NULL OR u.unit = ?) AND (? IS NULL OR u.period = ?)
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], u.unit) OR u.uploaded_by = ?)
        ORDER BY u.id DESC"""
    params = [unit, unit, period, period, mine, mine, actor.username]
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    counts = _value_counts(con, [d["id"] for d in rows])
    out = []
    for d in rows:
        d["values_stored"], d["values_current"] = counts.get(d["id"], (0, 0))
        d["status_label"] = UPLOAD_STATUS_LABELS.get(d["status"], d["status"])
        d["values_superseded"] = (d["values_stored"] - d["values_current"]) if d["status"] == "committed" else 0
        d["can_withdraw"] = d["status"] == "committed" and (
            can(actor, "rollback") or can_withdraw(actor, d["uploaded_by"], upload_units(con, d["id"])))
        out.append(d)
    return out


def _value_counts(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Upload id → (values stored, values still current), for the listed uploads only (after the LIMIT)."""
    if not ids:
        return {}
    marks, ids = sql_in(ids)
    stored = dict(con.execute(f"SELECT upload_id, count(*) FROM observations WHERE upload_id IN ({marks}) "
                              "GROUP BY upload_id", ids).fetchall())
    current = dict(con.execute(f"SELECT upload_id, count(*) FROM observation_heads WHERE upload_id IN ({marks}) "
                               "GROUP BY upload_id", ids).fetchall())
    return {i: (int(stored.get(i, 0)), int(current.get(i, 0))) for i in ids}


def _current_of(con: duckdb.DuckDBPyConnection, keys: pd.DataFrame) -> list[tuple]:
    """(indicator, unit, period, value, status, upload_id) of the current values of ``keys``."""
    if keys.empty:
        return []
    marks, units = sql_in(keys["unit"])
    con.register("_keys_of", keys)
    try:
        return con.execute(f"""
            SELECT c.indicator, c.unit, c.period, c.value, c.status, c.upload_id
            FROM (SELECT * FROM current_observations WHERE unit IN ({marks})) c
            SEMI JOIN _keys_of k ON k.indicator = c.indicator AND k.unit = c.unit AND k.period = c.period
            ORDER BY c.indicator, c.unit, c.period""", units).fetchall()
    finally:
        con.unregister("_keys_of")


@dataclass
class Withdrawal:
    """What rolling back an upload did: the values it withdrew and what is current again."""

    upload_id: int
    values: int = 0                                       # observations the upload had
    restored: list[Change] = field(default_factory=list)  # old = withdrawn value, new = current again
    removed: list[Change] = field(default_factory=list)   # no value left for the period
    already_superseded: int = 0                           # its values a later figure had replaced

    def to_dict(self) -> dict:
        return {"upload_id": self.upload_id, "values": self.values,
                "restored": [c.__dict__ for c in self.restored], "removed": [c.__dict__ for c in self.removed],
                "already_superseded": self.already_superseded}

    def lines_vi(self, limit: int = 50) -> list[str]:
        out = [f"Đã rút lại lần nạp số {self.upload_id} ({self.values} giá trị; không xóa gì, "
               "các giá trị này không còn được tính)."]
        for c in self.restored[:limit]:
            out.append(f"  Khôi phục {c.indicator} / {c.unit} / {c.period}: {fmt_number(c.old, None)} → "
                       f"{fmt_number(c.new, None)}")
        for c in self.removed[:limit]:
            out.append(f"  Không còn số liệu {c.indicator} / {c.unit} / {c.period} (trước đây: "
                       f"{fmt_number(c.old, None)})")
        if self.already_superseded:
            out.append(f"  {self.already_superseded} giá trị đã được số liệu khác thay thế từ trước: không đổi.")
        return out


def withdraw(con: duckdb.DuckDBPyConnection, upload_id: int, *, actor: Actor) -> Withdrawal:
    """Roll an upload back and say which values came back; the audit row commits with it.

    Raises NotFound (no such upload), ValueError (already withdrawn), or
    ``kpi.permissions.PermissionDenied`` (see :func:`rollback_upload`).
    """
    check_withdraw(con, upload_id, actor)
    keys = _upload_keys(con, upload_id)
    before = [r[:5] for r in _current_of(con, keys) if r[5] == upload_id]
    result = Withdrawal(upload_id)
    info = first(con, "SELECT file_name, uploaded_by, unit, period FROM uploads WHERE id = ?", [upload_id])
    with transaction(con):
        result.values = _mark_rolled_back(con, upload_id, actor, keys)
        result.already_superseded = result.values - len(before)
        after = {(r[0], r[1], r[2]): r[3:5] for r in _current_of(con, keys)}
        for ind, unit, period, value, status in before:
            now = after.get((ind, unit, period))
            if now is None:
                result.removed.append(Change(ind, unit, period, value, value, status, status))
            else:
                result.restored.append(Change(ind, unit, period, value, now[0], status, now[1]))
        audit.record(
            con, actor, "rollback", f"lần nạp số {upload_id}: {info[0]}",
            before={"status": "committed", "uploaded_by": info[1], "unit": info[2], "period": info[3],
                    "values": [{"indicator": i, "unit": u, "period": p, "value": v, "status": s}
                               for i, u, p, v, s in before]},
            after={"status": "rolled_back",
                   "values": [{"indicator": c.indicator, "unit": c.unit, "period": c.period, "value": c.new,
                               "status": c.status} for c in result.restored]
                   + [{"indicator": c.indicator, "unit": c.unit, "period": c.period, "value": None}
                      for c in result.removed]},
            detail=f"{result.values} giá trị rút lại; {len(result.restored)} khôi phục giá trị trước, "
                   f"{len(result.removed)} không còn số liệu, {result.already_superseded} đã bị thay thế từ trước")
    return result
