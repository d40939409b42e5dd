"""The kept current values (observation_heads) always equal what the old window view computed.

The old ``current_observations`` was a view with a window over every
observation; since migration 4 the current value of each key is kept by the
load and the rollback that change it. Hypothesis drives random loads (new
keys, corrections, other statuses, the same figure again) and rollbacks, and
after every step the kept table must equal the window computed from scratch.
"""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load import withdraw, write
from etl.validate import Checked, Row
from kpi import store
from kpi.permissions import LOCAL_ADMIN
from kpi.periods import Period

# The definition migration 1 shipped, computed over the whole table: the oracle.
OLD_VIEW = f"""
    SELECT o.* FROM live_observations o
    QUALIFY row_number() OVER (
        PARTITION BY o.indicator, o.unit, o.period
        ORDER BY {store.STATUS_RANK_SQL} DESC, o.revision DESC, o.id DESC) = 1"""
COLS = store.OBSERVATION_COLUMNS


def _memory() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    store.migrate(con)
    return con


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(f"SELECT {COLS} FROM ({sql}) ORDER BY indicator, unit, period").fetchall()


def assert_heads_match(con) -> None:
    assert _rows(con, "SELECT * FROM current_observations") == _rows(con, OLD_VIEW)
    # the next revision of every key is looked up there: it must be the highest ever stored
    kept = con.execute("SELECT indicator, unit, period, last_revision FROM observation_heads "
                       "ORDER BY ALL").fetchall()
    full = con.execute("SELECT indicator, unit, period, max(revision) FROM observations GROUP BY ALL "
                       "ORDER BY ALL").fetchall()
    assert kept == full


INDICATORS = ("poverty_rate", "grdp")
UNITS = ("11", "099", "X0454")
PERIODS = ("2024", "2025Q1", "2025Q2-YTD")
STATUSES = ("estimate", "preliminary", "official")

value_row = st.tuples(st.sampled_from(INDICATORS), st.sampled_from(UNITS), st.sampled_from(PERIODS),
                      st.sampled_from((1.0, 2.0, 3.5)), st.sampled_from(STATUSES))
step = st.one_of(
    st.tuples(st.just("load"), st.lists(value_row, min_size=1, max_size=6,
                                        unique_by=lambda r: (r[0], r[1], r[2]))),
    st.tuples(st.just("rollback"), st.integers(min_value=0, max_value=50)),
)


def _load(con, rows, n: int):
    checked = Checked(rows=[Row(i, u, Period.parse(p), v, s) for i, u, p, v, s in rows], rows_read=len(rows))
    return write(con, checked, file_name=f"f{n}.csv", data=None, fmt="bulk", actor=LOCAL_ADMIN)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=12))
def test_kept_current_values_equal_the_window_view(steps):
    con = _memory()
    committed: list[int] = []
    for n, (kind, arg) in enumerate(steps):
        if kind == "load":
            s = _load(con, arg, n)
            assert s.ok
            committed.append(s.upload_id)
        elif committed:
            upload_id = committed.pop(arg % len(committed))
            result = withdraw(con, upload_id, actor=LOCAL_ADMIN)
            # what the rollback reports as current again is what is current now
            for c in result.restored:
                now = con.execute("SELECT value, status FROM current_observations WHERE indicator = ? AND unit = ? "
                                  "AND period = ?", [c.indicator, c.unit, c.period]).fetchall()
                assert now == [(c.new, c.status)]
        assert_heads_match(con)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(value_row, st.integers(1, 4), st.sampled_from((None, 1, 2, 3))), min_size=0, max_size=25))
