"""The long bulk format: one value per row, CSV or XLSX.

Columns (header names are matched without accents or case; Vietnamese names
are accepted too):

| column | required | example |
|---|---|---|
| indicator (chỉ số, mã chỉ số) | yes | ``grdp_growth`` |
| unit (đơn vị, mã đơn vị) | yes | ``11`` |
| period (kỳ) | yes | ``2023``, ``2024Q2``, ``2024Q2-YTD`` |
| value (giá trị) | yes | ``7,16`` or ``7.16`` or ``1.234,5`` |
| status (trạng thái) | no, default ``official`` | ``estimate``/``ước``, ``preliminary``/``sơ bộ``, ``official``/``chính thức`` |
| source (nguồn) | no | ``Cục Thống kê tỉnh, NGTK 2023`` |

A row whose cells are all empty is ignored. Any bad row makes the whole file
refused: nothing is written.

A CSV is refused before it is parsed when it is larger than ``MAX_CSV_BYTES``;
a field longer than ``MAX_FIELD`` characters, or quoting that does not close,
is refused naming its line (the csv module's own limit would otherwise raise).
In an XLSX the first visible sheet is read; hidden sheets never are.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from etl.validate import Checked, Row, check_unit_period, check_value, old_boundary_note
from kpi.catalog import Indicator
from kpi.fmt import parse_number
from kpi.periods import Period, PeriodError
from kpi.store import STATUS_ALIASES
from kpi.units import fold

COLUMNS = {
    "indicator": ("indicator", "chi so", "ma chi so", "ma"),
    "unit": ("unit", "don vi", "ma don vi", "unit_code"),
    "period": ("period", "ky", "ky bao cao"),
    "value": ("value", "gia tri", "so lieu"),
    "status": ("status", "trang thai", "tinh trang"),
    "source": ("source", "nguon"),
}
REQUIRED = ("indicator", "unit", "period", "value")
MAX_ROWS = 200_000
MAX_CSV_BYTES = 20 * 1024 * 1024     # as for a workbook (etl.excel.MAX_FILE_BYTES): refused before parsing
MAX_FIELD = 4096                     # characters in one CSV field: a value, a code, a source note


class BulkFormatError(ValueError):
    """The file cannot be read as the bulk format at all; ``where`` names the line when there is one."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.where = where


def _header_map(headers: list[str]) -> dict[str, int]:
    found = {}
    for i, h in enumerate(headers):
        key = fold(h or "")
        for std, aliases in COLUMNS.items():
            if key in aliases and std not in found:
                found[std] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise BulkFormatError(
            "Thiếu cột bắt buộc: " + ", ".join(missing)
            + f". Dòng tiêu đề đọc được: {', '.join(str(h) for h in headers)}")
    return found


def read_table(name: str, data: bytes) -> tuple[list[str], list[list], str]:
    """Headers, data rows (raw cells) and how a cell is named: 'csv' or the sheet name."""
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return (*_read_csv(name, data), "csv")
    if suffix == ".xlsx":
        sheet = first_visible_sheet(data)
        if sheet is None:
            raise BulkFormatError("Tệp Excel không có trang tính nào đang hiện (các trang ẩn không được đọc)")
        try:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet, header=None, dtype=object,
                                  engine="calamine")
        except Exception as e:  # calamine raises its own error types for broken files
            raise BulkFormatError(f"Không đọc được tệp Excel: {e}") from None
        values = frame.astype(object).where(frame.notna(), None).values.tolist()
        if not values:
            raise BulkFormatError(f"Trang '{sheet}' rỗng")
        return [str(h) if h is not None else "" for h in values[0]], values[1:], sheet
    raise BulkFormatError(f"Định dạng tệp không hỗ trợ: '{suffix or name}' (chỉ nhận .csv hoặc .xlsx)")


def _read_csv(name: str, data: bytes) -> tuple[list[str], list[list]]:
    if len(data) > MAX_CSV_BYTES:
        from etl.excel import _mb

        raise BulkFormatError(f"Tệp '{name}' quá lớn ({_mb(len(data))}; tối đa {_mb(MAX_CSV_BYTES)}): không "
                              "đọc. Chia thành nhiều tệp nhỏ hơn.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise BulkFormatError(f"Tệp CSV phải mã hóa UTF-8 (byte không hợp lệ ở dòng {line})", f"dòng {line}") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise BulkFormatError("Tệp CSV chứa ký tự NUL: không phải tệp văn bản CSV", f"dòng {line}") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    # csv.field_size_limit is process-wide (app sessions are threads): keep the module's limit, which
    # raises csv.Error past 128 KiB, and check MAX_FIELD on each row here.
    reader = csv.reader(io.StringIO(text), delimiter=delim, strict=True)
    rows: list[list] = []
    try:
        for row in reader:
            if any(len(c) > MAX_FIELD for c in row):
                raise BulkFormatError(_too_long(), f"dòng {reader.line_num}")
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise BulkFormatError(f"Tệp có hơn {MAX_ROWS} dòng, vượt giới hạn {MAX_ROWS} dòng")
    except csv.Error as e:
        line = reader.line_num
        if "field larger than field limit" in str(e):
            raise BulkFormatError(_too_long(), f"dòng {line}") from None
        raise BulkFormatError(f"dấu ngoặc kép (\") không đúng quy cách CSV ({e}); mở tệp bằng Excel rồi lưu lại "
                              "dạng CSV UTF-8", f"dòng {line}") from None
    if not rows:
        raise BulkFormatError("Tệp rỗng")
    return rows[0], rows[1:]


def _too_long() -> str:
    return (f"một ô dài hơn {MAX_FIELD} ký tự; tệp số liệu không có ô dài như vậy (có thể thiếu dấu ngoặc kép "
            "đóng)")


def first_visible_sheet(data: bytes) -> str | None:
    """The name of the first sheet that is not hidden (None: none), read with calamine."""
    import python_calamine

    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for m in wb.sheets_metadata:
            if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet"):
                return m.name
    except Exception as e:  # calamine raises its own error types for broken files
        raise BulkFormatError(f"Không đọc được tệp Excel: {e}") from None
    return None


def _cell_name(where: str, line: int, col: int, header: str = "") -> str:
    if where == "csv":
        return f"dòng {line}, cột {col + 1}" + (f" ({header})" if header else "")
    return f"'{where}'!{get_column_letter(col + 1)}{line}"


def _row_name(where: str, line: int) -> str:
    return f"dòng {line}" if where == "csv" else f"'{where}' dòng {line}"


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x).strip() == ""


