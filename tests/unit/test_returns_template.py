"""The return template: what a unit receives, checked cell by cell, and read back as it was written."""

import json

import openpyxl
import pytest
from openpyxl.styles.colors import Color

from etl.cli import main
from etl.returns import INSTRUCTIONS_SHEET, SHEET
from kpi.store import connect
from returns_kit import DISTRICT_CODES, PLAN, STD_HEADER, write_return_catalog


@pytest.fixture
def ret_db(db_file, tmp_path):
    assert main(["init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    return db_file


def _template(tmp_path, capsys, unit="11", period="2025Q2", name="t.xlsx"):
    out = tmp_path / name
    code = main(["template", "--plan", PLAN, "--unit", unit, "--period", period, "-o", str(out)])
    capsys.readouterr()
    assert code == 0
    return openpyxl.load_workbook(out), out


def _codes(ws):
    return [ws.cell(r, 2).value for r in range(11, ws.max_row + 1)
            if ws.cell(r, 2).value and ws.cell(r, 1).value not in ("I", "II", "III")]


def test_header_block_and_columns(ret_db, tmp_path, capsys):
    wb, _ = _template(tmp_path, capsys, unit="099")
    assert wb.sheetnames == [SHEET, INSTRUCTIONS_SHEET]
    ws = wb[SHEET]
    assert ws["C3"].value == "Huyện Tuần Giáo (mã 099)"
    assert ws["C4"].value == "Quý II/2025 (mã 2025Q2)"
    assert "Số 383/KH-UBND ngày 09/02/2021" in ws["C5"].value and f"(mã {PLAN})" in ws["C5"].value
    assert [ws["A6"].value, ws["A7"].value] == ["Người lập biểu:", "Ngày lập:"]
    assert [c.value for c in ws[9]][:9] == STD_HEADER
    assert ws["J9"].value == "Số liệu gần nhất (tham khảo)"


def test_rows_per_unit(ret_db, tmp_path, capsys):
    """The province reports every indicator of the plan; a district those that add up."""
    ws = _template(tmp_path, capsys, unit="11")[0][SHEET]
    assert sorted(_codes(ws)) == sorted(["grdp_growth", "poverty_rate", "new_jobs", "budget_revenue",
                                         "grdp_per_capita", "tourists", "forest_cover"])
    ws = _template(tmp_path, capsys, unit="099", name="d.xlsx")[0][SHEET]
    assert sorted(_codes(ws)) == sorted(set(DISTRICT_CODES) - {"population"})  # population has no target


def test_value_cells_open_labels_locked_na_cells_grey(ret_db, tmp_path, capsys):
    ws = _template(tmp_path, capsys)[0][SHEET]
    assert ws.protection.sheet
    jobs = next(r for r in range(11, ws.max_row + 1) if ws.cell(r, 2).value == "new_jobs")
    forest = next(r for r in range(11, ws.max_row + 1) if ws.cell(r, 2).value == "forest_cover")
    for col in "ABCDJ":
        assert ws[f"{col}{jobs}"].protection.locked, col
    for col in "FGHI":   # a flow: quarter, year to date, year, note
        assert not ws[f"{col}{jobs}"].protection.locked, col
    # a stock has no quarter-alone figure: grey, locked, marked x
    f = ws[f"F{forest}"]
    assert f.protection.locked and f.value == "x" and f.fill.fgColor == Color("00D9D9D9")
    assert not ws[f"G{forest}"].protection.locked
    # number-only validation on every open value cell, with the indicator's bounds
    dvs = ws.data_validations.dataValidation
    cover = next(d for d in dvs if f"G{forest}" in d.sqref)
    assert (cover.type, cover.formula1, cover.formula2) == ("decimal", "0", "100")
    jobs_dv = next(d for d in dvs if f"F{jobs}" in d.sqref)
    assert jobs_dv.type == "decimal" and jobs_dv.showErrorMessage and "chỉ nhận một số" in jobs_dv.error
    assert ws["E" + str(jobs)].value == 9000   # the plan's yearly figure, for reference


def test_instructions_in_vietnamese(ret_db, tmp_path, capsys):
    ws = _template(tmp_path, capsys)[0][INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    for phrase in ("ô trống được hiểu là chưa có số liệu", "sơ bộ", "ước tính", "Ô màu xám",
                   "chỉ tiêu thời điểm", "Gửi lại để sửa", ".xlsm"):
        assert phrase in text, phrase


def test_last_known_value_for_reference(ret_db, tmp_path, capsys):
    csv = tmp_path / "hist.csv"
    csv.write_text("indicator,unit,period,value,status\nnew_jobs,11,2025Q1-YTD,2100,preliminary\n"
                   "new_jobs,11,2024,9050,official\nnew_jobs,11,2025Q3-YTD,7000,estimate\n", encoding="utf-8")
    assert main(["load", str(csv)]) == 0
    ws = _template(tmp_path, capsys)[0][SHEET]
    r = next(r for r in range(11, ws.max_row + 1) if ws.cell(r, 2).value == "new_jobs")
    # the latest up to the quarter of the form: Q3 is later and not shown
    assert ws.cell(r, 10).value == "2.100 lao động — Lũy kế 3 tháng năm 2025 (sơ bộ)"


@pytest.mark.parametrize("args, message", [
    (["--unit", "12", "--period", "2025Q2"], "đơn vị 12 (Lai Châu) không thuộc phạm vi của kế hoạch"),
    (["--unit", "099", "--period", "2025Q3"], "đơn vị 099 (Huyện Tuần Giáo) đã hết hiệu lực từ 01/07/2025"),
    (["--unit", "11", "--period", "2026Q1"], "Quý I/2026 nằm ngoài thời gian của kế hoạch"),
    (["--unit", "11", "--period", "2025"], "Kỳ phải là một quý"),
    (["--unit", "XX", "--period", "2025Q2"], "Không có đơn vị 'XX'"),
])
def test_template_refused_for_wrong_unit_or_period(ret_db, tmp_path, capsys, args, message):
    code = main(["template", "--plan", PLAN, "-o", str(tmp_path / "x.xlsx")] + args)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_template_json(ret_db, tmp_path, capsys):
    out = tmp_path / "sub" / "t.xlsx"
    assert main(["template", "--plan", PLAN, "--unit", "099", "--period", "2025Q1", "-o", str(out), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["file"] == str(out) and d["unit"] == "099" and d["period"] == "2025Q1" and out.is_file()


def test_empty_template_reads_back_clean(ret_db, tmp_path, capsys):
    """The unfilled form is read without a problem, and refused as nothing to write (it once crashed on confirm)."""
    _, path = _template(tmp_path, capsys)
    for extra in (["--dry-run"], []):
        assert main(["load", str(path), "--json", *extra]) == 1
        s = json.loads(capsys.readouterr().out)
        assert (s["rows_read"], s["new"], s["warnings"], s["ignored"]) == (7, 0, [], 0)
        assert [e["where"] for e in s["errors"]] == ["'Biểu 01'"]
        assert "chưa điền số liệu nào" in s["errors"][0]["message"]
        assert s["meta"]["unit"] == "11" and s["meta"]["period"] == "2025Q2" and s["meta"]["plan"] == PLAN
        assert len(s["meta"]["missing"]) == 7
    with connect(ret_db) as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(0,)]
