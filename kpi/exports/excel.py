"""Tables to .xlsx: Vietnamese headers, number formats, status colours, frozen header, column widths.

    xlsx = scorecard_xlsx(data)                      # the plan's targets, one row each (data: report_data(…))
    xlsx = table_xlsx({"Chưa nộp": missing_frame})   # any table a page shows, one sheet per frame

Numbers are stored as numbers with a format such as ``#,##0.00``. An xlsx
format cannot name the separators: Excel draws them from the reader's
regional settings, so a Vietnamese Windows shows ``1.234,56`` and an English
one ``1,234.56``; the value is the same and sums, sorts and charts work.

Text that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return)
is written as text and marked "quote prefix" (what a leading apostrophe does
when typed), so neither openpyxl nor Excel ever takes it for a formula, not
even after the cell is edited.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kpi.progress import MILESTONE_STATUSES, STATUSES

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FONT_NAME = "Times New Roman"
HEADER_FILL = "D9D9D9"
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# "✔ Đã đạt" → the status's colours: any column named "Trạng thái" is filled from it
STATUS_BY_TEXT = {f"{m['symbol']} {m['label']}": m for m in [*STATUSES.values(), *MILESTONE_STATUSES.values()]}
DATE_FORMAT = "dd/mm/yyyy"


def number_format(decimals: int) -> str:
    """``0`` → ``#,##0``; ``2`` → ``#,##0.00``."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def put(cell, value) -> None:
    """Write one value: numbers as numbers, dates as dates, formula-like text as text."""
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"       # openpyxl takes any str starting with "=" for a formula
            cell.quotePrefix = True    # and Excel keeps it text when the cell is edited
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, numbers.Number):
        value = value.item() if hasattr(value, "item") else value
        cell.value = None if isinstance(value, float) and not math.isfinite(value) else value
    elif isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        cell.value = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        cell.number_format = DATE_FORMAT
    else:
        put(cell, str(value))


def _text_len(v) -> int:
    if v is None:
        return 0
    return max((len(line) for line in str(v).splitlines()), default=0)


def write_table(ws, df: pd.DataFrame, *, formats: dict | None = None, widths: dict | None = None,
                wrap: tuple = (), freeze: str = "B2", font_size: int = 12) -> None:
    """``df`` on ``ws`` from A1: header row, borders, formats, status fills, widths, frozen header, filter.

    ``formats``: column → a number format, or a list with one format per row.
    ``widths``: column → width in characters (otherwise from the content, 8 to 50).
    ``wrap``: columns whose text wraps (long sentences).
    """
    formats, widths = formats or {}, widths or {}
    cols = list(df.columns)
    head_font = Font(name=FONT_NAME, size=font_size, bold=True)
    for j, name in enumerate(cols, start=1):
        c = ws.cell(row=1, column=j)
        put(c, str(name))
        c.font, c.border = head_font, BORDER
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body_font = Font(name=FONT_NAME, size=font_size)
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, (name, value) in enumerate(zip(cols, row), start=1):
            c = ws.cell(row=i, column=j)
            put(c, value)
            c.border = BORDER
            fmt = formats.get(name)
            if isinstance(fmt, (list, tuple)):
                fmt = fmt[i - 2]
            if fmt and isinstance(c.value, numbers.Number):
                c.number_format = fmt
            meta = STATUS_BY_TEXT.get(value) if name == "Trạng thái" and isinstance(value, str) else None
            if meta:
                c.fill = PatternFill("solid", fgColor=meta["color"].lstrip("#").upper())
                c.font = Font(name=FONT_NAME, size=font_size, bold=True,
                              color=meta.get("text_color", "#000000").lstrip("#").upper())
            else:
                c.font = body_font
            c.alignment = Alignment(vertical="top", wrap_text=name in wrap)
    for j, name in enumerate(cols, start=1):
        if name in widths:
            w = widths[name]
        else:
            longest = max([_text_len(v) for v in df[name]] + [0])
            head = max(len(w) for w in str(name).split()) if str(name).strip() else 4
            w = min(max(longest + 2, head + 2, 8), 50)
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.row_dimensions[1].height = 34
    if freeze:
        ws.freeze_panes = freeze
    if len(df):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _note(ws, row: int, text: str, italic: bool = True) -> None:
    c = ws.cell(row=row, column=1)
    put(c, text)
    c.font = Font(name=FONT_NAME, size=11, italic=italic)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_xlsx(frames: dict[str, pd.DataFrame] | pd.DataFrame, source: str = "") -> bytes:
    """Any table(s) as a workbook, one sheet each; floats get ``#,##0.00``, whole numbers ``#,##0``."""
    if isinstance(frames, pd.DataFrame):
        frames = {"Bảng": frames}
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(_sheet_name(name))
        formats = {}
        for col in df.columns:
            if pd.api.types.is_float_dtype(df[col]):
                formats[col] = number_format(2)
            elif pd.api.types.is_integer_dtype(df[col]):
                formats[col] = number_format(0)
        write_table(ws, df, formats=formats, freeze="A2")
        if source:
            _note(ws, len(df) + 3, source)
    return _save(wb)


def _sheet_name(name: str) -> str:
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31] or "Bảng"


# --- the scorecard ---------------------------------------------------------------


