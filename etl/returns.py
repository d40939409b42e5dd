"""The quarterly return ("báo cáo quý"): the template a unit fills, and the reader that takes it back.

A return is one sheet: a header block (unit, quarter, plan, preparer, date),
then one row per indicator with the columns of Vietnamese report forms. The
template (:func:`write_template`) is what we send; the reader
(:func:`read_return`) takes that back, and also the files people really make
of it: header rows moved, merged header cells, spacer and total rows, the
sheet renamed, columns reordered or missing, numbers typed as text.

How a row becomes observations (``2025Q2`` is the quarter of the return):

| column | period stored | status | which indicators |
|---|---|---|---|
| Thực hiện quý | ``2025Q2`` (the quarter alone) | sơ bộ (preliminary) | flows; rates when given (the quarter against the same quarter a year before) |
| Lũy kế từ đầu năm | ``2025Q2-YTD`` | sơ bộ (preliminary) | all: for a stock the level at the end of the quarter, for a rate the rate so far |
| Ước cả năm | ``2025`` | ước (estimate) | all |
| Kế hoạch năm, Ghi chú | not observations: Ghi chú is kept as the values' note; the plan's figure is compared with the catalogue's target (a warning when they differ) | | |

A stock or a rate has no figure of the quarter alone in the template, so it
greys that cell. A stock's level typed there anyway is taken as the
year-to-date level (with a warning) when that cell is empty. A rate's figure
there (other forms have it: GRDP growth of the quarter, as the statistics
office publishes it) is stored as the quarter alone; the method judges yearly
targets on year-to-date figures and leaves it aside.

Indicators are matched by code, by their catalogue name, by a remembered
name (``etl.names``), else by similarity, with a warning naming the indicator
chosen; several close candidates are an error listing the best three.

Which indicators a unit reports for a plan: the plan's scope unit every
indicator of the plan's targets; a unit under it (a former district, a
commune) those that add up (``aggregation`` other than ``none``).

>>> from kpi.periods import Period
>>> period_for("ytd", Period(2025, 2)), period_for("year", Period(2025, 2))
(Period(year=2025, quarter=2, ytd=True), Period(year=2025, quarter=None, ytd=False))
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import duckdb
from openpyxl.utils import get_column_letter

from etl import excel
from etl.excel import FileRefused, blank, cell_ref, label_key
from etl.validate import (Checked, Row, check_outlier, check_unit_period, check_value, check_ytd_not_lower,
                          old_boundary_note)
from kpi.catalog import AREAS, Catalog, Indicator, Plan
from kpi.fmt import fmt_number, fmt_value
from kpi.periods import Period, PeriodError
from kpi.store import STATUS_LABELS, sql_in

SHEET = "Biểu 01"
INSTRUCTIONS_SHEET = "Hướng dẫn"
MAX_ROWS = 2500   # non-blank rows under the header: 2.000 indicators with their headings, totals, signatures

# Column map: standard field → header texts seen in the wild (folded by
# excel.label_key). Columns whose header contains an IGNORE text are skipped.
COLUMNS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt", "so tt", "so thu tu"),
    "code": ("ma", "ma chi tieu", "ma so", "ma chi so", "code"),
    "name": ("chi tieu", "ten chi tieu", "noi dung", "noi dung chi tieu", "ten chi so", "chi tieu chu yeu"),
    "unit": ("don vi tinh", "dvt", "don vi"),
    "plan": ("ke hoach nam", "ke hoach", "kh nam", "kh", "chi tieu ke hoach"),
    "quarter": ("thuc hien quy", "th quy", "quy", "thuc hien trong quy", "ket qua thuc hien quy",
                "thuc hien ky bao cao"),
    "ytd": ("luy ke tu dau nam", "luy ke", "luy ke den cuoi quy", "luy ke thuc hien", "thuc hien luy ke",
            "cong don tu dau nam"),
    "year": ("uoc ca nam", "uoc thuc hien ca nam", "uoc thuc hien nam", "uoc nam", "uoc th ca nam",
             "du kien ca nam", "uoc tinh ca nam"),
    "note": ("ghi chu",),
}
IGNORE = ("so voi", "so sanh", "tham khao", "gan nhat", "ty le hoan thanh", "ty le dat")
VALUE_FIELDS = ("quarter", "ytd", "year")
HEADERS = {"stt": "STT", "code": "Mã", "name": "Chỉ tiêu", "unit": "Đơn vị tính", "plan": "Kế hoạch năm",
           "quarter": "Thực hiện quý", "ytd": "Lũy kế từ đầu năm", "year": "Ước cả năm", "note": "Ghi chú",
           "last": "Số liệu gần nhất (tham khảo)"}
TEMPLATE_COLUMNS = ("stt", "code", "name", "unit", "plan", "quarter", "ytd", "year", "note", "last")
WIDTHS = {"stt": 6, "code": 24, "name": 52, "unit": 14, "plan": 14, "quarter": 15, "ytd": 17, "year": 15,
          "note": 26, "last": 34}

# The header block: a label (at the start of a cell) and its value (after ':'
# in the same cell, or in the next cell to the right).
# Labels shorter than 8 letters must match the whole label ("Đơn vị:" but not
# "Đơn vị tính:"); longer ones may start it ("Đơn vị báo cáo (ghi rõ tên):").
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "unit": ("don vi bao cao", "ten don vi", "co quan bao cao", "don vi"),
    "period": ("ky bao cao", "quy bao cao", "thoi gian bao cao", "ky"),
    "plan": ("ke hoach", "theo ke hoach", "can cu ke hoach"),
    "preparer": ("nguoi lap bieu", "nguoi lap", "can bo lap bieu", "nguoi bao cao"),
    "date": ("ngay lap", "ngay bao cao", "ngay lap bieu", "ngay"),
}
TOTAL_WORDS = ("tong cong", "tong so", "tong", "cong", "cong chung")
LEVEL_WORDS = ("thanh pho", "thi xa", "thi tran", "huyen", "quan", "phuong", "xa", "tinh")

QUARTER_STATUS = "preliminary"   # Thực hiện quý, Lũy kế: the unit's own figures for a quarter just ended
YEAR_STATUS = "estimate"         # Ước cả năm

_STYLE = {"font": "Times New Roman", "grey": "D9D9D9", "input": "FFF9E5", "head": "DDEBF7"}


def applicable(ind: Indicator) -> tuple[str, ...]:
    """Value columns the template asks for: a flow has a quarter alone, a stock or a rate does not.

    A rate's figure for the quarter alone (the quarter against the same quarter a year before, as the
    statistics office publishes GRDP growth) is still read and stored as such (``2025Q2``); the method
    keeps judging yearly targets on year-to-date figures.
    """
    return VALUE_FIELDS if ind.temporal == "flow" else ("ytd", "year")


def period_for(fld: str, quarter: Period) -> Period:
    """The period a value column stands for, in the return of ``quarter``."""
    if fld == "quarter":
        return Period(quarter.year, quarter.quarter)
    if fld == "ytd":
        return Period(quarter.year, quarter.quarter, True)
    return Period(quarter.year)


# --- which units, which indicators -------------------------------------------


def in_scope(unit: dict, scope: str, units: dict[str, dict]) -> bool:
    """The unit is the scope unit or lies under it."""
    seen = 0
    u: dict | None = unit
    while u is not None and seen < 8:
        if u["code"] == scope:
            return True
        u = units.get(u.get("parent") or "")
        seen += 1
    return False


def unit_problem(plan: Plan, unit: dict, period: Period, units: dict[str, dict]) -> str | None:
    """Why ``unit`` cannot send a return of ``period`` for ``plan`` (None: it can)."""
    if not in_scope(unit, plan.scope_unit, units):
        scope = units.get(plan.scope_unit, {}).get("name", plan.scope_unit)
        return (f"đơn vị {unit['code']} ({unit['name']}) không thuộc phạm vi của kế hoạch '{plan.short_title}' "
                f"(phạm vi: {scope}, mã {plan.scope_unit})")
    if not plan.start <= period.year <= plan.end:
        return (f"{period.label()} nằm ngoài thời gian của kế hoạch '{plan.short_title}' "
                f"({plan.start}–{plan.end})")
    return check_unit_period(unit, period)


def reporting_indicators(cat: Catalog, plan: Plan, unit: dict) -> list[Indicator]:
    """The indicators ``unit`` reports for ``plan``, by area then plan order."""
    codes: list[str] = []
    for t in plan.targets:
        if t.indicator not in codes:
            codes.append(t.indicator)
    inds = [cat.indicators[c] for c in codes if c in cat.indicators]
    if unit["code"] != plan.scope_unit:
        inds = [i for i in inds if i.aggregation != "none"]
    order = {a: n for n, a in enumerate(AREAS)}
    return sorted(inds, key=lambda i: order.get(i.area, len(order)))


def plans_for(cat: Catalog, unit: dict, period: Period, units: dict[str, dict]) -> list[Plan]:
    return [p for p in cat.plans.values() if p.targets and unit_problem(p, unit, period, units) is None]


# --- the template --------------------------------------------------------------


def plan_figure(plan: Plan, indicator: str, year: int):
    """The plan's figure for ``year`` to print in 'Kế hoạch năm' (a number, a range as text, or None)."""
    for t in plan.targets:
        if t.indicator != indicator:
            continue
        if t.kind in ("yearly", "step") and t.start <= year <= t.end and t.value is not None:
            return t.value
        if t.kind == "range" and t.start <= year <= t.end:
            return f"{fmt_number(t.low, None)}–{fmt_number(t.high, None)}"
        if t.kind in ("level_min", "level_max", "count", "share") and t.end == year and t.value is not None:
            return t.value
    return None


