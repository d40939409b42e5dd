"""The quarter's report as a Word file, a draft the secretariat finishes and signs; and the leader's brief.

    docx_bytes = report_docx(report_data(db, "dienbien_2021_2025", "2025Q2"), texts=load_texts(db, …))
    brief = report_docx(data, brief=True)                  # at most 5 pages

Laid out as Nghị định 30/2020/NĐ-CP (Phụ lục I) sets an administrative
report: A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times
New Roman (also for East Asian and complex-script text, so that no part of a
Vietnamese word falls back to another font), 14 pt text and 13 pt tables; the
title block as a borderless two-column table (issuing bodies and "Số: …" on
the left, the national motto and "<place>, ngày … tháng … năm …" on the
right); "BÁO CÁO" and the subject centred; page numbers centred at the top
from page 2; "Nơi nhận" (12/11 pt) and the signer (with "KT." when a deputy
signs) at the end. Plans issued by Party committees get the Party layout
instead (Hướng dẫn 36-HD/VPTW: "ĐẢNG CỘNG SẢN VIỆT NAM" on the right,
"Số …-BC/…" on the left).

Sections as provincial reports have them: I. Kết quả thực hiện (overall, then
by area, tasks with deadlines, units' returns); II. Tồn tại, hạn chế và
nguyên nhân (each target at risk in one sentence, overdue tasks with the body
responsible, units that did not report; the causes people write);
III. Phương hướng, nhiệm vụ, giải pháp (the pace each lagging target needs,
tasks due next quarter; then what people write); IV. Đề xuất, kiến nghị.
What people write comes in ``texts`` (``kpi.exports.texts``); a section
nobody wrote yet shows a bracketed line to fill in. The full target table,
each note said once, and the charts of the targets hard to reach are in the
Phụ lục. Statuses are in office words (đạt, vượt, dự kiến đạt, chưa đạt,
khó hoàn thành, không đạt); no symbol, colour chip or software name. Every
number comes from ``kpi.assess`` as of the end of the quarter.
"""

from __future__ import annotations

import collections
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

from kpi import charts
from kpi.exports.data import ReportData, chart, next_quarter, report_charts
from kpi.exports.images import compact_png, render_pngs
from kpi.exports.texts import ReportTexts
from kpi.fmt import fmt_count, fmt_date, fmt_value
from kpi.progress import STATUSES

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
    deputy: str = ""            # "PHÓ GIÁM ĐỐC": a deputy signs, "KT. GIÁM ĐỐC" above
    signer_name: str = ""       # under the signature


def letterhead_for(plan, body: str | None = None, parent: str | None = None, number: str | None = None,
                   date: dt.date | None = None, holder: str | None = None) -> Letterhead:
    """A draft title block from the plan's issuer: the secretariat of that issuer writes the report.

    ``holder``: the province that now holds the plan's territory (``ReportData.holder()``), when the issuer's
    province was merged into it: its committee's office writes the report.

    >>> from types import SimpleNamespace as P
    >>> lh = letterhead_for(P(issuer="UBND tỉnh Điện Biên"))
    >>> lh.parent, lh.body, lh.number.strip(), lh.place
    ('UBND TỈNH ĐIỆN BIÊN', 'SỞ NỘI VỤ', '/BC-SNV', 'Điện Biên')
    >>> letterhead_for(P(issuer="Ban Thường vụ Tỉnh ủy Bến Tre")).parent
    'TỈNH ỦY BẾN TRE'
    >>> letterhead_for(P(issuer="Ban Thường vụ Tỉnh ủy Bến Tre"), holder="Vĩnh Long").parent
    'TỈNH ỦY VĨNH LONG'
    """
    issuer = plan.issuer.strip()
    if holder:
        issuer = re.sub(r"(?i)\b(UBND\s+(?:tỉnh|thành phố)|Tỉnh ủy|Thành ủy)\s+.+$", lambda m: f"{m.group(1)} {holder}",
                        issuer)
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
    else:
        p = container.add_paragraph()
    if style:
        _set_style(p, container, style)
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


def _set_style(p, container, name: str) -> None:
    """Give ``p`` the style ``name`` by its id, looked up once per document.

    python-docx looks a style up by name among all styles on every ``style=`` (6 ms each here:
    half a second for a report's paragraphs).
    """
    part = container.part
    ids = part.__dict__.setdefault("_style_ids", {})
    if name not in ids:
        ids[name] = part.document.styles[name].style_id
    p._p.get_or_add_pPr().get_or_add_pStyle().val = ids[name]


