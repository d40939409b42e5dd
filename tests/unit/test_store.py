"""The store: migrations, the current-value rule, rollback, a busy file."""

import subprocess
import sys
import textwrap
import time

import pytest

from etl.load import rollback_upload, write
from etl.validate import Checked, Row
from kpi.permissions import LOCAL_ADMIN
from kpi import store
from kpi.periods import Period
from kpi.store import StoreBusy, connect, scalar


def test_new_file_gets_current_schema(db_file):
    with connect(db_file) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"units", "indicators", "plans", "targets", "milestones", "uploads", "observations"} <= tables


def test_older_file_is_upgraded(db_file, monkeypatch):
    with connect(db_file) as con:  # a file at version 1
        con.execute("INSERT INTO units (code, name, level) VALUES ('11', 'Điện Biên', 'province')")
    extra = (store.SCHEMA_VERSION + 1, "add unit remark", "ALTER TABLE units ADD COLUMN remark VARCHAR")
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [extra])
    with connect(db_file) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION + 1
        assert con.execute("SELECT code, remark FROM units").fetchall() == [("11", None)]
    with connect(db_file) as con:  # applied once only
        assert scalar(con, "SELECT count(*) FROM schema_migrations") == len(store.MIGRATIONS)   # with the extra one


def test_a_lower_number_merged_later_still_applies(db_file, monkeypatch):
    """Numbers are reserved per change and land out of order: one below those applied is still applied."""
    with connect(db_file):
        pass
    applied = {v for v, _, _ in store.MIGRATIONS}
    gap = min(set(range(0, store.SCHEMA_VERSION)) - applied)      # 0 when every number up to the last is used
    late = (gap, "landed late", "ALTER TABLE units ADD COLUMN late VARCHAR")
    monkeypatch.setattr(store, "MIGRATIONS", sorted(store.MIGRATIONS + [late]))
    with connect(db_file) as con:
        assert "late" in [r[0] for r in con.execute("DESCRIBE units").fetchall()]
        assert scalar(con, "SELECT count(*) FROM schema_migrations WHERE version = ?", [gap]) == 1


def test_migrations_merged_out_of_order_are_each_applied(db_file, monkeypatch):
    """Numbers are reserved per branch: a file that has N+2 still gets an N+1 merged later, once."""
    n = store.SCHEMA_VERSION
    later = (n + 2, "merged first", "CREATE TABLE merged_first (a INT)")
    late = (n + 1, "merged later", "CREATE TABLE late_one (a INT)")
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [later])
    with connect(db_file):
        pass
    monkeypatch.setattr(store, "MIGRATIONS", sorted(store.MIGRATIONS + [late]))
    with connect(db_file) as con:
        assert scalar(con, "SELECT count(*) FROM late_one") == 0
        assert scalar(con, "SELECT count(*) FROM schema_migrations WHERE version = ?", [late[0]]) == 1
    with connect(db_file) as con:   # and only once
        assert scalar(con, "SELECT count(*) FROM schema_migrations WHERE version = ?", [late[0]]) == 1


def test_failed_migration_leaves_file_as_it_was(db_file, monkeypatch):
    with connect(db_file):
        pass
    bad = (store.SCHEMA_VERSION + 1, "broken", "ALTER TABLE units ADD COLUMN x INT; SELECT * FROM nowhere")
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [bad])
    with pytest.raises(Exception):
        connect(db_file).__enter__()
    monkeypatch.undo()
    with connect(db_file) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        cols = [r[0] for r in con.execute("DESCRIBE units").fetchall()]
        assert "x" not in cols


def _load(con, *rows, name="f.csv", data=None):
    checked = Checked(rows=[Row(i, u, Period.parse(p), v, s) for i, u, p, v, s in rows], rows_read=len(rows))
    return write(con, checked, file_name=name, data=data, fmt="bulk", actor=LOCAL_ADMIN)


def _current(con, period="2023"):
    return con.execute("SELECT value, status FROM current_observations WHERE indicator='poverty_rate' "
                       "AND unit='11' AND period=?", [period]).fetchall()


