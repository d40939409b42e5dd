"""The quarter's report as a Word file, a first draft the secretariat finishes and signs.

    docx_bytes = report_docx(report_data(db, "dienbien_2021_2025", "2025Q2"))

Laid out as Nghị định 30/2020/NĐ-CP (Phụ lục I) sets an administrative
report: A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times
New Roman (also for East Asian and complex-script text, so that no part of a
Vietnamese word falls back to another font), 14 pt text and 13 pt tables; the
title block as a borderless two-column table (issuing bodies and "Số: …" on
the left, the national motto and "<place>, ngày … tháng … năm …" on the
right); "BÁO CÁO" and the subject centred; page numbers centred at the top
from page 2; "Nơi nhận" (12/11 pt) and the signer at the end. Plans issued by
Party committees get the Party layout instead (Hướng dẫn 36-HD/VPTW:
"ĐẢNG CỘNG SẢN VIỆT NAM" on the right, "Số …-BC/…" on the left).

Sections: I counts by status (table and chart), II every target (value,
target, status, pace needed), III the targets missed, regressing, off track or
at risk, each with its sentence and chart, IV milestones overdue or due next
quarter, V units that have not sent the quarter's return. Every number comes
from ``kpi.assess`` as of the end of the quarter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import _Cell

from kpi.exports.data import ATTENTION, ReportData, chart, next_quarter, report_charts
from kpi.exports.images import compact_png, render
from kpi.fmt import fmt_date, fmt_number
from kpi.progress import MILESTONE_STATUSES, STATUSES

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13
TEXT_WIDTH_CM = 16.5          # A4 210 mm − 30 mm − 15 mm
CHART_WIDTH_CM = 16.0


@dataclasses.dataclass
class Letterhead:
    """The title block: who issues the report, its number, where and when."""

    parent: str                 # "UBND TỈNH ĐIỆN BIÊN": the body above the issuer (capitals)
    body: str                   # "SỞ NỘI VỤ": the issuer (capitals, bold)
    number: str                 # "      /BC-SNV": after "Số: "; filled in when the report is registered
    place: str                  # "Điện Biên"
    date: dt.date | None = None  # None: "ngày     tháng     năm 2025", filled in when signed
    party: bool = False         # a Party body: Party layout
    signer: str = "GIÁM ĐỐC"
    recipients: tuple[str, ...] = ()
    writer: str = ""            # how the issuer names itself in the text: "Sở Nội vụ"


def letterhead_for(plan, body: str | None = None, parent: str | None = None, number: str | None = None,
                   date: dt.date | None = None) -> Letterhead:
    """A draft title block from the plan's issuer: the secretariat of that issuer writes the report.

    >>> from types import SimpleNamespace as P
    >>> lh = letterhead_for(P(issuer="UBND tỉnh Điện Biên"))
    >>> lh.parent, lh.body, lh.number.strip(), lh.place
    ('UBND TỈNH ĐIỆN BIÊN', 'SỞ NỘI VỤ', '/BC-SNV', 'Điện Biên')
    >>> letterhead_for(P(issuer="Ban Thường vụ Tỉnh ủy Bến Tre")).parent
    'TỈNH ỦY BẾN TRE'
    """
    issuer = plan.issuer.strip()
    blank = " " * 6
    m = re.search(r"(?i)\bUBND\s+(tỉnh|thành phố)\s+(.+)$", issuer)
    p = re.search(r"(?i)\b(Tỉnh ủy|Thành ủy)\s+(.+)$", issuer)
    if m:
        lh = Letterhead(parent=f"UBND {m.group(1)} {m.group(2)}".upper(), body="SỞ NỘI VỤ",
                        number=f"{blank}/BC-SNV", place=m.group(2), signer="GIÁM ĐỐC", writer="Sở Nội vụ",
                        recipients=(f"{issuer} (để báo cáo);", "Các sở, ban, ngành;", "Lưu: VT."))
    elif p:
        city = p.group(1).lower().startswith("thành")
        lh = Letterhead(parent=f"{p.group(1)} {p.group(2)}".upper(), body="VĂN PHÒNG",
                        number=f"{blank}-BC/{'VPThU' if city else 'VPTU'}", place=p.group(2), party=True,
                        signer="CHÁNH VĂN PHÒNG", writer=f"Văn phòng {p.group(1)}",
                        recipients=(f"Thường trực {p.group(1)} (để báo cáo),", "Lưu Văn phòng."))
    else:
        lh = Letterhead(parent=issuer.upper(), body="", number=f"{blank}/BC", place="",
                        recipients=(f"{issuer} (để báo cáo);", "Lưu: VT."))
    if body is not None and body.upper() != lh.body:
        # a body typed by hand: named in the text as typed unless it was typed in capitals
        lh = dataclasses.replace(lh, body=body.upper(), writer=body if not body.isupper() else body.capitalize())
    return dataclasses.replace(lh, parent=lh.parent if parent is None else parent.upper(),
                               number=lh.number if number is None else number, date=date)


def date_line(lh: Letterhead) -> str:
    """``Điện Biên, ngày 05 tháng 02 năm 2025`` (a 0 before days under 10 and months 1 and 2, as NĐ 30 says)."""
    if lh.date is None:
        when = f"ngày{' ' * 6}tháng{' ' * 6}năm {dt.date.today().year}"
    else:
        d = lh.date
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        when = f"ngày {d.day:02d} tháng {month} năm {d.year}"
    return f"{lh.place}, {when}" if lh.place else when


# --- low-level helpers ------------------------------------------------------------


def _set_fonts(rpr, size: float | None = None) -> None:
    """Times New Roman for every script, and the size for complex scripts too."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))