def last_known(con: duckdb.DuckDBPyConnection, unit: str, indicators: list[str],
               period: Period) -> dict[str, tuple[Period, float, str]]:
    """For each indicator, the latest current value of ``unit`` up to the end of ``period``."""
    out: dict[str, tuple[Period, float, str]] = {}
    marks, codes = sql_in(indicators)
    rows = con.execute(f"SELECT indicator, period, value, status FROM current_observations "
                       f"WHERE unit = ? AND indicator IN ({marks})", [unit] + codes).fetchall()
    for ind, p, v, s in rows:
        per = Period.parse(p)
        if per.end_date() > period.end_date():
            continue
        if ind not in out or per.sort_key() > out[ind][0].sort_key():
            out[ind] = (per, v, s)
    return out


def template_name(plan_id: str, unit_code: str, period: Period) -> str:
    """``bao-cao_dienbien_2021_2025_099_2025Q2.xlsx``"""
    return f"bao-cao_{plan_id}_{unit_code}_{period}.xlsx"


def write_template(out, cat: Catalog, plan: Plan, unit: dict, period: Period,
                   known: dict[str, tuple[Period, float, str]] | None = None) -> int:
    """Write the return form of ``unit`` for ``period`` to ``out`` (a path or a binary file). Returns its rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.datavalidation import DataValidation

    known = known or {}
    inds = reporting_indicators(cat, plan, unit)
    font = _STYLE["font"]
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor=_STYLE["grey"])
    inp = PatternFill("solid", fgColor=_STYLE["input"])
    head = PatternFill("solid", fgColor=_STYLE["head"])
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="center")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last_col = len(TEMPLATE_COLUMNS)
    L = get_column_letter(last_col)
    col = {f: i + 1 for i, f in enumerate(TEMPLATE_COLUMNS)}

    ws.merge_cells(f"A1:{L}1")
    ws["A1"] = "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KẾ HOẠCH"
    ws["A1"].font = Font(name=font, size=14, bold=True)
    ws["A1"].alignment = center
    ws.merge_cells(f"A2:{L}2")
    ws["A2"] = period.label()
    ws["A2"].font = Font(name=font, size=12, italic=True)
    ws["A2"].alignment = center
    header_block = [
        ("Đơn vị báo cáo:", f"{unit['name']} (mã {unit['code']})", False),
        ("Kỳ báo cáo:", f"{period.label()} (mã {period})", False),
        ("Kế hoạch:", f"{plan.title} — {plan.reference()} (mã {plan.id})", False),
        ("Người lập biểu:", None, True),
        ("Ngày lập:", None, True),
    ]
    for n, (label, value, editable) in enumerate(header_block, start=3):
        ws.merge_cells(f"A{n}:B{n}")
        ws.merge_cells(f"C{n}:{get_column_letter(last_col - 1)}{n}")
        ws.cell(n, 1, label).font = Font(name=font, bold=True)
        c = ws.cell(n, 3, value)
        c.font = Font(name=font)
        c.alignment = Alignment(vertical="center", wrap_text=True)
        if editable:
            c.protection = unlocked
            c.fill = inp
    ws.row_dimensions[5].height = 16 * max(2, -(-len(str(ws["C5"].value)) // 110))   # wrapped plan title
    ws["C7"].number_format = "dd/mm/yyyy"
    date_dv = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                             showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                             error="Nhập ngày dạng dd/mm/yyyy, ví dụ 15/07/2025.")
    ws.add_data_validation(date_dv)
    date_dv.add("C7")

    hr = 9
    for f, c in col.items():
        cell = ws.cell(hr, c, HEADERS[f])
        cell.font = Font(name=font, bold=True)
        cell.alignment = center
        cell.border = box
        cell.fill = head
        num = ws.cell(hr + 1, c, f"({c})")
        num.font = Font(name=font, italic=True, size=10)
        num.alignment = center
        num.border = box
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[f]
    ws.row_dimensions[hr].height = 34

    r = hr + 2
    validated: dict[tuple, list[tuple[int, int]]] = {}   # (min, max) → cells; one validation each
    plain, bold = Font(name=font), Font(name=font, bold=True)
    area = None
    section = 0
    for n, ind in enumerate(inds, start=1):
        if ind.area != area:
            area = ind.area
            section += 1
            ws.cell(r, col["stt"], _roman(section)).font = bold
            ws.cell(r, col["name"], area.upper()).font = bold
            for c in range(1, last_col + 1):
                ws.cell(r, c).border = box
            r += 1
        fig = plan_figure(plan, ind.code, period.year) if unit["code"] == plan.scope_unit else None
        cells = {"stt": n, "code": ind.code, "name": ind.name, "unit": ind.unit, "plan": fig}
        for f, v in cells.items():
            ws.cell(r, col[f], v)
        ws.cell(r, col["name"]).alignment = wrap
        ws.cell(r, col["stt"]).alignment = center
        ws.cell(r, col["unit"]).alignment = center
        plan_cell = ws.cell(r, col["plan"])
        plan_cell.protection = unlocked
        plan_cell.number_format = _num_format(ind)
        for f in VALUE_FIELDS:
            c = ws.cell(r, col[f])
            if f in applicable(ind):
                c.protection = unlocked
                c.fill = inp
                c.number_format = _num_format(ind)
                validated.setdefault((ind.min, ind.max), []).append((col[f], r))
            else:
                c.value = "x"
                c.fill = grey
                c.alignment = center
        ws.cell(r, col["note"]).protection = unlocked
        ws.cell(r, col["note"]).alignment = wrap
        if ind.code in known:
            per, v, s = known[ind.code]
            ws.cell(r, col["last"], f"{fmt_value(v, ind.unit, ind.decimals)} — {per.label()} "
                                    f"({STATUS_LABELS.get(s, s).lower()})").alignment = wrap
        for c in range(1, last_col + 1):
            cell = ws.cell(r, c)
            cell.border = box
            cell.font = plain
        r += 1
    for (lo, hi), cells in validated.items():
        dv = _number_validation(DataValidation, lo, hi)
        dv.sqref = MultiCellRange(_ranges(cells))   # set once: DataValidation.add is quadratic
        ws.add_data_validation(dv)

    r += 1
    ws.cell(r, 1, "Ô màu vàng: đơn vị điền. Ô màu xám (x): không áp dụng cho chỉ tiêu đó. Ô để trống là "
                  "chưa có số liệu, không phải số 0. Xem trang 'Hướng dẫn'.").font = Font(name=font, italic=True)
    r += 2
    ws.cell(r, col["name"], "NGƯỜI LẬP BIỂU").font = Font(name=font, bold=True)
    ws.cell(r, col["ytd"], "THỦ TRƯỞNG ĐƠN VỊ").font = Font(name=font, bold=True)

    ws.freeze_panes = ws.cell(hr + 2, col["unit"])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{hr}:{hr + 1}"
    _protect(ws)

    guide = wb.create_sheet(INSTRUCTIONS_SHEET)
    guide.column_dimensions["A"].width = 110
    for n, line in enumerate(instructions(plan, unit, period), start=1):
        c = guide.cell(n, 1, line)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        c.font = Font(name=font, bold=(n == 1))
    _protect(guide)
    wb.properties.title = f"Báo cáo {period.label()} — {unit['name']}"
    wb.properties.subject = plan.id
    wb.properties.creator = "chitieu"
    wb.save(out)
    return len(inds)


def _protect(ws) -> None:
    # Labels locked against slips, not against people: no password, and
    # widening columns or rows stays allowed.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _roman(n: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII"}.get(n, str(n))


def _num_format(ind: Indicator) -> str:
    return "#,##0" if ind.decimals == 0 else "#,##0." + "0" * ind.decimals


def _num_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _ranges(cells: list[tuple[int, int]]) -> str:
    """Cells (col, row) as ranges, consecutive rows of a column merged: ``F12:F40 G12:G40``."""
    out = []
    for c in sorted({c for c, _ in cells}):
        rows = sorted(r for cc, r in cells if cc == c)
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            L = get_column_letter(c)
            out.append(f"{L}{start}" if start == prev else f"{L}{start}:{L}{prev}")
            if r is not None:
                start = prev = r
    return " ".join(out)


def _number_validation(DataValidation, mn: float | None, mx: float | None):
    lo = mn if mn is not None else -1e15
    hi = mx if mx is not None else 1e15
    rng = f" từ {fmt_number(lo, None)}" if mn is not None else ""
    rng += f" đến {fmt_number(hi, None)}" if mx is not None else ""
    return DataValidation(type="decimal", operator="between", formula1=_num_text(lo), formula2=_num_text(hi),
                          allow_blank=True, showErrorMessage=True, errorTitle="Chỉ nhập số",
                          error=f"Ô này chỉ nhận một số{rng}, không kèm chữ hay đơn vị. Để trống nếu chưa có "
                                "số liệu.", showInputMessage=False)


def instructions(plan: Plan, unit: dict, period: Period) -> list[str]:
    """The 'Hướng dẫn' sheet, line by line."""
    return [
        f"HƯỚNG DẪN ĐIỀN BIỂU BÁO CÁO {period.label().upper()}",
        f"Đơn vị: {unit['name']} (mã {unit['code']}). Kế hoạch: {plan.title} ({plan.reference()}).",
        "1. Chỉ điền vào các ô màu vàng. Không sửa mã, tên chỉ tiêu, đơn vị tính; không thêm, xóa hay đổi thứ "
        "tự cột. Nếu đơn vị không có số liệu của một chỉ tiêu, để trống ô đó: ô trống được hiểu là chưa có số "
        "liệu, không bao giờ được hiểu là số 0. Muốn báo số 0 thì gõ 0.",
        "2. Mỗi ô chỉ ghi một số, theo đúng đơn vị tính của dòng (ví dụ 52 cho '52 triệu đồng', 12,5 cho "
        "'12,5%'). Không ghi chữ như 'khoảng', 'trên'; giải thích (nếu có) ghi ở cột Ghi chú.",
        "3. Thực hiện quý: số phát sinh trong riêng quý này (chỉ với chỉ tiêu cộng dồn được như số việc làm mới, "
        "thu ngân sách). Lũy kế từ đầu năm: cộng dồn từ 01/01 đến hết quý; với chỉ tiêu thời điểm (dân số, tỷ "
        "lệ hộ nghèo, tỷ lệ che phủ rừng…) là mức tại cuối quý; với chỉ tiêu tốc độ (tốc độ tăng trưởng…) là "
        "tốc độ của các tháng từ đầu năm. Ước cả năm: số ước thực hiện của cả năm.",
        "4. Ô màu xám có chữ x: không áp dụng cho chỉ tiêu đó (chỉ tiêu thời điểm và chỉ tiêu tốc độ không có "
        "số riêng của quý). Không điền vào các ô này.",
        "5. Trạng thái số liệu: số ở cột Thực hiện quý và Lũy kế từ đầu năm được ghi nhận là số sơ bộ; số ở cột "
        "Ước cả năm là số ước tính. Số chính thức của cơ quan thống kê, khi có, sẽ được ưu tiên.",
        "6. Số lũy kế của chỉ tiêu cộng dồn không được thấp hơn số lũy kế đã báo cáo quý trước. Số khác xa số "
        "liệu các kỳ trước sẽ được cảnh báo để kiểm tra lại (không bị từ chối).",
        "7. Cột 'Số liệu gần nhất' chỉ để tham khảo; cột 'Kế hoạch năm' là chỉ tiêu kế hoạch, không phải số "
        "thực hiện.",
        "8. Các chỉ tiêu trong biểu: đơn vị chủ trì kế hoạch (cấp tỉnh) báo cáo mọi chỉ tiêu của kế hoạch; đơn "
        "vị cấp dưới (huyện cũ, xã, phường) báo cáo các chỉ tiêu cộng hoặc bình quân được từ cấp dưới.",
        "9. Gửi lại để sửa: nếu phát hiện sai sót, sửa ngay trên tệp này và gửi lại. Số mới thay cho số cũ, số "
        "cũ vẫn được lưu lại; gửi lại đúng tệp cũ thì hệ thống không ghi gì thêm.",
        "10. Lưu tệp dạng .xlsx (Sổ làm việc Excel). Không nhận tệp có macro (.xlsm) hoặc dạng Excel 97-2003 "
        "(.xls). Nếu dùng công thức, mở và lưu lại bằng Excel để có giá trị đã tính.",
        "11. Điền tên người lập biểu và ngày lập ở phần đầu biểu (ô màu vàng).",
    ]


# --- reading -------------------------------------------------------------------


@dataclass
class ReturnFile:
    """What the reader found in a return, and the rows and issues it made of it."""

    name: str
    checked: Checked = field(default_factory=Checked)
    sheet: str | None = None
    header: excel.Header | None = None
    unit: dict | None = None
    period: Period | None = None           # the quarter reported
    plan: Plan | None = None
    preparer: str = ""
    prepared_on: str = ""
    missing: list[str] = field(default_factory=list)   # indicators of the form left empty
    matcher: object = None                              # etl.names.NameMatcher
    by_name: list[dict] = field(default_factory=list)   # rows matched by similarity: the clerk checks them
    unmatched: list[dict] = field(default_factory=list) # rows not matched: name, cell, best candidates
    plan_figures: list[dict] = field(default_factory=list)   # 'Kế hoạch năm' as read (never observations)
    hidden: list[str] = field(default_factory=list)    # hidden sheets: never read

    def meta(self) -> dict:
        cols = ({f: get_column_letter(c + 1) for f, c in sorted(self.header.columns.items(), key=lambda x: x[1])}
                if self.header else {})
        desc = ""
        if self.unit and self.period:
            desc = f"Báo cáo {self.period.label()} của {self.unit['name']} (mã {self.unit['code']})"
            if self.plan:
                desc += f", kế hoạch {self.plan.short_title}"
            if self.sheet:
                desc += f"; đọc trang '{self.sheet}'"
            if self.missing:
                desc += f"; {len(self.missing)} chỉ tiêu để trống"
            if self.hidden:
                desc += "; bỏ qua trang ẩn " + ", ".join(f"'{h}'" for h in self.hidden)
        return {
            "kind": "return", "sheet": self.sheet,
            "header_rows": [self.header.first_row, self.header.last_row] if self.header else None,
            "columns": cols,
            "unit": self.unit["code"] if self.unit else None,
            "unit_name": self.unit["name"] if self.unit else None,
            "period": str(self.period) if self.period else None,
            "period_label": self.period.label() if self.period else None,
            "plan": self.plan.id if self.plan else None,
            "preparer": self.preparer, "prepared_on": self.prepared_on,
            "missing": self.missing, "hidden_sheets": self.hidden, "description": desc,
            "by_name": self.by_name, "unmatched": self.unmatched, "plan_figures": self.plan_figures,
        }


def read_return(name: str, data: bytes, cat: Catalog, units: dict[str, dict], *, plan_id: str | None = None,
                unit_code: str | None = None, period: Period | None = None,
                status: str | None = None, aliases: list | None = None) -> ReturnFile:
    """Read and check a return. Never raises for bad content: problems become issues naming the cell.

    ``plan_id``, ``unit_code``, ``period``: what the uploader chose (None:
    take it from the file's header). ``status`` overrides the status of the
    quarter and year-to-date values (default: preliminary). ``aliases``:
    remembered indicator names (``etl.names.read_aliases``).
    """
    from etl.names import NameMatcher

    rf = ReturnFile(name)
    rf.matcher = NameMatcher(cat.indicators, aliases)
    out = rf.checked
    try:
        excel.check_file(name, data)
        wb = excel.open_workbook(data)
    except FileRefused as e:
        out.error(name, str(e))
        return rf
    found = _find_table(wb)
    _shown, hidden = excel.visible_sheets(wb)
    for h in hidden:
        out.warn(f"'{h}'", f"trang '{h}' đang bị ẩn nên không được đọc")
    if not found:
        out.error(name, "không tìm thấy bảng số liệu của biểu báo cáo: cần một dòng tiêu đề có cột 'Chỉ tiêu' "
                        "(hoặc 'Mã') và ít nhất một trong các cột 'Thực hiện quý', 'Lũy kế từ đầu năm', "
                        "'Ước cả năm'")
        return rf
    ws, own, filled, header, others = found
    rf.sheet, rf.header = ws.title, header
    rf.hidden = hidden
    for other in others:
        out.warn(f"'{other}'", f"trang '{other}' cũng giống một biểu báo cáo nhưng không được đọc; mỗi tệp chỉ "
                               f"đọc một biểu (trang '{ws.title}')")
    used = sum(1 for row in own[header.last_row:] if any(not blank(v) for v in row))
    if used > MAX_ROWS:
        out.error(f"'{ws.title}'", f"bảng có {used} dòng, vượt giới hạn {fmt_number(MAX_ROWS, 0)} dòng của một "
                                   "biểu báo cáo")
        return rf
    block = _read_header_block(ws.title, own, header.first_row)
    rf.preparer = block.get("preparer", ("", ""))[0]
    rf.prepared_on = block.get("date", ("", ""))[0]
    _resolve_header(rf, block, cat, units, plan_id, unit_code, period)
    _read_rows(rf, ws, own, filled, header, cat, data, status or QUARTER_STATUS)
    if not out.rows and not out.errors:
        out.error(f"'{ws.title}'", "biểu chưa điền số liệu nào (mọi ô Thực hiện quý, Lũy kế từ đầu năm, Ước cả "
                                   "năm đều trống): không có gì để ghi. Điền số rồi gửi lại.")
    return rf


def _find_table(wb):
    best = None
    others = []
    shown, _hidden = excel.visible_sheets(wb)
    for ws in shown:
        own = [tuple(r) for r in ws.iter_rows(values_only=True)]
        if not own:
            continue
        filled = excel.sheet_rows(ws) if ws.merged_cells.ranges else own
        header = excel.find_header(filled, COLUMNS, required=("code", "name"), any_of=VALUE_FIELDS, ignore=IGNORE)
        if header is None:
            continue
        if best is None or len(header.columns) > len(best[3].columns):
            if best is not None:
                others.append(best[0].title)
            best = (ws, own, filled, header)
        else:
            others.append(ws.title)
    return (*best, others) if best else None


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return f"{v:%d/%m/%Y}"
    return str(v).strip()


def _read_header_block(sheet: str, own: list[tuple], stop: int) -> dict[str, tuple[str, str]]:
    """field → (text, cell) for the labels above the table; 'title' collects the other texts."""
    found: dict[str, tuple[str, str]] = {}
    titles = []
    for r in range(1, stop):
        row = own[r - 1]
        for c, v in enumerate(row):
            if blank(v):
                continue
            text = _text(v)
            label, colon, after = text.partition(":")
            fld = _header_label(label_key(label))
            if fld is None:
                titles.append((text, cell_ref(sheet, r, c + 1)))
                continue
            if fld in found:
                continue
            where = cell_ref(sheet, r, c + 1)
            value = after.strip()
            if not value:
                nxt = next(((_text(row[k]), k) for k in range(c + 1, len(row)) if not blank(row[k])), None)
                if nxt:
                    value, where = nxt[0], cell_ref(sheet, r, nxt[1] + 1)
                elif not colon:
                    value = text   # "Đơn vị báo cáo UBND huyện X" in one cell
            found[fld] = (value, where)
    found["title"] = (" ".join(t for t, _ in titles), titles[0][1] if titles else f"'{sheet}'!A1")
    return found


def _header_label(key: str) -> str | None:
    for fld, aliases in HEADER_LABELS.items():
        if any(key == a or (len(a) >= 8 and key.startswith(a + " ")) for a in aliases):
            return fld
    return None


_CODE_IN_TEXT = re.compile(r"\(\s*[mM][ãa]\s*[:.]?\s*([0-9A-Za-z_]+)\s*\)")


def parse_quarter(text: str) -> Period | None:
    """The quarter a header names: ``Quý II/2025``, ``quý 2 năm 2025``, ``Q2/2025``, ``6 tháng đầu năm 2025``.

    >>> [str(parse_quarter(t)) for t in ("Quý II/2025", "QUÝ 3 NĂM 2024", "2025Q1", "9 tháng năm 2025 (mã 2025Q3)")]
    ['2025Q2', '2024Q3', '2025Q1', '2025Q3']
    >>> parse_quarter("Năm 2025") is None
    True
    """
    m = _CODE_IN_TEXT.search(text or "")
    if m:
        try:
            p = Period.parse(m.group(1))
            if p.quarter:
                return Period(p.year, p.quarter)
        except PeriodError:
            pass
    key = label_key(text)
    m = re.search(r"(\d{4}) ?q([1-4])\b", key) or re.search(r"\bq ?([1-4]) (?:nam )?(\d{4})\b", key)
    if m:
        a, b = m.groups()
        return Period(int(a), int(b)) if len(a) == 4 else Period(int(b), int(a))
    m = re.search(r"\bquy (iv|iii|ii|i|[1-4])\b(?: nam)? (\d{4})\b", key)
    if m:
        q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m.group(1)) or int(m.group(1))
        return Period(int(m.group(2)), q)
    m = re.search(r"\b(3|6|9|12) thang\b.*?\b(\d{4})\b", key)
    if m:
        return Period(int(m.group(2)), int(m.group(1)) // 3)
    return None


def _unit_keys(u: dict) -> list[tuple[str, int]]:
    """Ways a unit's name is written, with a strength: full name strong, name without 'huyện'/'xã' weak."""
    full = label_key(u["name"])
    keys = [(full, 100)]
    stripped = full
    for w in LEVEL_WORDS:
        if full.startswith(w + " "):
            stripped = full[len(w) + 1:]
            break
    if u.get("level") == "province":
        keys += [(f"tinh {full}", 100), (f"thanh pho {full}", 100)]
    elif stripped != full:
        keys.append((stripped, 0))
    return keys


def match_unit(text: str, units: dict[str, dict], prefer: list[dict] | None = None) -> tuple[dict | None, str]:
    """The unit a header names: by '(mã 099)', else by name. (unit, '') or (None, reason).

    Names are looked up among ``prefer`` (the plan's units) first, then among all units.
    """
    m = _CODE_IN_TEXT.search(text)
    if m:
        code = m.group(1)
        return (units[code], "") if code in units else (None, f"mã đơn vị '{code}' không có trong danh mục")
    if text.strip() in units:
        return units[text.strip()], ""
    key = label_key(text)
    for pool in ([prefer] if prefer else []) + [list(units.values())]:
        scored: dict[str, int] = {}
        for u in pool:
            for k, strength in _unit_keys(u):
                if k and excel._has_words(key, k):
                    scored[u["code"]] = max(scored.get(u["code"], 0), strength + len(k))
        if not scored:
            continue
        top = max(scored.values())
        best = sorted(c for c, s in scored.items() if s == top)
        if len(best) > 1:
            names = ", ".join(f"{units[c]['name']} ({c})" for c in best)
            return None, f"tên đơn vị '{text}' khớp nhiều đơn vị: {names}; ghi thêm mã, ví dụ '(mã {best[0]})'"
        return units[best[0]], ""
    return None, f"không nhận ra đơn vị '{text}'"


def _match_plan(text: str, cat: Catalog) -> Plan | None:
    m = _CODE_IN_TEXT.search(text)
    if m and m.group(1) in cat.plans:
        return cat.plans[m.group(1)]
    key = label_key(text)
    hits = [p for p in cat.plans.values() if p.doc_number and label_key(p.doc_number) in key]
    return hits[0] if len(hits) == 1 else None


def _resolve_header(rf: ReturnFile, block: dict, cat: Catalog, units: dict[str, dict], plan_id: str | None,
                    unit_code: str | None, period: Period | None) -> None:
    out = rf.checked
    chosen_plan = cat.plans.get(plan_id) if plan_id else None
    # plan named in the file
    file_plan = None
    if "plan" in block:
        text, where = block["plan"]
        file_plan = _match_plan(text, cat)
        if chosen_plan and file_plan and file_plan.id != chosen_plan.id:
            out.error(where, f"biểu ghi kế hoạch '{file_plan.short_title}' (mã {file_plan.id}), khác với kế hoạch "
                             f"đã chọn khi nạp '{chosen_plan.short_title}' (mã {chosen_plan.id})")
    plan = chosen_plan or file_plan
    # period
    text, where = block.get("period") or block["title"]
    file_period = parse_quarter(text)
    if file_period is None and "period" in block:
        file_period = parse_quarter(block["title"][0])
    if period is not None and file_period is not None and file_period != period:
        out.error(where, f"kỳ báo cáo ghi trong biểu là {file_period.label()}, khác với kỳ đã chọn khi nạp "
                         f"({period.label()})")
    rf.period = period or file_period
    if rf.period is None:
        out.error(where if "period" in block else f"'{rf.sheet}'",
                  "không xác định được kỳ báo cáo: ghi 'Kỳ báo cáo: Quý II/2025' ở phần đầu biểu "
                  "(hoặc chọn kỳ khi nạp)")
    # unit
    prefer = [u for u in units.values() if in_scope(u, plan.scope_unit, units)] if plan is not None else None
    file_unit = None
    if "unit" in block and block["unit"][0]:
        text, where = block["unit"]
        file_unit, why = match_unit(text, units, prefer)
        if file_unit is None and unit_code is None:
            out.error(where, why)
        elif file_unit is None:
            out.warn(where, f"{why}; dùng đơn vị đã chọn khi nạp ({unit_code})")
        elif unit_code is not None and file_unit["code"] != unit_code:
            chosen = units.get(unit_code, {"name": unit_code})
            out.error(where, f"đơn vị ghi trong biểu là {file_unit['name']} (mã {file_unit['code']}), khác với "
                             f"đơn vị đã chọn khi nạp ({chosen['name']}, mã {unit_code})")
    elif unit_code is None:
        out.error(f"'{rf.sheet}'", "không xác định được đơn vị báo cáo: ghi 'Đơn vị báo cáo: …' ở phần đầu biểu "
                                   "(hoặc chọn đơn vị khi nạp)")
    rf.unit = units.get(unit_code) if unit_code else file_unit
    if rf.unit is None or rf.period is None:
        return
    where = block.get("unit", (None, f"'{rf.sheet}'"))[1]
    if plan is None:
        fits = plans_for(cat, rf.unit, rf.period, units)
        if len(fits) == 1:
            plan = fits[0]
        elif not fits:
            out.error(where, f"đơn vị {rf.unit['name']} (mã {rf.unit['code']}) không báo cáo {rf.period.label()} "
                             "cho kế hoạch nào đang theo dõi")
            return
        else:
            out.error(where, "biểu không ghi kế hoạch và đơn vị thuộc nhiều kế hoạch ("
                             + ", ".join(p.id for p in fits) + "): chọn kế hoạch khi nạp (--plan)")
            return
    rf.plan = plan
    problem = unit_problem(plan, rf.unit, rf.period, units)
    if problem:
        out.error(where, problem)
    elif old_boundary_note(rf.unit, rf.period):   # issue 11: a plan that outlives its territory
        out.warn(where, old_boundary_note(rf.unit, rf.period))


def _name_index(cat: Catalog) -> dict[str, str]:
    return {label_key(i.name): code for code, i in cat.indicators.items()}


_ENUM = re.compile(r"^\s*(?:(?:[0-9]+(?:\.[0-9]+)*|[ivxlcIVXLC]+|[a-zA-Zđ])[.)]|[-+•*–])\s*")
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


def match_indicator(code_text: str, name_text: str, cat: Catalog, names: dict[str, str]) -> tuple[str | None, str]:
    """(indicator code, how) by code, else by name without accents. how: 'code', 'name' or ''."""
    code = code_text.strip()
    if code in cat.indicators:
        return code, "code"
    if code and code.lower() in cat.indicators:
        return code.lower(), "code"
    name = name_text.strip()
    for cand in (name, _TRAILING_PAREN.sub("", name), _ENUM.sub("", name), _ENUM.sub("", _TRAILING_PAREN.sub("", name))):
        hit = names.get(label_key(cand))
        if hit:
            return hit, "name"
    return None, ""


def _looks_numeric(v) -> bool:
    """A figure, as a number or as text starting with digits (signatures and notes are not)."""
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, str) and re.match(r"^\s*[+-]?\d", v) is not None


