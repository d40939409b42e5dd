"""Narrative reports: real .docx (python-docx) and PDF files, hostile ones refused, receipts, the obligation state."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest

from etl.cli import main
from etl.narrative import ReportRefused, check_report
from kpi.obligations import obligation_rows
from kpi.periods import Period
from kpi.store import connect, scalar
from tests.unit.accounts_kit import make_user

PLAN = ["--plan", "bentre_2024_2025", "--obligation", "party_bodies_quarterly", "--unit", "836_cap_uy",
        "--period", "2025Q2"]


def word(text="Báo cáo kết quả thực hiện quý II/2025") -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >>"
       b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def with_member(data: bytes, name: str, content: bytes = b"x") -> bytes:
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("bc.doc", b"\xd0\xcf\x11\xe0", "định dạng .doc không được nhận"),
    ("bc.docm", b"PK", "định dạng .docm không được nhận"),
    ("bc.txt", b"abc", "phải là tệp Word (.docx) hoặc PDF"),
    ("bc.pdf", b"not a pdf", "không phải tệp PDF"),
    ("bc.pdf", PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "JavaScript, Launch, EmbeddedFile"),
    ("bc.docx", b"PK\x03\x04 not really", "không phải tệp Word"),
    ("bc.docx", None, "có macro (VBA)"),
    ("bc.docx", "bomb", "bom nén"),
])
def test_hostile_files_are_refused(name, data, message):
    if data is None:
        data = with_member(word(), "word/vbaProject.bin")
    elif data == "bomb":
        data = with_member(word(), "word/media/big.bin", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(ReportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_report(name, data)


def test_too_big():
    with pytest.raises(ReportRefused, match=r"Tệp 'bc.pdf' quá lớn \(21,0 MB; tối đa 20 MB\)"):
        check_report("bc.pdf", b"%PDF-" + b"0" * (21 * 1048576 - 5))


def test_good_files_pass():
    assert check_report("bao-cao.docx", word()) == "docx"
    assert check_report("bao-cao.PDF", PDF) == "pdf"


@pytest.fixture
def db(db_file):
    assert main(["init"]) == 0
    make_user(db_file, "batri", "reporter", units=("836_cap_uy",))
    return db_file


def test_receipt_kept_by_sha256_and_the_obligation_is_received(db, tmp_path, capsys):
    f = tmp_path / "bao-cao-quy-2.docx"
    f.write_bytes(word())
    assert main(["load", str(f), *PLAN, "--user", "batri"]) == 0
    out = capsys.readouterr().out
    assert "Đã nhận báo cáo 'bao-cao-quy-2.docx' của 836_cap_uy, kỳ 2025Q2" in out and "Mã biên nhận: BN-1-" in out
    with connect(db) as con:
        stored = scalar(con, "SELECT stored_path FROM uploads WHERE id = 1")
        rows = {r["reporter"]: r for r in obligation_rows(con, "bentre_2024_2025", Period.parse("2025Q2"),
                                                          obligation="party_bodies_quarterly")["rows"]}
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'upload'") == 1
    assert (db.parent / stored).read_bytes() == f.read_bytes() and stored.endswith(".docx")
    assert rows["836_cap_uy"]["state"] == "late"      # sent today, long after 15/07/2025
    assert rows["836_cap_uy"]["upload_id"] == 1 and rows["835_cap_uy"]["state"] == "missing"
    # the same file again: the same receipt, nothing new
    assert main(["load", str(f), *PLAN, "--user", "batri"]) == 0
    assert "Báo cáo này đã được nhận trước đây" in capsys.readouterr().out


def test_refusals_write_nothing_and_are_audited(db, tmp_path, capsys):
    f = tmp_path / "bc.pdf"
    f.write_bytes(b"MZ\x90\x00 an executable")
    assert main(["load", str(f), *PLAN, "--user", "batri"]) == 1
    assert "mang đuôi .pdf nhưng không phải tệp PDF" in capsys.readouterr().out
    other = [*PLAN[:5], "835_cap_uy", *PLAN[6:]]
    g = tmp_path / "ok.pdf"
    g.write_bytes(PDF)
    assert main(["load", str(g), *other, "--user", "batri"]) == 1
    assert "không được gửi báo cáo của đơn vị 835_cap_uy" in capsys.readouterr().out
    with connect(db) as con:
        assert scalar(con, "SELECT count(*) FROM uploads") == 0
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'upload_refused'") == 2


def test_a_report_needs_its_obligation(db, tmp_path, capsys):
    f = tmp_path / "bc.pdf"
    f.write_bytes(PDF)
    # without --obligation the file is taken as data and refused (exit 1), with a hint to name the obligation
    assert main(["load", str(f), "--plan", "bentre_2024_2025", "--unit", "836_cap_uy", "--period", "2025Q2"]) == 1
    assert "--obligation" in capsys.readouterr().out
