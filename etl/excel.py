"""The generic workbook reader: refuse hostile files, open, find the header, name cells.

Spreadsheet quirks are data, not code: a form declares its columns as a map
from a standard field name to the header texts seen in the wild (matched
without accents, case or punctuation), and :func:`find_header` finds the row
(or two rows, under merged cells) that carries them, wherever it sits.

>>> spec = {"name": ("chi tieu",), "quarter": ("thuc hien quy", "quy")}
>>> rows = [("Báo cáo", None), (None, None), ("Chỉ tiêu", "Thực hiện quý II")]
>>> h = find_header(rows, spec, required=("name",))
>>> (h.first_row, h.last_row, h.columns)
(3, 3, {'name': 0, 'quarter': 1})

Before openpyxl sees a file, :func:`check_file` looks inside the zip: macros,
old binary ``.xls``, bytes that are not a workbook, zip bombs, and XML parts
that declare a DTD or entities ("billion laughs", external entities; checked
with defusedxml) are refused with a message in Vietnamese. Hidden sheets are
never read (:func:`visible_sheets`).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from kpi.units import fold

MAX_FILE_BYTES = 20 * 1024 * 1024        # the file as sent
MAX_UNCOMPRESSED = 50 * 1024 * 1024      # all parts of the zip, decompressed
MAX_RATIO = 100                          # decompressed / compressed, for parts over 1 MB
MAX_MEMBERS = 2000
MAX_SHEETS = 20
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # Excel 97-2003 (.xls), also .doc
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
SAVE_AS_XLSX = "Mở tệp bằng Excel, chọn Lưu dưới dạng (Save As) → 'Sổ làm việc Excel (.xlsx)' rồi gửi lại."


class FileRefused(ValueError):
    """A file we will not open. The message is in Vietnamese and says what to do."""


def _mb(n: int) -> str:
    from kpi.fmt import fmt_number

    return fmt_number(n / 1024 / 1024, 1) + " MB"


def check_file(name: str, data: bytes) -> None:
    """Raise :class:`FileRefused` unless ``data`` is a plain .xlsx workbook of sane size.

    Checks the extension and the content (a macro workbook renamed .xlsx is
    still refused), and decompresses every part in chunks, counting bytes, so
    a zip bomb is stopped at the cap whatever its headers claim.
    """
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(f"Tệp '{name}' quá lớn ({_mb(len(data))}; tối đa {_mb(MAX_FILE_BYTES)}).")
    if suffix in MACRO_SUFFIXES:
        kind = "có macro" if suffix != ".xlsb" else "dạng nhị phân (.xlsb)"
        raise FileRefused(f"Định dạng tệp không hỗ trợ: tệp Excel {kind} ('{suffix}') không được nhận. "
                          + SAVE_AS_XLSX)
    if data[:8] == OLE_MAGIC or suffix == ".xls":
        raise FileRefused("Định dạng tệp không hỗ trợ: tệp Excel 97-2003 (.xls). " + SAVE_AS_XLSX)
    if suffix != ".xlsx":
        hint = (" Báo cáo bằng văn bản (Word, PDF) gửi theo nghĩa vụ báo cáo: python -m etl load TỆP --plan … "
                "--obligation … --unit … --period …") if suffix in (".docx", ".pdf") else ""
        raise FileRefused(f"Định dạng tệp không hỗ trợ: '{suffix or name}' (chỉ nhận .xlsx hoặc .csv).{hint}")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRefused(f"Tệp '{name}' không phải tệp Excel .xlsx hợp lệ (nội dung không phải bảng tính "
                          "Office Open XML; có thể tệp bị hỏng hoặc chỉ được đổi tên thành .xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if len(infos) > MAX_MEMBERS:
                raise FileRefused(f"Tệp '{name}' có {len(infos)} thành phần, vượt giới hạn {MAX_MEMBERS}.")
            _check_sizes(name, z, infos)
            _check_xml(name, z, infos)
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise FileRefused(f"Tệp '{name}' không phải bảng tính Excel .xlsx (thiếu phần workbook).")
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
            if "macroenabled" in types.lower() or any(n.lower().endswith("vbaproject.bin") for n in names):
                raise FileRefused(f"Định dạng tệp không hỗ trợ: tệp '{name}' chứa macro (VBA) dù mang đuôi "
                                  ".xlsx; tệp có macro không được nhận. " + SAVE_AS_XLSX)
            sheets = len(re.findall(r"<(?:\w+:)?sheet\b", z.read("xl/workbook.xml").decode("utf-8", "replace")))
            if sheets > MAX_SHEETS:
                raise FileRefused(f"Tệp '{name}' có {sheets} trang tính, vượt giới hạn {MAX_SHEETS}.")
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as e:
        if isinstance(e, FileRefused):
            raise
        raise FileRefused(f"Tệp '{name}' bị hỏng, không giải nén được ({e}).") from None


def _check_sizes(name: str, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED:
        raise FileRefused(_bomb(name, declared))
    total = 0
    for info in infos:
        part = 0
        with z.open(info) as f:
            while chunk := f.read(1 << 20):
                part += len(chunk)
                total += len(chunk)
                if total > MAX_UNCOMPRESSED:
                    raise FileRefused(_bomb(name, total, more=True))
        if part > (1 << 20) and part > MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused(f"Tệp '{name}' bị từ chối: phần '{info.filename}' nén với tỷ lệ bất thường "
                              f"({part // max(info.compress_size, 1)}:1), nghi là tệp 'bom nén'.")


class _RootSeen(Exception):
    pass


class _StopAtRoot:
    """A parser target that stops at the first element: a DTD can only come before it."""

    def start(self, tag, attrib):
        raise _RootSeen

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def close(self):
        return None


def _check_xml(name: str, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse any XML part with a DOCTYPE or an entity declaration (defusedxml's parser, stopped at the root)."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
        try:
            with z.open(info) as f:
                while chunk := f.read(1 << 16):
                    parser.feed(chunk)
            parser.close()
        except _RootSeen:
            continue
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
            raise FileRefused(f"Tệp '{name}' bị từ chối: phần '{info.filename}' khai báo DTD hoặc thực thể XML "
                              "(<!DOCTYPE>, <!ENTITY>), điều một bảng tính Excel không bao giờ có; nghi là tệp "
                              "tấn công ('bom XML'). Mở bằng Excel, lưu lại thành .xlsx rồi gửi lại.") from None
        except ParseError as e:
            raise FileRefused(f"Tệp '{name}' bị hỏng: phần '{info.filename}' không phải XML hợp lệ ({e}).") from None


def visible_sheets(wb) -> tuple[list, list[str]]:
    """The sheets a person sees, and the titles of the hidden ones (never read)."""
    shown = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    return shown, [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]


def _bomb(name: str, size: int, more: bool = False) -> str:
    return (f"Tệp '{name}' bị từ chối: khi giải nén ra {'hơn ' if more else ''}{_mb(size)}, vượt giới hạn "
            f"{_mb(MAX_UNCOMPRESSED)} (nghi là tệp 'bom nén'). Nếu là số liệu thật, hãy chia nhỏ tệp.")


# --- workbook --------------------------------------------------------------


def open_workbook(data: bytes):
    """The workbook with cached values of formulas (``data_only``), merged cells known."""
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds for broken parts
        raise FileRefused(f"Không đọc được tệp Excel: tệp bị hỏng hoặc sai cấu trúc ({type(e).__name__}: {e}). "
                          "Mở bằng Excel, lưu lại thành .xlsx rồi gửi lại.") from None


def formula_cells(data: bytes, sheet: str) -> dict[tuple[int, int], str]:
    """(row, column) → formula text, for one sheet (1-based, as openpyxl)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        out = {}
        for row in wb[sheet].iter_rows():
            for c in row:
                v = getattr(c, "value", None)
                if isinstance(v, str) and v.startswith("="):
                    out[(c.row, c.column)] = v
        return out
    finally:
        wb.close()