def _style(doc, name: str, size: float, bold: bool = False, italic: bool = False):
    st = doc.styles[name]
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = italic
    st.font.color.rgb = RGBColor(0, 0, 0)
    rpr = st.element.get_or_add_rPr()
    color = rpr.find(qn("w:color"))
    if color is not None:
        for attr in ("w:themeColor", "w:themeShade"):
            color.attrib.pop(qn(attr), None)
    _set_fonts(rpr, size)
    return st


def _setup(doc) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
    # defaults first: a theme font left there would win over the styles' Times New Roman
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default, BODY_PT)
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
    normal = _style(doc, "Normal", BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    body = doc.styles.add_style("Nội dung", 1)
    body.base_style = normal
    pf = body.paragraph_format
    pf.first_line_indent = Cm(1.0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.space_after = Pt(6)
    pf.line_spacing = 1.1
    for name, space_before in (("Heading 1", 12), ("Heading 2", 6), ("Heading 3", 6)):
        h = _style(doc, name, BODY_PT, bold=True)
        h.paragraph_format.space_before = Pt(space_before)
        h.paragraph_format.space_after = Pt(6)
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.first_line_indent = Cm(1.0) if name != "Heading 1" else None
        h.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name in ("Header", "Footer", "Table Grid"):
        _style(doc, name, TABLE_PT)
    # page numbers: centred at the top, from the second page (NĐ 30)
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(p, "PAGE")


def _field(paragraph, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _para(container, text: str = "", *, style: str | None = None, bold=None, italic=None, size: float | None = None,
          align=None, underline=None, space_after: float | None = None, space_before: float | None = None,
          indent: float | None = None):
    """A paragraph with one run (``container``: the document or a table cell; a cell's first paragraph is reused)."""
    if isinstance(container, _Cell) and _fresh(container):
        p = container.paragraphs[0]
        if style:
            p.style = style
    else:
        p = container.add_paragraph(style=style)
    if text:
        _run(p, text, bold=bold, italic=italic, size=size, underline=underline)
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if space_before is not None:
        p.paragraph_format.space_before = Pt(space_before)
    if indent is not None:
        p.paragraph_format.first_line_indent = Cm(indent)
    return p


def _fresh(cell) -> bool:
    """A table cell whose only paragraph is still empty."""
    ps = cell.paragraphs
    return len(ps) == 1 and not ps[0].text and not ps[0].runs


def _run(p, text: str, *, bold=None, italic=None, size: float | None = None, underline=None, color: str | None = None):
    r = p.add_run(text)
    if bold is not None:
        r.bold = bold
    if italic is not None:
        r.italic = italic
    if underline is not None:
        r.underline = underline
    if size is not None:
        r.font.size = Pt(size)
        _set_fonts(r._r.get_or_add_rPr(), size)
    if color:
        r.font.color.rgb = RGBColor.from_string(color.lstrip("#").upper())
    return r


def _rule(cell, width_cm: float, cell_cm: float) -> None:
    """A short centred line under the text above it (under the issuer and under the motto)."""
    p = cell.add_paragraph()
    side = max(0.0, (cell_cm - 0.4 - width_cm) / 2)
    p.paragraph_format.left_indent = Cm(side)
    p.paragraph_format.right_indent = Cm(side)
    p.paragraph_format.space_before = Pt(3)     # the line clear of the letters above
    p.paragraph_format.space_after = Pt(2)
    p.paragraph_format.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    bdr.append(top)
    ppr.append(bdr)


def _text_cm(text: str, size: float, bold: bool = False) -> float:
    """Roughly how wide ``text`` is in Times New Roman (for the length of the rules under a line)."""
    per_char = (0.62 if text.isupper() else 0.48) * (1.06 if bold else 1.0)
    return len(text) * size * per_char * 0.03528


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def _shade(cell, colour: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour.lstrip("#").upper())
    tcpr.append(shd)


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths, in the grid (LibreOffice reads it) and in every cell (Word reads those)."""
    table.autofit = False
    for col, w in zip(table.columns, widths_cm):
        col.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)
        trpr = row._tr.get_or_add_trPr()
        if trpr.find(qn("w:cantSplit")) is None:
            trpr.insert(0, OxmlElement("w:cantSplit"))      # a row never breaks across pages


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _grid(doc, header: list[str], rows: list[list], widths_cm: list[float], *, status_col: int | None = None,
          statuses: list[str] | None = None, meta=STATUSES, align: dict | None = None):
    """A bordered table: bold shaded header row repeated on every page, ``rows`` of text below."""
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    align = align or {}
    for j, h in enumerate(header):
        c = t.rows[0].cells[j]
        _para(c, h, bold=True, size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(c, "D9D9D9")
    _repeat_header(t.rows[0])
    for i, values in enumerate(rows, start=1):
        cells = t.rows[i].cells
        for j, v in enumerate(values):
            c = cells[j]
            bold = None
            colour = None
            if status_col is not None and j == status_col and statuses and statuses[i - 1]:
                m = meta[statuses[i - 1]]
                _shade(c, m["color"])
                colour, bold = m.get("text_color", "#000000"), True
            p = _para(c, align=align.get(j))
            _run(p, str(v), size=TABLE_PT, bold=bold, color=colour)
    _widths(t, widths_cm)
    return t


def _picture(doc, png: bytes, width_cm: float = CHART_WIDTH_CM) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_together = True
    p.paragraph_format.space_after = Pt(6)
    p.add_run().add_picture(io.BytesIO(compact_png(png)), width=Cm(width_cm))


# --- the document -----------------------------------------------------------------


def report_docx(data: ReportData, letterhead: Letterhead | None = None, images: dict[str, bytes] | None = None,
                progress=None) -> bytes:
    """The report as .docx bytes. ``images``: chart key → PNG (see ``report_charts``); missing ones are drawn here."""
    lh = letterhead or letterhead_for(data.plan)
    images = dict(images or {})
    wanted = [k for k in report_charts(data) if k not in images]
    if wanted:
        figs = {k: chart(data, k) for k in wanted}
        drawn = render({k: f for k, f in figs.items() if f is not None}, formats=("png",), progress=progress)
        images.update({k[:-4]: v for k, v in drawn.items()})
    doc = Document()
    _setup(doc)
    doc.core_properties.title = f"Báo cáo kết quả thực hiện các chỉ tiêu {data.as_of.label()}"
    doc.core_properties.subject = data.plan.title
    doc.core_properties.author = "chitieu"
    doc.core_properties.language = "vi-VN"
    _title_block(doc, lh)
    _title(doc, data)
    _intro(doc, data, lh)
    _section_counts(doc, data, images)
    _section_targets(doc, data)
    _section_attention(doc, data, images)
    _section_milestones(doc, data)
    _section_reporting(doc, data)
    _closing(doc, data, lh)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _title_block(doc, lh: Letterhead) -> None:
    left_cm, right_cm = 6.3, TEXT_WIDTH_CM - 6.3
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(t)
    left, right = t.rows[0].cells
    c = WD_ALIGN_PARAGRAPH.CENTER
    if lh.party:
        _para(left, lh.parent, size=13, align=c)          # TỈNH ỦY BẾN TRE
        if lh.body:
            _para(left, lh.body, bold=True, size=13, align=c)
        _para(left, "*", size=13, align=c)
        _para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=14, align=c, underline=True)
    else:
        _para(left, lh.parent, size=13, align=c)          # UBND TỈNH ĐIỆN BIÊN
        if lh.body:
            _para(left, lh.body, bold=True, size=13, align=c)
        last = lh.body or lh.parent
        _rule(left, max(1.2, _text_cm(last, 13, bool(lh.body)) / 2), left_cm)
        _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13, align=c)
        motto = "Độc lập - Tự do - Hạnh phúc"
        _para(right, motto, bold=True, size=14, align=c)
        _rule(right, _text_cm(motto, 14, True), right_cm)
    number, day = t.rows[1].cells
    _para(number, f"Số {lh.number}" if lh.party else f"Số: {lh.number}", size=13, align=c, space_before=4)
    _para(day, date_line(lh), italic=True, size=14, align=c, space_before=4)
    _widths(t, [left_cm, right_cm])


def _subject(data: ReportData) -> str:
    plan = data.plan
    if plan.doc_number:
        ref = f"Kế hoạch số {plan.doc_number}" + (f" ngày {plan.doc_date:%d/%m/%Y}" if plan.doc_date else "")
        ref += f" của {plan.issuer}"
    else:
        ref = f"{plan.title} của {plan.issuer}"
    return f"Kết quả thực hiện các chỉ tiêu {data.as_of.label()} theo {ref}"


def _title(doc, data: ReportData) -> None:
    _para(doc, "BÁO CÁO", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=18)
    _para(doc, _subject(data), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "─" * 8, size=8)
    p.paragraph_format.space_after = Pt(12)


def _intro(doc, data: ReportData, lh: Letterhead) -> None:
    who = lh.writer or (lh.body.capitalize() if lh.body else "Cơ quan thường trực")
    unit = "" if data.unit == data.plan.scope_unit else f" của {data.unit_name}"
    _para(doc, f"Thực hiện {data.plan.title} ({data.plan.reference()}), {who} báo cáo kết quả thực hiện các chỉ "
               f"tiêu{unit} đến hết {data.as_of.label()} như sau:", style="Nội dung")


def _count_phrase(counts: dict[str, int], meta: dict, noun: str) -> str:
    parts = [f"{n} {noun} {meta[s]['label'].lower()}" for s, n in counts.items() if n]
    return "; ".join(parts)


def _section_counts(doc, data: ReportData, images: dict) -> None:
    doc.add_heading("I. TỔNG HỢP KẾT QUẢ THEO TRẠNG THÁI", level=1)
    n = len(data.rows)
    if not n:
        _para(doc, "Kế hoạch không đặt chỉ tiêu định lượng; chỉ theo dõi các mốc thời hạn (mục IV).",
              style="Nội dung")
    else:
        counts = data.counts()
        _para(doc, f"Trong tổng số {n} chỉ tiêu, đến hết {data.as_of.label()}: "
                   f"{_count_phrase(counts, STATUSES, 'chỉ tiêu')}.", style="Nội dung")
        shown = [s for s in STATUSES if counts.get(s)]
        rows = [[STATUSES[s]["symbol"] + " " + STATUSES[s]["label"], counts[s],
                 fmt_number(100 * counts[s] / n, 1) + "%"] for s in shown]
        rows.append(["Tổng số", n, "100%"])
        r = WD_ALIGN_PARAGRAPH.RIGHT
        t = _grid(doc, ["Trạng thái", "Số chỉ tiêu", "Tỷ lệ"], rows, [6.0, 3.0, 3.0], status_col=0,
                  statuses=shown + [None], align={1: r, 2: r})
        for run in t.rows[-1].cells[0].paragraphs[0].runs:
            run.bold = True
        _para(doc, space_after=6)
        if "status" in images:
            _picture(doc, images["status"])
    if data.milestones:
        mc = {s: sum(1 for m in data.milestones if m.assessment.status == s) for s in MILESTONE_STATUSES}
        _para(doc, f"Mốc thời hạn: {len(data.milestones)} mốc, trong đó "
                   f"{_count_phrase(mc, MILESTONE_STATUSES, 'mốc')}.", style="Nội dung")


def _section_targets(doc, data: ReportData) -> None:
    doc.add_heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", level=1)
    if not data.rows:
        _para(doc, "Không có.", style="Nội dung")
        return
    _para(doc, "Giá trị thực hiện là số liệu mới nhất đến hết kỳ báo cáo (kỳ của số liệu ghi trong ngoặc). "
               "Cột cuối là mức cần đạt mỗi năm trong thời gian còn lại để hoàn thành mục tiêu.", style="Nội dung")
    rows = [[str(i), f"{r.indicator.name}", f"{r.latest_text}\n({r.period_text})" if r.assessment.latest_period
             else r.latest_text, _glued(r.target_text), r.status_cell_text, r.pace_text]
            for i, r in enumerate(data.rows, start=1)]
    c = WD_ALIGN_PARAGRAPH.CENTER
    _grid(doc, ["TT", "Chỉ tiêu", "Thực hiện", "Mục tiêu", "Trạng thái", "Cần đạt mỗi năm"], rows,
          [1.1, 4.4, 2.9, 2.8, 2.7, 2.6], status_col=4, statuses=[r.status for r in data.rows],
          align={0: c, 2: c, 3: c, 5: c})
    _para(doc, space_after=6)


def _glued(text: str) -> str:
    """``≥ 7,16%`` with a no-break space: a comparison sign never ends a line alone in a narrow column."""
    for sign in ("≥", "≤", ">", "<"):
        text = text.replace(f"{sign} ", f"{sign}\u00a0")
    return text


ATTENTION_TITLES = {
    "missed": "Chỉ tiêu không đạt", "regressing": "Chỉ tiêu đi ngược mục tiêu",
    "off_track": "Chỉ tiêu chậm tiến độ", "at_risk": "Chỉ tiêu cần đẩy nhanh",
}


def _section_attention(doc, data: ReportData, images: dict) -> None:
    doc.add_heading("III. CÁC CHỈ TIÊU CẦN TẬP TRUNG CHỈ ĐẠO", level=1)
    rows = data.attention
    if not rows:
        _para(doc, "Không có chỉ tiêu nào không đạt, đi ngược mục tiêu, chậm tiến độ hoặc cần đẩy nhanh.",
              style="Nội dung")
        return
    k = 0
    for status in ATTENTION:
        group = [r for r in rows if r.status == status]
        if not group:
            continue
        k += 1
        meta = STATUSES[status]
        doc.add_heading(f"{k}. {ATTENTION_TITLES[status]} ({len(group)}) {meta['symbol']}", level=2)
        for j, r in enumerate(group, start=1):
            doc.add_heading(f"{k}.{j}. {r.indicator.name}", level=3)
            _para(doc, f"Mục tiêu: {r.target_text} (mục {r.target.section}). {r.assessment.sentence}",
                  style="Nội dung")
            if r.assessment.pace_needed is not None:
                _para(doc, f"Mức cần đạt mỗi năm trong thời gian còn lại: {r.pace_text}.", style="Nội dung")
            for note in r.assessment.notes:
                _para(doc, f"Ghi chú: {note}", style="Nội dung", italic=True)
            png = images.get(f"target:{r.target.id}")
            if png:
                _picture(doc, png)


def _section_milestones(doc, data: ReportData) -> None:
    nxt = next_quarter(data.as_of)
    doc.add_heading("IV. CÁC MỐC THỜI HẠN QUÁ HẠN VÀ ĐẾN HẠN", level=1)
    due = data.milestones_due()
    if not due:
        _para(doc, f"Không có mốc nào quá hạn hoặc đến hạn trong {nxt.label()}.", style="Nội dung")
        return
    over = sum(1 for m in due if m.assessment.status == "overdue")
    parts = ([f"{over} mốc quá hạn chưa có xác nhận hoàn thành"] if over else []) + (
        [f"{len(due) - over} mốc đến hạn trong {nxt.label()}"] if len(due) > over else [])
    _para(doc, f"Đến hết {data.as_of.label()}: {'; '.join(parts)}.", style="Nội dung")
    rows = [[str(i), m.milestone.title, fmt_date(m.milestone.deadline), m.milestone.responsible or "–",
             f"{m.status_text}\n({_days(m.assessment.days_left)})"] for i, m in enumerate(due, start=1)]
    c = WD_ALIGN_PARAGRAPH.CENTER
    _grid(doc, ["TT", "Mốc", "Hạn", "Chịu trách nhiệm", "Tình trạng"], rows, [1.1, 6.2, 2.6, 3.8, 2.8],
          status_col=4, statuses=[m.assessment.status for m in due], meta=MILESTONE_STATUSES, align={0: c, 2: c})
    _para(doc, space_after=6)


def _days(left: int | None) -> str:
    if left is None:
        return "–"
    return f"còn {fmt_number(left, 0)} ngày" if left >= 0 else f"quá {fmt_number(-left, 0)} ngày"


def _section_reporting(doc, data: ReportData) -> None:
    doc.add_heading(f"V. ĐƠN VỊ CHƯA GỬI BÁO CÁO {data.as_of.label().upper()}", level=1)
    rep = data.quarter_reporting()
    counts, missing = rep["counts"], rep["missing"]
    if counts is None:
        _para(doc, "Không có đơn vị trực thuộc nào phải gửi báo cáo kỳ này." if rep["tracked"] else
              "Chưa theo dõi được: chitieu chưa nhận báo cáo quý nào của các đơn vị (các báo cáo trước đây "
              "gửi bằng văn bản giấy).", style="Nội dung")
        return
    sent = counts["on_time"] + counts["late"]
    _para(doc, f"{sent}/{counts['expected']} đơn vị đã gửi báo cáo {data.as_of.label()} "
               f"({counts['on_time']} đúng hạn, {counts['late']} trễ hạn; hạn gửi: {rep['due_days']} ngày "
               f"sau khi hết quý).", style="Nội dung")
    if missing.empty:
        _para(doc, "Đơn vị chưa gửi báo cáo: Không có.", style="Nội dung")
        return
    _para(doc, f"Đơn vị chưa gửi báo cáo ({len(missing)}):", style="Nội dung")
    rows = [[str(i), r["Đơn vị"], r["Hạn nộp"]] for i, r in enumerate(missing.to_dict("records"), start=1)]
    c = WD_ALIGN_PARAGRAPH.CENTER
    _grid(doc, ["TT", "Đơn vị", "Hạn gửi"], rows, [1.1, 9.0, 3.5], align={0: c, 2: c})
    _para(doc, space_after=6)


def _closing(doc, data: ReportData, lh: Letterhead) -> None:
    _para(doc, f"Trên đây là báo cáo kết quả thực hiện các chỉ tiêu đến hết {data.as_of.label()}./.",
          style="Nội dung")
    _para(doc, data.short_source, style="Nội dung", italic=True, size=13)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    left, right = t.rows[0].cells
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, space_before=12)
    for line in lh.recipients:
        _para(left, f"- {line}", size=11)
    _para(right, lh.signer, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=12)
    for _ in range(4):
        _para(right)
    _widths(t, [7.5, TEXT_WIDTH_CM - 7.5])
