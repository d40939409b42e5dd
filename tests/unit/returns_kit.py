"""Helpers for the quarterly-return tests: a catalogue with more units of measure, and real workbooks.

Every workbook is written by openpyxl, as a person's Excel would leave it
(formulas get their cached values written into the XML, since openpyxl does
not compute them).
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path

import openpyxl

# tests/conftest.py holds the small catalogue; load it by path (the repository root has a conftest.py too).
_spec = importlib.util.spec_from_file_location("_tests_conftest", Path(__file__).resolve().parent.parent / "conftest.py")
_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
MINI_INDICATORS, write_catalog = _conftest.MINI_INDICATORS, _conftest.write_catalog

PLAN = "ret_2021_2025"

RETURN_INDICATORS = MINI_INDICATORS + """
  budget_revenue:
    name: Thu ngân sách nhà nước trên địa bàn
    unit: tỷ đồng
    direction: up
    temporal: flow
    area: Kinh tế
    aggregation: sum
    decimals: 0
    min: 0
  grdp_per_capita:
    name: GRDP bình quân đầu người
    unit: triệu đồng
    direction: up
    temporal: flow
    area: Kinh tế
    decimals: 1
    min: 0
  tourists:
    name: Số lượt khách du lịch
    unit: nghìn lượt
    direction: up
    temporal: flow
    area: Kinh tế
    aggregation: sum
    decimals: 0
    min: 0
  forest_cover:
    name: Tỷ lệ che phủ rừng
    unit: "%"
    direction: up
    temporal: stock
    area: Hạ tầng - Môi trường
    aggregation: mean
    decimals: 1
    min: 0
    max: 100
"""

RETURN_PLAN = """
plan:
  id: ret_2021_2025
  title: Kế hoạch phát triển kinh tế - xã hội giai đoạn 2021-2025 (thử nghiệm biểu báo cáo)
  short_title: Thử nghiệm biểu
  doc_number: 383/KH-UBND
  doc_date: 2021-02-09
  issuer: UBND tỉnh Điện Biên
  scope_unit: "11"
  period: [2021, 2025]
  source: 002_fd90cf8112a35a61.txt
targets:
  - {id: grdp, indicator: grdp_growth, kind: avg_growth, cmp: ">=", value: 7.16, quote: "GRDP bình quân 7,16%/năm"}
  - {id: poverty, indicator: poverty_rate, kind: level_max, cmp: "<", value: 16, quote: "dưới 16% năm 2025"}
  - {id: jobs, indicator: new_jobs, kind: yearly, cmp: ">=", value: 9000, quote: "9.000 lao động/năm"}
  - {id: budget, indicator: budget_revenue, kind: level_min, cmp: ">=", value: 2000, quote: "2.000 tỷ đồng"}
  - {id: gpc, indicator: grdp_per_capita, kind: level_min, cmp: ">", value: 52, quote: "trên 52 triệu đồng"}
  - {id: tourists, indicator: tourists, kind: level_min, cmp: ">=", value: 1300, quote: "1.300 nghìn lượt"}
  - {id: forest, indicator: forest_cover, kind: level_min, cmp: ">=", value: 45.5, quote: "45,5%"}
"""

# Rows a sub-unit (district) reports: aggregation other than none.
DISTRICT_CODES = ["poverty_rate", "population", "new_jobs", "budget_revenue", "tourists", "forest_cover"]


def write_return_catalog(directory: Path) -> Path:
    return write_catalog(directory, indicators=RETURN_INDICATORS, plans={PLAN: RETURN_PLAN})


# --- reading and filling workbooks ----------------------------------------------------

def find_row(ws, code: str, col: int = 2) -> int:
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, col).value == code:
            return r
    raise KeyError(code)


TEMPLATE_COLS = {"plan": 5, "quarter": 6, "ytd": 7, "year": 8, "note": 9}


def fill_template(path: Path, values: dict[str, dict], out: Path | None = None, preparer: str | None = None) -> Path:
    """Type values into a template: ``{code: {"quarter": 1, "ytd": 2, "year": 3, "note": "…"}}``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu 01"]
    for code, cells in values.items():
        r = find_row(ws, code)
        for f, v in cells.items():
            ws.cell(r, TEMPLATE_COLS[f], v)
    if preparer is not None:
        ws["C6"] = preparer
    out = out or path
    wb.save(out)
    return out


def workbook(rows: list[list], *, sheet: str = "Biểu 01", merges: tuple[str, ...] = (), extra_sheets=(),
             number_formats: dict[str, str] | None = None) -> openpyxl.Workbook:
    """A workbook with ``rows`` from A1 (None: an empty cell) and the given merged ranges."""
    wb = openpyxl.Workbook()
    first = wb.active
    for name, content in extra_sheets:
        ws = wb.create_sheet(name, 0)
        for r in content:
            ws.append(r)
    ws = first
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for rng in merges:
        ws.merge_cells(rng)
    for ref, fmt in (number_formats or {}).items():
        ws[ref].number_format = fmt
    return wb


def save(wb: openpyxl.Workbook, path: Path, cached: dict[str, object] | None = None) -> Path:
    """Save; ``cached``: {"F12": 42} writes a cached value after the formula in that cell (as Excel does)."""
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if cached:
        data = with_cached_values(data, wb.active.title, cached, wb.sheetnames.index(wb.active.title) + 1)
    path.write_bytes(data)
    return path


def with_cached_values(data: bytes, sheet: str, cached: dict[str, object], index: int) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    part = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                xml = body.decode("utf-8")
                for ref, value in cached.items():
                    pat = re.compile(rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)(<v\s*/>|<v></v>)?')
                    xml, n = pat.subn(lambda m: f"{m.group(1)}{m.group(2)}<v>{value}</v>", xml)
                    assert n == 1, (ref, xml[:500])
                body = xml.encode("utf-8")
            z.writestr(info, body)
    return out.getvalue()


def header_rows(unit="Huyện Tuần Giáo (mã 099)", period="Quý II/2025", plan=None, preparer="Lò Văn A",
                width=9) -> list[list]:
    rows = [["BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"] + [None] * (width - 1)]
    rows.append(["Đơn vị báo cáo:", None, unit])
    rows.append(["Kỳ báo cáo:", None, period])
    if plan:
        rows.append(["Kế hoạch:", None, plan])
    rows.append(["Người lập biểu:", None, preparer])
    return rows


STD_HEADER = ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm", "Thực hiện quý", "Lũy kế từ đầu năm",
              "Ước cả năm", "Ghi chú"]