def _is_total(*texts: str) -> bool:
    return any(label_key(t) in TOTAL_WORDS or label_key(t).startswith(("tong cong", "tong so")) for t in texts if t)


_COLNUM = re.compile(r"^[(\[]?[0-9A-Za-z]{1,3}[)\]]?(\s*[=+\-*/x:]\s*[(\[]?[0-9A-Za-z]{1,3}[)\]]?)*$")


def _is_column_numbers(row: tuple) -> bool:
    cells = [_text(v) for v in row if not blank(v)]
    return len(cells) >= 3 and all(_COLNUM.match(c) for c in cells)


def _read_rows(rf: ReturnFile, ws, own, filled, header: excel.Header, cat: Catalog, data: bytes,
               status: str) -> None:
    out = rf.checked
    sheet = ws.title
    cols = header.columns
    names = _name_index(cat)
    allowed = {i.code for i in reporting_indicators(cat, rf.plan, rf.unit)} if rf.plan and rf.unit else None
    followers = excel.merged_followers(ws) if ws.merged_cells.ranges else set()
    formulas: dict | None = None
    seen: dict[str, int] = {}
    last = excel.last_used_row(own)
    value_cols = [f for f in VALUE_FIELDS if f in cols]
    source = ""
    if rf.unit and rf.period:
        source = f"Báo cáo {rf.period.label()} của {rf.unit['name']}"

    def get(row, fld, merged=True):
        if fld not in cols:
            return None
        src = filled if merged else own
        r = src[row - 1]
        return r[cols[fld]] if cols[fld] < len(r) else None

    for r in range(header.data_start, last + 1):
        row = own[r - 1]
        if all(blank(v) for v in row):
            continue
        if r <= header.data_start + 1 and _is_column_numbers(row):
            continue
        code_text, name_text, stt_text = _text(get(r, "code")), _text(get(r, "name")), _text(get(r, "stt"))
        raw = {f: get(r, f, merged=False) for f in value_cols}
        has_values = any(_looks_numeric(v) for v in raw.values())
        code, how = match_indicator(code_text, name_text, cat, names)
        found = None
        if code is None and name_text and not _is_total(name_text, stt_text, code_text) \
                and (has_values or code_text):
            found = rf.matcher.match(_ENUM.sub("", name_text), rf.unit["code"] if rf.unit else None, allowed)
            if found.code:
                code, how = found.code, found.how
        if how == "similar":
            ind = cat.indicators[code]
            out.warn(cell_ref(sheet, r, cols["name"] + 1),
                     f"tên '{name_text}' không có trong danh mục; nhận là chỉ tiêu '{ind.name}' ({code}), độ giống "
                     f"{found.score:.0f}/100. Kiểm tra lại; ghi nhớ tên này để lần sau không hỏi lại", code)
            rf.by_name.append({"row": r, "where": cell_ref(sheet, r, cols["name"] + 1), "name": name_text,
                               "indicator": code, "score": found.score, "candidates": found.candidates})
        if how == "name" and code_text and "code" in cols:
            out.warn(cell_ref(sheet, r, cols["code"] + 1),
                     f"mã '{code_text}' không có trong danh mục; nhận theo tên chỉ tiêu '{name_text}' (mã {code})", code)
        if code is None and _is_total(name_text, stt_text, code_text):
            if has_values:
                out.ignored += 1   # figures we do not take: totals are computed, not reported
            continue
        name_where = cell_ref(sheet, r, cols["name" if "name" in cols else "code"] + 1)
        if code is None:
            if not has_values and not code_text:
                continue  # a heading, a note, a signature line
            shown = f"'{name_text}'" if name_text else ""
            shown += f" (mã '{code_text}')" if code_text else ""
            where = cell_ref(sheet, r, cols["code"] + 1) if code_text and "code" in cols else name_where
            if shown and found is not None and found.candidates:
                near = rf.matcher.describe(found.candidates)
                if found.ambiguous:
                    out.error(where, f"chỉ tiêu {shown.strip()} giống nhiều chỉ tiêu trong danh mục: {near}; chọn "
                                     "chỉ tiêu đúng (ghi mã vào cột Mã, hoặc ghi nhớ tên này)")
                else:
                    out.error(where, f"không nhận ra chỉ tiêu {shown.strip()}: không có trong danh mục chỉ tiêu "
                                     f"(theo mã hoặc tên); gần nhất: {near}")
                rf.unmatched.append({"row": r, "where": where, "name": name_text, "code": code_text,
                                     "candidates": found.candidates})
            elif shown:
                out.error(where, f"không nhận ra chỉ tiêu {shown.strip()}: không có trong danh mục chỉ tiêu "
                                 "(theo mã hoặc tên)")
                rf.unmatched.append({"row": r, "where": where, "name": name_text, "code": code_text,
                                     "candidates": []})
            else:
                out.error(where, "dòng có số liệu nhưng không ghi mã hay tên chỉ tiêu")
            continue
        ind = cat.indicators[code]
        if how == "code" and name_text and "name" in cols:
            by_name = names.get(label_key(_ENUM.sub("", _TRAILING_PAREN.sub("", name_text))))
            if by_name and by_name != code:
                out.warn(name_where, f"tên '{name_text}' là của chỉ tiêu khác ({by_name}); nhận theo mã {code}", code)
        out.rows_read += 1
        if code in seen:
            out.error(name_where, f"chỉ tiêu '{ind.name}' ({code}) xuất hiện hai lần: dòng {seen[code]} và dòng {r}",
                      code)
            continue
        seen[code] = r
        if allowed is not None and code not in allowed:
            out.warn(name_where, f"chỉ tiêu '{ind.name}' ({code}) không có trong biểu của đơn vị theo kế hoạch "
                                 f"'{rf.plan.short_title}'; vẫn ghi nhận số liệu", code)
        if formulas is None and any(raw[f] is None and (r, cols[f] + 1) not in followers for f in value_cols):
            formulas = excel.formula_cells(data, sheet)   # once, and only if some value cell is empty
        values, remarks = _read_values(out, ws, r, {f: cols[f] + 1 for f in value_cols}, raw, ind, formulas or {})
        if "plan" in cols and rf.plan is not None and rf.period is not None:
            _check_plan_figure(rf, ind, get(r, "plan", merged=False), cell_ref(sheet, r, cols["plan"] + 1))
        values = _apply_temporal(out, ind, values, code)
        _check_row(out, ind, rf.period, values, code)
        if not values:
            rf.missing.append(code)
            continue
        if rf.unit is None or rf.period is None:
            continue
        note_parts = [_text(get(r, "note", merged=False))] + remarks
        note = "; ".join(p for p in note_parts if p)
        for f, (num, where) in values.items():
            st = YEAR_STATUS if f == "year" else status
            out.rows.append(Row(code, rf.unit["code"], period_for(f, rf.period), num, st, source, where, note))