def _heading(doc, text: str, level: int):
    p = doc.add_paragraph()
    _set_style(p, doc, f"Heading {level}")
    p.add_run(text)
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


# --- office wording ---------------------------------------------------------------
# A document a director signs says what offices say: đạt, vượt, dự kiến đạt, chưa đạt, khó hoàn thành,
# không đạt. The dashboard's symbols and its words ("đúng tiến độ", "đi ngược mục tiêu") stay in the app.

OFFICE_GROUPS: dict[str, dict] = {
    # group → the statuses it gathers, how a count reads, the colour of its bar (the app's colours)
    "achieved": {"statuses": ("achieved",), "label": "Đạt, vượt", "phrase": "đạt và vượt", "color": "#009E73"},
    "on_track": {"statuses": ("on_track",), "label": "Dự kiến đạt", "phrase": "dự kiến đạt", "color": "#0072B2"},
    "at_risk": {"statuses": ("at_risk",), "label": "Chưa đạt tiến độ", "phrase": "chưa đạt tiến độ",
                "color": "#F0E442"},
    "hard": {"statuses": ("off_track", "regressing"), "label": "Khó hoàn thành", "phrase": "khó hoàn thành",
             "color": "#E69F00"},
    "missed": {"statuses": ("missed",), "label": "Không đạt", "phrase": "không đạt", "color": "#5C1A00"},
    "no_data": {"statuses": ("no_data",), "label": "Chưa đủ số liệu đánh giá",
                "phrase": "chưa đủ số liệu để đánh giá", "color": "#C6C6C6"},
}
GROUP_OF = {s: g for g, m in OFFICE_GROUPS.items() for s in m["statuses"]}
# the targets section II names, worst first
SHORTFALL = ("missed", "hard", "at_risk")


def exceeded(row) -> bool:
    """An achieved target whose latest figure is beyond the target (by more than its rounding): "vượt"."""
    a, t = row.assessment, row.target
    if row.status != "achieved" or a.latest_value is None or a.target_value is None or t.cmp not in (">=", ">", "<=", "<"):
        return False
    if t.kind in ("avg_growth", "change"):
        return False        # a rate per year against a rate: "đạt" says enough
    step = 10 ** -max(row.indicator.decimals, 0)
    gap = a.latest_value - a.target_value
    return gap >= step if t.cmp in (">=", ">") else -gap >= step


def office_status(row) -> str:
    """``Vượt``, ``Đạt``, ``Dự kiến đạt``, ``Chưa đạt``, ``Khó hoàn thành``, ``Không đạt``, ``Chưa đánh giá``.

    A verdict the method marks provisional (``assessment.provisional``, when the method carries it)
    says so: ``Dự kiến đạt (tạm tính)``.
    """
    if row.status == "achieved":
        text = "Vượt" if exceeded(row) else "Đạt"
    else:
        text = {"on_track": "Dự kiến đạt", "at_risk": "Chưa đạt", "off_track": "Khó hoàn thành",
                "regressing": "Khó hoàn thành", "missed": "Không đạt", "no_data": "Chưa đánh giá"}[row.status]
    if getattr(row.assessment, "provisional", False):
        text += " (tạm tính)"
    return text


def office_counts(rows) -> dict[str, int]:
    out = {g: 0 for g in OFFICE_GROUPS}
    for r in rows:
        out[GROUP_OF[r.status]] += 1
    return out


def _counts_sentence(rows, noun: str = "chỉ tiêu") -> str:
    """``20 chỉ tiêu đạt và vượt (trong đó 12 vượt); 22 chỉ tiêu dự kiến đạt; …``."""
    counts = office_counts(rows)
    parts = []
    for g, n in counts.items():
        if not n:
            continue
        s = f"{fmt_count(n)} {noun} {OFFICE_GROUPS[g]['phrase']}"
        if g == "achieved":
            over = sum(1 for r in rows if exceeded(r))
            if over:
                s += f" (trong đó {fmt_count(over)} vượt)"
        parts.append(s)
    return "; ".join(parts)


def office_source(data: ReportData) -> str:
    """The charts' source line in a signed document: where the figures come from, no software name."""
    return f"Nguồn: số liệu các đơn vị báo cáo, tổng hợp đến hết {data.as_of.as_of_label()}"


