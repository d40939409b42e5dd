"""Loading returns from the command line: dry run, import summary, corrections, rollback, folders, a crash."""

import hashlib
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts_kit import make_user
from etl.cli import main
from kpi.store import connect, scalar
from returns_kit import PLAN, fill_template, write_return_catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ret_db(db_file, tmp_path):
    assert main(["init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    # the accounts `--user` names below: reporters of Tuần Giáo (099), and "an" of the secretariat
    make_user(db_file, "thu.nguyen", "reporter", units=["099"])
    make_user(db_file, "binh", "reporter", units=["099"])
    make_user(db_file, "an", "secretariat")
    return db_file


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _return(tmp_path, capsys, values, unit="099", period="2025Q2", name=None, preparer="Lò Văn A"):
    path = tmp_path / (name or f"r_{unit}_{period}.xlsx")
    assert main(["template", "--plan", PLAN, "--unit", unit, "--period", period, "-o", str(path)]) == 0
    capsys.readouterr()
    return fill_template(path, values, preparer=preparer)


V1 = {"new_jobs": {"quarter": 1200, "ytd": 2300, "year": 5000}, "poverty_rate": {"ytd": 12.5, "year": 12}}


def _current(db, indicator="new_jobs", unit="099"):
    with connect(db) as con:
        return dict(con.execute("SELECT period, value FROM current_observations WHERE indicator = ? AND unit = ?",
                                [indicator, unit]).fetchall())


def test_dry_run_then_load_the_summary_matches_what_was_written(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, V1)
    code, out, _ = _run(capsys, "load", str(path), "--dry-run", "--json")
    dry = json.loads(out)
    assert code == 0 and dry["dry_run"] and dry["written"] == 0 and dry["upload_id"] is None
    assert (dry["rows_read"], dry["new"], dry["changed"], dry["unchanged"], dry["ignored"]) == (5, 5, 0, 0, 0)
    assert len(dry["errors"]) == 0 and len(dry["warnings"]) == 0
    with connect(ret_db) as con:
        assert scalar(con, "SELECT count(*) FROM uploads") == 0
        assert scalar(con, "SELECT count(*) FROM observations") == 0
    code, out, _ = _run(capsys, "load", str(path), "--json", "--user", "thu.nguyen")
    real = json.loads(out)
    assert code == 0 and not real["dry_run"]
    for k in ("rows_read", "new", "changed", "unchanged", "ignored", "errors", "warnings"):
        assert real[k] == dry[k], k
    with connect(ret_db) as con:
        stored = con.execute("SELECT indicator, unit, period, value, status FROM observations WHERE upload_id = ? "
                             "ORDER BY 1, 3", [real["upload_id"]]).fetchall()
        up = con.execute("SELECT format, unit, period, plan_id, uploaded_by, prepared_by, rows_new, warnings "
                         "FROM uploads WHERE id = ?", [real["upload_id"]]).fetchall()
    assert real["written"] == len(stored) == 5
    assert stored == [
        ("new_jobs", "099", "2025", 5000.0, "estimate"), ("new_jobs", "099", "2025Q2", 1200.0, "preliminary"),
        ("new_jobs", "099", "2025Q2-YTD", 2300.0, "preliminary"), ("poverty_rate", "099", "2025", 12.0, "estimate"),
        ("poverty_rate", "099", "2025Q2-YTD", 12.5, "preliminary")]
    assert up == [("return", "099", "2025Q2", PLAN, "thu.nguyen", "Lò Văn A", 5, 0)]


def test_summary_for_people(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, V1)
    code, out, _ = _run(capsys, "load", str(path), "--dry-run")
    assert code == 0
    assert out.splitlines()[:3] == [
        f"Kiểm tra thử (không ghi): {path.name}",
        f"Báo cáo Quý II/2025 của Huyện Tuần Giáo (mã 099), kế hoạch Thử nghiệm biểu; đọc trang 'Biểu 01'; "
        "3 chỉ tiêu để trống",
        "Đọc 5 dòng: 5 giá trị mới, 0 thay đổi, 0 không đổi, 0 lưu làm lịch sử, 0 bỏ qua; 0 lỗi, 0 cảnh báo."]


def test_original_file_is_kept_by_its_hash(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, V1)
    code, out, _ = _run(capsys, "load", str(path), "--json")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    s = json.loads(out)
    assert s["stored_path"] == f"uploads/{digest}.xlsx"
    kept = ret_db.parent / "uploads" / f"{digest}.xlsx"
    assert kept.read_bytes() == path.read_bytes()
    with connect(ret_db) as con:
        assert scalar(con, "SELECT stored_path FROM uploads") == f"uploads/{digest}.xlsx"


def test_dry_run_keeps_no_file(ret_db, tmp_path, capsys):
    _run(capsys, "load", str(_return(tmp_path, capsys, V1)), "--dry-run")
    assert not (ret_db.parent / "uploads").exists()


def test_same_file_twice_is_a_no_op(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, V1)
    first = json.loads(_run(capsys, "load", str(path), "--json")[1])
    code, out, _ = _run(capsys, "load", str(path))
    assert code == 0
    assert f"Tệp này đã được nạp trước đây (lần nạp số {first['upload_id']}); không ghi gì thêm." in out
    code, out, _ = _run(capsys, "load", str(path), "--json")
    assert json.loads(out)["duplicate_of"] == first["upload_id"]
    with connect(ret_db) as con:
        assert scalar(con, "SELECT count(*) FROM uploads") == 1
        assert scalar(con, "SELECT count(*) FROM observations") == 5


def test_correction_supersedes_and_keeps_the_older_values(ret_db, tmp_path, capsys):
    first = json.loads(_run(capsys, "load", str(_return(tmp_path, capsys, V1)), "--json")[1])
    v2 = {"new_jobs": {"quarter": 1250, "ytd": 2350, "year": 5000}, "poverty_rate": {"ytd": 12.5, "year": 12}}
    code, out, _ = _run(capsys, "load", str(_return(tmp_path, capsys, v2, name="corrected.xlsx")), "--json")
    s = json.loads(out)
    assert code == 0 and (s["new"], s["changed"], s["unchanged"]) == (0, 2, 3)
    assert sorted((c["period"], c["old"], c["new"]) for c in s["changes"]) == [
        ("2025Q2", 1200.0, 1250.0), ("2025Q2-YTD", 2300.0, 2350.0)]
    assert _current(ret_db) == {"2025Q2": 1250.0, "2025Q2-YTD": 2350.0, "2025": 5000.0}
    with connect(ret_db) as con:
        versions = con.execute("SELECT period, value, upload_id, revision FROM observations "
                               "WHERE indicator = 'new_jobs' AND period = '2025Q2' ORDER BY revision").fetchall()
    assert versions == [("2025Q2", 1200.0, first["upload_id"], 1), ("2025Q2", 1250.0, s["upload_id"], 2)]
    code, out, _ = _run(capsys, "load", str(_return(tmp_path, capsys, v2, name="corrected.xlsx")))
    assert "Thay đổi" not in out


def test_uploads_list_and_rollback_restores_the_earlier_value(ret_db, tmp_path, capsys):
    first = json.loads(_run(capsys, "load", str(_return(tmp_path, capsys, V1)), "--json", "--user", "an")[1])
    v2 = {"new_jobs": {"quarter": 1250, "ytd": 2350}}
    second = json.loads(_run(capsys, "load", str(_return(tmp_path, capsys, v2, name="v2.xlsx")), "--json",
                             "--user", "binh")[1])
    code, out, _ = _run(capsys, "uploads", "--json")
    ups = json.loads(out)
    assert code == 0 and [u["id"] for u in ups] == [second["upload_id"], first["upload_id"]]
    u2, u1 = ups
    assert (u2["uploaded_by"], u2["unit"], u2["unit_name"], u2["period"], u2["plan_id"], u2["status"]) == (
        "binh", "099", "Huyện Tuần Giáo", "2025Q2", PLAN, "committed")
    assert (u2["rows_read"], u2["rows_new"], u2["rows_changed"], u2["rows_unchanged"], u2["warnings"]) == (5, 0, 2, 0, 0)
    assert (u1["values_stored"], u1["values_current"], u1["values_superseded"]) == (5, 3, 2)
    assert u1["uploaded_at"] and u1["file_name"] == "r_099_2025Q2.xlsx" and u1["format"] == "return"

    code, out, _ = _run(capsys, "rollback", str(second["upload_id"]), "--user", "an", "--json")
    r = json.loads(out)
    assert code == 0 and r["values"] == 2
    assert sorted((c["period"], c["old"], c["new"]) for c in r["restored"]) == [
        ("2025Q2", 1250.0, 1200.0), ("2025Q2-YTD", 2350.0, 2300.0)]
    assert _current(ret_db) == {"2025Q2": 1200.0, "2025Q2-YTD": 2300.0, "2025": 5000.0}
    ups = json.loads(_run(capsys, "uploads", "--json")[1])
    assert (ups[0]["status"], ups[0]["rolled_back_by"], ups[0]["values_current"]) == ("rolled_back", "an", 0)
    assert ups[1]["values_current"] == 5
    code, _, err = _run(capsys, "rollback", str(second["upload_id"]))
    assert code == 1 and "đã được rút lại trước đó" in err
    code, _, err = _run(capsys, "rollback", "999")
    assert code == 1 and "Không có lần nạp số 999" in err   # data not there: exit 1 (README)


def test_rollback_text_and_the_same_file_loads_again_after(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, V1)
    first = json.loads(_run(capsys, "load", str(path), "--json")[1])
    code, out, _ = _run(capsys, "rollback", str(first["upload_id"]))
    assert code == 0 and f"Đã rút lại lần nạp số {first['upload_id']} (5 giá trị" in out
    assert "Không còn số liệu new_jobs / 099 / 2025Q2 (trước đây: 1.200)" in out
    assert _current(ret_db) == {}
    s = json.loads(_run(capsys, "load", str(path), "--json")[1])   # withdrawn, so not a duplicate
    assert s["duplicate_of"] is None and s["new"] == 5


def test_uploads_text(ret_db, tmp_path, capsys):
    assert _run(capsys, "uploads")[1].strip() == "Chưa có lần nạp nào."
    _run(capsys, "load", str(_return(tmp_path, capsys, V1)), "--user", "an")
    line = _run(capsys, "uploads")[1].strip()
    assert line.startswith("#1 ") and "an: r_099_2025Q2.xlsx [return] Huyện Tuần Giáo 2025Q2 — Đã ghi; 5 mới" in line


def test_load_a_folder(ret_db, tmp_path, capsys):
    folder = tmp_path / "q2"
    folder.mkdir()
    _return(folder, capsys, V1, unit="099")
    _return(folder, capsys, {"new_jobs": {"quarter": 800, "ytd": 1500}}, unit="100")
    _return(folder, capsys, {"new_jobs": {"quarter": "nhiều", "ytd": 1500}}, unit="101")
    (folder / "national.csv").write_text("indicator,unit,period,value\ngrdp_growth,VN,2024,7.09\n", encoding="utf-8")
    (folder / "~$r_099_2025Q2.xlsx").write_bytes(b"lock file of an open workbook")
    (folder / "notes.txt.bak").write_text("not a return")
    code, out, err = _run(capsys, "load", str(folder), "--json")
    s = json.loads(out)
    assert code == 1 and not s["ok"]
    assert [f["file"] for f in s["files"]] == ["national.csv", "r_099_2025Q2.xlsx", "r_100_2025Q2.xlsx",
                                               "r_101_2025Q2.xlsx"]
    assert s["totals"] == {"rows_read": 1 + 5 + 5 + 5, "new": 1 + 5 + 2, "changed": 0, "unchanged": 0,
                           "outranked": 0, "ignored": 0, "errors": 1, "warnings": 0, "files": 4, "loaded": 3,
                           "duplicates": 0, "rejected": 1}
    assert "[########################] 4/4 r_101_2025Q2.xlsx" in err
    assert err.count("\n") == 8   # before and after each file
    assert _current(ret_db, unit="100") == {"2025Q2": 800.0, "2025Q2-YTD": 1500.0}
    assert _current(ret_db, unit="101") == {}
    code, out, _ = _run(capsys, "load", str(folder))
    assert code == 1
    assert out.splitlines()[-2].startswith(f"Tổng kết {folder}: 4 tệp — 0 đã nạp, 3 đã nạp trước đây, 1 bị từ chối")
    assert out.splitlines()[-1] == "  ✖ r_101_2025Q2.xlsx: 1 lỗi"


def test_empty_folder_is_a_usage_error(ret_db, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, "load", str(tmp_path / "empty"))
    assert code == 2 and "không có tệp .xlsx hoặc .csv nào" in err


def _etl(db, *args, env=None, **kw):
    e = dict(os.environ, CHITIEU_DB=str(db), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, env=e, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _wait_for_line(stream, marker, timeout=60):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            line = stream.readline()
            seen.append(line)
            if marker in line:
                return seen
            if not line:
                break
    raise AssertionError(f"'{marker}' not seen: {seen}")


def test_killed_in_the_middle_of_a_load_leaves_the_database_as_it_was(ret_db, tmp_path, capsys):
    _run(capsys, "load", str(_return(tmp_path, capsys, V1)))
    v2 = _return(tmp_path, capsys, {"new_jobs": {"quarter": 1250, "ytd": 2350}, "budget_revenue": {"ytd": 320}},
                 name="v2.xlsx")
    p = _etl(ret_db, "load", str(v2), env={"CHITIEU_TEST_SLOW_LOAD": "60"})
    try:
        _wait_for_line(p.stderr, "CHITIEU_TEST_SLOW_LOAD")   # rows inserted, COMMIT not yet run
        p.kill()                                             # SIGKILL: no cleanup of any kind
        assert p.wait(timeout=10) == -9
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()
        p.stderr.close()
    with connect(ret_db, wait=5) as con:
        assert scalar(con, "SELECT count(*) FROM uploads") == 1
        assert scalar(con, "SELECT count(*) FROM observations") == 5
        assert scalar(con, "SELECT count(*) FROM observations WHERE indicator = 'budget_revenue'") == 0
    assert _current(ret_db) == {"2025Q2": 1200.0, "2025Q2-YTD": 2300.0, "2025": 5000.0}
    # the copy of the file written before the transaction is harmless: the file loads normally now
    code, out, _ = _run(capsys, "load", str(v2), "--json")
    assert code == 0 and json.loads(out)["changed"] == 2
    assert _current(ret_db)["2025Q2"] == 1250.0


def test_a_load_waits_while_another_process_writes(ret_db, tmp_path, capsys):
    """Two loads at once: the second waits for the first's transaction, then succeeds."""
    a = _return(tmp_path, capsys, V1, unit="099")
    b = _return(tmp_path, capsys, {"new_jobs": {"quarter": 800, "ytd": 1500}}, unit="100")
    slow = _etl(ret_db, "load", str(a), env={"CHITIEU_TEST_SLOW_LOAD": "2"})
    try:
        _wait_for_line(slow.stderr, "CHITIEU_TEST_SLOW_LOAD")
        fast = _etl(ret_db, "load", str(b), "--json")
        out, err = fast.communicate(timeout=60)
        assert fast.returncode == 0, err
        assert json.loads(out)["new"] == 2
        assert slow.wait(timeout=60) == 0
    finally:
        for p in (slow,):
            if p.poll() is None:
                p.kill()
            p.stdout.close()
            p.stderr.close()
    assert _current(ret_db, unit="099")["2025Q2"] == 1200.0


def test_busy_database_gives_a_clear_message(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, V1)
    holder = _etl(ret_db, "load", str(path), env={"CHITIEU_TEST_SLOW_LOAD": "20"})
    try:
        _wait_for_line(holder.stderr, "CHITIEU_TEST_SLOW_LOAD")
        p = _etl(ret_db, "uploads", env={"CHITIEU_DB_WAIT": "0.5"})
        out, err = p.communicate(timeout=30)
        assert p.returncode == 1
        assert "đang được một tiến trình khác ghi (đã chờ 0.5 giây)" in err
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stderr.close()


def test_end_to_end_with_the_real_catalogue(db_file, tmp_path, capsys):
    """Fresh database, real catalogue: a template filled for the province is loaded and shows in `status`."""
    from etl.returns import applicable
    from kpi import repo

    assert main(["init"]) == 0
    plan = "dienbien_2021_2025"
    path = tmp_path / "dienbien.xlsx"
    assert main(["template", "--plan", plan, "--unit", "11", "--period", "2025Q2", "-o", str(path)]) == 0
    capsys.readouterr()
    before = json.loads(_run(capsys, "status", "--plan", plan, "--as-of", "2025Q2", "--json")[1])
    with connect(db_file) as con:
        cat = repo.catalog_from_db(con)
    import openpyxl

    ws = openpyxl.load_workbook(path)["Biểu 01"]
    codes = [ws.cell(r, 2).value for r in range(11, ws.max_row + 1) if ws.cell(r, 2).value in cat.indicators]
    assert codes, "the province's form lists the plan's indicators"
    values = {}
    for code in codes:
        ind = cat.indicators[code]
        level = ind.max / 4 if ind.max is not None else 100.0   # a year's flow of 4 × level stays in bounds
        cells = {"ytd": level * (2 if ind.temporal == "flow" else 1), "year": level * (4 if ind.temporal == "flow" else 1)}
        if "quarter" in applicable(ind):
            cells["quarter"] = level
        values[code] = cells
    fill_template(path, values)
    code, out, _ = _run(capsys, "load", str(path), "--json")
    s = json.loads(out)
    assert code == 0, s["errors"]
    assert s["new"] == sum(len(v) for v in values.values()) and s["errors"] == []
    after = json.loads(_run(capsys, "status", "--plan", plan, "--as-of", "2025Q2", "--json")[1])
    levels = [t for t in after["targets"] if t["indicator"] in values and t["kind"] in ("level_min", "level_max")]
    assert levels and [t["target_id"] for t in levels if t["latest_value"] is None] == []
    assert after["counts"]["no_data"] < before["counts"]["no_data"]