def _read_values(out: Checked, ws, r: int, cols: dict[str, int], raw: dict, ind: Indicator,
                 formulas: dict) -> tuple[dict[str, tuple[float, str]], list[str]]:
    """The value cells of one row: field → (number, cell), and remarks found in brackets."""
    values: dict[str, tuple[float, str]] = {}
    remarks = []
    for f, c in cols.items():
        where = cell_ref(ws.title, r, c)
        v = raw[f]
        if v is None and (r, c) in formulas:
            out.error(where, f"{about(ind, f)}: ô có công thức ({formulas[(r, c)]}) nhưng chưa có giá trị tính sẵn: "
                             "mở tệp bằng Excel để công thức được tính rồi lưu lại, hoặc gõ số trực tiếp", ind.code)
            continue
        try:
            num, remark = excel.read_number(v, ws.cell(r, c).number_format if v is not None else "", ind.unit)
        except ValueError as e:
            out.error(where, f"{about(ind, f)}: {e}", ind.code)
            continue
        if num is None:
            continue
        if remark:
            remarks.append(remark)
            out.warn(where, f"{about(ind, f)}: đã tách phần chú thích '({remark})' khỏi số, ghi vào ghi chú; "
                            f"giá trị đọc được: {fmt_number(num, None)}", ind.code)
        msg = check_value(ind, num)
        if msg:
            out.error(where, f"{about(ind, f)}: {msg}", ind.code)
            continue
        values[f] = (num, where)
    return values, remarks