def office_chart(data: ReportData, key: str):
    """The report's figure for ``key``: the counts by office wording, or a target's chart with the office source."""
    if key == "status":
        counts = office_counts(data.rows)
        items = [(m["label"], counts[g], m["color"]) for g, m in OFFICE_GROUPS.items() if counts[g]]
        return charts.category_bar(items, title="Chỉ tiêu theo kết quả đánh giá", source=office_source(data))
    fig = chart(data, key)
    if fig is not None:
        for ann in fig.layout.annotations:
            if (ann.text or "").startswith("Nguồn:"):
                ann.text = charts.plain(office_source(data))
    return fig


def draw_charts(data: ReportData, keys: list[str], progress=None) -> dict[str, bytes]:
    """Every chart of ``keys`` as a PNG, each drawn once, in the signed document's form."""
    figs = {k: office_chart(data, k) for k in keys}
    return render_pngs({k: f for k, f in figs.items() if f is not None}, progress=progress, compact=True)


# --- the document -----------------------------------------------------------------


def report_docx(data: ReportData, letterhead: Letterhead | None = None, images: dict[str, bytes] | None = None,
                progress=None, texts: ReportTexts | None = None, brief: bool = False) -> bytes:
    """The report as .docx bytes.

    ``images``: chart key → PNG (see ``report_charts``); missing ones are drawn here. ``texts``: what people
    wrote (causes, directions, proposals, signer); sections left empty get a bracketed line to fill in.
    ``brief``: the leader's brief instead (at most 5 pages: counts, the targets needing attention, ≤ 4 charts).
    """
    lh = letterhead or letterhead_for(data.plan, holder=(data.holder() or {}).get("name"))
    texts = texts or ReportTexts()
    lh = _with_signer(lh, texts)
    images = dict(images or {})
    wanted = [k for k in report_charts(data, brief) if k not in images]
    if wanted:
        images.update(draw_charts(data, wanted, progress=progress))
    doc = Document()
    _setup(doc)
    what = "Tóm tắt kết quả" if brief else "Báo cáo kết quả"
    doc.core_properties.title = f"{what} thực hiện các chỉ tiêu {data.as_of.label()}"
    doc.core_properties.subject = data.plan.title
    doc.core_properties.author = lh.writer or lh.body.capitalize()
    doc.core_properties.language = "vi-VN"
    if brief:
        _brief(doc, data, lh, images)
    else:
        _title_block(doc, lh)
        _title(doc, data)
        _intro(doc, data, lh)
        _section_results(doc, data, images, texts)
        _section_shortfalls(doc, data, texts)
        _section_directions(doc, data, texts)
        _section_proposals(doc, texts)
        _closing(doc, data, lh)
        _appendix(doc, data, lh, images)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _with_signer(lh: Letterhead, texts: ReportTexts) -> Letterhead:
    changes = {}
    if texts.signer_title:
        changes["signer"] = texts.signer_title.upper()
    if texts.deputy_title:
        changes["deputy"] = texts.deputy_title.upper()
    if texts.signer_name:
        changes["signer_name"] = texts.signer_name
    return dataclasses.replace(lh, **changes) if changes else lh


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


