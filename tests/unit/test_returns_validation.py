"""Every error and warning a return can get, each naming the sheet, the cell, the indicator and the problem."""

import datetime as dt
import json

import pytest

from etl.cli import main
from kpi.store import connect, scalar
from returns_kit import STD_HEADER, header_rows, save, workbook, write_return_catalog

JOBS = "Số lao động được tạo việc làm mới"
POOR = "Tỷ lệ hộ nghèo đa chiều"
J = "Số lao động được tạo việc làm mới (new_jobs), cột"
P = "Tỷ lệ hộ nghèo đa chiều (poverty_rate), cột"


@pytest.fixture
def ret_db(db_file, tmp_path):
    assert main(["init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    return db_file


def jobs(q=None, ytd=None, year=None, note=None):
    return [1, "new_jobs", JOBS, "lao động", None, q, ytd, year, note]


def poor(q=None, ytd=None, year=None):
    return [2, "poverty_rate", POOR, "%", None, q, ytd, year, None]


def _load(tmp_path, capsys, data, *args, unit="Huyện Tuần Giáo (mã 099)", period="Quý II/2025", cached=None):
    # four header-block rows, the column header on row 5: data start on row 6
    wb = workbook(header_rows(unit=unit, period=period) + [STD_HEADER] + data)
    path = save(wb, tmp_path / "r.xlsx", cached=cached)
    code = main(["load", str(path), "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def _issues(s, level):
    return [(i["where"], i["message"]) for i in s["errors" if level == "error" else "warnings"]]


CELL_ERRORS = [
    ("not a number", [jobs(q="abc")], "F6", f"{J} Thực hiện quý: giá trị 'abc' không phải là số"),
    ("words around a number", [jobs(q="khoảng 1.200")], "F6", f"{J} Thực hiện quý: giá trị 'khoảng 1.200' không phải là số"),
    ("negative", [jobs(ytd=-5)], "G6", f"{J} Lũy kế từ đầu năm: giá trị âm (-5) không thể có với chỉ số này"),
    ("percentage over 100", [poor(ytd=120)], "G6", f"{P} Lũy kế từ đầu năm: tỷ lệ 120% lớn hơn 100%"),
    ("percent sign on a count", [jobs(q="12,5%")], "F6", f"{J} Thực hiện quý: giá trị '12,5%' có dấu % nhưng chỉ tiêu tính bằng 'lao động'"),
    ("multiplier that cannot convert", [poor(ytd="12 triệu")], "G6",
     f"{P} Lũy kế từ đầu năm: giá trị '12 triệu' không quy đổi được 'triệu' sang đơn vị tính '%'"),
    ("a date", [jobs(q=dt.datetime(2025, 7, 12))], "F6", f"{J} Thực hiện quý: ô chứa ngày tháng (12/07/2025), không phải là số"),
    ("a formula error", [jobs(q="#DIV/0!")], "F6", f"{J} Thực hiện quý: ô có lỗi công thức #DIV/0!"),
    ("formula without a cached value", [jobs(q=100, ytd="=F6*2")], "G6",
     f"{J} Lũy kế từ đầu năm: ô có công thức (=F6*2) nhưng chưa có giá trị tính sẵn"),
    ("unknown indicator", [jobs(q=1), [3, "xyz", "Chỉ tiêu lạ", "ha", None, 5, None, None, None]], "B7",
     "không nhận ra chỉ tiêu 'Chỉ tiêu lạ' (mã 'xyz'): không có trong danh mục chỉ tiêu"),
    ("same indicator twice", [jobs(q=1), jobs(q=2)], "C7",
     "chỉ tiêu 'Số lao động được tạo việc làm mới' (new_jobs) xuất hiện hai lần: dòng 6 và dòng 7"),
    ("year to date below the quarter", [jobs(q=500, ytd=400)], "G6",
     f"{J} Lũy kế từ đầu năm: lũy kế từ đầu năm (400) nhỏ hơn số thực hiện quý (500)"),
    ("a stock with two different levels", [poor(q=12, ytd=13)], "F6",
     f"{P} Thực hiện quý: chỉ tiêu thời điểm không có số riêng của quý"),
]


@pytest.mark.parametrize("case, data, cell, message", CELL_ERRORS, ids=[c[0] for c in CELL_ERRORS])
def test_cell_errors(ret_db, tmp_path, capsys, case, data, cell, message):
    unit = "Huyện Tuần Giáo (mã 099)"
    code, s = _load(tmp_path, capsys, data, unit=unit)
    assert code == 1 and not s["ok"]
    where = f"'Biểu 01'!{cell}"
    assert any(w == where and message in m for w, m in _issues(s, "error")), _issues(s, "error")
    with connect(ret_db) as con:
        assert scalar(con, "SELECT count(*) FROM observations") == 0
        assert scalar(con, "SELECT count(*) FROM uploads") == 0


def test_error_text_for_people(ret_db, tmp_path, capsys):
    wb = workbook(header_rows() + [STD_HEADER, jobs(q="abc")])
    assert main(["load", str(save(wb, tmp_path / "r.xlsx"))]) == 1
    out = capsys.readouterr().out
    assert ("Lỗi tại 'Biểu 01'!F6: Số lao động được tạo việc làm mới (new_jobs), cột Thực hiện quý: "
            "giá trị 'abc' không phải là số") in out
    assert "Tệp có lỗi nên không ghi giá trị nào" in out


CELL_WARNINGS = [
    ("year below year to date", [jobs(ytd=2300, year=2000)], "H6",
     f"{J} Ước cả năm: ước cả năm (2.000) nhỏ hơn lũy kế từ đầu năm (2.300)"),
    ("remark inside the cell", [jobs(ytd="2.300 (ước)")], "G6",
     f"{J} Lũy kế từ đầu năm: đã tách phần chú thích '(ước)' khỏi số, ghi vào ghi chú; giá trị đọc được: 2.300"),
    ("indicator not on the unit's form", [[1, "grdp_per_capita", "GRDP bình quân đầu người", "triệu đồng", None,
                                           None, 30, 60, None]], "C6",
     "chỉ tiêu 'GRDP bình quân đầu người' (grdp_per_capita) không có trong biểu của đơn vị theo kế hoạch"),
    ("unknown code, known name", [[1, "viec_lam", JOBS, "lao động", None, 5, 5, None, None]], "B6",
     f"mã 'viec_lam' không có trong danh mục; nhận theo tên chỉ tiêu '{JOBS}' (mã new_jobs)"),
]


@pytest.mark.parametrize("case, data, cell, message", CELL_WARNINGS, ids=[c[0] for c in CELL_WARNINGS])
def test_cell_warnings_do_not_block(ret_db, tmp_path, capsys, case, data, cell, message):
    code, s = _load(tmp_path, capsys, data)
    assert code == 0 and s["ok"] and s["written"] >= 1
    assert (f"'Biểu 01'!{cell}", message) in [(w, m[:len(message)]) for w, m in _issues(s, "warning")], \
        _issues(s, "warning")


def test_first_quarter_year_to_date_equals_the_quarter(ret_db, tmp_path, capsys):
    code, s = _load(tmp_path, capsys, [jobs(q=1000, ytd=1100)], period="Quý I/2025")
    assert code == 0
    assert _issues(s, "warning") == [("'Biểu 01'!G6", f"{J} Lũy kế từ đầu năm: quý I nên có lũy kế từ đầu năm "
                                                     "(1.100) bằng số thực hiện quý (1.000)")]


HEADER_ERRORS = [
    ("unit outside the plan", dict(unit="Lai Châu (mã 12)"), [], "C2",
     "không báo cáo Quý II/2025 cho kế hoạch nào đang theo dõi"),
    ("unit outside the chosen plan", dict(unit="Lai Châu (mã 12)"), ["--plan", "ret_2021_2025"], "C2",
     "đơn vị 12 (Lai Châu) không thuộc phạm vi của kế hoạch 'Thử nghiệm biểu' (phạm vi: Điện Biên, mã 11)"),
    ("district after the merger", dict(period="Quý III/2025"), ["--plan", "ret_2021_2025"], "C2",
     "đơn vị 099 (Huyện Tuần Giáo) đã hết hiệu lực từ 01/07/2025, không thể có số liệu Quý III/2025"),
    ("period outside the plan", dict(unit="Điện Biên (mã 11)", period="Quý I/2026"), ["--plan", "ret_2021_2025"],
     "C2", "Quý I/2026 nằm ngoài thời gian của kế hoạch 'Thử nghiệm biểu' (2021–2025)"),
    ("unit differs from the uploader's choice", {}, ["--unit", "100"], "C2",
     "đơn vị ghi trong biểu là Huyện Tuần Giáo (mã 099), khác với đơn vị đã chọn khi nạp (Huyện Điện Biên, mã 100)"),
    ("period differs from the uploader's choice", {}, ["--period", "2025Q1"], "C3",
     "kỳ báo cáo ghi trong biểu là Quý II/2025, khác với kỳ đã chọn khi nạp (Quý I/2025)"),
    ("unit name that fits several units", dict(unit="Huyện Châu Thành"), [], "C2",
     "tên đơn vị 'Huyện Châu Thành' khớp nhiều đơn vị"),
    ("unit name unknown", dict(unit="Phòng Lao động"), [], "C2", "không nhận ra đơn vị 'Phòng Lao động'"),
]


@pytest.mark.parametrize("case, header, args, cell, message", HEADER_ERRORS, ids=[c[0] for c in HEADER_ERRORS])
def test_header_errors(ret_db, tmp_path, capsys, case, header, args, cell, message):
    code, s = _load(tmp_path, capsys, [jobs(q=5, ytd=5)], *args, **header)
    assert code == 1
    assert any(w == f"'Biểu 01'!{cell}" and message in m for w, m in _issues(s, "error")), _issues(s, "error")


def _history(tmp_path, body):
    f = tmp_path / "hist.csv"
    f.write_text("indicator,unit,period,value,status\n" + body, encoding="utf-8")
    assert main(["load", str(f)]) == 0


def test_year_to_date_lower_than_last_quarter(ret_db, tmp_path, capsys):
    _history(tmp_path, "new_jobs,099,2025Q1-YTD,3000,preliminary\n")
    capsys.readouterr()
    code, s = _load(tmp_path, capsys, [jobs(q=800, ytd=2300)])
    assert code == 1
    assert _issues(s, "error") == [("'Biểu 01'!G6", f"{J} Lũy kế từ đầu năm: lũy kế từ đầu năm (2.300) thấp hơn lũy "
                                                   "kế đã báo cáo đến quý trước (3.000, Lũy kế 3 tháng năm 2025): "
                                                   "số cộng dồn từ đầu năm không thể giảm")]


def test_outlier_warning_gives_the_range_expected(ret_db, tmp_path, capsys):
    _history(tmp_path, "new_jobs,099,2022Q2-YTD,2000,official\nnew_jobs,099,2023Q2-YTD,2200,official\n"
                       "new_jobs,099,2024Q2-YTD,2100,official\nnew_jobs,099,2024Q1-YTD,900,official\n")
    capsys.readouterr()
    code, s = _load(tmp_path, capsys, [jobs(ytd=23000)])
    assert code == 0 and s["new"] == 1   # a warning, not an error
    assert _issues(s, "warning") == [(
        "'Biểu 01'!G6", f"{J} Lũy kế từ đầu năm: giá trị 23.000 khác xa số liệu trước đây của đơn vị: dự kiến trong "
                        "khoảng 1.470 – 2.730 (trung vị 3 kỳ trước ± 3 độ lệch). Kiểm tra lại số và đơn vị tính "
                        "(lao động).")]


def test_outlier_with_a_single_earlier_value(ret_db, tmp_path, capsys):
    _history(tmp_path, "poverty_rate,099,2024,30,official\n")
    capsys.readouterr()
    code, s = _load(tmp_path, capsys, [poor(year=3)])
    assert code == 0
    assert [m for _, m in _issues(s, "warning")] == [
        f"{P} Ước cả năm: giá trị 3 khác xa số liệu trước đây của đơn vị: dự kiến trong khoảng 10,0 – 90,0 "
        "(từ 1/3 đến 3 lần số kỳ trước). Kiểm tra lại số và đơn vị tính (%)."]


def test_too_many_rows(ret_db, tmp_path, capsys):
    data = [jobs(q=1)] + [[None, None, f"Dòng {i}", None, None, None, None, None, "x"] for i in range(2500)]
    code, s = _load(tmp_path, capsys, data)
    assert code == 1
    assert _issues(s, "error") == [("'Biểu 01'", "bảng có 2501 dòng, vượt giới hạn 2.500 dòng của một biểu báo cáo")]


def test_no_table_found(ret_db, tmp_path, capsys):
    path = save(workbook([["Kính gửi: Sở Nội vụ"], ["Báo cáo xem tệp đính kèm"]]), tmp_path / "letter.xlsx")
    assert main(["load", str(path)]) == 1
    assert "không tìm thấy bảng số liệu của biểu báo cáo" in capsys.readouterr().out