_PLAN_NUM = re.compile(r"\d[\d.,]*")


def plan_numbers(value) -> list[float]:
    """The numbers of a plan's figure as forms write it: ``<16``, ``7,5``, ``≥ 9.000``, ``16-17``, ``trên 52``.

    >>> plan_numbers("<16"), plan_numbers("7,5"), plan_numbers("≥ 9.000"), plan_numbers("16 - 17"), plan_numbers(2000)
    ([16.0], [7.5], [9000.0], [16.0, 17.0], [2000.0])
    """
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    out = []
    for tok in _PLAN_NUM.findall(str(value)):
        try:
            out.append(excel._parse_vn(tok.rstrip(".,")))
        except ValueError:
            continue
    return out


def _check_plan_figure(rf: ReturnFile, ind: Indicator, raw, where: str) -> None:
    """'Kế hoạch năm' is the plan's figure, never an observation: compared with the catalogue, a warning if different."""
    if blank(raw) or excel.is_placeholder(raw):
        return
    nums = plan_numbers(raw)
    ours = plan_figure(rf.plan, ind.code, rf.period.year)
    expected = plan_numbers(ours) if ours is not None else []
    rf.plan_figures.append({"indicator": ind.code, "where": where, "text": _text(raw), "numbers": nums,
                            "catalogue": expected})
    if not nums or not expected:
        return
    if len(nums) != len(expected) or any(not _same(a, b) for a, b in zip(nums, expected)):
        shown = " – ".join(fmt_number(x, None) for x in expected)
        rf.checked.warn(where, f"{about(ind, 'plan')}: biểu ghi kế hoạch '{_text(raw)}', danh mục chỉ tiêu ghi "
                               f"{shown} ({ind.unit}) cho năm {rf.period.year}; số kế hoạch trong biểu chỉ để đối "
                               "chiếu, không được ghi nhận. Kiểm tra lại số kế hoạch.", ind.code)


