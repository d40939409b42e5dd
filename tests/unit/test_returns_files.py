"""Hostile and broken files are refused with a clear message before openpyxl opens them."""

import io
import json
import zipfile

import openpyxl
import pytest

from etl import excel
from etl.cli import main
from kpi.store import connect, scalar
from returns_kit import STD_HEADER, header_rows, workbook, write_return_catalog


@pytest.fixture
def ret_db(db_file, tmp_path):
    assert main(["init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    return db_file


def _xlsx_bytes(wb=None) -> bytes:
    wb = wb or workbook(header_rows() + [STD_HEADER, [1, "new_jobs", "x", "lao động", None, 5, 5, None, None]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, extra: dict[str, bytes] = None, replace: dict[str, bytes] = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


def _macro_content_types(data: bytes) -> bytes:
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    return types.replace("spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml").encode()


def _many_sheets() -> bytes:
    wb = openpyxl.Workbook()
    for i in range(21):
        wb.create_sheet(f"S{i}")
    return _xlsx_bytes(wb)


HOSTILE = [
    ("macro by extension", "r.xlsm", lambda: _xlsx_bytes(),
     "Định dạng tệp không hỗ trợ: tệp Excel có macro ('.xlsm') không được nhận"),
    ("macro inside an .xlsx", "r.xlsx", lambda: _rezip(_xlsx_bytes(), extra={"xl/vbaProject.bin": b"\0" * 64}),
     "chứa macro (VBA) dù mang đuôi .xlsx"),
    ("macro content type", "r.xlsx",
     lambda: _rezip(_xlsx_bytes(), replace={"[Content_Types].xml": _macro_content_types(_xlsx_bytes())}),
     "chứa macro (VBA) dù mang đuôi .xlsx"),
    ("old binary .xls", "r.xls", lambda: excel.OLE_MAGIC + b"\0" * 512,
     "Định dạng tệp không hỗ trợ: tệp Excel 97-2003 (.xls). Mở tệp bằng Excel, chọn Lưu dưới dạng"),
    (".xls renamed .xlsx", "r.xlsx", lambda: excel.OLE_MAGIC + b"\0" * 512, "tệp Excel 97-2003 (.xls)"),
    ("HTML saved as .xlsx", "r.xlsx", lambda: "<html><table><tr><td>1</td></tr></table></html>".encode(),
     "không phải tệp Excel .xlsx hợp lệ"),
    ("empty file", "r.xlsx", lambda: b"", "không phải tệp Excel .xlsx hợp lệ"),
    ("truncated zip", "r.xlsx", lambda: _xlsx_bytes()[:1500], "không phải tệp Excel .xlsx hợp lệ"),
    ("a zip that is not a workbook", "r.xlsx", lambda: _rezip(_rezip(b"PK\x05\x06" + b"\0" * 18, extra={"a.txt": b"x"})),
     "không phải bảng tính Excel .xlsx (thiếu phần workbook)"),
    ("zip bomb", "r.xlsx", lambda: _rezip(_xlsx_bytes(), extra={"xl/media/big.bin": b"\0" * (60 << 20)}),
     "khi giải nén ra 60,0 MB, vượt giới hạn 50,0 MB (nghi là tệp 'bom nén')"),
    ("absurd compression ratio", "r.xlsx", lambda: _rezip(_xlsx_bytes(), extra={"xl/media/z.bin": b"\0" * (5 << 20)}),
     "nén với tỷ lệ bất thường"),
    ("too many sheets", "r.xlsx", _many_sheets, "có 22 trang tính, vượt giới hạn 20"),
    ("unsupported type", "r.ods", lambda: b"PK\x03\x04", "Định dạng tệp không hỗ trợ: '.ods'"),
]


@pytest.mark.parametrize("case, name, make, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_refused_before_opening(ret_db, tmp_path, capsys, monkeypatch, case, name, make, message):
    import python_calamine

    opened = []
    monkeypatch.setattr(excel, "open_workbook", lambda *a: opened.append("openpyxl"))
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", lambda *a: opened.append("calamine"))
    path = tmp_path / name
    path.write_bytes(make())
    assert main(["load", str(path), "--json"]) == 1
    assert opened == []
    s = json.loads(capsys.readouterr().out)
    assert [e["where"] for e in s["errors"]] == [name]
    assert message in s["errors"][0]["message"]
    with connect(ret_db) as con:
        assert scalar(con, "SELECT count(*) FROM uploads") == 0


def test_file_size_limit(ret_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(excel, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.xlsx"
    path.write_bytes(_xlsx_bytes())
    assert main(["load", str(path)]) == 1
    assert "Tệp 'big.xlsx' quá lớn" in capsys.readouterr().out


def test_broken_part_inside_a_valid_zip(ret_db, tmp_path, capsys):
    data = _rezip(_xlsx_bytes(), replace={"xl/workbook.xml": b"<workbook><sheets><sheet name='a'"})
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    assert main(["load", str(path)]) == 1
    assert "Không đọc được tệp Excel" in capsys.readouterr().out


def test_lying_zip_header_is_caught(tmp_path):
    """A part whose header claims a small size but holds more fails its checksum: refused as broken."""
    data = bytearray(_rezip(_xlsx_bytes(), extra={"xl/media/a.bin": b"\0" * 200_000}))
    name = b"xl/media/a.bin"
    pos = 0
    while True:   # the part's central directory record: signature, ..., size at +24, name at +46
        pos = data.find(b"PK\x01\x02", pos)
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if bytes(data[pos + 46:pos + 46 + name_len]) == name:
            break
        pos += 4
    data[pos + 24:pos + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(excel.FileRefused, match="bị hỏng"):
        excel.check_file("a.xlsx", bytes(data))
