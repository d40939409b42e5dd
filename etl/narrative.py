"""Narrative reports (a Word or PDF file) sent against an obligation: checked, kept by SHA-256, receipted.

::

    receipt = submit_report(con, "bentre_2024_2025", "party_bodies_quarterly", "836_cap_uy", "2025Q2",
                            "bao-cao-quy-2.docx", data, actor=actor, uploads_dir=Path("data/uploads"))
    receipt.lines_vi()   # ['Đã nhận báo cáo …', 'Mã biên nhận: BN-…', …]

Checks before anything is kept (``check_report``): ``.docx`` or ``.pdf`` only
(``.doc``/``.docm`` are refused: save as ``.docx`` or PDF); at most 20 MB; the
bytes must be what the name says (a PDF starts with ``%PDF-``; a ``.docx`` is a
zip holding ``word/document.xml``); a ``.docx`` with macros (``vbaProject.bin``)
or a zip bomb is refused (the workbook checks of ``etl.excel``); a PDF with
JavaScript, launch actions or embedded files is refused. The same file for the
same item is a no-op; every receipt and refusal is in the audit log. A report
due once (``period`` ``once``) is stored without a period.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from etl import excel
from etl.load import keep_original, sha256_of
from kpi import audit
from kpi.permissions import Actor, can
from kpi.catalog import CatalogError
from kpi.fmt import fmt_date, fmt_datetime
from kpi.obligations import ObligationsError, instances
from kpi.periods import Period
from kpi.store import scalar, transaction

SUFFIXES = (".docx", ".pdf")
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction\s*<<[^>]*?/S\s*/JavaScript)\b")


class ReportRefused(ValueError):
    """A narrative report refused before anything is kept (message in Vietnamese)."""


def check_report(name: str, data: bytes) -> str:
    """The kind (``docx`` or ``pdf``) of an acceptable report, else :class:`ReportRefused` naming the file."""
    suffix = Path(name).suffix.lower()
    if suffix in (".doc", ".docm", ".dot", ".dotm"):
        raise ReportRefused(f"Tệp '{name}': định dạng {suffix} không được nhận; lưu lại dạng .docx hoặc PDF rồi gửi.")
    if suffix not in SUFFIXES:
        raise ReportRefused(f"Tệp '{name}': báo cáo phải là tệp Word (.docx) hoặc PDF.")
    if len(data) > excel.MAX_FILE_BYTES:
        size = f"{len(data) / 1048576:.1f}".replace(".", ",")
        raise ReportRefused(f"Tệp '{name}' quá lớn ({size} MB; tối đa {excel.MAX_FILE_BYTES // 1048576} MB).")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise ReportRefused(f"Tệp '{name}' mang đuôi .pdf nhưng không phải tệp PDF.")
        if _PDF_ACTIVE.search(data):
            raise ReportRefused(f"Tệp '{name}' là PDF có mã chạy tự động, tệp đính kèm hoặc lệnh mở chương trình "
                                "(JavaScript, Launch, EmbeddedFile): không nhận; in lại ra PDF thường rồi gửi.")
        return "pdf"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReportRefused(f"Tệp '{name}' mang đuôi .docx nhưng không phải tệp Word (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if len(infos) > excel.MAX_MEMBERS:
                raise ReportRefused(f"Tệp '{name}' có {len(infos)} thành phần, vượt giới hạn {excel.MAX_MEMBERS}.")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ReportRefused(f"Tệp '{name}' có macro (VBA): không nhận; lưu lại dạng .docx không macro.")
            if "word/document.xml" not in names:
                raise ReportRefused(f"Tệp '{name}' không phải văn bản Word (.docx): thiếu word/document.xml.")
            try:
                excel._check_sizes(name, z, infos)
            except excel.FileRefused as e:
                raise ReportRefused(str(e)) from None
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as e:
        if isinstance(e, ReportRefused):
            raise
        raise ReportRefused(f"Tệp '{name}' hỏng, không mở được ({e}).") from None
    return "docx"


@dataclass
class Receipt:
    file: str
    plan: str
    obligation: str
    unit: str
    period: str
    upload_id: int | None = None
    sha256: str = ""
    received_at: dt.datetime | None = None
    due: dt.date | None = None
    duplicate: bool = False
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def number(self) -> str:
        """The receipt number people quote: BN-<upload id>-<first 8 hex of the SHA-256>."""
        return f"BN-{self.upload_id}-{self.sha256[:8].upper()}" if self.upload_id else ""

    def to_dict(self) -> dict:
        return {"ok": self.ok, "file": self.file, "plan": self.plan, "obligation": self.obligation,
                "unit": self.unit, "period": self.period, "upload_id": self.upload_id, "receipt": self.number,
                "sha256": self.sha256, "received_at": self.received_at, "due": self.due,
                "duplicate": self.duplicate, "dry_run": self.dry_run, "errors": self.errors}

    def lines_vi(self) -> list[str]:
        if self.errors:
            return [f"Không nhận báo cáo '{self.file}':", *[f"  Lỗi: {e}" for e in self.errors]]
        if self.dry_run:
            return [f"Kiểm tra thử: báo cáo '{self.file}' hợp lệ ({self.obligation}, {self.unit}, {self.period}); "
                    "chưa ghi gì."]
        head = "Báo cáo này đã được nhận trước đây" if self.duplicate else "Đã nhận báo cáo"
        late = ""
        if self.due and self.received_at and self.received_at.date() > self.due:
            late = f" (trễ {(self.received_at.date() - self.due).days} ngày so với hạn {fmt_date(self.due)})"
        elif self.due:
            late = f" (hạn {fmt_date(self.due)})"
        return [f"{head} '{self.file}' của {self.unit}, kỳ {self.period}, nghĩa vụ {self.obligation} ({self.plan}).",
                f"Mã biên nhận: {self.number}; lúc {fmt_datetime(self.received_at)}{late}.",
                f"SHA-256: {self.sha256}"]


def submit_report(con, plan_id: str, obligation_id: str, unit: str, period: str, file_name: str, data: bytes, *,
                  actor: Actor, uploads_dir: Path | None, dry_run: bool = False,
                  uploaded_at: dt.datetime | None = None) -> Receipt:
    """Check and keep one narrative report for (obligation, unit, period); the receipt, or its errors."""
    from kpi.approval import locked
    from kpi.repo import catalog_from_db

    r = Receipt(file=file_name, plan=plan_id, obligation=obligation_id, unit=unit, period=period, dry_run=dry_run)
    try:
        plan = catalog_from_db(con).plan(plan_id)
        ob = plan.obligation(obligation_id)
    except CatalogError as e:
        raise ObligationsError(str(e)) from None
    if ob.what == "return":
        r.errors.append(f"Nghĩa vụ '{ob.id}' là biểu số liệu: gửi biểu Excel (python -m etl load), không gửi văn bản.")
    if not can(actor, "write_unit", unit):
        r.errors.append(f"Tài khoản {actor.describe()} không được gửi báo cáo của đơn vị {unit}")
    if scalar(con, "SELECT count(*) FROM units WHERE code = ?", [unit]) == 0:
        r.errors.append(f"Không có đơn vị '{unit}' trong danh mục")
    if period != "once":
        try:
            q = Period.parse(period)
            insts = [i for i in instances(ob, plan, Period(q.year, q.quarter or 4)) if i.key == period]
            r.due = insts[0].due if insts else None
        except Exception:
            r.errors.append(f"Kỳ '{period}' không hợp lệ (ví dụ 2025Q2, 2025, hoặc 'once' cho báo cáo một lần)")
    else:
        r.due = ob.due_date
    if actor.role == "reporter" and locked(con, unit, period):
        r.errors.append(f"Báo cáo của {unit} kỳ {period} đã được chấp nhận: đề nghị nơi nhận mở lại trước khi gửi bản mới")
    try:
        check_report(file_name, data)
    except ReportRefused as e:
        r.errors.append(str(e))
    r.sha256 = sha256_of(data)
    if r.errors:
        audit.record(con, actor, "upload_refused", file_name, after={"file": file_name, "sha256": r.sha256,
                     "obligation": f"{plan_id}/{obligation_id}", "unit": unit, "period": period, "errors": r.errors})
        return r
    dup = con.execute("SELECT id, uploaded_at FROM uploads WHERE sha256 = ? AND status = 'committed' AND unit = ? "
                      "AND coalesce(period, 'once') = ? AND obligation_id = ? AND plan_id = ?",
                      [r.sha256, unit, period, obligation_id, plan_id]).fetchall()
    if dup:
        r.upload_id, r.received_at, r.duplicate = int(dup[0][0]), dup[0][1], True
        return r
    if dry_run:
        return r
    stored = None
    if uploads_dir is not None:
        stored = keep_original(uploads_dir, r.sha256, file_name, data).relative_to(uploads_dir.parent).as_posix()
    with transaction(con):
        row = con.execute("""
            INSERT INTO uploads (file_name, sha256, format, unit, period, uploaded_by, rows_read, rows_new,
                                 rows_changed, rows_unchanged, rows_ignored, note, plan_id, stored_path, warnings,
                                 obligation_id, uploaded_at)
            VALUES (?,?,'report',?,?,?,0,0,0,0,0,?,?,?,0,?, coalesce(?, current_timestamp))
            RETURNING id, uploaded_at""", [file_name, r.sha256, unit, None if period == "once" else period,
                                            actor.username,
                                            f"Báo cáo: {ob.title}", plan_id, stored, obligation_id,
                                            uploaded_at]).fetchall()
        r.upload_id, r.received_at = int(row[0][0]), row[0][1]
        audit.record(con, actor, "upload", f"lần nạp số {r.upload_id}: {file_name}", after={
            "upload_id": r.upload_id, "file": file_name, "sha256": r.sha256, "format": "report",
            "obligation": f"{plan_id}/{obligation_id}", "unit": unit, "period": period, "receipt": r.number})
    return r

