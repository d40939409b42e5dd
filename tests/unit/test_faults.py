"""Faults around the loaders: a damaged database, a full disk, a read-only folder, a symbolic link, a missing file.

Each is a real fault in a real child process (``python -m etl``): a file
size limit (``RLIMIT_FSIZE``, what a full disk answers: EFBIG/ENOSPC) for the
full disk, a read-only bind mount (as root, where permissions do not bite) or
``chmod`` for the read-only folder, a FIFO behind a symbolic link (reading
the target would block). Every one ends with exit 1, a Vietnamese message, no
traceback, the database as it was and no file left behind.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli import main
from hostile_kit import fingerprint, is_vietnamese
from kpi.store import connect
from returns_kit import write_return_catalog

ROOT = Path(__file__).resolve().parents[2]
GOOD_CSV = "indicator,unit,period,value\nnew_jobs,099,2025Q2,5\nnew_jobs,099,2025Q1,3\n"


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    db = root / "chitieu.duckdb"
    assert main(["--db", str(db), "init", "--targets", str(write_return_catalog(root / "targets"))]) == 0
    return db


@pytest.fixture
def db(base_db, tmp_path):
    path = tmp_path / "data" / "chitieu.duckdb"
    path.parent.mkdir()
    shutil.copy(base_db, path)
    return path


def etl(*args, limit: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # EFBIG instead of being killed, as on a full disk
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "CHITIEU_DB_WAIT": "2"}
    env.pop("CHITIEU_DB", None)
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          preexec_fn=pre, env=env, timeout=timeout)


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def state(db: Path):
    with connect(db) as con:
        return fingerprint(con)


def refused(r: subprocess.CompletedProcess, says: str) -> None:
    text = r.stdout + r.stderr
    assert r.returncode == 1, text
    assert "Traceback" not in text and is_vietnamese(text), text
    assert says in text, text


@pytest.mark.parametrize("limit", [1, 300], ids=["the original cannot be kept", "the commit cannot be written"])
def test_full_disk(db, tmp_path, limit):
    csv = tmp_path / "b.csv"
    csv.write_text(GOOD_CSV, encoding="utf-8")
    before, files = state(db), files_under(db.parent)
    r = etl("--db", str(db), "load", str(csv), limit=limit)
    refused(r, "Không đủ chỗ trên đĩa")
    assert not [f for f in files_under(db.parent) if f.endswith(".tmp") or f.startswith("uploads/")]
    assert state(db) == before
    assert [f for f in files_under(db.parent) if not f.endswith(".wal")] == [f for f in files if not f.endswith(".wal")]
    ok = etl("--db", str(db), "load", str(csv))     # space again: the same file loads, once
    assert ok.returncode == 0 and "Đã ghi 2 giá trị" in ok.stdout, ok.stdout + ok.stderr


def _damage(db: Path, how: str) -> None:
    data = db.read_bytes()
    if how == "zero-byte":
        db.write_bytes(b"")
    elif how == "truncated":
        db.write_bytes(data[: len(data) // 3])
    elif how == "header garbage":
        db.write_bytes(os.urandom(8192) + data[8192:])
    elif how == "not a database":
        db.write_text("Đây là một tệp văn bản, không phải cơ sở dữ liệu.\n" * 100, encoding="utf-8")


@pytest.mark.parametrize("how", ["zero-byte", "truncated", "header garbage", "not a database"])
@pytest.mark.parametrize("command", ["status", "load", "uploads", "rollback"])
def test_damaged_database(db, tmp_path, how, command):
    csv = tmp_path / "b.csv"
    csv.write_text(GOOD_CSV, encoding="utf-8")
    _damage(db, how)
    damaged, files = db.read_bytes(), files_under(db.parent)
    args = {"status": ["status"], "load": ["load", str(csv)], "uploads": ["uploads"], "rollback": ["rollback", "1"]}
    r = etl("--db", str(db), *args[command])
    refused(r, "bị hỏng")
    assert db.read_bytes() == damaged           # the damaged file is left for a person to look at
    assert files_under(db.parent) == files      # nothing created beside it


@pytest.fixture
def read_only_folder(db):
    """The database's folder made read-only: a read-only bind mount as root (chmod does not stop root)."""
    folder = db.parent
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        os.chmod(db, 0o444)
        os.chmod(folder, 0o555)
        try:
            yield folder
        finally:
            os.chmod(folder, 0o755)
            os.chmod(db, 0o644)


def test_read_only_folder(db, tmp_path, read_only_folder):
    csv = tmp_path / "b.csv"
    csv.write_text(GOOD_CSV, encoding="utf-8")
    before, files = db.read_bytes(), files_under(db.parent)
    with pytest.raises(OSError):
        (read_only_folder / "probe").write_text("x")   # the fault is real
    r = etl("--db", str(db), "load", str(csv))
    refused(r, "Không có quyền ghi")
    assert db.read_bytes() == before and files_under(db.parent) == files


def test_symbolic_link_refused_without_reading_its_target(db, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)                       # opening it to read would block: the test would time out
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    before = state(db)
    r = etl("--db", str(db), "load", str(link), timeout=60)
    refused(r, "liên kết tượng trưng")
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    link2 = tmp_path / "link2.csv"
    link2.symlink_to(good)
    refused(etl("--db", str(db), "load", str(link2)), "liên kết tượng trưng")
    assert state(db) == before


def test_symbolic_link_in_a_folder_is_refused_and_named(db, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(GOOD_CSV, encoding="utf-8")
    (folder / "b.csv").symlink_to(folder / "a.csv")
    r = etl("--db", str(db), "load", str(folder))
    refused(r, "b.csv: 1 lỗi")
    assert "liên kết tượng trưng" in r.stdout


def test_unknown_upload_is_exit_1(db):
    refused(etl("--db", str(db), "rollback", "99999"), "Không có lần nạp số 99999")


@pytest.mark.parametrize("args", [
    ["status"], ["status", "--json"], ["targets"], ["uploads"], ["user", "list"], ["rollback", "1"],
    ["load", "x.csv"], ["load", "x.csv", "--dry-run"], ["template", "--plan", "p", "--unit", "11", "--period", "2025Q2"],
    ["report", "--plan", "p", "--period", "2025Q2"], ["demo"],
], ids=lambda a: " ".join(a))
def test_commands_other_than_init_never_create_a_database(tmp_path, args):
    path = tmp_path / "new" / "chitieu.duckdb"
    (tmp_path / "x.csv").write_text(GOOD_CSV, encoding="utf-8")
    args = [str(tmp_path / "x.csv") if a == "x.csv" else a for a in args]
    r = etl("--db", str(path), *args)
    refused(r, "Chưa có cơ sở dữ liệu")
    assert not path.exists() and not path.parent.exists()