def sheet_rows(ws) -> list[tuple]:
    """Cell values, row by row, with merged ranges filled from their top-left cell.

    Filling is right for headers (a merged "Thực hiện" over two columns
    belongs to both); callers reading data values use :func:`own_value`.
    """
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else None
        for r in range(rng.min_row, min(rng.max_row, len(rows)) + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if c - 1 < len(rows[r - 1]):
                    rows[r - 1][c - 1] = top
    return [tuple(r) for r in rows]


def merged_followers(ws) -> set[tuple[int, int]]:
    """Cells (row, col) covered by a merge but not its top-left cell: they hold no value of their own."""
    out = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    out.add((r, c))
    return out


def last_used_row(rows: list[tuple]) -> int:
    for i in range(len(rows), 0, -1):
        if any(not blank(v) for v in rows[i - 1]):
            return i
    return 0


def cell_ref(sheet: str, row: int, col: int) -> str:
    """``'Biểu 01'!F12`` (row and col 1-based)."""
    return f"'{sheet}'!{get_column_letter(col)}{row}"


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# --- header ----------------------------------------------------------------


def label_key(text) -> str:
    """Folded header text, punctuation as spaces: ``'Lũy kế (từ đầu năm)'`` → ``'luy ke tu dau nam'``."""
    return re.sub(r"\s+", " ", re.sub(r"[^0-9a-z%]+", " ", fold(str(text or "")))).strip()


def _has_words(label: str, alias: str) -> bool:
    return re.search(rf"(?<![0-9a-z]){re.escape(alias)}(?![0-9a-z])", label) is not None


@dataclass
class Header:
    first_row: int                         # 1-based rows of the header band
    last_row: int
    columns: dict[str, int]                # field → 0-based column
    labels: dict[int, str] = field(default_factory=dict)   # column → header text as read

    @property
    def data_start(self) -> int:
        return self.last_row + 1


def match_columns(labels: list[str], spec: dict[str, tuple[str, ...]],
                  ignore: tuple[str, ...] = (), scores: dict | None = None) -> dict[str, int]:
    """Give each field of ``spec`` the column whose label matches it best (each column once).

    An exact label beats a label that merely contains an alias; a longer alias
    beats a shorter one. Labels containing an ``ignore`` alias are never taken.
    """
    keys = [label_key(x) for x in labels]
    scored = []
    for col, key in enumerate(keys):
        if not key or any(_has_words(key, a) for a in ignore):
            continue
        for fld, aliases in spec.items():
            best = 0
            for a in aliases:
                if key == a:
                    best = max(best, 1000 + len(a))
                elif _has_words(key, a):
                    best = max(best, len(a))
            if best:
                scored.append((best, -col, fld, col))
    out: dict[str, int] = {}
    taken: set[int] = set()
    for _score, _c, fld, col in sorted(scored, reverse=True):
        if fld not in out and col not in taken:
            out[fld] = col
            taken.add(col)
            if scores is not None:
                scores[fld] = _score
    return out


def band_labels(rows: list[tuple], first: int, last: int) -> list[str]:
    """Header texts of rows ``first..last`` (1-based) joined per column, repeats dropped."""
    width = max((len(rows[r - 1]) for r in range(first, last + 1)), default=0)
    out = []
    for c in range(width):
        parts: list[str] = []
        for r in range(first, last + 1):
            v = rows[r - 1][c] if c < len(rows[r - 1]) else None
            if not blank(v) and (not parts or str(v).strip() != parts[-1]):
                parts.append(str(v).strip())
        out.append(" ".join(parts))
    return out


def _is_parent_row(row: tuple) -> bool:
    """A row that can sit above sub-headers: several distinct texts (a title merged across has one)."""
    return len({str(v).strip() for v in row if not blank(v)}) >= 2


def find_header(rows: list[tuple], spec: dict[str, tuple[str, ...]], required: tuple[str, ...],
                any_of: tuple[str, ...] = (), ignore: tuple[str, ...] = (), scan: int = 40,
                ) -> Header | None:
    """The header band (one row, or two under merged cells) that matches most fields.

    ``required``: at least one of these fields must be found; ``any_of``: and
    at least one of these. None when no row qualifies.
    """
    best: tuple | None = None
    for first in range(1, min(scan, len(rows)) + 1):
        for last in (first, first + 1):
            if last > len(rows) or (last > first and not _is_parent_row(rows[first - 1])):
                continue
            labels = band_labels(rows, first, last)
            scores: dict[str, int] = {}
            cols = match_columns(labels, spec, ignore, scores)
            if not any(f in cols for f in required) or (any_of and not any(f in cols for f in any_of)):
                continue
            score = (len(cols), sum(scores.values()), -(last - first), -first)
            if best is None or score > best[0]:
                best = (score, first, last, cols, labels)
    if best is None:
        return None
    _, first, last, cols, labels = best
    return Header(first, last, cols, {c: labels[c] for c in cols.values()})


# --- numbers ---------------------------------------------------------------
# Multiplier words, longest first (folded). "52 triệu" in a "triệu đồng"
# column is 52; "1,3 triệu" in a "nghìn lượt" column is 1.300.
SCALES = (("nghin ty", 1e12), ("ngan ty", 1e12), ("trieu", 1e6), ("nghin", 1e3), ("ngan", 1e3),
          ("van", 1e4), ("ty", 1e9), ("ti", 1e9), ("tr", 1e6))
PLACEHOLDERS = {"-", "–", "—", "x", "...", "…", "n/a", "na", "//"}   # "nothing here": missing, not zero
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA")
_NUM_TEXT = re.compile(r"^\s*([+-]?\d[\d.,\s]*\d|[+-]?\d)\s*(.*?)\s*$")
_REMARK = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]*)[)\]]\s*$")


