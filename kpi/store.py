"""The DuckDB store: where the file is, connections, the schema and its migrations.

One process may write a DuckDB file at a time, and while it does no other
process can open it at all (DuckDB 2.0 locks the file per process). The app and
``python -m etl`` both write, so every caller holds a connection briefly::

    with connect("data/chitieu.duckdb") as con:
        n = scalar(con, "SELECT count(*) FROM observations")

``connect`` retries for a while when the file is busy (``CHITIEU_DB_WAIT``
seconds, default 15) and then raises ``StoreBusy`` with a message in
Vietnamese. Opening a file migrates it to the current schema.

Observations are append-only. A value is never updated: a correction is a new
row with a higher ``revision``; a rollback marks its upload ``rolled_back``
and the view ``current_observations`` stops seeing its rows. The current
value of (indicator, unit, period) is the newest revision of the most
official status (official > preliminary > estimate).

That current value is kept, not recomputed by readers: ``observation_heads``
has one row per (indicator, unit, period) ever written, with its highest
revision (rolled back or not: the next one is +1) and a copy of its current
observation (``id`` NULL when no live value is left). Every write and every
rollback calls :func:`refresh_heads` for the keys it touched, in its own
transaction, so a reader costs what its units and indicators hold, not what
the whole store holds. ``current_observations`` is a view on it.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kpi import settings

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = settings.SETTINGS["CHITIEU_DB"].default
STATUSES = ("estimate", "preliminary", "official")
STATUS_LABELS = {"estimate": "Ước tính", "preliminary": "Sơ bộ", "official": "Chính thức"}
STATUS_ALIASES = {
    "estimate": "estimate", "ước": "estimate", "uoc": "estimate", "ước tính": "estimate", "e": "estimate",
    "preliminary": "preliminary", "sơ bộ": "preliminary", "so bo": "preliminary", "p": "preliminary",
    "official": "official", "chính thức": "official", "chinh thuc": "official", "o": "official",
}


class StoreBusy(RuntimeError):
    """The database file is held by another process for longer than we wait."""


class NoDatabase(RuntimeError):
    """The database file does not exist, or has no catalogue yet: nothing to show."""


class NoCatalog(NoDatabase):
    """The database exists but ``python -m etl init`` has not loaded the catalogue into it yet."""


class StoreError(NoDatabase):
    """The database file cannot be used: damaged, not a database, no space, no permission. Message in Vietnamese.

    A NoDatabase (nothing to show), so the pages that catch that show this message too.
    """


class StoreMissing(StoreError):
    """A command that only reads found no database file (and must not create one)."""


def store_problem(path, e: BaseException) -> str:
    """What went wrong with the database file, in Vietnamese (the technical reason in brackets)."""
    msg = str(e)
    low = msg.lower()
    name = Path(str(path)).name if path is not None else "cơ sở dữ liệu"
    if "not a valid duckdb database" in low or "could not read enough bytes" in low or "corrupt" in low \
            or "checksum" in low or "serializ" in low or "magic" in low:
        what = (f"Tệp cơ sở dữ liệu {name} bị hỏng hoặc không phải cơ sở dữ liệu chitieu (có thể bị cắt cụt, "
                "ghi dở hoặc chép nhầm). Không ghi gì. Khôi phục từ bản sao lưu, hoặc đổi tên tệp hỏng rồi chạy "
                "python -m etl init để tạo mới.")
    elif "no space" in low or "file too large" in low or "disk full" in low or "enospc" in low or "efbig" in low:
        what = f"Không đủ chỗ trên đĩa để ghi {name}: không ghi gì. Giải phóng dung lượng rồi thử lại."
    elif "permission" in low or "read-only" in low or "read only" in low or "eacces" in low or "erofs" in low:
        what = (f"Không có quyền ghi {name} hoặc thư mục của nó (thư mục chỉ đọc?): không ghi gì. "
                "Kiểm tra quyền ghi rồi thử lại.")
    else:
        what = f"Không mở hoặc không ghi được cơ sở dữ liệu {name}: không ghi gì."
    return f"{what} (chi tiết: {type(e).__name__}: {msg[:200]})"


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the argument, else ``$CHITIEU_DB``, else ``data/chitieu.duckdb``."""
    return Path(path or settings.get("CHITIEU_DB"))