def about(ind: Indicator, fld: str) -> str:
    """How a message names the value: ``Số lao động được tạo việc làm mới (new_jobs), cột Thực hiện quý``."""
    return f"{ind.name} ({ind.code}), cột {HEADERS[fld]}"


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _apply_temporal(out: Checked, ind: Indicator, values: dict, code: str) -> dict:
    """Move or refuse a quarter-alone value of a stock or a rate (see the module's table)."""
    if "quarter" not in values or "quarter" in applicable(ind) or ind.temporal == "rate":
        return values   # a rate's quarter alone is what it says: stored as the quarter (2025Q2)
    num, where = values.pop("quarter")
    if ind.temporal == "stock" and "ytd" not in values:
        out.warn(where, f"{about(ind, 'quarter')}: chỉ tiêu thời điểm không có số riêng của quý; số "
                        f"{fmt_number(num, None)} được ghi nhận là mức tại cuối quý (như ở cột Lũy kế từ đầu năm)",
                 code)
        values["ytd"] = (num, where)
    elif not _same(values["ytd"][0], num):   # the same level twice loses nothing
        out.error(where, f"{about(ind, 'quarter')}: chỉ tiêu thời điểm không có số riêng của quý; để trống ô này và "
                         "ghi số ở cột Lũy kế từ đầu năm", code)
    return values


