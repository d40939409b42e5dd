"""The return reader on the files people really send: each variant written by openpyxl, read back and loaded."""

import json

import pytest

from accounts_kit import make_user
from etl.cli import main
from kpi.store import connect
from returns_kit import (PLAN, STD_HEADER, fill_template, header_rows, save, workbook,
                         write_return_catalog)

# What every variant below holds: Huyện Tuần Giáo (099), Quý II/2025.
EXPECTED = {
    ("new_jobs", "2025Q2"): (1200.0, "preliminary"),
    ("new_jobs", "2025Q2-YTD"): (2300.0, "preliminary"),
    ("new_jobs", "2025"): (5000.0, "estimate"),
    ("poverty_rate", "2025Q2-YTD"): (12.5, "preliminary"),
    ("poverty_rate", "2025"): (12.0, "estimate"),
}
JOBS = "Số lao động được tạo việc làm mới"
POOR = "Tỷ lệ hộ nghèo đa chiều"


@pytest.fixture
def ret_db(db_file, tmp_path):
    assert main(["init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    make_user(db_file, "thu.nguyen", "reporter", units=["099"])   # `load --user thu.nguyen` acts as her
    return db_file


def _std(rows_before=(), *, header=STD_HEADER, data=None, **kw):
    data = data if data is not None else [
        [1, "new_jobs", JOBS, "lao động", 9000, 1200, 2300, 5000, None],
        [2, "poverty_rate", POOR, "%", None, None, 12.5, 12, "theo rà soát giữa năm"],
    ]
    return list(rows_before) + [header] + data


def v_template(tmp_path, capsys):
    path = tmp_path / "template.xlsx"
    assert main(["template", "--plan", PLAN, "--unit", "099", "--period", "2025Q2", "-o", str(path)]) == 0
    capsys.readouterr()
    return fill_template(path, {"new_jobs": {"quarter": 1200, "ytd": 2300, "year": 5000},
                                "poverty_rate": {"ytd": 12.5, "year": 12}}, preparer="Lò Văn A")


def v_header_moved(tmp_path, capsys):
    rows = [[None]] * 3 + header_rows() + [[None]] * 6
    return save(workbook(_std(rows)), tmp_path / "moved.xlsx")


def v_merged_header(tmp_path, capsys):
    top = ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm", "Thực hiện", None, "Ước cả năm", "Ghi chú"]
    sub = [None, None, None, None, None, "Quý", "Lũy kế từ đầu năm", None, None]
    rows = header_rows() + [[None], top, sub]
    merges = ["A6:A7", "B6:B7", "C6:C7", "D6:D7", "E6:E7", "F6:G6", "H6:H7", "I6:I7", "A1:I1", "C2:I2", "C3:I3"]
    wb = workbook(rows + _std(header=None)[1:], merges=merges)
    return save(wb, tmp_path / "merged.xlsx")


def v_spacers_totals(tmp_path, capsys):
    data = [
        ["I", None, "XÃ HỘI", None, None, None, None, None, None],
        [None] * 9,
        [1, "new_jobs", JOBS, "lao động", 9000, 1200, 2300, 5000, None],
        [None] * 9,
        [None] * 9,
        [2, "poverty_rate", POOR, "%", None, None, 12.5, 12, None],
        [None, None, "Tổng cộng", None, None, 1200, 2312.5, 5012, None],
        [None] * 9,
        ["Ghi chú: số liệu ước tính đến 20/6"],
        [None, None, "NGƯỜI LẬP BIỂU", None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"],
    ]
    return save(workbook(_std(header_rows() + [[None]], data=data)), tmp_path / "spacers.xlsx")


def v_sheet_renamed(tmp_path, capsys):
    wb = workbook(_std(header_rows()), sheet="BC Q2 - Tuần Giáo",
                  extra_sheets=[("Ghi chép", [["Danh sách gửi báo cáo"], ["Phòng LĐTBXH", "đã gửi"]])])
    return save(wb, tmp_path / "renamed.xlsx")


def v_columns_reordered(tmp_path, capsys):
    header = ["Chỉ tiêu", "Mã", "Ước cả năm", "Lũy kế từ đầu năm", "Thực hiện quý", "ĐVT", "STT"]
    data = [[JOBS, "new_jobs", 5000, 2300, 1200, "lao động", 1],
            [POOR, "poverty_rate", 12, 12.5, None, "%", 2]]
    return save(workbook(header_rows() + [header] + data), tmp_path / "reordered.xlsx")


def v_columns_missing_names_unaccented(tmp_path, capsys):
    header = ["Chỉ tiêu", "Thực hiện quý", "Lũy kế từ đầu năm", "Ước cả năm"]
    data = [["1. So lao dong duoc tao viec lam moi (lao động)", 1200, 2300, 5000],
            ["2. TỶ LỆ HỘ NGHÈO ĐA CHIỀU", None, 12.5, 12]]
    return save(workbook(header_rows() + [header] + data), tmp_path / "missing.xlsx")


def v_numbers_as_text(tmp_path, capsys):
    data = [[1, "new_jobs", JOBS, "lao động", "9.000", "1.200", "2.300 lao động", "5.000", None],
            [2, "poverty_rate", POOR, "%", None, "x", "12,5%", "12,0", None]]
    return save(workbook(_std(header_rows(), data=data)), tmp_path / "text.xlsx")


def v_formulas_cached(tmp_path, capsys):
    data = [[1, "new_jobs", JOBS, "lao động", 9000, 1200, "=F6+1100", "=G6*2+400", None],
            [2, "poverty_rate", POOR, "%", None, None, "=25/2", 12, None]]
    wb = workbook(_std(header_rows(), data=data))
    assert wb.active["G6"].value == "=F6+1100"   # four header-block rows, the header, then the data
    return save(wb, tmp_path / "formulas.xlsx", cached={"G6": 2300, "H6": 5000, "G7": 12.5})


def v_percent_formatted(tmp_path, capsys):
    data = [[1, "new_jobs", JOBS, "lao động", 9000, 1200, 2300, 5000, None],
            [2, "poverty_rate", POOR, "%", None, None, 0.125, 0.12, None]]
    wb = workbook(_std(header_rows(), data=data), number_formats={"G7": "0.0%", "H7": "0%"})
    return save(wb, tmp_path / "percent.xlsx")


def v_header_without_codes(tmp_path, capsys):
    rows = [["BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU QUÝ II NĂM 2025"], ["Đơn vị: UBND huyện Tuần Giáo"],
            ["Người lập: Lò Văn A", None, None, "Ngày lập: 05/07/2025"], [None]]
    return save(workbook(_std(rows)), tmp_path / "nocodes.xlsx")


VARIANTS = [v_template, v_header_moved, v_merged_header, v_spacers_totals, v_sheet_renamed, v_columns_reordered,
            v_numbers_as_text, v_formulas_cached, v_percent_formatted, v_header_without_codes]


@pytest.mark.parametrize("make", VARIANTS, ids=lambda f: f.__name__[2:])
def test_variant_is_read_and_loaded(ret_db, tmp_path, capsys, make):
    path = make(tmp_path, capsys)
    assert main(["load", str(path), "--json", "--user", "thu.nguyen"]) == 0, capsys.readouterr()
    s = json.loads(capsys.readouterr().out)
    assert s["errors"] == [] and s["ok"]
    assert (s["meta"]["unit"], s["meta"]["period"], s["meta"]["plan"]) == ("099", "2025Q2", PLAN)
    assert s["new"] == len(EXPECTED) and s["written"] == len(EXPECTED)
    with connect(ret_db) as con:
        rows = con.execute("SELECT indicator, period, value, status, source FROM current_observations "
                           "WHERE unit = '099'").fetchall()
    assert {(i, p): (v, st) for i, p, v, st, _ in rows} == EXPECTED
    assert {src for *_, src in rows} == {"Báo cáo Quý II/2025 của Huyện Tuần Giáo"}


def test_missing_columns_and_names_without_accents(ret_db, tmp_path, capsys):
    path = v_columns_missing_names_unaccented(tmp_path, capsys)
    assert main(["load", str(path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["meta"]["columns"] == {"name": "A", "quarter": "B", "ytd": "C", "year": "D"}
    assert s["new"] == 5 and s["errors"] == []


def test_what_the_reader_reports(ret_db, tmp_path, capsys):
    """Totals are ignored (and counted), headings and signatures skipped, notes kept, preparer read."""
    assert main(["load", str(v_spacers_totals(tmp_path, capsys)), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["rows_read"], s["ignored"], s["warnings"]) == (2, 1, [])
    assert s["meta"]["preparer"] == "Lò Văn A" and s["meta"]["sheet"] == "Biểu 01"
    assert main(["load", str(v_header_without_codes(tmp_path, capsys)), "--dry-run", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["meta"]["prepared_on"] == "05/07/2025" and s["meta"]["preparer"] == "Lò Văn A"


def test_note_column_is_kept_with_the_values(ret_db, tmp_path, capsys):
    assert main(["load", str(v_header_moved(tmp_path, capsys)), "--json"]) == 0
    with connect(ret_db) as con:
        notes = dict(con.execute("SELECT DISTINCT indicator, note FROM observations").fetchall())
    assert notes == {"poverty_rate": "theo rà soát giữa năm", "new_jobs": ""}


def test_empty_cells_are_missing_never_zero(ret_db, tmp_path, capsys):
    data = [[1, "new_jobs", JOBS, "lao động", 9000, None, 2300, "", None],
            [2, "poverty_rate", POOR, "%", None, None, None, "-", None]]
    path = save(workbook(_std(header_rows(), data=data)), tmp_path / "empty.xlsx")
    assert main(["load", str(path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["new"] == 1 and s["meta"]["missing"] == ["poverty_rate"]
    with connect(ret_db) as con:
        assert con.execute("SELECT indicator, period, value FROM observations").fetchall() == [
            ("new_jobs", "2025Q2-YTD", 2300.0)]


@pytest.mark.parametrize("text, unit, expected", [
    ("1.234,5", "tỷ đồng", 1234.5),
    ("1,2 nghìn tỷ", "tỷ đồng", 1200.0),
    ("52 triệu", "triệu đồng", 52.0),
    ("52 triệu đồng", "triệu đồng", 52.0),
    ("1.300 ngàn", "nghìn lượt", 1300.0),
    ("1,3 triệu lượt", "nghìn lượt", 1300.0),
])
def test_multiplier_words(ret_db, tmp_path, capsys, text, unit, expected):
    code = {"tỷ đồng": "budget_revenue", "triệu đồng": "grdp_per_capita", "nghìn lượt": "tourists"}[unit]
    path = tmp_path / "t.xlsx"
    assert main(["template", "--plan", PLAN, "--unit", "11", "--period", "2025Q2", "-o", str(path)]) == 0
    fill_template(path, {code: {"year": text}})
    capsys.readouterr()
    assert main(["load", str(path), "--json"]) == 0
    with connect(ret_db) as con:
        assert con.execute("SELECT value FROM observations WHERE indicator = ?", [code]).fetchall() == [(expected,)]


def test_uploader_choice_fills_a_header_that_lacks_unit_and_period(ret_db, tmp_path, capsys):
    path = save(workbook(_std([["BÁO CÁO SỐ LIỆU"]])), tmp_path / "bare.xlsx")
    assert main(["load", str(path), "--json"]) == 1
    errs = [e["message"] for e in json.loads(capsys.readouterr().out)["errors"]]
    assert any("không xác định được kỳ báo cáo" in e for e in errs)
    assert any("không xác định được đơn vị báo cáo" in e for e in errs)
    assert main(["load", str(path), "--json", "--unit", "099", "--period", "2025Q2"]) == 0
    assert json.loads(capsys.readouterr().out)["new"] == 5


def test_stock_typed_in_the_quarter_column_is_taken_as_its_level(ret_db, tmp_path, capsys):
    data = [[2, "poverty_rate", POOR, "%", None, 12.5, None, None, None]]
    path = save(workbook(_std(header_rows(), data=data)), tmp_path / "stock.xlsx")
    assert main(["load", str(path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert [w["where"] for w in s["warnings"]] == ["'Biểu 01'!F6"]
    assert "được ghi nhận là mức tại cuối quý" in s["warnings"][0]["message"]
    with connect(ret_db) as con:
        assert con.execute("SELECT period, value FROM observations").fetchall() == [("2025Q2-YTD", 12.5)]


def test_status_option_overrides_quarter_values(ret_db, tmp_path, capsys):
    path = v_header_moved(tmp_path, capsys)
    assert main(["load", str(path), "--status", "official", "--json"]) == 0
    with connect(ret_db) as con:
        st = dict(con.execute("SELECT period, status FROM observations WHERE indicator='new_jobs'").fetchall())
    assert st == {"2025Q2": "official", "2025Q2-YTD": "official", "2025": "estimate"}


def test_bulk_workbook_still_goes_to_the_bulk_reader(ret_db, tmp_path, capsys):
    wb = workbook([["indicator", "unit", "period", "value"], ["new_jobs", "11", "2024", 9050]], sheet="Số liệu")
    assert main(["load", str(save(wb, tmp_path / "bulk.xlsx")), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["format"] == "bulk" and s["new"] == 1
