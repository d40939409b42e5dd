"""Tables to .xlsx, read back with openpyxl: headers, number formats, status colours, frozen header, no formulas."""

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from kpi import exports
from kpi.exports import excel
from kpi.progress import MILESTONE_STATUSES, STATUSES


@pytest.fixture(scope="module")
def data(demo_db):
    return exports.report_data(demo_db, "dienbien_2021_2025", "2025Q2")


@pytest.fixture(scope="module")
def book(data):
    return load_workbook(io.BytesIO(exports.scorecard_xlsx(data)))


def _rgb(colour) -> str:
    return (colour.rgb or "")[-6:].upper()


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_scorecard_headers_rows_and_layout(book, data):
    assert book.sheetnames == ["Chỉ tiêu", "Mốc thời hạn", "Thông tin"]
    ws = book["Chỉ tiêu"]
    assert [c.value for c in ws[1]] == excel.SCORECARD_COLUMNS
    assert ws.max_row >= len(data.rows) + 1 and len(data.rows) == 77
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:Q{len(data.rows) + 1}"
    prov = _column(ws, "Tạm tính")
    assert [ws.cell(row=i, column=prov).value == "có" for i in range(2, len(data.rows) + 2)] == \
        [r.assessment.provisional for r in data.rows]
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["C"].width == 40 and ws.column_dimensions["M"].width == 60
    assert ws.print_title_rows == "$1:$1"
    ids = [ws.cell(row=i, column=_column(ws, "Mã chỉ tiêu")).value for i in range(2, len(data.rows) + 2)]
    assert ids == [r.target.id for r in data.rows]
    assert ws.cell(row=len(data.rows) + 3, column=1).value == data.source


def test_scorecard_numbers_are_numbers_with_formats(book, data):
    ws = book["Chỉ tiêu"]
    value, ratio, pace = (_column(ws, h) for h in ("Thực hiện", "Tiến độ so với yêu cầu (R)", "Cần đạt mỗi năm còn lại"))
    for i, r in enumerate(data.rows, start=2):
        a = r.assessment
        cell = ws.cell(row=i, column=value)
        if a.latest_value is None:
            assert cell.value is None
        else:
            assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(a.latest_value)
            assert cell.number_format == excel.number_format(r.latest_decimals)
        if a.ratio is not None:
            assert ws.cell(row=i, column=ratio).number_format == "0.00"
        if a.pace_needed is not None:
            assert ws.cell(row=i, column=pace).value == pytest.approx(a.pace_needed)
    poverty = next(i for i, r in enumerate(data.rows, start=2) if r.target.id == "poor_household_rate_2025")
    assert ws.cell(row=poverty, column=_column(ws, "Đơn vị tính")).value == "%"
    assert ws.cell(row=poverty, column=value).number_format == "#,##0.00"
    growth = next(i for i, r in enumerate(data.rows, start=2) if r.target.id == "grdp_growth_avg")
    assert ws.cell(row=growth, column=_column(ws, "Đơn vị tính")).value == "%/năm"


def test_status_cells_carry_the_status_colours(book, data):
    ws = book["Chỉ tiêu"]
    col = _column(ws, "Trạng thái")
    seen = set()
    for i, r in enumerate(data.rows, start=2):
        c = ws.cell(row=i, column=col)
        meta = STATUSES[r.status]
        assert c.value == f"{meta['symbol']} {meta['label']}"
        assert c.fill.fill_type == "solid" and _rgb(c.fill.fgColor) == meta["color"].lstrip("#").upper()
        assert _rgb(c.font.color) == meta["text_color"].lstrip("#").upper()
        seen.add(r.status)
    # as of Quý II/2025 every 2025 figure of the demo is an estimate or part of a year: nothing is "achieved" yet
    # (issue 10), so the achieved colour is checked on the statuses table instead
    assert {"on_track", "at_risk", "off_track"} <= seen and "achieved" not in seen