@pytest.mark.parametrize("loads, expected", [
    ([("estimate", 20.0)], (20.0, "estimate")),
    ([("estimate", 20.0), ("official", 21.0)], (21.0, "official")),
    ([("official", 21.0), ("estimate", 19.0)], (21.0, "official")),          # a later estimate does not win
    ([("official", 21.0), ("official", 22.0)], (22.0, "official")),          # newest official wins
    ([("preliminary", 21.0), ("estimate", 19.0), ("preliminary", 20.5)], (20.5, "preliminary")),
])
def test_current_value_is_newest_of_most_official(con, loads, expected):
    for status, value in loads:
        _load(con, ("poverty_rate", "11", "2023", value, status))
    assert _current(con) == [expected]
    assert scalar(con, "SELECT count(*) FROM observations") == len(loads)  # every version kept


def test_summary_classifies_rows(con):
    s1 = _load(con, ("poverty_rate", "11", "2023", 20.0, "official"), ("poverty_rate", "11", "2022", 22.0, "official"))
    assert (len(s1.new), len(s1.changed), s1.unchanged) == (2, 0, 0)
    s2 = _load(con, ("poverty_rate", "11", "2023", 20.0, "official"), ("poverty_rate", "11", "2022", 21.5, "official"),
               ("poverty_rate", "11", "2021", 25.0, "estimate"), ("poverty_rate", "11", "2023", 19.0, "estimate"))
    assert (len(s2.new), len(s2.changed), s2.unchanged, s2.outranked) == (1, 1, 1, 1)
    assert (s2.changed[0].old, s2.changed[0].new) == (22.0, 21.5)


def test_rollback_brings_back_what_was_superseded(con):
    _load(con, ("poverty_rate", "11", "2023", 20.0, "official"))
    s = _load(con, ("poverty_rate", "11", "2023", 18.0, "official"), ("poverty_rate", "11", "2024", 17.0, "official"))
    assert _current(con) == [(18.0, "official")]
    assert rollback_upload(con, s.upload_id, actor=LOCAL_ADMIN) == 2
    assert _current(con) == [(20.0, "official")]
    assert _current(con, "2024") == []
    assert scalar(con, "SELECT count(*) FROM observations") == 3
    with pytest.raises(ValueError, match="đã được rút lại"):
        rollback_upload(con, s.upload_id, actor=LOCAL_ADMIN)


def test_same_file_twice_is_a_no_op(con):
    s1 = _load(con, ("poverty_rate", "11", "2023", 20.0, "official"), data=b"abc")
    s2 = _load(con, ("poverty_rate", "11", "2023", 21.0, "official"), data=b"abc")
    assert s2.duplicate_of == s1.upload_id
    assert _current(con) == [(20.0, "official")]


def test_failed_write_leaves_nothing(con, monkeypatch):
    """A failure inside the transaction (after the upload row) rolls everything back."""
    import etl.load as load

    real = load._rows_frame

    def broken(rows):
        df = real(rows)
        df["value"] = "not a number"  # the INSERT … SELECT will fail on the cast
        return df

    monkeypatch.setattr(load, "_rows_frame", broken)
    with pytest.raises(Exception):
        _load(con, ("poverty_rate", "11", "2023", 20.0, "official"))
    assert scalar(con, "SELECT count(*) FROM uploads") == 0
    assert scalar(con, "SELECT count(*) FROM observations") == 0


HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
""")


def _hold(path, seconds):
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_busy_file_waits_then_succeeds(db_file):
    with connect(db_file):
        pass
    p = _hold(db_file, 1.5)
    t0 = time.monotonic()
    with connect(db_file, wait=20) as con:
        assert scalar(con, "SELECT 1") == 1
    assert time.monotonic() - t0 >= 0.5  # it did wait for the other process
    p.wait(timeout=10)


def test_busy_file_gives_clear_error(db_file):
    with connect(db_file):
        pass
    p = _hold(db_file, 5)
    try:
        with pytest.raises(StoreBusy, match="đang được một tiến trình khác ghi"):
            with connect(db_file, wait=0.5):
                pass
    finally:
        p.kill()
        p.wait()