def _number(x) -> float:
    if isinstance(x, bool):
        raise ValueError("không phải số")
    if isinstance(x, (int, float)):
        return float(x)
    return parse_number(str(x))


def check_bulk(name: str, data: bytes, indicators: dict[str, Indicator], units: dict[str, dict],
               default_status: str = "official") -> Checked:
    """Read and validate a bulk file. Never raises for bad rows: they become errors."""
    out = Checked()
    try:
        headers, rows, where = read_table(name, data)
        cols = _header_map(headers)
    except BulkFormatError as e:
        out.error(e.where or name, str(e))
        return out
    if len(rows) > MAX_ROWS:
        out.error(name, f"Tệp có {len(rows)} dòng, vượt giới hạn {MAX_ROWS} dòng")
        return out
    seen: dict[tuple, str] = {}
    noted: set[tuple] = set()   # (unit, period) already warned of as figures on an old boundary
    for n, raw in enumerate(rows, start=2):
        cells = {k: (raw[i] if i < len(raw) else None) for k, i in cols.items()}
        if all(_blank(c) for c in raw):
            out.ignored += 1
            continue
        out.rows_read += 1
        at = lambda col: _cell_name(where, n, cols[col], headers[cols[col]])  # noqa: E731
        ind_code = str(cells["indicator"] or "").strip()
        unit_code = str(cells["unit"] or "").strip()
        if isinstance(cells["unit"], float) and cells["unit"].is_integer():
            unit_code = str(int(cells["unit"]))
        bad = False
        ind = indicators.get(ind_code)
        if ind is None:
            out.error(at("indicator"), f"chỉ số '{ind_code}' không có trong danh mục" if ind_code
                      else "thiếu mã chỉ số", ind_code or None)
            bad = True
        unit = units.get(unit_code)  # no zero-padding guesses: '94' is Sóc Trăng, '094' Điện Biên Phủ
        if unit is None:
            out.error(at("unit"), f"đơn vị '{unit_code}' không có trong danh mục đơn vị" if unit_code
                      else "thiếu mã đơn vị", ind_code or None)
            bad = True
        period = None
        try:
            period_text = cells["period"]
            if isinstance(period_text, float) and period_text.is_integer():
                period_text = int(period_text)
            period = Period.parse(period_text if not _blank(period_text) else "")
        except PeriodError as e:
            out.error(at("period"), str(e) if not _blank(cells["period"]) else "thiếu kỳ báo cáo", ind_code or None)
            bad = True
        value = None
        if _blank(cells["value"]):
            out.error(at("value"), "thiếu giá trị (ô trống không được hiểu là 0)", ind_code or None)
            bad = True
        else:
            try:
                value = _number(cells["value"])
            except ValueError:
                out.error(at("value"), f"giá trị '{cells['value']}' không phải là số", ind_code or None)
                bad = True
        status = default_status
        if "status" in cols and not _blank(cells["status"]):
            status = STATUS_ALIASES.get(fold(cells["status"]))
            if status is None:
                out.error(at("status"), f"trạng thái '{cells['status']}' không hợp lệ "
                          "(estimate/ước, preliminary/sơ bộ, official/chính thức)", ind_code or None)
                bad = True
        if ind is not None and value is not None:
            msg = check_value(ind, value)
            if msg:
                out.error(at("value"), msg, ind_code)
                bad = True
        if unit is not None and period is not None:
            msg = check_unit_period(unit, period)
            if msg:
                out.error(at("unit"), msg, ind_code or None)
                bad = True
        if bad:
            continue
        old_boundary = old_boundary_note(unit, period)   # issue 11: a plan that outlives its territory
        if old_boundary and (unit["code"], str(period)) not in noted:
            noted.add((unit["code"], str(period)))
            out.warn(at("unit"), old_boundary[0].upper() + old_boundary[1:], ind_code)
        key = (ind_code, unit["code"], str(period), status)
        if key in seen:
            out.error(_row_name(where, n), f"trùng với {seen[key]}: cùng chỉ số, đơn vị, kỳ và trạng thái",
                      ind_code)
            continue
        seen[key] = _row_name(where, n)
        source = "" if "source" not in cols or _blank(cells["source"]) else str(cells["source"]).strip()
        out.rows.append(Row(ind_code, unit["code"], period, value, status, source, _row_name(where, n),
                            note=old_boundary or ""))
    if not out.rows and not out.errors:
        out.error(name, "tệp không có dòng số liệu nào (chỉ có dòng tiêu đề hoặc dòng trống): không có gì để ghi")
    return out