def scorecard_frame(data) -> tuple[pd.DataFrame, dict]:
    """The targets as a table (one row each) and the number formats of its numeric columns."""
    rows = []
    for i, r in enumerate(data.rows, start=1):
        a = r.assessment
        rows.append({
            "STT": i, "Mục": r.target.section, "Chỉ tiêu": r.indicator.name, "Lĩnh vực": r.indicator.area,
            "Thực hiện": a.latest_value, "Đơn vị tính": r.latest_unit, "Kỳ số liệu": r.period_text,
            "Mục tiêu": r.target_text, "Trạng thái": r.status_text,
            "Tiến độ so với yêu cầu (R)": a.ratio,
            "Cần đạt mỗi năm còn lại": a.pace_needed, "Đơn vị (mức cần đạt)": a.pace_unit if a.pace_needed is not None else "",
            "Nhận định": a.sentence, "Nguyên văn kế hoạch": r.target.quote, "Mã chỉ tiêu": r.target.id,
            "Tạm tính": "có" if a.provisional else "", "Căn cứ": a.basis,
        })
    df = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    formats = {
        "Thực hiện": [number_format(r.latest_decimals) for r in data.rows],
        "Tiến độ so với yêu cầu (R)": "0.00",
        "Cần đạt mỗi năm còn lại": [number_format(r.pace_decimals) for r in data.rows],
    }
    return df, formats


SCORECARD_COLUMNS = ["STT", "Mục", "Chỉ tiêu", "Lĩnh vực", "Thực hiện", "Đơn vị tính", "Kỳ số liệu", "Mục tiêu",
                     "Trạng thái", "Tiến độ so với yêu cầu (R)", "Cần đạt mỗi năm còn lại", "Đơn vị (mức cần đạt)",
                     "Nhận định", "Nguyên văn kế hoạch", "Mã chỉ tiêu", "Tạm tính", "Căn cứ"]
SCORECARD_WIDTHS = {"STT": 5, "Mục": 7, "Chỉ tiêu": 40, "Lĩnh vực": 14, "Thực hiện": 12, "Đơn vị tính": 14,
                    "Kỳ số liệu": 14, "Mục tiêu": 24, "Trạng thái": 20, "Tiến độ so với yêu cầu (R)": 11,
                    "Cần đạt mỗi năm còn lại": 12, "Đơn vị (mức cần đạt)": 13, "Nhận định": 60,
                    "Nguyên văn kế hoạch": 60, "Mã chỉ tiêu": 24, "Tạm tính": 9, "Căn cứ": 40}


def milestones_frame(data) -> pd.DataFrame:
    rows = [{"STT": i, "Mốc": m.milestone.title, "Hạn": m.milestone.deadline, "Chịu trách nhiệm": m.milestone.responsible,
             "Trạng thái": m.status_text, "Nhận định": m.assessment.sentence}
            for i, m in enumerate(data.milestones, start=1)]
    return pd.DataFrame(rows, columns=["STT", "Mốc", "Hạn", "Chịu trách nhiệm", "Trạng thái", "Nhận định"])


def scorecard_xlsx(data) -> bytes:
    """The plan's scorecard as of the quarter: targets, milestones, and a sheet saying what it is."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Chỉ tiêu"
    df, formats = scorecard_frame(data)
    write_table(ws, df, formats=formats, widths=SCORECARD_WIDTHS, freeze="D2",
                wrap=("Chỉ tiêu", "Mục tiêu", "Nhận định", "Nguyên văn kế hoạch", "Đơn vị tính", "Kỳ số liệu"))
    _note(ws, len(df) + 3, data.source)
    if data.milestones:
        ms = wb.create_sheet("Mốc thời hạn")
        write_table(ms, milestones_frame(data), widths={"STT": 5, "Mốc": 50, "Hạn": 12, "Chịu trách nhiệm": 30,
                                                        "Trạng thái": 20, "Nhận định": 60},
                    wrap=("Mốc", "Chịu trách nhiệm", "Nhận định"), freeze="C2")
        _note(ms, len(data.milestones) + 3, data.source)
    info = wb.create_sheet("Thông tin")
    lines = [
        ("Kế hoạch", data.plan.title), ("Văn bản", data.plan.reference()), ("Đơn vị", data.unit_name),
        ("Số liệu đến", data.as_of.as_of_label()), ("Số chỉ tiêu", len(data.rows)),
        ("Nguồn", data.source),
        ("Cách đánh giá", "R là tiến độ thực tế chia tiến độ cần thiết từ năm gốc (≥ 0,95: đúng tiến độ; "
                          "0,6 đến dưới 0,95: cần đẩy nhanh; dưới 0,6: chậm tiến độ; âm: đi ngược mục tiêu). "
                          "Chi tiết: docs/method.md."),
        ("Định dạng số", "Số được lưu dưới dạng số; dấu phân cách hàng nghìn và thập phân hiển thị theo "
                         "cài đặt vùng của máy (Việt Nam: 1.234,56)."),
    ]
    for i, (k, v) in enumerate(lines, start=1):
        put(info.cell(row=i, column=1), k)
        put(info.cell(row=i, column=2), v)
        info.cell(row=i, column=1).font = Font(name=FONT_NAME, size=12, bold=True)
        info.cell(row=i, column=2).font = Font(name=FONT_NAME, size=12)
        info.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 100
    return _save(wb)