def _is_lock_error(e: Exception) -> bool:
    msg = str(e)
    return "lock" in msg.lower() and ("Could not set lock" in msg or "Conflicting lock" in msg)


def open_connection(path: str | os.PathLike | None = None, *, wait: float | None = None,
                    read_only: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds it, and migrate it.

    ``create=False``: a missing file raises :class:`StoreMissing` (commands that only read never
    create one). A damaged file, a full disk or a folder without write permission raise
    :class:`StoreError` with a message in Vietnamese.
    """
    p = db_path(path)
    if str(p) != ":memory:":
        if not create and not p.is_file():
            raise StoreMissing(f"Chưa có cơ sở dữ liệu {p}: chạy trước python -m etl init (lệnh này chỉ đọc, "
                               "không tạo tệp mới).")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(store_problem(p, e)) from None
    wait = settings.get("CHITIEU_DB_WAIT") if wait is None else wait
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(p), read_only=read_only)
            break
        except duckdb.Error as e:
            # Another process holds the file, or (threads of one process, as app sessions are) the last
            # connection of this process is closing the file just as this one opens it: wait and retry.
            in_use = type(e).__name__ == "ResourceInUseException" and "already attached" in str(e)
            if not ((isinstance(e, duckdb.IOException) and _is_lock_error(e)) or in_use):
                raise StoreError(store_problem(p, e)) from None
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"Cơ sở dữ liệu {p.name} đang được một tiến trình khác ghi "
                    f"(đã chờ {wait:g} giây). Vui lòng thử lại sau ít phút."
                ) from e
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.5)
    if not read_only:
        try:
            # A load replaces a few rows of observation_heads; by default DuckDB's checkpoint (at every close
            # after a write) then "vacuums" the row groups those deletions touched, which on a national store
            # cost 2-3 s per load (bench/national.py). Without it a load costs its own rows, but the file grows
            # by about 0,8 MB a load (measured; see docs/scaling.md, "what breaks first").
            con.execute("SET max_vacuum_tasks = 0")
            migrate(con)
        except (duckdb.Error, OSError) as e:
            con.close()
            raise StoreError(store_problem(p, e)) from None
        except Exception:
            con.close()
            raise
    return con


@contextlib.contextmanager
def connect(path: str | os.PathLike | None = None, *, wait: float | None = None,
            read_only: bool = False, create: bool = True):
    """A short-lived connection, closed on exit."""
    con = open_connection(path, wait=wait, read_only=read_only, create=create)
    try:
        yield con
    finally:
        con.close()


def open_existing(path: str | os.PathLike | None = None):
    """``connect`` to a database that must exist already (readers never create one): NoDatabase otherwise."""
    p = db_path(path)
    if not p.exists():
        raise NoDatabase(f"Chưa có cơ sở dữ liệu {p}. Chạy: make db (hoặc python -m etl init && python -m etl demo)")
    return connect(p)


def data_version(path: str | os.PathLike | None = None) -> tuple:
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


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    """BEGIN … COMMIT, or ROLLBACK on any error: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


# --- schema ----------------------------------------------------------------
# Each migration is applied once, in order, in its own transaction. Never edit
# a migration that has shipped: add a new one.

STATUS_RANK_SQL = "CASE o.status WHEN 'official' THEN 3 WHEN 'preliminary' THEN 2 ELSE 1 END"
OBSERVATION_COLUMNS = ("id, indicator, unit, period, period_kind, year, quarter, value, status, source, "
                       "upload_id, revision, recorded_at, note")
# The heads of the observations that pass ``where`` (a filter on ``o``, the observations table):
# per key the highest revision, and the current live row (most official status, newest revision).
HEADS_SELECT = f"""
    WITH o AS (
        SELECT o.*, (u.id IS NULL OR u.status = 'committed') AS live
        FROM observations o LEFT JOIN uploads u ON u.id = o.upload_id
        WHERE {{where}}),
    k AS (
        SELECT o.indicator, o.unit, o.period, max(o.revision) AS last_revision,
               arg_max(o.id, ({STATUS_RANK_SQL}, o.revision, o.id)) FILTER (WHERE o.live) AS cur
        FROM o GROUP BY o.indicator, o.unit, o.period)
    SELECT k.indicator, k.unit, k.period, k.last_revision, c.id, c.period_kind, c.year, c.quarter, c.value,
           c.status, c.source, c.upload_id, c.revision, c.recorded_at, c.note
    FROM k LEFT JOIN o c ON c.id = k.cur"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial schema", f"""
CREATE TABLE units (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    level VARCHAR NOT NULL,           -- country | province | district | commune | department
    parent VARCHAR,
    valid_from DATE,                  -- NULL: since before the data
    valid_to DATE,                    -- NULL: still valid
    successor VARCHAR,                -- the unit that takes over after valid_to
    cluster VARCHAR,                  -- emulation cluster or block (cụm, khối thi đua)
    source VARCHAR
);
CREATE TABLE indicators (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    aggregation VARCHAR NOT NULL,
    weight VARCHAR,
    temporal VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    decimals INTEGER NOT NULL,
    definition VARCHAR,
    min DOUBLE,
    max DOUBLE
);
CREATE TABLE indicator_breaks (
    indicator VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    note VARCHAR NOT NULL,
    PRIMARY KEY (indicator, year)
);
CREATE TABLE plans (
    id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    short_title VARCHAR NOT NULL,
    doc_number VARCHAR,
    doc_date DATE,
    issuer VARCHAR NOT NULL,
    scope_unit VARCHAR NOT NULL,
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    baseline_year INTEGER,
    source VARCHAR,
    note VARCHAR,
    file VARCHAR
);
CREATE TABLE targets (
    plan_id VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    section VARCHAR,
    cmp VARCHAR,
    value DOUBLE,
    low DOUBLE,
    high DOUBLE,
    tolerance DOUBLE,
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    average BOOLEAN NOT NULL,
    benchmark_indicator VARCHAR,
    benchmark_unit VARCHAR,
    baseline_year INTEGER,
    baseline_value DOUBLE,
    baseline_implied BOOLEAN,
    soft BOOLEAN NOT NULL,
    quote VARCHAR NOT NULL,
    choice VARCHAR,
    PRIMARY KEY (plan_id, id)
);
CREATE TABLE milestones (
    plan_id VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    deadline DATE NOT NULL,
    responsible VARCHAR NOT NULL,
    evidence VARCHAR,
    section VARCHAR,
    quote VARCHAR NOT NULL,
    choice VARCHAR,
    PRIMARY KEY (plan_id, id)
);
CREATE SEQUENCE milestone_event_seq;
CREATE TABLE milestone_events (      -- append-only; the newest event of a milestone wins
    id BIGINT PRIMARY KEY DEFAULT nextval('milestone_event_seq'),
    plan_id VARCHAR NOT NULL,
    milestone_id VARCHAR NOT NULL,
    done_on DATE,                     -- NULL: marked not done again
    note VARCHAR,
    recorded_by VARCHAR,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE SEQUENCE upload_seq;
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY DEFAULT nextval('upload_seq'),
    file_name VARCHAR,
    sha256 VARCHAR,
    format VARCHAR NOT NULL,          -- bulk | return | demo
    unit VARCHAR,
    period VARCHAR,
    uploaded_by VARCHAR,
    uploaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    rows_read INTEGER,
    rows_new INTEGER,
    rows_changed INTEGER,
    rows_unchanged INTEGER,
    rows_ignored INTEGER,
    status VARCHAR NOT NULL DEFAULT 'committed',   -- committed | rolled_back
    rolled_back_at TIMESTAMP,
    rolled_back_by VARCHAR,
    note VARCHAR
);
CREATE SEQUENCE observation_seq;
CREATE TABLE observations (          -- append-only
    id BIGINT PRIMARY KEY DEFAULT nextval('observation_seq'),
    indicator VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,          -- 2023 | 2024Q2 | 2024Q2-YTD
    period_kind VARCHAR NOT NULL,     -- Y | Q | YTD
    year INTEGER NOT NULL,
    quarter INTEGER,
    value DOUBLE NOT NULL,
    status VARCHAR NOT NULL,          -- estimate | preliminary | official
    source VARCHAR,
    upload_id INTEGER,
    revision INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    note VARCHAR
);
CREATE INDEX observations_key ON observations (indicator, unit, period);
CREATE VIEW live_observations AS
    SELECT o.* FROM observations o LEFT JOIN uploads u ON u.id = o.upload_id
    WHERE u.id IS NULL OR u.status = 'committed';
CREATE VIEW current_observations AS
    SELECT o.* FROM live_observations o
    QUALIFY row_number() OVER (
        PARTITION BY o.indicator, o.unit, o.period
        ORDER BY {STATUS_RANK_SQL} DESC, o.revision DESC, o.id DESC) = 1;
CREATE VIEW milestone_state AS
    SELECT e.* FROM milestone_events e
    QUALIFY row_number() OVER (PARTITION BY e.plan_id, e.milestone_id ORDER BY e.id DESC) = 1;
"""),
    (2, "uploads: plan, original file, warnings, preparer", """
ALTER TABLE uploads ADD COLUMN plan_id VARCHAR;      -- a quarterly return's plan
ALTER TABLE uploads ADD COLUMN stored_path VARCHAR;  -- the original file, relative to the database's folder
ALTER TABLE uploads ADD COLUMN warnings INTEGER;     -- warnings shown when it was loaded
ALTER TABLE uploads ADD COLUMN prepared_by VARCHAR;  -- "Người lập biểu" written in a return
"""),
    (3, "accounts, sessions, sign-in failures, audit log", """
CREATE TABLE accounts (
    username VARCHAR PRIMARY KEY,     -- lower case, [a-z0-9._-]; "@…" names are the CLI and the demo loader
    full_name VARCHAR NOT NULL DEFAULT '',
    role VARCHAR NOT NULL,            -- viewer | reporter | secretariat | admin
    email VARCHAR,                    -- sign-in through an identity provider (st.login) matches it
    password_hash VARCHAR,            -- argon2id (PHC string); NULL: identity provider only
    active BOOLEAN NOT NULL DEFAULT true,
    demo BOOLEAN NOT NULL DEFAULT false,   -- a demo account that still has its documented password
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR,
    password_changed_at TIMESTAMP,
    disabled_at TIMESTAMP,
    last_sign_in TIMESTAMP
);
CREATE TABLE account_units (         -- a reporter's units: exactly these, not the units below them
    username VARCHAR NOT NULL,
    unit VARCHAR NOT NULL
);
CREATE TABLE sign_in_failures (      -- by the name typed, whether an account has it or not
    username VARCHAR PRIMARY KEY,
    failures INTEGER NOT NULL,        -- wrong passwords in a row
    last_failure TIMESTAMP,
    locked_until TIMESTAMP
);
CREATE TABLE sessions (
    token_sha256 VARCHAR PRIMARY KEY, -- the token itself is never stored
    username VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,    -- the absolute end; the idle end is last_seen + the idle timeout
    ended_at TIMESTAMP,
    end_reason VARCHAR,               -- sign_out | idle | absolute | disabled | password
    via VARCHAR
);
CREATE SEQUENCE audit_seq;
CREATE TABLE audit_log (             -- append-only
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,           -- username, "@local" (CLI without --user), "@system" (demo loader)
    actor_name VARCHAR,
    role VARCHAR,
    via VARCHAR,                      -- app | cli | system
    action VARCHAR NOT NULL,          -- see kpi/audit.py ACTIONS
    object VARCHAR,
    before JSON,
    after JSON,
    detail VARCHAR
);
"""),
    (4, "observation_heads: the current value kept by every load and rollback", f"""
CREATE TABLE observation_heads (     -- one row per (indicator, unit, period) ever written; see refresh_heads
    indicator VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    last_revision INTEGER NOT NULL,   -- the highest revision stored, live or rolled back
    id BIGINT,                        -- the current observation (NULL: none is live); its columns follow
    period_kind VARCHAR,
    year INTEGER,
    quarter INTEGER,
    value DOUBLE,
    status VARCHAR,
    source VARCHAR,
    upload_id INTEGER,
    revision INTEGER,
    recorded_at TIMESTAMP,
    note VARCHAR
);
INSERT INTO observation_heads {HEADS_SELECT.format(where="true")};
-- Revisions are now looked up in observation_heads; DuckDB reads by this composite index only for
-- constraint checks, never for a filter, and keeping it cost memory and time on every bulk insert.
DROP INDEX observations_key;
DROP VIEW current_observations;
CREATE VIEW current_observations AS SELECT {OBSERVATION_COLUMNS} FROM observation_heads WHERE id IS NOT NULL;
"""),
    (5, "units registry, obligations, narrative reports, reviews (approval), reminders", """
ALTER TABLE units ADD COLUMN note VARCHAR;          -- split successors, derived code, where a body comes from
CREATE TABLE unit_links (            -- old commune -> new commune (01/07/2025); split: it went to several
    old VARCHAR NOT NULL,
    new VARCHAR NOT NULL,
    split BOOLEAN NOT NULL,
    PRIMARY KEY (old, new)
);
CREATE TABLE unit_members (          -- emulation clusters and blocks (units of level 'group')
    grp VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    PRIMARY KEY (grp, member)
);
CREATE TABLE unit_events (           -- a reporter's own event (its congress), for "N days before" deadlines
    unit VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    day DATE NOT NULL,
    note VARCHAR,
    PRIMARY KEY (unit, event)
);
CREATE TABLE obligations (           -- who reports what to whom, by when (targets/*.yaml)
    plan_id VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    reporters JSON NOT NULL,          -- unit codes and selectors ({"level": …, "parent": …})
    receiver VARCHAR NOT NULL,
    via VARCHAR,
    what VARCHAR NOT NULL,            -- return | narrative | both
    frequency VARCHAR NOT NULL,       -- monthly | quarterly | half_yearly | yearly | once | unspecified
    due JSON,                         -- {"days_after": 15} | {"date": "2021-03-30"} | {"days_before_event": 15, "event": "congress"}
    section VARCHAR,
    quote VARCHAR NOT NULL,
    choice VARCHAR,
    PRIMARY KEY (plan_id, id)
);
ALTER TABLE uploads ADD COLUMN obligation_id VARCHAR;   -- a narrative report sent against an obligation
CREATE SEQUENCE review_seq;
CREATE TABLE reviews (               -- append-only; the newest row of (plan, obligation, unit, period) is its state
    id BIGINT PRIMARY KEY DEFAULT nextval('review_seq'),
    plan_id VARCHAR NOT NULL,
    obligation_id VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    upload_id INTEGER,
    action VARCHAR NOT NULL,          -- accept | send_back | reopen
    reason VARCHAR,
    actor VARCHAR NOT NULL,
    happened_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""),
    (6, "one committed upload per file content; indicator names remembered (aliases)", """
CREATE TABLE upload_hashes (         -- the store's own guard: one committed upload per SHA-256
    sha256 VARCHAR PRIMARY KEY,       -- two loads of the same file at once: one commits, the other is a duplicate
    upload_id INTEGER NOT NULL        -- deleted when that upload is rolled back, so the file may come again
);
INSERT INTO upload_hashes
    SELECT sha256, min(id) FROM uploads WHERE status = 'committed' AND sha256 IS NOT NULL GROUP BY sha256;
CREATE TABLE indicator_aliases (     -- a name a unit's form uses for a catalogue indicator
    alias_key VARCHAR NOT NULL,       -- the name folded (kpi.catalog.alias_key): no accents, case, punctuation
    unit VARCHAR NOT NULL,            -- the unit whose files use it; '*' for everyone (the secretariat approved it)
    indicator VARCHAR NOT NULL,
    alias VARCHAR NOT NULL,           -- the name as written in the file
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (alias_key, unit)
);
"""),
    (7, "plan versions published in the app (kpi/plan_versions.py)", """
CREATE TABLE plan_versions (         -- append-only: editing a published plan adds a version
    plan_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,         -- 1, 2, …; a plan only in targets/*.yaml is version 0
    plan_yaml VARCHAR NOT NULL,       -- the plan as its YAML file would say it
    indicators_yaml VARCHAR,          -- indicators the plan brought into the catalogue, same format
    published_at TIMESTAMP NOT NULL,
    published_by VARCHAR NOT NULL,
    file_name VARCHAR,                -- the YAML or the document it came from
    source_text VARCHAR,              -- the document's text, for the quotes
    note VARCHAR,
    PRIMARY KEY (plan_id, version)
);
"""),
    (8, "milestone deadlines: stated or inferred", """
ALTER TABLE milestones ADD COLUMN deadline_source VARCHAR DEFAULT 'stated';  -- stated | inferred
"""),
    (9, "plans: whom reports go to; the texts people write into a quarter's report", """
ALTER TABLE plans ADD COLUMN report_to VARCHAR[];   -- bodies the plan names as receivers of its reports
CREATE TABLE report_texts (          -- one row per plan, quarter and section; the newest row wins
    plan_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,          -- 2025Q2
    section VARCHAR NOT NULL,         -- see kpi/exports/texts.py SECTIONS
    text VARCHAR NOT NULL,
    written_by VARCHAR,
    written_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""),
]

SCHEMA_VERSION = max(v for v, _, _ in MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(con, 
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    )
    if not exists:
        return 0
    return scalar(con, "SELECT coalesce(max(version), 0) FROM schema_migrations")


def migrate(con: duckdb.DuckDBPyConnection, migrations=None) -> list[int]:
    """Apply the migrations the file has not seen. Returns the versions applied."""
    migrations = MIGRATIONS if migrations is None else migrations
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
        applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""")
    # By the set applied, not the highest: numbers are reserved per change and may land out of order.
    have = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in sorted(migrations, key=lambda m: m[0]):
        if version in have:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(version)
    return applied


def first(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, reading the result to the end.

    DuckDB 2.0 leaves a result half-read after ``fetchone()``, and the
    connection then refuses ``register()`` until it is read; so read it all.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The first column of the first row (None when there is no row)."""
    row = first(con, sql, params)
    return row[0] if row else None


# --- the current value, kept --------------------------------------------------------


def sql_in(values) -> tuple[str, list]:
    values = sorted(set(values))
    return ", ".join("?" * len(values)) or "NULL", values


def refresh_heads(con: duckdb.DuckDBPyConnection, keys: pd.DataFrame) -> int:
    """Recompute ``observation_heads`` for ``keys`` (a frame with indicator, unit, period) from the observations.

    Call it inside the transaction that wrote or rolled back those keys'
    observations. It reads only those keys' rows: the filter on the units'
    codes lets DuckDB skip every row group of other units. Returns the keys
    refreshed.
    """
    if keys is None or len(keys) == 0:
        return 0
    keys = keys[["indicator", "unit", "period"]].drop_duplicates()
    marks, units = sql_in(keys["unit"])
    imarks, inds = sql_in(keys["indicator"])
    con.register("_head_keys", keys)
    try:
        con.execute(f"""DELETE FROM observation_heads h WHERE h.unit IN ({marks}) AND h.indicator IN ({imarks})
                        AND (h.indicator, h.unit, h.period) IN (SELECT (indicator, unit, period) FROM _head_keys)""",
                    units + inds)
        where = (f"o.unit IN ({marks}) AND o.indicator IN ({imarks}) AND (o.indicator, o.unit, o.period) IN "
                 "(SELECT (indicator, unit, period) FROM _head_keys)")
        con.execute("INSERT INTO observation_heads " + HEADS_SELECT.format(where=where), units + inds)
    finally:
        with contextlib.suppress(duckdb.Error):   # in an aborted transaction: keep the first error
            con.unregister("_head_keys")
    return len(keys)

