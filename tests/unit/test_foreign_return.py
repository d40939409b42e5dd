"""A return in the province's own layout loads with warnings only; its names are remembered for next quarter.

The form is made by code the way a department's old report looks: a national
motto block, a title, two-row merged headers ("Thực hiện" over "Quý II/2025"
and "Lũy kế 6 tháng"), no code column, section rows ("A", "CHỈ TIÊU KINH TẾ"),
numbers typed as text (``2.150``, ``21,5``), the plan's figures in their own
column ("Kế hoạch năm 2025": ``<16``, ``7,5``), the office's own names for
indicators, and a GRDP growth figure of the quarter alone.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from accounts_kit import make_user
from foreign_kit import foreign_return
from etl import names
from etl.cli import main
from etl.intake import load_bytes
from kpi import accounts as auth, permissions
from kpi.permissions import LOCAL_ADMIN
from kpi.store import connect, scalar

PLAN = "dienbien_2021_2025"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("foreign") / "chitieu.duckdb"
    assert main(["--db", str(db), "init"]) == 0
    return db


@pytest.fixture
def db(real_db, tmp_path):
    import shutil

    path = tmp_path / "chitieu.duckdb"
    shutil.copy(real_db, path)
    return path


def _load(db, data=None, **kw):
    return load_bytes("bao-cao-quy-II.xlsx", data or foreign_return(), actor=kw.pop("actor", LOCAL_ADMIN), db=db,
                      plan=PLAN, unit="11", period=__import__("kpi.periods").periods.Period(2025, 2), **kw)


def test_loads_with_warnings_only(db):
    s = _load(db)
    assert s.ok, [str(e) for e in s.errors]
    assert s.upload_id is not None
    by_name = {m["name"]: m["indicator"] for m in s.meta["by_name"]}
    assert by_name == {"Tốc độ tăng trưởng kinh tế (GRDP)": "grdp_growth",
                       "Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)": "poor_household_rate",
                       "Tạo việc làm mới": "new_jobs"}            # the budget row's name is the catalogue's own
    warned = [str(w) for w in s.warnings]
    for name, code in by_name.items():   # each similarity match names the catalogue indicator chosen
        assert any(f"tên '{name}'" in w and f"({code})" in w for w in warned), warned
    with connect(db) as con:
        got = dict(((i, p), v) for i, p, v in con.execute(
            "SELECT indicator, period, value FROM current_observations WHERE upload_id = ?", [s.upload_id]).fetchall())
    assert got[("grdp_growth", "2025Q2")] == 6.8            # the quarter alone, stored as what it is
    assert got[("grdp_growth", "2025")] == 7.2
    assert got[("new_jobs", "2025Q2")] == 2150 and got[("new_jobs", "2025Q2-YTD")] == 4300
    assert got[("poor_household_rate", "2025Q2-YTD")] == 21.5
    assert got[("budget_revenue_in_province", "2025Q2")] == 520.5
    assert not any(p == "2025" and v in (7.5, 16, 8500, 2000) for (i, p), v in got.items() if i != "budget_revenue_in_province")
    # The plan's figures are read as plan figures: compared, never stored; one differs from the catalogue.
    figures = {f["indicator"]: f["numbers"] for f in s.meta["plan_figures"]}
    assert figures == {"grdp_growth": [7.5], "budget_revenue_in_province": [2000.0], "poor_household_rate": [16.0],
                       "new_jobs": [8500.0]}
    plan_warnings = [w for w in warned if "Kế hoạch năm" in w]
    assert len(plan_warnings) == 1 and "'8.500'" in plan_warnings[0] and "9.000" in plan_warnings[0]


def test_remembered_names_load_next_quarter_without_a_question(db):
    first = _load(db, dry_run=True)
    with connect(db) as con:
        for m in first.meta["by_name"]:   # what the clerk confirms on the upload page
            names.remember(con, m["name"], m["indicator"], actor=LOCAL_ADMIN, unit="11")
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'indicator_alias'") == 3
    again = _load(db)
    assert again.ok and again.meta["by_name"] == []
    assert not [w for w in again.warnings if "không có trong danh mục" in w.message]
    assert {w.indicator for w in again.warnings if "Kế hoạch năm" in w.message} == {"new_jobs"}


def test_a_unit_alias_is_that_units_own(db):
    with connect(db) as con:
        names.remember(con, "Tạo việc làm mới", "new_jobs", actor=LOCAL_ADMIN, unit="099")
        aliases = names.read_aliases(con)
    m = names.NameMatcher(__import__("etl.intake").intake.read_catalog(db)[0].indicators, aliases)
    assert m.match("Tạo việc làm mới", "099").how == "alias_unit"
    assert m.match("Tạo việc làm mới", "11").how == "similar"


def test_who_may_remember_a_name(db):
    reporter = make_user(db, "thu.nguyen", "reporter", units=["099"])
    with connect(db) as con:
        names.remember(con, "Tạo việc làm mới", "new_jobs", actor=reporter, unit="099")
        with pytest.raises(permissions.PermissionDenied):
            names.remember(con, "Tạo việc làm mới", "new_jobs", actor=reporter, unit="11")
        with pytest.raises(permissions.PermissionDenied):
            names.remember(con, "Tạo việc làm mới", "new_jobs", actor=reporter, everyone=True)
        names.remember(con, "Tạo việc làm mới", "new_jobs", actor=LOCAL_ADMIN, everyone=True)
        assert scalar(con, "SELECT count(*) FROM indicator_aliases WHERE unit = '*' AND created_by = '@local'") == 1


def test_close_candidates_are_an_error_listing_three(db):
    wb = openpyxl.load_workbook(io.BytesIO(foreign_return()))
    wb.active["B14"] = "Xã nông thôn mới"
    buf = io.BytesIO()
    wb.save(buf)
    s = _load(db, buf.getvalue(), dry_run=True)
    err = [e for e in s.errors if e.where == "'BC quy II'!B14"]
    assert len(err) == 1 and "giống nhiều chỉ tiêu" in err[0].message
    assert err[0].message.count("(ntm_") >= 2
    assert s.meta["unmatched"][0]["candidates"][:2]


def test_etl_load_uses_remembered_names(db, tmp_path, capsys):
    with connect(db) as con:
        for name, code in [("Tốc độ tăng trưởng kinh tế (GRDP)", "grdp_growth"),
                           ("Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)", "poor_household_rate"),
                           ("Tạo việc làm mới", "new_jobs")]:
            names.remember(con, name, code, actor=LOCAL_ADMIN, everyone=True)
    path = tmp_path / "bc.xlsx"
    path.write_bytes(foreign_return(jobs_plan="9.000"))
    code = main(["--db", str(db), "load", str(path), "--plan", PLAN, "--unit", "11", "--period", "2025Q2", "--json"])
    s = json.loads(capsys.readouterr().out)
    assert code == 0 and s["ok"] and s["meta"]["by_name"] == []
    assert s["new"] == 10


def test_catalogue_aliases_ship_with_targets(tmp_path):
    """``aliases:`` in indicators.yaml: the name is taken without a question, for every unit."""
    from returns_kit import RETURN_INDICATORS, RETURN_PLAN, STD_HEADER, header_rows, workbook, write_catalog

    indicators = RETURN_INDICATORS.replace(
        "  new_jobs:\n    name: Số lao động được tạo việc làm mới\n",
        "  new_jobs:\n    name: Số lao động được tạo việc làm mới\n    aliases: [Giải quyết việc làm mới]\n")
    assert "aliases" in indicators
    targets = write_catalog(tmp_path / "targets", indicators=indicators, plans={"ret_2021_2025": RETURN_PLAN})
    db = tmp_path / "c.duckdb"
    assert main(["--db", str(db), "init", "--targets", str(targets)]) == 0
    wb = workbook(header_rows() + [STD_HEADER, [1, None, "Giải quyết việc làm mới", "lao động", None, 500, 900, None,
                                                None]])
    buf = io.BytesIO()
    wb.save(buf)
    s = load_bytes("r.xlsx", buf.getvalue(), actor=LOCAL_ADMIN, db=db)
    assert s.ok and s.warnings == [] and s.meta["by_name"] == []
    assert {(c.indicator, c.period) for c in s.new} == {("new_jobs", "2025Q2"), ("new_jobs", "2025Q2-YTD")}


def test_alias_command(db, capsys):
    assert main(["--db", str(db), "alias", "add", "Tạo việc làm mới", "new_jobs", "--unit", "11"]) == 0
    assert main(["--db", str(db), "alias", "add", "Tạo việc làm mới", "khong_co", "--unit", "11"]) == 1
    assert main(["--db", str(db), "alias", "add", "Tạo việc làm mới", "new_jobs"]) == 2
    capsys.readouterr()
    assert main(["--db", str(db), "alias", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["alias"], r["indicator"], r["unit"], r["created_by"]) for r in rows] == [
        ("Tạo việc làm mới", "new_jobs", "11", "@local")]
    s = _load(db, dry_run=True)
    assert "Tạo việc làm mới" not in {m["name"] for m in s.meta["by_name"]}