def _check_row(out: Checked, ind: Indicator, period: Period | None, values: dict, code: str) -> None:
    """Rules inside one row of a flow: the year so far holds the quarter, the year holds the year so far."""
    if ind.temporal != "flow" or (ind.min is not None and ind.min < 0):
        return
    q, ytd, year = values.get("quarter"), values.get("ytd"), values.get("year")
    if q and ytd:
        if ytd[0] < q[0] and not _same(ytd[0], q[0]):
            out.error(ytd[1], f"{about(ind, 'ytd')}: lũy kế từ đầu năm ({fmt_number(ytd[0], None)}) nhỏ hơn số "
                              f"thực hiện quý ({fmt_number(q[0], None)})", code)
        elif period is not None and period.quarter == 1 and not _same(ytd[0], q[0]):
            out.warn(ytd[1], f"{about(ind, 'ytd')}: quý I nên có lũy kế từ đầu năm ({fmt_number(ytd[0], None)}) "
                             f"bằng số thực hiện quý ({fmt_number(q[0], None)})", code)
    if ytd and year and year[0] < ytd[0] and not _same(year[0], ytd[0]):
        out.warn(year[1], f"{about(ind, 'year')}: ước cả năm ({fmt_number(year[0], None)}) nhỏ hơn lũy kế từ đầu "
                          f"năm ({fmt_number(ytd[0], None)})", code)


