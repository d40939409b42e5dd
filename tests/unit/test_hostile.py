"""Every hostile or malformed file is refused: exit 1, a Vietnamese message naming the place, nothing written.

The corpus is in ``hostile_kit.py`` (made by code). Each case goes through the
command line (``python -m etl load``, in process) and through
``etl.intake.load_bytes``, the core the upload page calls. Before and after, a
fingerprint of every table (row counts and a hash of the rows) must be equal;
the audit log may only gain ``upload_refused`` rows (a refusal is recorded, on
purpose), and the database's folder gains no file (no kept original, no
temporary file).
"""

from __future__ import annotations

import shutil

import pytest

from etl.cli import main
from etl.intake import load_bytes
from hostile_kit import CASES, audit_actions, fingerprint, good_return, is_vietnamese
from kpi.permissions import LOCAL_ADMIN
from kpi.store import connect
from returns_kit import write_return_catalog


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    db = root / "db" / "chitieu.duckdb"
    assert main(["--db", str(db), "init", "--targets", str(write_return_catalog(root / "targets"))]) == 0
    return db


def _state(db):
    with connect(db) as con:
        return fingerprint(con), audit_actions(con), sorted(p.name for p in db.parent.rglob("*")
                                                            if not p.name.endswith(".wal"))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def test_the_base_return_loads(tmp_path, hostile_db):
    """The control: the file every return case mutates is itself valid."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(hostile_db, db)
    s = load_bytes("r.xlsx", good_return(), actor=LOCAL_ADMIN, db=db)
    assert s.ok and len(s.new) == 8, [str(e) for e in s.errors]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_by_the_command_line(case, hostile_db, tmp_path, capsys):
    path = tmp_path / case.name
    path.write_bytes(case.make())
    before, actions, files = _state(hostile_db)
    code = main(["--db", str(hostile_db), "load", str(path)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 1, text
    assert "Traceback" not in text and is_vietnamese(text), text
    assert case.says in text, text
    assert (case.where or case.name) in text, text
    after, actions_after, files_after = _state(hostile_db)
    assert after == before
    assert set(actions_after[len(actions):]) <= {"upload_refused"} and actions_after[:len(actions)] == actions
    assert files_after == files


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_by_the_upload_core(case, hostile_db):
    data = case.make()
    before, actions, files = _state(hostile_db)
    s = load_bytes(case.name, data, actor=LOCAL_ADMIN, db=hostile_db)
    text = "\n".join(s.lines_vi())
    assert not s.ok and s.upload_id is None and s.written == 0
    assert case.says in text and (case.where or case.name) in text, text
    assert all(is_vietnamese(str(e)) for e in s.errors), text
    after, actions_after, files_after = _state(hostile_db)
    assert after == before
    assert set(actions_after[len(actions):]) <= {"upload_refused"}
    assert files_after == files


def test_a_hidden_sheet_is_never_read_and_the_summary_says_so(tmp_path, hostile_db):
    """A hidden first sheet with other figures (a decoy, or last quarter's copy) loses to the visible return."""
    from hostile_kit import GOOD_ROWS, return_wb, with_row, xlsx

    wb = return_wb()
    decoy = wb.copy_worksheet(wb.active)
    decoy.title = "Cũ"
    decoy["G6"] = 123456
    decoy.sheet_state = "hidden"
    wb.move_sheet("Cũ", offset=-1)
    db = tmp_path / "copy.duckdb"
    shutil.copy(hostile_db, db)
    s = load_bytes("r.xlsx", xlsx(wb), actor=LOCAL_ADMIN, db=db)
    assert s.ok and s.meta["sheet"] == "Biểu 01" and s.meta["hidden_sheets"] == ["Cũ"]
    assert "bỏ qua trang ẩn 'Cũ'" in s.meta["description"]
    assert any(w.where == "'Cũ'" and "đang bị ẩn nên không được đọc" in w.message for w in s.warnings)
    assert ("new_jobs", "2025Q2-YTD", 900.0) in {(c.indicator, c.period, c.new) for c in s.new}
    assert 123456.0 not in {c.new for c in s.new}