def _title(doc, data: ReportData, word: str = "BÁO CÁO") -> None:
    _para(doc, word, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=18)
    _para(doc, _subject(data), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(doc, 4.0, TEXT_WIDTH_CM)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(12)


def _intro(doc, data: ReportData, lh: Letterhead) -> None:
    who = lh.writer or (lh.body.capitalize() if lh.body else "Cơ quan thường trực")
    unit = "" if data.unit == data.plan.scope_unit else f" của {data.unit_name}"
    _para(doc, f"Thực hiện {data.plan.title} ({data.plan.reference()}), {who} báo cáo kết quả thực hiện các chỉ "
               f"tiêu{unit} đến hết {data.as_of.label()} như sau:", style="Nội dung")
    holder = data.holder()
    if holder:   # the plan follows its own territory after a merger (docs/method.md)
        scope = data.units[data.plan.scope_unit]
        _para(doc, f"Kế hoạch đặt chỉ tiêu cho địa bàn {scope['name']} (đến {scope['valid_to']:%d/%m/%Y}); từ "
                   f"{scope['valid_to'] + dt.timedelta(days=1):%d/%m/%Y} địa bàn này thuộc {holder['name']}, nhiệm vụ "
                   f"theo dõi kế hoạch do {holder['name']} tiếp tục thực hiện. Số liệu trong báo cáo tính theo địa "
                   f"giới cũ của {scope['name']}.", style="Nội dung")


def _to_fill(doc, what: str) -> None:
    """A bracketed line where people still have to write: visible in the draft, easy to find and replace."""
    _para(doc, f"[{what}]", style="Nội dung", italic=True)


def _human(doc, texts: ReportTexts, section: str, missing: str | None) -> None:
    paras = texts.paragraphs(section)
    for p in paras:
        _para(doc, p, style="Nội dung")
    if not paras and missing:
        _to_fill(doc, missing)


def _period_phrase(data: ReportData) -> str:
    """The period the figures are of, said once: ``lũy kế 6 tháng năm 2025`` when all share it."""
    common = _common_period(data)
    return common.label()[0].lower() + common.label()[1:] if common else f"đến hết {data.as_of.label()}"


def _common_period(data: ReportData):
    ps = [r.assessment.latest_period for r in data.rows if r.assessment.latest_period]
    if not ps:
        return None
    top, n = collections.Counter(ps).most_common(1)[0]
    return top


def _section_results(doc, data: ReportData, images: dict, texts: ReportTexts) -> None:
    _heading(doc, "I. KẾT QUẢ THỰC HIỆN", level=1)
    rows = data.rows
    if not rows:
        _para(doc, "Kế hoạch không đặt chỉ tiêu định lượng; kết quả thực hiện các nhiệm vụ có thời hạn nêu tại "
                   "mục I.2.", style="Nội dung")
    else:
        _heading(doc, "1. Kết quả chung", level=2)
        _para(doc, f"Trong tổng số {fmt_count(len(rows))} chỉ tiêu của Kế hoạch, đến hết {data.as_of.label()} có "
                   f"{_counts_sentence(rows)} (chi tiết tại Phụ lục).", style="Nội dung")
        if "status" in images:
            _picture(doc, images["status"], width_cm=13.5)
        _human(doc, texts, "assessment", None)
        _heading(doc, "2. Kết quả theo lĩnh vực", level=2)
        for i, (area, group) in enumerate(_by_area(rows)):
            _area_paragraph(doc, data, chr(ord("a") + i), area, group)
    n = len(data.milestones)
    _heading(doc, f"{2 if not rows else 3}. Thực hiện các nhiệm vụ có thời hạn", level=2)
    if not n:
        _para(doc, "Kế hoạch không đặt nhiệm vụ có thời hạn.", style="Nội dung")
    else:
        mc = collections.Counter(m.assessment.status for m in data.milestones)
        parts = [f"{fmt_count(mc['done'])} nhiệm vụ đã hoàn thành"] if mc["done"] else []
        parts += [f"{fmt_count(mc['pending'])} nhiệm vụ chưa đến hạn"] if mc["pending"] else []
        parts += [f"{fmt_count(mc['overdue'])} nhiệm vụ quá hạn chưa có xác nhận hoàn thành (nêu tại mục II)"] \
            if mc["overdue"] else []
        _para(doc, f"Kế hoạch đặt {fmt_count(n)} nhiệm vụ có thời hạn; đến hết {data.as_of.label()}: "
                   f"{'; '.join(parts)}.", style="Nội dung")
    _heading(doc, f"{3 if not rows else 4}. Việc gửi báo cáo của các đơn vị", level=2)
    _para(doc, _reporting_sentence(data), style="Nội dung")


def _by_area(rows) -> list[tuple[str, list]]:
    areas: dict[str, list] = {}
    for r in rows:
        areas.setdefault(r.indicator.area or "Khác", []).append(r)
    return list(areas.items())


def _figure_phrase(r) -> str:
    """``Tỷ lệ hộ nghèo 3,2% (mục tiêu dưới 4%, năm 2025)``: a target as a clause of a sentence."""
    return f"{r.name} {_plain_latest(r)} (mục tiêu {_plain_target(r)})"


_SIGN_WORDS = {">=": ("từ ", " trở lên"), ">": ("trên ", ""), "<=": ("không quá ", ""), "<": ("dưới ", "")}


def _plain_target(r) -> str:
    """The target in words, without brackets inside brackets: ``từ 7,16%/năm trở lên, bình quân 2021–2025``.

    A change per year says which way: ``giảm trên 4 điểm %/năm`` rather than ``< -4,00 điểm %/năm``.
    """
    t = r.target
    text = r.target_text
    if t.kind == "change" and t.value is not None and t.cmp in _SIGN_WORDS:
        amount = fmt_value(abs(t.value), r.latest_unit, r.indicator.decimals)
        if t.value >= 0:
            before, after = _SIGN_WORDS[t.cmp]
            return f"tăng {before}{amount}{after}"
        # a fall: "< -4" is a fall of more than 4, ">= -4" a fall of at most 4
        before, after = {"<": ("trên ", ""), "<=": ("từ ", " trở lên"), ">": ("dưới ", ""),
                         ">=": ("không quá ", "")}[t.cmp]
        return f"giảm {before}{amount}{after}"
    head, _, paren = text.partition(" (")
    paren = paren.rstrip(")")
    for sign, (before, after) in _SIGN_WORDS.items():
        mark = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< "}[sign]
        if head.startswith(mark):
            head = f"{before}{head[len(mark):]}{after}"
            break
    if not paren:
        return head
    if re.fullmatch(r"\d{4}", paren):
        return f"{head}, năm {paren}"
    if re.fullmatch(r"\d{4}–\d{4}", paren):
        return f"{head}, giai đoạn {paren}"
    return f"{head}, {paren}"


def _plain_latest(r) -> str:
    a = r.assessment
    if a.latest_value is None:
        return "chưa có số liệu"
    if r.target.kind == "change":
        way = "tăng" if a.latest_value >= 0 else "giảm"
        return f"bình quân {way} {fmt_value(abs(a.latest_value), r.latest_unit, r.latest_decimals)}"
    return r.latest_text


def _area_paragraph(doc, data: ReportData, letter: str, area: str, group: list) -> None:
    p = _para(doc, style="Nội dung")
    _run(p, f"{letter}) Lĩnh vực {area[0].lower() + area[1:]}: ", italic=True)
    _run(p, f"{fmt_count(len(group))} chỉ tiêu; {_counts_sentence(group)}.")
    good = [r for r in group if r.status == "achieved"]
    if good:
        _para(doc, "Các chỉ tiêu đạt, vượt: " + "; ".join(_figure_phrase(r) for r in good) + ".", style="Nội dung")
    likely = [r for r in group if r.status == "on_track"]
    if likely:
        _para(doc, "Các chỉ tiêu dự kiến đạt: " + "; ".join(_figure_phrase(r) for r in likely) + ".",
              style="Nội dung")


def _reporting_sentence(data: ReportData) -> str:
    rep = data.quarter_reporting()
    counts, missing = rep["counts"], rep["missing"]
    if counts is None:
        if rep["tracked"]:
            return "Không có đơn vị trực thuộc nào phải gửi báo cáo kỳ này."
        return "Các đơn vị gửi báo cáo bằng văn bản giấy; chưa tổng hợp được số đơn vị đã gửi."
    sent = counts["on_time"] + counts["late"]
    s = (f"{fmt_count(sent)}/{fmt_count(counts['expected'])} đơn vị đã gửi báo cáo {data.as_of.label()} "
         f"({fmt_count(counts['on_time'])} đúng hạn, {fmt_count(counts['late'])} trễ hạn; hạn gửi: "
         f"{fmt_count(rep['due_days'])} ngày sau khi hết quý)")
    if len(missing):
        s += f"; {fmt_count(len(missing))} đơn vị chưa gửi (nêu tại mục II)"
    return s + "."


def _section_shortfalls(doc, data: ReportData, texts: ReportTexts) -> None:
    _heading(doc, "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", level=1)
    _heading(doc, "1. Tồn tại, hạn chế", level=2)
    k = 0
    for g in SHORTFALL:
        group = [r for r in data.attention if GROUP_OF[r.status] == g]
        if not group:
            continue
        k += 1
        title = {"missed": "chỉ tiêu không đạt", "hard": "chỉ tiêu khó hoàn thành",
                 "at_risk": "chỉ tiêu chưa đạt tiến độ, cần đẩy nhanh"}[g]
        _para(doc, f"{chr(ord('a') + k - 1)}) Có {fmt_count(len(group))} {title}:", style="Nội dung", italic=True)
        for r in group:
            _para(doc, f"- {r.name}: {_one_sentence(r)}", style="Nội dung")
    overdue = [m for m in data.milestones if m.assessment.status == "overdue"]
    if overdue:
        k += 1
        _para(doc, f"{chr(ord('a') + k - 1)}) Có {fmt_count(len(overdue))} nhiệm vụ quá hạn chưa có xác nhận hoàn "
                   f"thành:", style="Nội dung", italic=True)
        for m in sorted(overdue, key=lambda m: m.milestone.deadline):
            _para(doc, f"- {m.milestone.title} (hạn {fmt_date(m.milestone.deadline)}; "
                       f"{_days(m.assessment.days_left)}): {m.milestone.responsible or 'chưa giao cơ quan chủ trì'}.",
                  style="Nội dung")
    missing = data.quarter_reporting()["missing"]
    if len(missing):
        k += 1
        names = ", ".join(missing["Đơn vị"])
        _para(doc, f"{chr(ord('a') + k - 1)}) Có {fmt_count(len(missing))} đơn vị chưa gửi báo cáo "
                   f"{data.as_of.label()}: {names}.", style="Nội dung", italic=False)
    if not k:
        _para(doc, "Không có chỉ tiêu chưa đạt tiến độ, nhiệm vụ quá hạn hay đơn vị chưa gửi báo cáo.",
              style="Nội dung")
    _heading(doc, "2. Nguyên nhân", level=2)
    _human(doc, texts, "causes", "Nguyên nhân khách quan, chủ quan của các tồn tại, hạn chế nêu trên: "
                                 "cơ quan thường trực bổ sung.")


def _one_sentence(r) -> str:
    """The method's sentence for the target, with its first letter in lower case after the name."""
    s = r.assessment.sentence.strip() or f"thực hiện {_plain_latest(r)}, mục tiêu {_plain_target(r)}"
    s = s[0].lower() + s[1:] if s[:2] != s[:2].upper() else s
    return s if s.endswith(".") else s + "."


def _section_directions(doc, data: ReportData, texts: ReportTexts) -> None:
    _heading(doc, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ, GIẢI PHÁP", level=1)
    nxt = next_quarter(data.as_of)
    n = 0
    hard = [r for r in data.attention if GROUP_OF[r.status] in ("missed", "hard")]
    slow = [r for r in data.attention if GROUP_OF[r.status] == "at_risk"]
    if hard or slow:
        n += 1
        parts = ([f"{fmt_count(len(hard))} chỉ tiêu khó hoàn thành, không đạt"] if hard else []) + (
            [f"{fmt_count(len(slow))} chỉ tiêu chưa đạt tiến độ"] if slow else [])
        _para(doc, f"{n}. Tập trung chỉ đạo, đôn đốc thực hiện {' và '.join(parts)} nêu tại mục II.1, bảo đảm "
                   f"mức còn phải đạt của từng chỉ tiêu nêu tại đó.",
              style="Nội dung")
    soon = [m for m in data.milestones_due() if m.assessment.status == "pending"]
    overdue = [m for m in data.milestones_due() if m.assessment.status == "overdue"]
    if soon or overdue:
        n += 1
        _para(doc, f"{n}. Hoàn thành các nhiệm vụ quá hạn và các nhiệm vụ đến hạn trong {nxt.label()}:",
              style="Nội dung")
        for m in overdue + soon:
            _para(doc, f"- {m.milestone.title} (hạn {fmt_date(m.milestone.deadline)}; "
                       f"{m.milestone.responsible or 'chưa giao cơ quan chủ trì'}).", style="Nội dung")
    if len(data.quarter_reporting()["missing"]):
        n += 1
        _para(doc, f"{n}. Đôn đốc các đơn vị chưa gửi báo cáo {data.as_of.label()} gửi ngay; các đơn vị gửi báo "
                   f"cáo {nxt.label()} đúng hạn.", style="Nội dung")
    _human(doc, texts, "directions", "Nhiệm vụ, giải pháp trọng tâm thời gian tới: cơ quan thường trực bổ sung.")


def _section_proposals(doc, texts: ReportTexts) -> None:
    _heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ", level=1)
    _human(doc, texts, "proposals", "Đề xuất, kiến nghị với cấp trên: cơ quan thường trực bổ sung "
                                    "(ghi \"Không\" nếu không có).")


def recipients(data: ReportData, lh: Letterhead) -> list[str]:
    """Nơi nhận: the letterhead's receivers first, then the bodies the plan names, then "Lưu"; each once."""
    plan_bodies = list(getattr(data.plan, "report_to", ()) or ())
    lines = [x for x in lh.recipients if not x.startswith("Lưu")]
    seen = {_body_key(x) for x in lines}
    end = "," if lh.party else ";"
    extra = [f"{b} (để báo cáo){end}" for b in plan_bodies if _body_key(b) not in seen]
    keep = [x for x in lh.recipients if x.startswith("Lưu")]
    return lines[:1] + extra + lines[1:] + keep


def _body_key(line: str) -> str:
    return re.sub(r"\s*\(.*|[;,.]$", "", line).strip().lower()


def _closing(doc, data: ReportData, lh: Letterhead) -> None:
    _para(doc, f"Trên đây là báo cáo kết quả thực hiện các chỉ tiêu đến hết {data.as_of.label()} của "
               f"{lh.writer or 'cơ quan thường trực'}./.", style="Nội dung")
    _signature(doc, recipients(data, lh), lh)


def _signature(doc, receivers: list[str], lh: Letterhead) -> None:
    """Nơi nhận on the left; on the right the signer: ``KT. GIÁM ĐỐC`` / ``PHÓ GIÁM ĐỐC`` when a deputy signs."""
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    left, right = t.rows[0].cells
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, space_before=12)
    for line in receivers:
        _para(left, f"- {line}", size=11)
    c = WD_ALIGN_PARAGRAPH.CENTER
    if lh.deputy:
        _para(right, f"KT. {lh.signer}", bold=True, size=14, align=c, space_before=12)
        _para(right, lh.deputy, bold=True, size=14, align=c)
    else:
        _para(right, lh.signer, bold=True, size=14, align=c, space_before=12)
    for _ in range(4):
        _para(right)
    _para(right, lh.signer_name or "", bold=True, size=14, align=c)
    _widths(t, [7.5, TEXT_WIDTH_CM - 7.5])


# --- the appendix -----------------------------------------------------------------

APPENDIX_PT = 12


def _appendix(doc, data: ReportData, lh: Letterhead, images: dict) -> None:
    if not data.rows:
        return
    p = _para(doc, "Phụ lục", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.page_break_before = True
    _para(doc, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐẾN HẾT {data.as_of.label().upper()}", bold=True, size=14,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    number = lh.number.strip() or "…"
    _para(doc, f"(Kèm theo Báo cáo số {number} ngày {'…' if lh.date is None else fmt_date(lh.date)} của "
               f"{lh.writer or lh.body.capitalize()})", italic=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=8)
    common = _common_period(data)
    # a note on more than half of the targets is said once above the others, with no number in the table
    seen = collections.Counter(k for r in data.rows for k in dict.fromkeys(_note_key(n) for n in r.assessment.notes))
    general = [k for k, c in seen.items() if c > len(data.rows) / 2]
    notes: dict[str, int] = {}
    refs = []
    for r in data.rows:
        nums = []
        for note in r.assessment.notes:
            key = _note_key(note)
            if key in general:
                continue
            n = notes.setdefault(key, len(notes) + 1)
            if n not in nums:
                nums.append(n)
        refs.append(", ".join(str(n) for n in sorted(nums)))
    done_header = f"Thực hiện ({common.label().lower()})" if common else "Thực hiện"
    header = ["TT", "Chỉ tiêu", "Mục tiêu", done_header, "Đánh giá", "Ghi chú"]
    widths = [1.0, 5.4, 2.8, 2.6, 2.6, 1.8]
    t = doc.add_table(rows=1, cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    c, r_ = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    for j, h in enumerate(header):
        cell = t.rows[0].cells[j]
        _para(cell, h, bold=True, size=APPENDIX_PT, align=c)
        _shade(cell, "D9D9D9")
    _repeat_header(t.rows[0])
    index = {id(r): i for i, r in enumerate(data.rows)}
    for k, (area, group) in enumerate(_by_area(data.rows)):
        row = t.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _para(merged, f"{ROMAN[k + 1]}. {area.upper()}", bold=True, size=APPENDIX_PT)
        for j, r in enumerate(group, start=1):
            cells = t.add_row().cells
            latest = _plain_latest(r) if r.assessment.latest_value is not None else "Chưa có số liệu"
            if r.assessment.latest_period and common and r.assessment.latest_period != common:
                latest += f"\n({r.period_text.lower()})"
            values = [str(j), r.name, _target_cell(r), latest, office_status(r), refs[index[id(r)]]]
            aligns = [c, None, c, c, c, c]
            for cell, v, a in zip(cells, values, aligns):
                _run(_para(cell, align=a), v, size=APPENDIX_PT)
    _widths(t, widths)
    if notes or general:
        _para(doc, "Ghi chú:", bold=True, italic=True, size=APPENDIX_PT, space_before=6)
        for note in general:
            _para(doc, f"- {note}", italic=True, size=APPENDIX_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        for note, n in notes.items():
            _para(doc, f"({n}) {note}", italic=True, size=APPENDIX_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        if notes:
            _para(doc, "Số ở cột \"Ghi chú\" chỉ các ghi chú đánh số trên.", italic=True, size=APPENDIX_PT)
    charts_ = [k for k in report_charts(data) if k.startswith("target:") and k in images]
    if charts_:
        p = _para(doc, "Biểu đồ các chỉ tiêu khó hoàn thành, không đạt", bold=True, size=14,
                  align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.page_break_before = True
        p.paragraph_format.space_after = Pt(6)
        for k in charts_:
            _picture(doc, images[k], width_cm=12.5)


# A note's figures in brackets (the baseline found, a threshold) differ from target to target; the note
# itself is the same: said once, without them. The figures stay in the app and the Excel scorecard.
_NOTE_FIGURES = re.compile(r"\s*\((?:năm \d{4}: |ngưỡng )[^()]*\)|\s*\(-?\d[\d.,]*\s*%?\)")


def _note_key(note: str) -> str:
    """``Kế hoạch không nêu số gốc; lấy số liệu đầu tiên (năm 2020: 32,7 triệu đồng) làm gốc.``
    → ``Kế hoạch không nêu số gốc; lấy số liệu đầu tiên làm gốc.``"""
    return _NOTE_FIGURES.sub("", note).strip()


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def _target_cell(r) -> str:
    """The target in a table: compact (``≥ 7,16%/năm``), but a fall in words (``giảm trên 3,50 điểm %/năm``)."""
    return _plain_target(r) if r.target.kind == "change" else _glued(r.target_text)


def _glued(text: str) -> str:
    """``≥ 7,16%`` with a no-break space: a comparison sign never ends a line alone in a narrow column."""
    for sign in ("≥", "≤", ">", "<"):
        text = text.replace(f"{sign} ", f"{sign}\u00a0")
    return text


def _days(left: int | None) -> str:
    if left is None:
        return "–"
    return f"còn {fmt_count(left)} ngày" if left >= 0 else f"quá hạn {fmt_count(-left)} ngày"


# --- the leader's brief -----------------------------------------------------------


def _brief(doc, data: ReportData, lh: Letterhead, images: dict) -> None:
    """At most 5 pages: counts, the targets needing attention, overdue tasks and missing returns, ≤ 4 charts."""
    _para(doc, lh.body or lh.parent, bold=True, size=13)
    _para(doc, "TÓM TẮT", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=12)
    _para(doc, _subject(data), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    rows = data.rows
    _heading(doc, "1. Kết quả chung", level=1)
    if rows:
        _para(doc, f"Trong tổng số {fmt_count(len(rows))} chỉ tiêu, đến hết {data.as_of.label()} có "
                   f"{_counts_sentence(rows)}.", style="Nội dung")
        if "status" in images:
            _picture(doc, images["status"], width_cm=12.5)
    _para(doc, f"Nhiệm vụ có thời hạn: {_milestone_counts(data)} Báo cáo của các đơn vị: "
               f"{_reporting_sentence(data).replace(' (nêu tại mục II)', '')}", style="Nội dung")
    worst = [r for r in data.attention if GROUP_OF[r.status] in ("missed", "hard")]
    slow = [r for r in data.attention if GROUP_OF[r.status] == "at_risk"]
    if worst or slow:
        _heading(doc, "2. Các chỉ tiêu cần tập trung chỉ đạo", level=1)
        table = [[str(i), r.name, _target_cell(r), _plain_latest(r), office_status(r)]
                 for i, r in enumerate(worst + slow, start=1)]
        c = WD_ALIGN_PARAGRAPH.CENTER
        _grid(doc, ["TT", "Chỉ tiêu", "Mục tiêu", f"Thực hiện ({_period_phrase(data)})", "Đánh giá"], table,
              [1.0, 7.0, 3.0, 3.0, 2.5], align={0: c, 2: c, 3: c, 4: c})
    overdue = [m for m in data.milestones if m.assessment.status == "overdue"]
    if overdue:
        _heading(doc, "3. Nhiệm vụ quá hạn", level=1)
        for m in sorted(overdue, key=lambda m: m.milestone.deadline):
            _para(doc, f"- {m.milestone.title} (hạn {fmt_date(m.milestone.deadline)}): "
                       f"{m.milestone.responsible or 'chưa giao cơ quan chủ trì'}.", style="Nội dung")
    pics = [k for k in report_charts(data, brief=True) if k.startswith("target:") and k in images]
    if pics:
        p = _para(doc, "Biểu đồ các chỉ tiêu khó hoàn thành", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.page_break_before = True
        for k in pics:
            _picture(doc, images[k], width_cm=13.0)


def _milestone_counts(data: ReportData) -> str:
    if not data.milestones:
        return "không có."
    mc = collections.Counter(m.assessment.status for m in data.milestones)
    return (f"{fmt_count(len(data.milestones))} nhiệm vụ; {fmt_count(mc['done'])} đã hoàn thành, "
            f"{fmt_count(mc['pending'])} chưa đến hạn, {fmt_count(mc['overdue'])} quá hạn.")
