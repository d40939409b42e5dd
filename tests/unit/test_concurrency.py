"""The same file sent twice at once, and wrong passwords sent at once: threads (as app sessions are) and processes.

The store decides, not luck: ``upload_hashes`` (migration 6) lets one load of a
file commit and the other report a duplicate; the sign-in counter adds one per
wrong password in a single statement, retried when DuckDB reports a write
conflict, so twelve parallel attempts count twelve and lock the name.
``CHITIEU_TEST_SLOW_LOAD`` keeps every load inside its transaction for a
while, so the loads really overlap.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from accounts_kit import PASSWORD, make_user
from etl.cli import main
from etl.intake import load_bytes
from etl.load import withdraw
from kpi import accounts as auth
from kpi.permissions import LOCAL_ADMIN
from kpi.store import connect, scalar
from returns_kit import write_return_catalog

ROOT = Path(__file__).resolve().parents[2]
CSV = b"indicator,unit,period,value\nnew_jobs,099,2025Q2,5\nnew_jobs,099,2025Q1,3\n"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "data" / "chitieu.duckdb"
    assert main(["--db", str(path), "init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    monkeypatch.delenv("CHITIEU_DB", raising=False)
    return path


def in_threads(n: int, fn):
    """Run ``fn(i)`` in n threads released together; their results, or the exceptions they raised."""
    gate = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        gate.wait()
        try:
            results[i] = fn(i)
        except BaseException as e:  # noqa: BLE001 (kept to be asserted on)
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _uploads(db):
    with connect(db) as con:
        return (con.execute("SELECT id, status FROM uploads ORDER BY id").fetchall(),
                scalar(con, "SELECT count(*) FROM current_observations"))


def test_same_file_twice_at_once_in_threads(db, monkeypatch):
    monkeypatch.setenv("CHITIEU_TEST_SLOW_LOAD", "0.3")
    results = in_threads(4, lambda i: load_bytes("b.csv", CSV, actor=LOCAL_ADMIN, db=db))
    assert all(not isinstance(r, BaseException) for r in results), results
    assert all(r.ok for r in results), [[str(e) for e in r.errors] for r in results]
    committed = [r.upload_id for r in results if r.upload_id is not None]
    assert len(committed) == 1
    assert sorted(r.duplicate_of for r in results if r.upload_id is None) == committed * 3
    assert _uploads(db) == ([(committed[0], "committed")], 2)
    assert not [p for p in (db.parent / "uploads").iterdir() if p.suffix == ".tmp"]   # unique temporary names

    # Rolled back, the file may come again: once, however many send it at the same moment.
    with connect(db) as con:
        withdraw(con, committed[0], actor=LOCAL_ADMIN)
    again = in_threads(3, lambda i: load_bytes("b.csv", CSV, actor=LOCAL_ADMIN, db=db))
    new = [r.upload_id for r in again if r.upload_id is not None]
    assert len(new) == 1 and all(r.duplicate_of == new[0] for r in again if r.upload_id is None)
    ups, current = _uploads(db)
    assert [s for _, s in ups] == ["rolled_back", "committed"] and current == 2


def test_same_file_twice_at_once_in_processes(db, tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(CSV)
    env = {**os.environ, "CHITIEU_TEST_SLOW_LOAD": "0.5", "CHITIEU_DB_WAIT": "60"}
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "--db", str(db), "load", str(path)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert sum("Đã ghi 2 giá trị" in o for o, _ in outs) == 1, outs
    assert sum("đã được nạp trước đây" in o for o, _ in outs) == 2, outs
    assert _uploads(db)[0] == [(1, "committed")]


def _wrong(db, name, policy=None):
    with connect(db) as con:
        return auth.authenticate(con, name, "khong-dung-mat-khau", policy=policy)


def test_twelve_wrong_passwords_at_once_count_twelve(db):
    make_user(db, "thu.nguyen", "reporter", units=["099"])
    policy = auth.Policy(max_failures=50)
    results = in_threads(12, lambda i: _wrong(db, "thu.nguyen", policy))
    assert all(type(r) is auth.AuthError for r in results), results      # no TransactionException, no lock yet
    assert all(str(r) == auth.BAD_CREDENTIALS for r in results)
    with connect(db) as con:
        assert scalar(con, "SELECT failures FROM sign_in_failures WHERE username = 'thu.nguyen'") == 12
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'") == 12


def test_twelve_wrong_passwords_at_once_lock_the_name(db):
    make_user(db, "thu.nguyen", "reporter", units=["099"])
    results = in_threads(12, lambda i: _wrong(db, "thu.nguyen"))
    assert all(isinstance(r, auth.AuthError) for r in results), results
    assert any(isinstance(r, auth.AccountLocked) for r in results)
    with connect(db) as con:
        assert scalar(con, "SELECT locked_until FROM sign_in_failures WHERE username = 'thu.nguyen'") is not None
        with pytest.raises(auth.AccountLocked):     # even the right password now waits
            auth.authenticate(con, "thu.nguyen", PASSWORD)


SIGN_IN = """
import sys
from kpi import accounts as auth
from kpi.store import connect
with connect(sys.argv[1]) as con:
    try:
        auth.authenticate(con, "thu.nguyen", "khong-dung-mat-khau", policy=auth.Policy(max_failures=50))
    except auth.AuthError as e:
        print(type(e).__name__)
"""


def test_wrong_passwords_from_several_processes_each_count(db):
    make_user(db, "thu.nguyen", "reporter", units=["099"])
    env = {**os.environ, "CHITIEU_DB_WAIT": "60"}
    procs = [subprocess.Popen([sys.executable, "-c", SIGN_IN, str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [o.strip() for o, _ in outs] == ["AuthError"] * 6, outs
    with connect(db) as con:
        assert scalar(con, "SELECT failures FROM sign_in_failures WHERE username = 'thu.nguyen'") == 6


@pytest.mark.parametrize("password", ["passwordpassword", "1234567890", "qwertyuiop", "matkhau123",
                                      "thu.nguyen2025", "aaaaaaaaaaaa"])
def test_weak_or_common_passwords_are_refused(db, password):
    with connect(db) as con, pytest.raises(auth.AccountError, match="Mật khẩu quá đơn giản"):
        auth.create_user(con, "thu.nguyen", password, role="viewer", actor=LOCAL_ADMIN)


def test_a_strong_password_is_accepted(db):
    with connect(db) as con:
        auth.create_user(con, "thu.nguyen", "Cay-Ban-Muong-Thanh-7", role="viewer", actor=LOCAL_ADMIN)


def test_right_password_from_several_tabs_at_once(db):
    make_user(db, "thu.nguyen", "reporter", units=["099"])

    def right(i):
        with connect(db) as con:
            return auth.authenticate(con, "thu.nguyen", PASSWORD)

    results = in_threads(6, right)
    assert all(getattr(r, "username", None) == "thu.nguyen" for r in results), results