def test_migration_4_backfills_from_existing_rows(rows):
    """A file at version 3 with observations (revisions in any order, rolled-back uploads) gets the same heads."""
    con = duckdb.connect()
    store.migrate(con, [m for m in store.MIGRATIONS if m[0] <= 3])
    con.execute("INSERT INTO uploads (id, format, status) VALUES (1, 'bulk', 'committed'), "
                "(2, 'bulk', 'rolled_back'), (3, 'bulk', 'committed')")
    for (ind, unit, period, value, status), rev, upload in rows:
        p = Period.parse(period)
        con.execute("INSERT INTO observations (indicator, unit, period, period_kind, year, quarter, value, status, "
                    "upload_id, revision) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [ind, unit, period, p.kind, p.year, p.quarter, value, status, upload, rev])
    old = _rows(con, "SELECT * FROM current_observations")
    assert store.migrate(con) == [v for v, _n, _s in store.MIGRATIONS if v > 3]
    assert _rows(con, "SELECT * FROM current_observations") == old
    assert_heads_match(con)


def test_migrations_apply_by_set_not_by_highest():
    """Numbers are reserved per change: a lower one that lands later is still applied."""
    con = duckdb.connect()
    extra = (99, "later number, landed first", "CREATE TABLE t99 (x INT)")
    store.migrate(con, [m for m in store.MIGRATIONS if m[0] <= 3] + [extra])
    assert store.migrate(con, store.MIGRATIONS + [extra]) == [v for v, _n, _s in store.MIGRATIONS if v > 3]
    assert con.execute("SELECT count(*) FROM observation_heads").fetchone()[0] == 0


def test_refresh_of_no_keys_is_a_no_op():
    con = _memory()
    assert store.refresh_heads(con, None) == 0


@pytest.mark.parametrize("statuses, current", [
    (("official", "estimate"), ("official", 1.0)),        # a less official figure later stays history
    (("estimate", "preliminary"), ("preliminary", 2.0)),  # a more official one wins
    (("preliminary", "preliminary"), ("preliminary", 2.0)),  # same status: the newer revision
])
def test_current_value_rule(statuses, current):
    con = _memory()
    for n, (status, value) in enumerate(zip(statuses, (1.0, 2.0))):
        _load(con, [("grdp", "11", "2024", value, status)], n)
    assert con.execute("SELECT status, value FROM current_observations").fetchall() == [current]
    assert con.execute("SELECT last_revision FROM observation_heads").fetchall() == [(2,)]


# --- the narrowed readers the pages use ------------------------------------------------


def _units(con):
    con.execute("""INSERT INTO units (code, name, level, parent) VALUES
        ('11', 'Điện Biên', 'province', 'VN'), ('099', 'Tuần Giáo', 'district', '11'),
        ('X0454', 'Xã Tuần Giáo', 'commune', '11'), ('12', 'Lai Châu', 'province', 'VN'),
        ('105', 'Mường Tè', 'district', '12')""")


def test_readers_narrow_to_the_plans_units():
    con = _memory()
    _units(con)
    rows = [(ind, u, "2024", 1.0, "official") for ind in INDICATORS for u in ("11", "099", "X0454", "12", "105")]
    _load(con, rows, 0)
    from kpi import repo

    assert repo.plan_units(con, "11") == ["11", "099", "X0454"]
    below = repo.current_values(con, ["grdp"], repo.plan_units(con, "11"))
    assert sorted(below["unit"]) == ["099", "11", "X0454"] and set(below["indicator"]) == {"grdp"}
    assert sorted(repo.current_values(con, ["grdp"], ["099", "X0454", "105", "12", "11"])["unit"]) == [
        "099", "105", "11", "12", "X0454"]   # five or more codes: still a filter, same rows
    assert repo.units_with_values(con, ["grdp"], ["11", "105", "X0454"]) == {"11", "105", "X0454"}
    assert repo.units_with_values(con, [], ["11"]) == set()
    assert repo.current_values(con, [], ["11"]).empty          # an empty list means none, not all
    assert len(repo.current_values(con)) == len(rows)          # None means all


def test_return_uploads_of_the_units_only():
    con = _memory()
    _units(con)
    for n, unit in enumerate(("099", "105")):
        checked = Checked(rows=[Row("grdp", unit, Period.parse("2024Q1"), 1.0, "preliminary")], rows_read=1)
        write(con, checked, file_name=f"r{n}.csv", data=None, fmt="return", unit=unit, period="2024Q1",
              actor=LOCAL_ADMIN)
    from kpi.reporting import uploads_for_reporting

    assert list(uploads_for_reporting(con, ["099", "X0454"])["unit"]) == ["099"]
    assert sorted(uploads_for_reporting(con)["unit"]) == ["099", "105"]


# --- two loads of one process that change the same key -------------------------------------


def _holder(db_file):
    """A second connection of the same process holding the key (grdp, 11, 2024) in an open transaction."""
    from kpi.store import connect

    with connect(db_file) as con:
        _load(con, [("grdp", "11", "2024", 1.0, "official")], 0)
    other = duckdb.connect(str(db_file))
    other.execute("BEGIN TRANSACTION")
    other.execute("DELETE FROM observation_heads WHERE indicator = 'grdp' AND unit = '11' AND period = '2024'")
    return other


def test_a_conflicting_load_is_retried_and_lands(db_file, monkeypatch):
    import threading

    from kpi.store import connect

    import etl.load

    waits = []
    real_sleep = etl.load.time.sleep
    monkeypatch.setattr(etl.load.time, "sleep", lambda s: (waits.append(s), real_sleep(s)))
    other = _holder(db_file)
    threading.Timer(0.3, lambda: other.execute("ROLLBACK")).start()   # the other load gives up
    with connect(db_file) as con:
        s = _load(con, [("grdp", "11", "2024", 2.0, "official")], 1)
        assert s.ok and s.upload_id
        assert waits, "the first attempt should have met the other transaction"
        assert con.execute("SELECT value FROM current_observations").fetchall() == [(2.0,)]
        assert_heads_match(con)
    other.close()


def test_a_load_that_keeps_conflicting_says_try_again_and_writes_nothing(db_file, monkeypatch):
    import etl.load
    from kpi.store import StoreBusy, connect

    monkeypatch.setattr(etl.load, "WRITE_ATTEMPTS", 2)
    other = _holder(db_file)
    with connect(db_file) as con:
        with pytest.raises(StoreBusy, match="gửi lại"):
            _load(con, [("grdp", "11", "2024", 2.0, "official")], 1)
        other.execute("ROLLBACK")
        assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 1
        assert con.execute("SELECT value FROM current_observations").fetchall() == [(1.0,)]
        assert_heads_match(con)
    other.close()


def test_series_by_key_equals_series_points_per_group():
    from kpi import repo

    con = _memory()
    _units(con)
    rows = [(ind, u, p, v, "official") for ind in INDICATORS for u in ("11", "099")
            for p, v in (("2025Q2-YTD", 3.0), ("2024", 1.0), ("2025Q1", 2.0))]
    _load(con, rows, 0)
    df = repo.current_values(con)
    expected = {k: repo.series_points(g) for k, g in df.groupby(["indicator", "unit"])}
    assert repo.series_by_key(df) == expected
    assert repo.series_by_key(df.iloc[:0]) == {}