def _split_scale(key: str) -> tuple[float, str]:
    for word, mult in SCALES:
        if key == word or key.startswith(word + " ") or key.startswith(word + "/"):
            return mult, key[len(word):].strip()
    return 1.0, key


def _unit_key(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).replace("\u00a0", " ")).strip()


def is_placeholder(v) -> bool:
    return isinstance(v, str) and v.strip().lower() in PLACEHOLDERS


def parse_quantity(text: str, unit: str) -> tuple[float, str]:
    """A number typed as text, in the indicator's unit; and any remark in brackets.

    >>> parse_quantity("1.234,5", "tỷ đồng")
    (1234.5, '')
    >>> parse_quantity("12,5%", "%")
    (12.5, '')
    >>> parse_quantity("52 triệu", "triệu đồng")
    (52.0, '')
    >>> parse_quantity("1.300 ngàn", "nghìn lượt")
    (1300.0, '')
    >>> parse_quantity("1,2 tỷ", "triệu đồng")
    (1200.0, '')
    >>> parse_quantity("2.500 người (ước)", "người")
    (2500.0, 'ước')
    >>> parse_quantity("52 triệu", "%")
    Traceback (most recent call last):
    ValueError: giá trị '52 triệu' không quy đổi được 'triệu' sang đơn vị tính '%'
    """
    raw = str(text).replace("\u00a0", " ").strip()
    remark = ""
    m = _REMARK.match(raw)
    if m and m.group(1):
        raw, remark = m.group(1).strip(), m.group(2).strip()
    m = _NUM_TEXT.match(raw)
    if not m:
        raise ValueError(f"giá trị '{text}' không phải là số")
    try:
        number = _parse_vn(m.group(1))
    except ValueError:
        raise ValueError(f"giá trị '{text}' không phải là số") from None
    rest = _unit_key(m.group(2))
    if not rest:
        return number, remark
    ukey = _unit_key(unit)
    percent = unit.strip().startswith("%")
    if rest == ukey:
        return number, remark
    if rest == "%":
        if percent:
            return number, remark
        raise ValueError(f"giá trị '{text}' có dấu % nhưng chỉ tiêu tính bằng '{unit}'")
    scale, rest_base = _split_scale(rest)
    uscale, ubase = _split_scale(ukey)
    if scale == 1.0 and rest_base and not _compatible(rest_base, ubase):
        raise ValueError(f"giá trị '{text}' ghi đơn vị '{m.group(2).strip()}', không khớp đơn vị tính '{unit}'")
    if percent or (rest_base and not _compatible(rest_base, ubase)):
        raise ValueError(f"giá trị '{text}' không quy đổi được '{m.group(2).strip()}' sang đơn vị tính '{unit}'")
    return number * scale / uscale, remark