def test_milestone_sheet_has_dates_and_colours(book, data):
    ws = book["Mốc thời hạn"]
    assert [c.value for c in ws[1]] == ["STT", "Mốc", "Hạn", "Chịu trách nhiệm", "Trạng thái", "Nhận định"]
    assert ws.max_row >= len(data.milestones) + 1
    deadline = ws.cell(row=2, column=3)
    assert isinstance(deadline.value, dt.datetime) and deadline.number_format == "dd/mm/yyyy"
    status = ws.cell(row=2, column=5)
    meta = MILESTONE_STATUSES[data.milestones[0].assessment.status]
    assert status.value.endswith(meta["label"]) and _rgb(status.fill.fgColor) == meta["color"].lstrip("#").upper()


def test_info_sheet_says_what_the_file_is(book, data):
    info = {r[0].value: r[1].value for r in book["Thông tin"].iter_rows()}
    assert info["Số liệu đến"] == "Quý II/2025" and info["Văn bản"].startswith("Số 383/KH-UBND")
    assert "1.234,56" in info["Định dạng số"]


# --- formula injection ----------------------------------------------------------------

DANGEROUS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
             "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def injected():
    df = pd.DataFrame({"Ghi chú": DANGEROUS + ["bình thường", "Đã đạt"],
                       "Giá trị": [-5.5, 1234.5, 0.0, -1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                       "Số lượng": list(range(10))})
    return excel.table_xlsx({"Bảng: thử/1": df}, source="Nguồn: thử")


def test_formula_like_text_is_written_as_text(injected):
    wb = load_workbook(io.BytesIO(injected))
    ws = wb.worksheets[0]
    assert ws.title == "Bảng  thử 1"
    for i, text in enumerate(DANGEROUS, start=2):
        c = ws.cell(row=i, column=1)
        assert c.value == text and c.data_type == "s", text
        assert c.quotePrefix, text
    assert ws.cell(row=len(DANGEROUS) + 2, column=1).quotePrefix is False
    assert ws.cell(row=2, column=2).value == -5.5 and ws.cell(row=2, column=2).data_type == "n"
    assert ws.cell(row=2, column=2).number_format == "#,##0.00"
    assert ws.cell(row=2, column=3).number_format == "#,##0"
    assert ws.freeze_panes == "A2"


def test_no_formula_element_in_the_sheet_xml(injected):
    with zipfile.ZipFile(io.BytesIO(injected)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            xml = z.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml
        assert "calcChain" not in " ".join(z.namelist())


def test_a_formula_is_what_plain_openpyxl_would_have_written():
    # why the guard exists: openpyxl takes any str beginning with "=" for a formula
    ws = Workbook().active
    ws["A1"] = "=1+1"
    assert ws["A1"].data_type == "f"
    excel.put(ws["A2"], "=1+1")
    assert ws["A2"].data_type == "s"


@pytest.mark.parametrize("value, stored, data_type", [
    ("=1+1", "=1+1", "s"),
    ("+84 912", "+84 912", "s"),
    ("-", "-", "s"),
    ("–", "–", "s"),               # the en dash that fmt writes for "no value" is plain text
    (12, 12, "n"),
    (-3.25, -3.25, "n"),
    (float("nan"), None, "n"),
    (None, None, "n"),
    (pd.NA, None, "n"),
    (True, True, "b"),
    (dt.date(2025, 6, 30), dt.datetime(2025, 6, 30), "d"),
])
def test_put(value, stored, data_type):
    wb = Workbook()
    excel.put(wb.active["A1"], value)
    buf = io.BytesIO()
    wb.save(buf)
    c = load_workbook(buf).active["A1"]
    assert c.value == stored and c.data_type == data_type


@pytest.mark.parametrize("decimals, fmt", [(0, "#,##0"), (1, "#,##0.0"), (2, "#,##0.00")])
def test_number_format(decimals, fmt):
    assert excel.number_format(decimals) == fmt
