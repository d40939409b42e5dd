"""The long bulk format: CSV and XLSX written, read back, validated cell by cell."""

import json

import openpyxl
import pytest

from etl.cli import main
from kpi.store import connect, scalar

HEADER = "indicator,unit,period,value,status,source\n"


def _csv(tmp_path, body, header=HEADER, name="data.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _xlsx(tmp_path, rows, name="data.xlsx", sheet="Số liệu"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_load_csv_vietnamese_numbers_and_statuses(mini_db, tmp_path, capsys):
    f = _csv(tmp_path, '\n'.join([
        'grdp_growth,11,2021,"6,5",chính thức,NGTK 2021',
        'grdp_growth,11,2022,7.2,ước,',
        'new_jobs,11,2024Q2-YTD,"4.512",sơ bộ,',
        'population,11,2023,"623.500",,',
        ',,,,,',
    ]) + "\n")
    code, out, _ = _run(capsys, "load", str(f), "--json")
    s = json.loads(out)
    assert code == 0 and s["ok"] and (s["rows_read"], s["new"], s["ignored"]) == (4, 4, 1)
    with connect(mini_db) as con:
        rows = con.execute("SELECT indicator, period, value, status, source FROM current_observations ORDER BY 1, 2").fetchall()
    assert rows == [
        ("grdp_growth", "2021", 6.5, "official", "NGTK 2021"),
        ("grdp_growth", "2022", 7.2, "estimate", ""),
        ("new_jobs", "2024Q2-YTD", 4512.0, "preliminary", ""),
        ("population", "2023", 623500.0, "official", ""),
    ]


@pytest.mark.parametrize("line, where, message", [
    ("grdp_growth,11,2021,abc,,", "dòng 3, cột 4 (value)", "giá trị 'abc' không phải là số"),
    ("grdp,11,2021,1,,", "dòng 3, cột 1 (indicator)", "chỉ số 'grdp' không có trong danh mục"),
    ("grdp_growth,99X,2021,1,,", "dòng 3, cột 2 (unit)", "đơn vị '99X' không có"),
    ("grdp_growth,11,2021Q5,1,,", "dòng 3, cột 3 (period)", "Kỳ báo cáo không hợp lệ: '2021Q5'"),
    ("grdp_growth,11,2021,,,", "dòng 3, cột 4 (value)", "thiếu giá trị (ô trống không được hiểu là 0)"),
    ("poverty_rate,11,2021,120,,", "dòng 3, cột 4 (value)", "tỷ lệ 120% lớn hơn 100%"),
    ("population,11,2021,-5,,", "dòng 3, cột 4 (value)", "giá trị âm"),
    ("grdp_growth,11,2021,1,draft,", "dòng 3, cột 5 (status)", "trạng thái 'draft' không hợp lệ"),
    ("new_jobs,099,2025Q3,10,,", "dòng 3, cột 2 (unit)", "đơn vị 099 (Huyện Tuần Giáo) đã hết hiệu lực từ 01/07/2025"),
])
def test_bad_rows_are_named_and_nothing_is_written(mini_db, tmp_path, capsys, line, where, message):
    f = _csv(tmp_path, "grdp_growth,11,2020,2.5,,\n" + line + "\ngrdp_growth,11,2019,2.5,,\n")
    code, out, _ = _run(capsys, "load", str(f))
    assert code == 1
    assert f"Lỗi tại {where}: {message}" in out
    assert "không ghi giá trị nào" in out
    with connect(mini_db) as con:
        assert scalar(con, "SELECT count(*) FROM observations") == 0
        assert scalar(con, "SELECT count(*) FROM uploads") == 0


def test_duplicate_rows(mini_db, tmp_path, capsys):
    f = _csv(tmp_path, "grdp_growth,11,2021,1,,\ngrdp_growth,11,2021,2,,\n")
    code, out, _ = _run(capsys, "load", str(f))
    assert code == 1 and "Lỗi tại dòng 3: trùng với dòng 2" in out


def test_missing_column(mini_db, tmp_path, capsys):
    f = _csv(tmp_path, "grdp_growth,11,1\n", header="indicator,unit,value\n")
    code, out, _ = _run(capsys, "load", str(f))
    assert code == 1 and "Thiếu cột bắt buộc: period" in out


def test_dry_run_writes_nothing(mini_db, tmp_path, capsys):
    f = _csv(tmp_path, "grdp_growth,11,2021,6.5,,\n")
    code, out, _ = _run(capsys, "load", str(f), "--dry-run", "--json")
    s = json.loads(out)
    assert code == 0 and s["dry_run"] and s["new"] == 1 and s["written"] == 0
    with connect(mini_db) as con:
        assert scalar(con, "SELECT count(*) FROM observations") == 0


def test_xlsx_with_vietnamese_headers_names_the_cell(mini_db, tmp_path, capsys):
    good = _xlsx(tmp_path, [["Chỉ số", "Đơn vị", "Kỳ", "Giá trị", "Trạng thái"],
                            ["grdp_growth", "11", "2021", 6.5, "Chính thức"],
                            ["new_jobs", "11", 2022, "9.120", None]])
    code, out, _ = _run(capsys, "load", str(good), "--json")
    assert code == 0 and json.loads(out)["new"] == 2
    bad = _xlsx(tmp_path, [["Chỉ số", "Đơn vị", "Kỳ", "Giá trị"], ["grdp_growth", "11", "2023", "7,2 %"]], name="bad.xlsx")
    code, out, _ = _run(capsys, "load", str(bad))
    assert code == 1 and "Lỗi tại 'Số liệu'!D2: giá trị '7,2 %' không phải là số" in out


def test_wrong_file_type(mini_db, tmp_path, capsys):
    f = tmp_path / "data.xls"
    f.write_bytes(b"\xd0\xcf\x11\xe0")
    code, out, _ = _run(capsys, "load", str(f))
    assert code == 1 and "Định dạng tệp không hỗ trợ" in out


def test_missing_file_is_usage_error(mini_db, tmp_path, capsys):
    code, _, err = _run(capsys, "load", str(tmp_path / "nope.csv"))
    assert code == 2 and "Không tìm thấy tệp" in err