def _compatible(given: str, base: str) -> bool:
    """'dong' fits 'dong/nguoi/nam'; 'usd' does not fit 'dong'."""
    if not base:
        return not given
    return base == given or base.startswith(given + "/") or base.startswith(given + " ")


def _parse_vn(s: str) -> float:
    from kpi.fmt import parse_number

    # Spaces group thousands too ("1 300"). English grouping ("1,234.5") is not
    # guessed at: parse_number refuses it.
    return parse_number(s.replace(" ", ""))


def read_number(value, number_format: str, unit: str) -> tuple[float | None, str]:
    """A cell's value as a number in the indicator's unit (None: empty), and a remark.

    Raises ValueError with the reason in Vietnamese. A number shown as a
    percentage (Excel stores 12,5% as 0,125) counts as 12,5 for a % indicator.
    """
    if value is None or is_placeholder(value):
        return None, ""
    if isinstance(value, bool):
        raise ValueError(f"ô chứa giá trị đúng/sai ({'TRUE' if value else 'FALSE'}), không phải là số")
    if isinstance(value, (int, float)):
        v = float(value)
        if "%" in (number_format or "") and unit.strip().startswith("%"):
            v = round(v * 100, 10)
        return v, ""
    if hasattr(value, "year"):   # datetime, date, time
        raise ValueError(f"ô chứa ngày tháng ({value:%d/%m/%Y}), không phải là số; có thể Excel đã tự đổi "
                         "số gõ vào thành ngày: định dạng ô là Số (Number) rồi gõ lại")
    text = str(value).strip()
    if not text:
        return None, ""
    if text.upper() in EXCEL_ERRORS:
        raise ValueError(f"ô có lỗi công thức {text.upper()}")
    return parse_quantity(text, unit)
