"""A corpus of hostile or malformed files, made by code (no committed binaries), and a database fingerprint.

Each :class:`Case` is a file name, a function making its bytes, the words the
refusal must contain, and the place it must name (the file, a sheet, a cell or
a CSV line). ``tests/unit/test_hostile.py`` sends every case through
``python -m etl load`` and through ``etl.intake.load_bytes`` (what the upload
page calls) and checks that the database did not change.

The base return is valid: ``good_return()`` loads (a control, so that a
refusal is the mutation's doing, not a broken base).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Callable

import openpyxl

from returns_kit import STD_HEADER, header_rows, workbook

UNIT_HEADER = "Huyện Tuần Giáo (mã 099)"
GOOD_ROWS = [
    [1, "new_jobs", "Số lao động được tạo việc làm mới", "lao động", None, 500, 900, 2000, None],
    [2, "poverty_rate", "Tỷ lệ hộ nghèo đa chiều", "%", None, "x", 21.5, 20.0, None],
    [3, "tourists", "Số lượt khách du lịch", "nghìn lượt", None, 60, 110, 250, None],
]


def xlsx(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def return_wb(rows=None, *, unit=UNIT_HEADER, period="Quý II/2025", **kw) -> openpyxl.Workbook:
    return workbook(header_rows(unit=unit, period=period) + [STD_HEADER] + (GOOD_ROWS if rows is None else rows), **kw)


def good_return() -> bytes:
    return xlsx(return_wb())


def with_row(i: int, **cells) -> list[list]:
    """GOOD_ROWS with row ``i`` changed: cells by field (quarter, ytd, year, code, name)."""
    pos = {"code": 1, "name": 2, "quarter": 5, "ytd": 6, "year": 7}
    rows = [list(r) for r in GOOD_ROWS]
    for k, v in cells.items():
        rows[i][pos[k]] = v
    return rows


def rezip(data: bytes, extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None,
          drop: tuple[str, ...] = ()) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename in drop:
                continue
            z.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


def with_doctype(part: str, doctype: str) -> bytes:
    data = good_return()
    body = zipfile.ZipFile(io.BytesIO(data)).read(part).decode("utf-8")
    if body.startswith("<?xml"):
        head, sep, rest = body.partition("?>")
        body = head + sep + doctype + rest
    else:
        body = doctype + body
    return rezip(data, replace={part: body.encode("utf-8")})


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10)) + "]>")
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def hidden_return() -> bytes:
    """The real return on a hidden first sheet; the visible sheet holds nothing."""
    wb = return_wb()
    ws = wb.active
    ws.sheet_state = "hidden"
    wb.create_sheet("Trang 2")["A1"] = "Ghi chú: số liệu ở trang khác"
    wb.active = 1
    return xlsx(wb)


def formula_without_cache() -> bytes:
    return xlsx(return_wb(with_row(0, ytd="=F10+100")))


def too_many_rows() -> bytes:
    rows = [list(r) for r in GOOD_ROWS] + [[None, None, f"Dòng ghi chú {i}", None, None, None, None, None, None]
                                           for i in range(2600)]
    return xlsx(return_wb(rows))


def bulk_xlsx(rows: list[list], hidden_first: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    for r in [["indicator", "unit", "period", "value"]] + rows:
        ws.append(r)
    if hidden_first:
        ws.sheet_state = "hidden"
        wb.create_sheet("Trống")
        wb.active = 1
    return xlsx(wb)


def csv_bytes(*lines: str, header: str = "indicator,unit,period,value") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(io.BytesIO(good_return()))
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename))
        z.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


def ratio_bomb() -> bytes:
    return rezip(good_return(), extra={"xl/media/padding.bin": b"\0" * (3 * 1024 * 1024)})


def many_sheets() -> bytes:
    wb = return_wb()
    for i in range(21):
        wb.create_sheet(f"S{i}")
    return xlsx(wb)


@dataclass
class Case:
    id: str
    name: str
    make: Callable[[], bytes]
    says: str                 # words the refusal must contain
    where: str | None = None  # the place it must name (None: the file name)


J = "new_jobs,099,2025Q2"
CASES: list[Case] = [
    # --- what is not a workbook, or a dangerous one ---------------------------------------
    Case("zero-byte xlsx", "r.xlsx", lambda: b"", "không phải tệp Excel .xlsx hợp lệ"),
    Case("random bytes", "r.xlsx", lambda: hashlib.sha256(b"x").digest() * 500, "không phải tệp Excel .xlsx hợp lệ"),
    Case("text renamed xlsx", "r.xlsx", lambda: b"STT;Ma;Chi tieu\n1;new_jobs;5\n", "không phải tệp Excel"),
    Case("old binary xls", "r.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Excel 97-2003"),
    Case("xlsm by name", "r.xlsm", good_return, "có macro"),
    Case("macro inside xlsx", "r.xlsx", lambda: rezip(good_return(), extra={"xl/vbaProject.bin": b"\0" * 64}),
         "chứa macro (VBA)"),
    Case("pdf", "r.pdf", lambda: b"%PDF-1.7\n", "Định dạng tệp không hỗ trợ"),
    Case("docx named", "r.docx", good_return, "Định dạng tệp không hỗ trợ"),
    Case("truncated xlsx", "r.xlsx", lambda: good_return()[: len(good_return()) // 2], "không phải tệp Excel"),
    Case("zip without workbook", "r.xlsx", lambda: rezip(good_return(), drop=("xl/workbook.xml",)),
         "thiếu phần workbook"),
    Case("zip bomb", "r.xlsx", zip_bomb, "bom nén"),
    Case("ratio bomb", "r.xlsx", ratio_bomb, "tỷ lệ bất thường"),
    Case("21 sheets", "r.xlsx", many_sheets, "vượt giới hạn 20"),
    Case("over 20 MB", "r.xlsx", lambda: b"PK" + b"\1" * (21 * 1024 * 1024), "quá lớn"),
    Case("billion laughs in a sheet", "r.xlsx", lambda: with_doctype("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
         "khai báo DTD hoặc thực thể XML"),
    Case("external entity in workbook.xml", "r.xlsx", lambda: with_doctype("xl/workbook.xml", EXTERNAL),
         "khai báo DTD hoặc thực thể XML"),
    Case("doctype in content types", "r.xlsx",
         lambda: with_doctype("[Content_Types].xml", "<!DOCTYPE Types>"), "khai báo DTD hoặc thực thể XML"),
    Case("entity in styles", "r.xlsx", lambda: with_doctype("xl/styles.xml", BILLION_LAUGHS),
         "khai báo DTD hoặc thực thể XML"),
    Case("external entity in relationships", "r.xlsx", lambda: with_doctype("_rels/.rels", EXTERNAL),
         "khai báo DTD hoặc thực thể XML"),
    Case("broken xml part", "r.xlsx",
         lambda: rezip(good_return(), replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"}),
         "bị hỏng"),
    # --- a return with bad content ------------------------------------------------------------
    Case("unfilled return", "r.xlsx",
         lambda: xlsx(return_wb(with_row(0, quarter=None, ytd=None, year=None)[:1])), "chưa điền số liệu nào",
         "'Biểu 01'"),
    Case("hidden sheet holds the return", "r.xlsx", hidden_return, "không tìm thấy bảng số liệu"),
    Case("no table at all", "r.xlsx", lambda: xlsx(workbook([["Báo cáo"], ["Không có bảng"]])),
         "không tìm thấy bảng số liệu"),
    Case("text in a number cell", "r.xlsx", lambda: xlsx(return_wb(with_row(0, ytd="abc"))), "không phải là số",
         "'Biểu 01'!G6"),
    Case("1e308 in a number cell", "r.xlsx", lambda: xlsx(return_wb(with_row(0, year=1e308))), "giá trị quá lớn",
         "'Biểu 01'!H6"),
    Case("1e20 typed as text", "r.xlsx", lambda: xlsx(return_wb(with_row(0, year="100000000000000000000"))),
         "giá trị quá lớn", "'Biểu 01'!H6"),
    Case("negative count", "r.xlsx", lambda: xlsx(return_wb(with_row(0, ytd=-5))), "giá trị âm", "'Biểu 01'!G6"),
    Case("rate over 100", "r.xlsx", lambda: xlsx(return_wb(with_row(1, ytd=130))), "lớn hơn 100%",
         "'Biểu 01'!G7"),
    Case("indicator twice", "r.xlsx", lambda: xlsx(return_wb(GOOD_ROWS + [GOOD_ROWS[0]])), "xuất hiện hai lần",
         "'Biểu 01'!C9"),
    Case("unknown indicator", "r.xlsx",
         lambda: xlsx(return_wb(with_row(2, code=None, name="Số cầu treo dân sinh được xây mới"))),
         "không nhận ra chỉ tiêu", "'Biểu 01'!C8"),
    Case("formula without cached value", "r.xlsx", formula_without_cache, "chưa có giá trị tính sẵn",
         "'Biểu 01'!G6"),
    Case("date in a number cell", "r.xlsx",
         lambda: xlsx(return_wb(with_row(0, ytd=__import__("datetime").datetime(2025, 5, 1)))), "ngày tháng",
         "'Biểu 01'!G6"),
    Case("true in a number cell", "r.xlsx", lambda: xlsx(return_wb(with_row(0, ytd=True))), "đúng/sai",
         "'Biểu 01'!G6"),
    Case("excel error text", "r.xlsx", lambda: xlsx(return_wb(with_row(0, ytd="#DIV/0!"))), "lỗi công thức",
         "'Biểu 01'!G6"),
    Case("unit outside the plan", "r.xlsx", lambda: xlsx(return_wb(unit="Thành phố Hà Nội (mã 01)")),
         "không báo cáo Quý II/2025 cho kế hoạch nào", "'Biểu 01'!C2"),
    Case("quarter outside the plan", "r.xlsx", lambda: xlsx(return_wb(period="Quý II/2030")), "không báo cáo Quý II/2030 cho kế hoạch nào",
         "'Biểu 01'!C2"),
    Case("unknown unit code", "r.xlsx", lambda: xlsx(return_wb(unit="Đơn vị X (mã 99999)")),
         "không có trong danh mục", "'Biểu 01'!C2"),
    Case("over 2.500 rows", "r.xlsx", too_many_rows, "vượt giới hạn 2.500 dòng", "'Biểu 01'"),
    # --- the bulk format ----------------------------------------------------------------------
    Case("zero-byte csv", "b.csv", lambda: b"", "Tệp rỗng"),
    Case("header-only csv", "b.csv", lambda: csv_bytes(), "không có dòng số liệu nào"),
    Case("csv not utf-8", "b.csv", lambda: csv_bytes(f"{J},5", header="chỉ số,đơn vị,kỳ,giá trị").decode()
         .encode("cp1258", "replace").replace(b"?", b"\xe0"), "UTF-8", "dòng 1"),
    Case("csv with NUL", "b.csv", lambda: csv_bytes(f"{J},5", "x\0y,099,2025Q2,1"), "NUL", "dòng 3"),
    Case("csv over 20 MB", "b.csv", lambda: csv_bytes(*[f"{J},{i}" for i in range(1_100_000)]), "quá lớn"),
    Case("csv field over 128 KiB", "b.csv", lambda: csv_bytes(f'{J},"{"9" * 140_000}"'), "dài hơn 4096 ký tự",
         "dòng 2"),
    Case("csv field of 5.000", "b.csv", lambda: csv_bytes(f"{J},5", f"new_jobs,099,2025Q3,{'1' * 5000}"),
         "dài hơn 4096 ký tự", "dòng 3"),
    Case("csv unclosed quote", "b.csv", lambda: csv_bytes(f"{J},5", f'{J},"5', f"{J},6"), "ngoặc kép", "dòng"),
    Case("csv quote in the middle", "b.csv", lambda: csv_bytes(f"{J},5", 'new_jobs,099,2025Q3,"5"x'),
         "ngoặc kép", "dòng 3"),
    Case("csv missing columns", "b.csv", lambda: b"chi so;ky\nnew_jobs;2025Q2\n", "Thiếu cột bắt buộc"),
    Case("csv 400 digits", "b.csv", lambda: csv_bytes(f"{J},{'9' * 400}"), "không hữu hạn", "dòng 2, cột 4"),
    Case("csv 1e20 written out", "b.csv", lambda: csv_bytes(f"{J},{10 ** 20}"), "giá trị quá lớn",
         "dòng 2, cột 4"),
    Case("csv NaN", "b.csv", lambda: csv_bytes(f"{J},NaN"), "không phải là số", "dòng 2, cột 4"),
    Case("csv Infinity", "b.csv", lambda: csv_bytes(f"{J},inf"), "không phải là số", "dòng 2, cột 4"),
    Case("csv formula text", "b.csv", lambda: csv_bytes(f'{J},"=cmd|\' /C calc\'!A0"'), "không phải là số",
         "dòng 2, cột 4"),
    Case("csv unknown indicator", "b.csv", lambda: csv_bytes("khong_co,099,2025Q2,5"), "không có trong danh mục",
         "dòng 2, cột 1"),
    Case("csv unknown unit", "b.csv", lambda: csv_bytes("new_jobs,9999,2025Q2,5"), "không có trong danh mục đơn vị",
         "dòng 2, cột 2"),
    Case("csv bad period", "b.csv", lambda: csv_bytes("new_jobs,099,2025Q7,5"), "", "dòng 2, cột 3"),
    Case("csv duplicate rows", "b.csv", lambda: csv_bytes(f"{J},5", f"{J},6"), "trùng với dòng 2", "dòng 3"),
    Case("csv bad status", "b.csv", lambda: csv_bytes(f"{J},5,tạm", header="indicator,unit,period,value,status"),
         "trạng thái", "dòng 2, cột 5"),
    Case("bulk xlsx 1e20", "b.xlsx", lambda: bulk_xlsx([["new_jobs", "099", "2025Q2", 1e20]]), "giá trị quá lớn",
         "'Số liệu'!D2"),
    Case("bulk xlsx hidden data sheet", "b.xlsx",
         lambda: bulk_xlsx([["new_jobs", "099", "2025Q2", 5]], hidden_first=True), "không tìm thấy bảng số liệu"),
]

VIETNAMESE = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def is_vietnamese(text: str) -> bool:
    return len(VIETNAMESE & set(text.lower())) >= 3


# --- the database, before and after ------------------------------------------------------


def fingerprint(con) -> dict[str, tuple[int, str]]:
    """Every base table (the audit log apart): its row count and a hash of its sorted rows."""
    out = {}
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
    for t in tables:
        if t == "audit_log":
            continue
        rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{t}"').fetchall())
        out[t] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def audit_actions(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY id").fetchall()]