# --- checks against the unit's history -------------------------------------------


def check_history(con: duckdb.DuckDBPyConnection, rf: ReturnFile, cat: Catalog) -> None:
    """Compare the return's values with the unit's current values: YTD cannot fall, outliers warned."""
    rows = rf.checked.rows
    if not rows or rf.unit is None:
        return
    codes = sorted({r.indicator for r in rows})
    hist: dict[str, list[tuple[Period, float]]] = {}
    marks, vals = sql_in(codes)
    for ind, p, v in con.execute(f"SELECT indicator, period, value FROM current_observations "
                                 f"WHERE unit = ? AND indicator IN ({marks})", [rf.unit["code"]] + vals).fetchall():
        hist.setdefault(ind, []).append((Period.parse(p), float(v)))
    for row in rows:
        ind = cat.indicators[row.indicator]
        pts = hist.get(row.indicator, [])
        p = row.period
        if p.ytd and p.quarter > 1:
            prev = Period(p.year, p.quarter - 1, True)
            pv = next((v for q, v in pts if q == prev), None)
            if pv is not None:
                msg = check_ytd_not_lower(ind, row.value, pv, prev)
                if msg:
                    rf.checked.error(row.where, f"{about(ind, _field_of(p))}: {msg}", row.indicator)
        same = sorted(((q, v) for q, v in pts if q.kind == p.kind and q != p
                       and not (p.ytd and ind.temporal == "flow" and q.quarter != p.quarter)),
                      key=lambda x: x[0].sort_key())
        before = [v for q, v in same if q.sort_key() < p.sort_key()] or [v for _, v in same]
        msg = check_outlier(ind, row.value, before)
        if msg:
            rf.checked.warn(row.where, f"{about(ind, _field_of(p))}: {msg}", row.indicator)


def _field_of(p: Period) -> str:
    return {"Q": "quarter", "YTD": "ytd", "Y": "year"}[p.kind]


# --- what kind of file ----------------------------------------------------------


def sniff(name: str, data: bytes) -> str:
    """'bulk' for CSV and for a workbook whose first row is the bulk format's header; else 'return'."""
    from pathlib import Path

    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return "bulk"
    try:
        excel.check_file(name, data)   # before any reader opens it
    except FileRefused:
        return "return"   # the return reader refuses it, with the reason
    try:
        import io

        import python_calamine

        from etl.bulk import first_visible_sheet

        sheet = first_visible_sheet(data)
        if sheet is None:
            return "return"
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        first = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=1)
    except Exception:
        return "return"
    if not first:
        return "return"
    from etl.bulk import BulkFormatError, _header_map

    try:
        _header_map([str(h) if h is not None else "" for h in first[0]])
        return "bulk"
    except BulkFormatError:
        return "return"
