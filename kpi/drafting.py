"""Draft a plan's targets, milestones and obligations from its text.

The secretariat drops in a plan (``.txt``, ``.docx`` or ``.pdf``) and gets a
draft of every target and milestone, each tied to the clause it comes from.
Nothing here calls a network or a model: the drafts come from rules of how
Vietnamese plans write targets (see docs/method.md, "Đọc kế hoạch"):

* **clauses**: a paragraph splits into sentences, sentences at ``;``, a
  clause at "trong đó", and a list of figures ("cơ cấu kinh tế: nông nghiệp
  16,42%, công nghiệp 21,35%") at its commas and "và", so that each piece
  carries one figure; a piece without a figure joins the figure it names;
* **numbers** as Vietnamese writes them (``1.234,5``), with their unit and
  scale (vạn, nghìn, ngàn, triệu, tỷ, nghìn tỷ, triệu USD, điểm %); years,
  dates, document numbers, ages, names (``Phường 4``) and counts of the
  plan's own items ("21 chỉ tiêu") are not targets;
* **comparison words**: trên (>), dưới (<), đạt / từ … trở lên / ít nhất
  (>=), không quá / tối đa / xuống còn (<=), khoảng (soft), phấn đấu
  (an aspiration, kept as a flag);
* **kinds** in a fixed order of rules (relative, range, change, average
  growth, sum, share, yearly, count, level; a figure under a "Năm 2024:"
  heading of a plan of several years is that year's step);
* **years**: "đến năm 2025", "giai đoạn 2021-2025", the year heading, else
  the plan's period;
* **indicator**: the closest name in the catalogue (rapidfuzz) with a
  confidence, or a proposed new indicator.

>>> d = draft_text("- Tỷ lệ hộ nghèo giảm xuống còn dưới 3% vào năm 2030.", period=(2026, 2030))
>>> t = d["drafts"][0]
>>> (t["kind"], t["cmp"], t["value"], t["end"])
('level_max', '<', 3.0, 2030)
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kpi.catalog import KIND_LABELS, KINDS, Indicator

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


class DraftError(ValueError):
    """A document that cannot be read. The message is in Vietnamese and names the file."""


# --- reading documents ---------------------------------------------------------------------

def read_document(source: str | Path | bytes, name: str | None = None) -> str:
    """The text of a plan: ``.txt`` (UTF-8), ``.docx`` (paragraphs and tables) or ``.pdf`` (its text layer)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as e:
            raise DraftError(f"{name}: không đọc được tệp ({e.strerror})") from None
    else:
        data = source
        name = name or "tệp"
    ext = Path(name).suffix.lower()
    if ext in (".txt", ".md", ""):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DraftError(f"{name}: tệp văn bản phải mã hóa UTF-8") from None
    if ext == ".docx":
        return _read_docx(data, name)
    if ext == ".pdf":
        return _read_pdf(data, name)
    raise DraftError(f"{name}: chỉ đọc được tệp .txt, .docx hoặc .pdf (tệp này là '{ext}')")


def _read_docx(data: bytes, name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise DraftError(f"{name}: không phải tệp Word (.docx) hợp lệ ({e})") from None
    except Exception as e:  # zipfile.BadZipFile and friends
        raise DraftError(f"{name}: không phải tệp Word (.docx) hợp lệ ({type(e).__name__})") from None
    parts: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append(" ".join("".join(t.text or "" for t in p.iter() if t.tag.endswith("}t"))
                                                  for p in cell.iter() if p.tag.endswith("}p")).strip())
                    parts.append(" | ".join(c for c in cells if c))
    return "\n\n".join(p for p in parts)


def _read_pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as e:
        raise DraftError(f"{name}: không đọc được tệp PDF ({e})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise DraftError(f"{name}: tệp PDF không có lớp chữ (bản quét ảnh); hãy dùng bản Word hoặc bản có chữ")
    return text


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space: the only normalisation a quote may differ by."""
    return " ".join(text.split())


# --- numbers and units --------------------------------------------------------------------------

NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
SCALES = {"vạn": 1e4, "nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9,
          "nghìn tỷ": 1e12, "ngàn tỷ": 1e12, "nghìn tỉ": 1e12, "trăm": 1e2}
MEASURES = ("ha", "km", "m2", "m²", "m3", "m³", "tấn", "kg", "MW", "kWh", "triệu kWh", "lượt", "USD", "đồng")


def parse_number(tok: str) -> float:
    """``1.234,5`` → 1234.5; ``1.200`` → 1200; ``7,16`` → 7.16; ``02`` → 2.

    >>> [parse_number(x) for x in ("1.234,5", "1.200", "7,16", "02", "66,8")]
    [1234.5, 1200.0, 7.16, 2.0, 66.8]
    """
    tok = tok.strip()
    if "," in tok:
        return float(tok.replace(".", "").replace(",", "."))
    if "." in tok and all(len(g) == 3 for g in tok.split(".")[1:]):
        return float(tok.replace(".", ""))
    return float(tok)


def _unit_scale(unit: str) -> tuple[float, str]:
    """``nghìn tỷ đồng`` → (1e12, 'đồng'); ``vạn dân`` → (1e4, 'dân'); ``%`` → (1, '%')."""
    u = unit.strip().lower()
    for word in sorted(SCALES, key=len, reverse=True):
        if u == word or u.startswith(word + " "):
            return SCALES[word], u[len(word):].strip()
    return 1.0, u


_PEOPLE = {"dân", "người", "nhân khẩu"}


def convert(value: float | None, unit_written: str, unit_to: str) -> float | None:
    """A figure written in ``unit_written`` in the indicator's unit, or None when they do not compare.

    >>> convert(1300, "ngàn lượt khách", "nghìn lượt"), convert(1.2, "nghìn tỷ đồng", "tỷ đồng")
    (1300.0, 1200.0)
    """
    if value is None:
        return None
    f1, b1 = _unit_scale(unit_written)
    f2, b2 = _unit_scale(unit_to)
    cur = lambda b: "usd" if "usd" in b else ("đồng" if "đồng" in b else None)  # noqa: E731
    if cur(b1) != cur(b2):
        return None
    if ("%" in b1) != ("%" in b2):
        return None
    return round(value * f1 / f2, 9)


# --- words of comparison, kind and time -----------------------------------------------------------

CMP_BEFORE = [  # words right before the figure (longest first)
    (r"không vượt quá|không quá|tối đa|nhiều nhất", "<="),
    (r"ít nhất|tối thiểu|không dưới|không thấp hơn", ">="),
    (r"trên|hơn|vượt", ">"),
    (r"dưới|chưa đến|thấp hơn", "<"),
    (r"<=|≤", "<="), (r">=|≥", ">="), (r"<", "<"), (r">", ">"),
]
SOFT_WORDS = r"khoảng|xấp xỉ|gần|trên dưới|chừng"
ASPIRE_WORDS = r"phấn đấu|phân đấu|cố gắng"
DOWN_VERBS = r"giảm|kéo giảm|hạ|xuống còn|còn dưới|còn"
YEARLY_WORDS = r"mỗi năm|hằng năm|hàng năm|năm nào cũng|/năm|duy trì"
ADD_VERBS = r"thêm|tăng thêm|công nhận mới|có thêm|công nhận(?: ít nhất| thêm)?"
UNIT_NOUNS = ("xã", "huyện", "đơn vị", "thôn", "bản", "ấp", "phường", "thị trấn", "trường", "tổ dân phố",
              "khu phố", "cơ sở", "hợp tác xã", "làng", "chi bộ", "doanh nghiệp", "sản phẩm", "khu",
              "cụm", "công trình", "dự án", "chương trình")
META_NOUNS = ("chỉ tiêu", "nhiệm vụ", "bước", "phong trào", "khâu", "giải pháp", "nội dung", "đột phá",
              "lĩnh vực", "năm", "tháng", "ngày", "giờ", "tuổi", "lần", "mũi", "chân", "tiểu ban",
              "nhóm", "cấp", "loại", "điểm cầu", "kỳ", "quý", "đợt", "khóa", "khoá", "buổi", "phút")

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --- the structure of the text ----------------------------------------------------------------------

SECTION_RE = re.compile(r"^[#*\s]*((?:[IVX]+|\d+(?:\.\d+)*)\.?)\s+\**\s*[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ\w]")
YEAR_HEAD_RE = re.compile(r"^[-+•*\s]*(?:Trong\s+)?[Nn]ăm\s+(\d{4})\s*[:：]")
BULLET_RE = re.compile(r"^\s*([-+•–])\s+")
FOOTNOTE_RE = re.compile(rf"^\s*([{SUPERSCRIPTS}]+)\s")


@dataclass
class Para:
    text: str
    section: str = ""
    year: int | None = None       # the "Năm 2024:" heading it falls under
    bullet: str = ""
    footnote: str = ""
    heading: str = ""              # the section's title


def _paragraphs(text: str) -> list[Para]:
    """Paragraphs with their section and year heading; a paragraph cut by a page break is joined again."""
    raw: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.rstrip() for ln in block.split("\n") if ln.strip()]
        cur = ""
        for ln in lines:
            if cur and (BULLET_RE.match(ln) or FOOTNOTE_RE.match(ln) or SECTION_RE.match(ln)):
                raw.append(cur)
                cur = ln
            else:
                cur = f"{cur} {ln.strip()}" if cur else ln
        if cur:
            raw.append(cur)
    # join a paragraph a page break cut: it ends without a stop and the next starts in lower case
    joined: list[str] = []
    pending_foot: list[str] = []
    for p in raw:
        s = p.strip()
        if FOOTNOTE_RE.match(s):
            pending_foot.append(s)
            continue
        if joined and not pending_foot and (s[:1].islower() or re.search(r",\s*$", joined[-1])) \
                and not re.search(r"[.:;!?)\]”\"]\**\s*$", joined[-1]):
            joined[-1] = f"{joined[-1]} {s}"
        else:
            joined.extend(pending_foot)
            pending_foot = []
            joined.append(s)
            continue
        # footnotes met inside a cut paragraph come after it
    joined.extend(pending_foot)

    out: list[Para] = []
    section, heading, year = "", "", None
    marks: dict[str, int | None] = {}
    for p in joined:
        fm = FOOTNOTE_RE.match(p)
        if fm:
            out.append(Para(p, section, marks.get(fm.group(1)), footnote=fm.group(1), heading=heading))
            continue
        sm = SECTION_RE.match(p)
        bm = BULLET_RE.match(p)
        ym = YEAR_HEAD_RE.match(p)
        if sm and not bm and len(p) < 200:
            section, heading, year = sm.group(1).rstrip("."), p, None
        elif ym:
            year = int(ym.group(1))
        elif bm and bm.group(1) in "-•–":
            year = None
        elif not bm and not p[:1].islower():
            year = None      # a paragraph of its own (not a "+" item, not a continuation) leaves the year
        para = Para(p, section, year, bullet=bm.group(1) if bm else "", heading=heading)
        for m in re.finditer(f"[{SUPERSCRIPTS}]+", p):
            marks.setdefault(m.group(0), year)
        out.append(para)
    return out


def _sentences(text: str) -> list[str]:
    """Split at a full stop followed by a capital letter (not inside a number such as 1.200)."""
    parts = re.split(r"(?<=[.!?])\**\s+(?=\d|[\"“*]*[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ])", text)
    return [p for p in parts if p.strip()]


def _split_spans(text: str, seps: str) -> list[tuple[int, int]]:
    """Spans between separators outside brackets and short quotations (a title such as “Gia đình văn hóa”)."""
    protected = [False] * len(text)
    for m in re.finditer(r"“[^“”]{0,80}”", text):
        for k in range(m.start(), m.end()):
            protected[k] = True
    out, depth, begin, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if depth == 0 and not protected[i]:
            m = re.match(seps, text[i:])
            if m and m.group(0):
                out.append((begin, i))
                i += len(m.group(0))
                begin = i
                continue
        i += 1
    out.append((begin, len(text)))
    return out


def _split_top(text: str, seps: str) -> list[str]:
    return [text[a:b] for a, b in _split_spans(text, seps)]


# --- figures in a piece of text ----------------------------------------------------------------------

@dataclass
class Figure:
    start: int
    end: int
    value: float
    written: str
    unit: str = ""
    high: float | None = None      # a range "8.000 - 8.300"
    low_written: str = ""
    role: str = "target"           # target | baseline | delta
    rank: bool = False             # a rank ("nhóm 20 tỉnh dẫn đầu"): lower is better


_MASKS = [
    r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}",                     # 30/3/2021
    r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?",  # ngày 15 tháng 02 năm 2024
    r"tháng\s+\d{1,2}(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?",       # tháng 8/2024
    r"[Qq]uý\s+[IV]+(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?",
    r"\d+[\w.]*\s*/\s*[A-ZĐ][\w\-/.]*",                         # 383/KH-UBND, 06/QĐ-TTg
    r"\d+-[A-ZĐ]{2,}[\w\-/]*",                                  # 12-NQ/TU
    r"(?:số|Số|khóa|khoá|lần thứ|Điều|Khoản|Mục|mục|Bước|bước)\s+\d+",
    r"(?:Chương trình|Nghị quyết|Quyết định|Chỉ thị|Kế hoạch|Thông tư|Nghị định|Đề án|Dự án)\s+\d+",
    r"(?:năm|Năm)\s+(?:19|20)\d{2}",
    r"\(\d+\)|(?:^|(?<=\s))\d+\)",
    r"(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2}",                 # 2021-2025
    r"(?<![\d.,])(?:19|20)\d{2}(?![\d]|[.,]\d|\s*(?:%|tỷ|triệu|nghìn|ngàn|ha\b|tấn|lao động|người|đảng viên|xã\b|căn|lượt))",
    r"\d+\s*/\s*\d+(?=\s*(?:vạn|nghìn|người|dân))",          # bác sĩ/1 vạn dân: the denominator
    r"/\s*\d+(?:[.,]\d+)?(?=\s*(?:vạn|nghìn|người|dân|xã|km²|km2))",
    r"\d+\s*(?:kV|KV|kv)\b",
    r"[\w.]*[A-Za-zÀ-ỹĐđ]\d+\w*", r"\d+[A-Za-zÀ-ỹĐđ]\w*",   # 4G, WB9, ĐT.DK07
]
MASK_RE = re.compile("|".join(f"(?:{m})" for m in _MASKS))
NUM_RE = re.compile(rf"(?<![\d.,])({NUM})(?![\d])")
RANGE_RE = re.compile(rf"({NUM})\s*(%?)\s*(?:-|–|đến|tới)\s*({NUM})")
UNIT_RE = re.compile(
    r"\s*(điểm\s*(?:%|phần trăm)(?:\s*/\s*năm)?|%(?:\s*/\s*năm)?"
    r"|(?:nghìn tỷ|ngàn tỷ|nghìn tỉ|triệu|tỷ|tỉ|nghìn|ngàn|vạn|trăm)(?:\s+(?:đồng|USD|lượt khách|lượt|tấn|người|dân|lao động|ha|m2|m3|kWh))?(?:\s*/\s*(?:năm|người/năm))?"
    r"|(?:ha|km|tấn|kg|MW|kWh|USD|đồng|m2|m²|m3|m³)\b(?:\s*/\s*năm)?"
    r"|[a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+){0,2}(?:\s*/\s*(?:năm|\d*\s*\w+))?)")
_UNIT_STOP = {"đạt", "được", "có", "trở", "trên", "dưới", "và", "là", "của", "cho", "với", "so", "thực",
              "hoàn", "tham", "sử", "bị", "đến", "trong", "tại", "theo", "từ", "xuống", "lên", "được",
              "làm", "vào", "để", "thuộc", "ở", "hộ"}


def _mask(text: str) -> str:
    return MASK_RE.sub(lambda m: "§" * len(m.group(0)), text)


def _unit_after(text: str, pos: int) -> str:
    m = UNIT_RE.match(text, pos)
    if not m:
        return ""
    u = m.group(1).strip()
    if u[:1].isalpha() and not u.split()[0] in SCALES and u.split()[0] not in MEASURES:
        words = []
        for w in re.split(r"\s+", u):
            if w.split("/")[0] in _UNIT_STOP:
                break
            words.append(w)
        u = " ".join(words[:3])
    return u


def _figures(piece: str) -> list[Figure]:
    masked = _mask(piece)
    figs: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for m in RANGE_RE.finditer(masked):
        a, pct, b = m.group(1), m.group(2), m.group(3)
        lo, hi = parse_number(a), parse_number(b)
        if lo >= hi:
            continue
        unit = _unit_after(masked, m.end())
        if pct and not unit.startswith("%"):
            unit = "%" + unit
        figs.append(Figure(m.start(), m.end(), lo, piece[m.start():m.end()], unit, high=hi, low_written=a))
        taken.append((m.start(), m.end()))
    for m in NUM_RE.finditer(masked):
        if any(s <= m.start() < e for s, e in taken):
            continue
        before = masked[:m.start()]
        if before.rstrip().endswith(("-", "/", "§")):
            continue
        rank = re.search(r"(?:thuộc|trong|vào|nằm trong)\s+(?:nhóm|tốp|top)\s*$", before, re.I) and re.match(
            r"\s*\w+(?:\s+\w+)?\s+(?:dẫn đầu|đứng đầu|cao nhất|tốt nhất|hàng đầu)", piece[m.end():])
        if rank:
            figs.append(Figure(m.start(), m.end(), parse_number(m.group(1)), m.group(1), "hạng", rank=True))
            continue   # "PCI thuộc nhóm 20 tỉnh dẫn đầu": a rank to stay within
        if re.search(r"(?:^|\s)(?:nhóm|loại|hạng|cầu|lần|thứ|khóa|kỳ|quận|phường|thôn|ấp|tổ|đội|mục|đợt|vùng|khu vực|khu|cụm|lô|tuyến|đường|hồ|cấp|độ tuổi|chương)\s*$",
                     before, re.I) and not re.search(r"mức độ\s*$", before):
            continue
        if re.search(r"\b(?:dự ước|ước tính|ước đạt|ước thực hiện|dự báo)\b[^;]{0,40}$", before):
            continue   # an estimate explains, it does not set a target
        qo, qc = before.rfind("“"), before.rfind("”")
        if qo > qc:
            close = piece.find("”", m.end())
            if close != -1 and close - qo < 40:
                continue   # inside a short title in quotation marks: “chi bộ 4 tốt”
        prev_word = re.search(r"(\S+)\s*$", before)
        if prev_word:
            w = prev_word.group(1)
            initial = not before[:prev_word.start()].strip(" -+•*:(")
            if w[:1].isupper() and not initial and not re.match(r"^(?:<|>|Có|Đạt|Trên|Dưới|Khoảng)$", w) \
                    and w.strip("(“\"") not in ("GRDP", "NTM") and not w.endswith(":"):
                continue   # Phường 4, cầu Ba Lai 8, Chương trình 135: a name
        frac = re.match(r"\s*/\s*\d+\s+", piece[m.end():])
        unit = _unit_after(masked, m.end() + frac.end()) if frac else _unit_after(masked, m.end())
        head = (unit if frac else (_unit_after(piece, m.end()) or unit)).split("/")[0].strip().lower()
        if m.group(1) == "1" and re.search(r"(?:trên|mỗi|cho)\s*$", before) and head.split(" ")[0] in (
                "ha", "người", "hộ", "lao", "km", "km2", "km²", "m2", "vạn", "nghìn", "xã", "đơn"):
            continue   # "giá trị thu hoạch trên 1 ha": per hectare, not a target
        if any(head == n or head.startswith(n + " ") for n in META_NOUNS) and not unit.startswith("%") \
                and not (head.startswith("tuổi") and "tuổi thọ" in piece.lower()) \
                and not (head.startswith("lần") and re.search(r"(?:tăng|gấp|ít nhất)\s*$", before)):
            continue   # "trẻ em dưới 5 tuổi" qualifies; "tuổi thọ trung bình đạt 75 tuổi" is the target
        if head.startswith("tiêu chí") and "/" not in unit:
            continue
        if re.match(r"^\W*(?:đối với|nếu|trường hợp)\b", piece, re.I) or re.search(r"\bthì\b", piece[m.end():]):
            continue   # "Đơn vị có dưới 300 cán bộ … thì …": a condition, not a target
        figs.append(Figure(m.start(), m.end(), parse_number(m.group(1)), m.group(1), unit))
    figs.sort(key=lambda f: f.start)
    # roles: "từ 29,93% năm 2020 xuống ..." is a baseline; "tăng 2,25% so với năm 2020" a change note
    for f in figs:
        after = piece[f.end:f.end + 60]
        before = piece[max(0, f.start - 12):f.start]
        if re.match(r"\s*%?\s*(?:năm|vào năm)\s+(?:19|20)\d{2}\s+(?:xuống|lên|tăng|giảm)", after) \
                and re.search(r"từ\s*$", before):
            f.role = "baseline"
        elif re.search(r"(?:tăng|giảm)\s*$", before) and re.search(r"so với\s+(?:năm\s+)?(?:19|20)\d{2}", after) \
                and not f.unit.startswith(("lần", "gấp")):
            f.role = "delta"   # "16,42%, giảm 2,34% so với năm 2020"; but "tăng 1,5 lần so với năm 2025" is the target
    return figs


# --- pieces: one figure each ---------------------------------------------------------------------------

def _lead_in(text: str) -> tuple[str, str]:
    """("Cơ cấu kinh tế", "Khu vực nông, lâm nghiệp chiếm 16,42%; ...") when a figure-less head ends in a colon."""
    m = re.match(r"^(.{3,160}?):\s+(.*)$", text, re.S)
    if m and not [f for f in _figures(m.group(1)) if f.role == "target"] \
            and [f for f in _figures(m.group(2)) if f.role == "target"]:
        return m.group(1), m.group(2)
    return "", text


def _complete(chunk: str, fig: Figure) -> bool:
    """A figure after its subject and verb ("tỷ lệ ... đạt 80%") ends its piece; one before its noun ("100% xã có ...") does not."""
    before = _mask(chunk[:fig.start]).lower()
    before = re.sub(rf"\b(?:{SOFT_WORDS}|{ASPIRE_WORDS}|có|từ|trên|dưới|đạt|ít nhất|khoảng|tối thiểu|trong đó|riêng|và)\b|[<>≤≥(]",
                    " ", before)
    return len(re.findall(r"\w+", before)) >= 2


def _pieces(clause: str, lead: str = "") -> list[tuple[str, str, int]]:
    """Cut a clause into (lead-in, piece, part) so that each piece carries one target figure.

    A lead-in ("Cơ cấu kinh tế:", "Cán bộ, công chức cấp xã:") names what the figures
    after it are about; it is kept apart, as context, when it carries no figure itself.
    ``part`` numbers the stretches "trong đó" cuts the clause into. Every piece is a
    stretch of the clause as written, so its quote is verbatim.
    """
    own, clause = _lead_in(clause)
    lead = own or lead
    # "trong đó" opens a part of the whole just given
    bounds = [0] + [m.start() for m in re.finditer(r"\btrong đó\b", clause) if m.start() > 0] + [len(clause)]
    out: list[tuple[str, str, int]] = []
    for k in range(len(bounds) - 1):
        part = clause[bounds[k]:bounds[k + 1]]
        spans = [(a, b) for a, b in _split_spans(part, r",\s+|\s+và\s+") if part[a:b].strip()]
        groups: list[list[int]] = []       # chunk indexes of each piece
        pending: list[int] = []            # chunks waiting for their figure
        complete = True
        for ci, (a, b) in enumerate(spans):
            c = part[a:b]
            all_figs = _figures(c)
            figs = [f for f in all_figs if f.role == "target"]
            starter = re.match(r"^\s*(?:riêng|đối với|trong đó|ngoài ra)\b", c, re.I)
            if not figs:
                if starter:
                    if pending and groups:
                        groups[-1].extend(pending)
                    pending = [ci]
                elif pending:
                    pending.append(ci)
                elif groups and (all_figs or not complete):
                    groups[-1].append(ci)
                else:
                    pending = [ci]
                continue
            groups.append(pending + [ci])
            pending = []
            complete = _complete(c, figs[-1])
        if pending:
            if groups:
                groups[-1].extend(pending)
            else:
                groups.append(pending)
        for g in groups:
            a, b = spans[g[0]][0], spans[g[-1]][1]
            piece = part[a:b].strip(" ,;.(")
            if piece.count(")") > piece.count("("):
                piece = piece.rstrip(")")
            if piece:
                out.append((lead, piece, k))
    return out


# --- the drafter ----------------------------------------------------------------------------------------

@dataclass
class Context:
    period: tuple[int, int]
    indicators: dict[str, Indicator] = field(default_factory=dict)


def detect_period(text: str) -> tuple[int, int] | None:
    """The plan's years from its title: the first "2021 - 2025" in the opening lines."""
    m = re.search(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", text[:3000])
    if m and int(m.group(1)) <= int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"năm\s+((?:19|20)\d{2})", text[:3000])
    if m:
        return int(m.group(1)), int(m.group(1))
    return None


def _cmp_words(piece: str, fig: Figure) -> tuple[str | None, list[str], bool]:
    """The comparison the words around a figure set: (cmp, words found, soft)."""
    before = piece[:fig.start]
    near = before[-30:].lower()
    after = piece[fig.end:].lower()
    words: list[str] = []
    cmp = None
    soft = bool(re.search(rf"(?:{SOFT_WORDS})\s*$", near.rstrip()))
    if soft:
        words.append(re.search(rf"({SOFT_WORDS})\s*$", near.rstrip()).group(1))
    for rx, op in CMP_BEFORE:
        mm = re.search(rf"(?:^|\s|\()({rx})\s*(?:mức\s+)?$", near) if rx[0].isalpha() else re.search(rf"({rx})\s*$", near)
        if mm:
            cmp = op
            words.append(mm.group(1))
            break
    if re.search(r"^\s*[^,;]{0,60}?trở lên", after) and cmp is None:
        cmp = ">="
        words.append("trở lên")
    if re.search(r"\btừ\s*$", near) and cmp is None and fig.high is None:
        words.append("từ")
        if re.search(r"trở lên", after):
            cmp = ">="
    if re.search(r"(?:xuống còn|giảm còn|còn)\s*(?:dưới|<)?\s*$", near):
        words.append("xuống còn")
        cmp = cmp or "<="
    if re.search(r"\bđạt\b", before[-40:].lower()) and cmp is None:
        words.append("đạt")
        cmp = ">="
    return cmp, words, soft


def _years(piece: str, lead: str, para: Para, ctx: Context) -> tuple[int, int, str]:
    """(start, end, how): stated in the piece, from the year heading, or the plan's period."""
    text = f"{lead} {piece}"
    said = re.search(r"(?:^|\s)[Nn]ăm\s+((?:19|20)\d{2})\s*,", text)
    if said and int(said.group(1)) < ctx.period[0]:
        return ctx.period[0], int(said.group(1)), "stated"    # "Năm 2023, tỷ lệ … 61%": a fact before the plan
    if para.year and ctx.period[0] != ctx.period[1]:
        return para.year, para.year, "heading"
    m = re.search(r"(?:giai đoạn|thời kỳ|nhiệm kỳ|năm|trong)\s+((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", text)
    if m:
        return int(m.group(1)), int(m.group(2)), "span"
    m = re.search(r"(?:đến|tới|vào|trong)\s+năm\s+((?:19|20)\d{2})|(?:^|[^ừ]\s)năm\s+((?:19|20)\d{2})(?!\s*(?:xuống|lên))", text)
    if m:
        y = int(m.group(1) or m.group(2))
        if not re.search(rf"so với\s+(?:năm\s+)?{y}|từ [^,;]*năm\s+{y}\s+(?:xuống|lên)", text):
            return ctx.period[0], y, "stated"
    if para.year:
        return para.year, para.year, "heading"
    return ctx.period[0], ctx.period[1], "plan"


def _kind(piece: str, lead: str, fig: Figure, cmp: str | None, para: Para, ctx: Context,
          start: int, end: int, how: str) -> tuple[str, dict]:
    low = piece.lower()
    full = f"{lead} {piece}".lower()
    before = low[:fig.start]
    unit = fig.unit.lower()
    extra: dict = {}
    percent = unit.startswith("%") or unit.startswith("điểm")
    per_year = "/năm" in unit.replace(" ", "") or bool(re.search(r"(?:mỗi năm|hằng năm|hàng năm)", full))
    decreasing = bool(re.search(rf"\b(?:{DOWN_VERBS})\b", before))
    if decreasing and percent and re.match(r"\s*%\s*(?:số|lượng|tổng số)\b", piece[fig.end:]):
        decreasing = False   # "giảm 5% số vụ tai nạn": the rate of reduction is the target (up is better)
    increasing = bool(re.search(r"\btăng\b", before)) and not decreasing
    heading_year = para.year if (para.year and ctx.period[0] != ctx.period[1]) else None
    per_capita = "đầu người" in full
    # change: points a year, or a fall of a rate a year, or "thêm N" in a year
    if unit.startswith("điểm") or (per_year and decreasing and percent and not per_capita):
        extra["value_sign"] = -1 if decreasing else 1
        return "change", extra
    if fig.high is not None:
        if decreasing and per_year:
            extra["value_sign"] = -1
            return "change", extra
        return "range", extra
    if re.search(rf"(?:{ADD_VERBS})\s+(?:ít nhất\s+|thêm\s+)?$", before) and not percent:
        return "change", extra
    if heading_year and not re.search(r"giai đoạn|nhiệm kỳ", full):
        return "step", extra
    growth_words = re.search(r"(?:tốc độ tăng|tăng trưởng|\btăng\b)[^;]{0,60}bình quân|bình quân[^;]{0,30}\btăng\b",
                             f"{lead} {piece[:fig.start]}".lower())
    if percent and not per_capita and not decreasing and growth_words and not per_year \
            and not re.search(r"mỗi năm|hằng năm|hàng năm", full):
        return "avg_growth", extra   # "tốc độ tăng trưởng bình quân giai đoạn 2026-2030 đạt 10%"
    if percent and per_year and (increasing or "bình quân" in full or "tốc độ" in full) and not per_capita \
            and "mỗi năm" not in full and "hằng năm" not in full and "hàng năm" not in full:
        return "avg_growth", extra
    if how == "span" and not percent and not per_year:
        return "sum", extra
    if re.search(r"\bchiếm\b", before) or (percent and re.search(r"cơ cấu", full)):
        return "share", extra
    if (per_year and not per_capita) or re.search(r"\bduy trì\b", full):
        if re.search(r"bình quân\s+(?:mỗi|hằng|hàng)\s+năm", full):
            extra["average"] = True
        return "yearly", extra
    if not percent and float(fig.value).is_integer() and any(
            unit == n or unit.startswith(n + " ") for n in UNIT_NOUNS) and cmp in (None, ">=", ">"):
        if re.search(r"đạt|hoàn thành|công nhận|có\b", full):
            return "count", extra
    if re.search(r"\bkhông còn\b", full) or fig.rank:
        return "level_max", extra
    if cmp in ("<", "<=") or decreasing:
        return "level_max", extra
    return "level_min", extra


def _new_indicator(subject: str, unit: str, kind: str, cmp: str | None) -> dict:
    name = subject.strip(" ,;:.-+*()").strip()
    name = re.sub(r"\s+", " ", name)[:120]
    if name:
        name = name[0].upper() + name[1:]
    ascii_ = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(ch for ch in ascii_ if unicodedata.category(ch) != "Mn").lower()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_) if w not in ("ty", "le", "so", "cac", "duoc", "co", "cua")]
    code = "_".join(words[:5]) or "chi_so_moi"
    if kind == "share":
        direction = "neither"
    elif kind == "level_max" or (cmp in ("<", "<=")) or kind == "change" and cmp == "<=":
        direction = "down"
    else:
        direction = "up"
    return {"code": code, "name": name, "unit": unit or "", "direction": direction}


def _subject(piece: str, fig: Figure | None) -> str:
    """The words that name what is measured: the piece without figures and comparison words."""
    masked = _mask(piece)
    # numbers that qualify the subject ("nhóm 1", "mức độ 3") stay; target figures, years and dates go
    keep = {m.start() for m in re.finditer(r"(?:nhóm|loại|hạng|mức độ|cấp)\s+(\d+)", piece, re.I)}
    s = "".join(ch if (ch != "§") else " " for ch in masked)
    s = re.sub(NUM, lambda m: m.group(0) if any(k <= m.start() <= k + 12 for k in keep) else " ", s)
    s = re.sub(rf"\b(?:{SOFT_WORDS}|{ASPIRE_WORDS}|đạt|trên|dưới|từ|trở lên|ít nhất|không quá|xuống còn|"
               r"đến năm|năm|giai đoạn|bình quân|mỗi|hằng|hàng|có|được)\b", " ", s, flags=re.I)
    s = re.sub(r"[%<>≤≥/]+", " ", s)
    return re.sub(r"\s+", " ", s).strip(" ,;:.-")


def suggest_indicator(text: str, unit: str, indicators: dict[str, Indicator], kind: str = "") -> tuple[str | None, float]:
    """The closest catalogue indicator by name (rapidfuzz), with a confidence 0..1."""
    if not indicators or not text.strip():
        return None, 0.0
    from rapidfuzz import fuzz, process, utils

    choices = {code: ind.name for code, ind in indicators.items()}
    best = process.extract(text, choices, scorer=fuzz.token_set_ratio, processor=utils.default_process, limit=8)
    percent = unit.strip().startswith("%")
    scored = []
    for name, score, code in best:
        ind = indicators[code]
        s = 0.6 * score + 0.4 * fuzz.partial_ratio(utils.default_process(name), utils.default_process(text))
        if ind.is_percent != percent and not unit.startswith("điểm"):
            s -= 25
        if kind == "share" and (ind.direction == "neither" or name.lower().startswith(("tỷ trọng", "cơ cấu"))):
            s += 15   # a share is a part of a whole: the catalogue names those "Tỷ trọng …"
        scored.append((s, code))
    scored.sort(reverse=True)
    s, code = scored[0]
    return code, round(max(0.0, min(100.0, s)) / 100, 2)


def _draft_target(piece: str, lead: str, fig: Figure, figs: list[Figure], para: Para, ctx: Context,
                  n: int, previous: dict | None = None, list_head: dict | None = None) -> dict | None:
    cmp, words, soft = _cmp_words(piece, fig)
    start, end, how = _years(piece, lead, para, ctx)
    bare = not _mask(piece[:fig.start]).strip()   # "…, 14 xã NTM nâng cao": the figure opens the piece
    if bare and list_head is not None and not words:
        cmp, words, soft = list_head["cmp"], list(list_head["cmp_words"]), list_head["soft"]
    if how == "stated" and end < ctx.period[0]:
        return None     # "Năm 2023, tỷ lệ … 61%": a fact before the plan, not a target
    kind, extra = _kind(piece, lead, fig, cmp, para, ctx, start, end, how)
    if bare and list_head is not None and list_head["kind"] == "change" and kind in ("step", "count", "level_min"):
        kind = "change"   # the verb of the list's head ("công nhận ít nhất 17 xã …, 14 xã …") governs its items
    aspire = bool(re.search(ASPIRE_WORDS, f"{lead} {piece}", re.I))
    if aspire:
        words.append("phấn đấu")
    d: dict = {"id": f"d{n:03d}", "quote": piece, "context": lead, "section": para.section,
               "kind": kind, "kind_label": None, "cmp": None, "value": None, "low": None, "high": None,
               "value_written": fig.written, "unit_written": fig.unit, "unit": fig.unit,
               "cmp_words": words, "soft": soft, "aspiration": aspire,
               "start": start, "end": end, "year": None, "years_from": how}
    sign = extra.get("value_sign", 1)
    if kind == "range":
        d["low"], d["high"] = fig.value, fig.high
        if how != "span" and not re.search(YEARLY_WORDS, f"{lead} {piece}".lower()):
            d["start"] = d["end"]     # "có 45-50% số thôn …" is a level by the deadline, not a band each year
    elif kind == "change" and fig.high is not None:
        d["value"], d["high"] = sign * fig.value, sign * fig.high
        d["cmp"] = "<=" if sign < 0 else ">="
    else:
        d["value"] = sign * fig.value
    if kind == "level_max" and re.search(r"\bkhông còn\b", piece.lower()) and d["value"] and not words:
        d["value"] = 0.0
        d["cmp"] = "<="
        d["cmp_words"] = ["không còn"]
    if kind not in ("range", "share") and d["cmp"] is None:
        if kind == "change":
            d["cmp"] = ("<" if cmp == ">" else "<=") if sign < 0 else (cmp or ">=")
        elif kind == "level_max":
            d["cmp"] = cmp if cmp in ("<", "<=") else "<="
        else:
            d["cmp"] = cmp if cmp in (">", ">=") else ">="
            if cmp in ("<", "<=") and kind in ("yearly", "step", "avg_growth", "sum"):
                d["cmp"] = cmp
    if kind == "step":
        d["year"] = para.year
        d["start"] = d["end"] = para.year
    if extra.get("average"):
        d["average"] = True
    if kind in ("range", "change") and how == "heading":
        d["start"] = d["end"] = para.year
    # baseline: "từ 29,93% năm 2020 xuống ..." stated; "16,42%, giảm 2,34% so với năm 2020" implied
    for f in figs:
        if f.role == "baseline":
            y = re.search(r"(?:19|20)\d{2}", piece[f.end:f.end + 20])
            d["baseline"] = {"year": int(y.group(0)), "value": f.value, "implied": False}
        elif f.role == "delta" and f.start > fig.start and fig.unit.startswith("%") and f.unit.startswith("%"):
            y = re.search(r"so với\s+(?:năm\s+)?((?:19|20)\d{2})", piece[f.end:])
            down = bool(re.search(r"giảm\s*$", piece[:f.start]))
            d["baseline"] = {"year": int(y.group(1)), "value": round(fig.value + (f.value if down else -f.value), 6),
                             "implied": True}
    subject = _subject(f"{lead} {piece}", fig)
    own_words = [w for w in re.findall(r"\w+", _subject(piece, fig)) if w.lower() not in fig.unit.lower().split()]
    if previous and len(own_words) < 2:
        subject = previous["subject"]   # "…; năm 2025 đạt 95 triệu USD": the subject of the clause before
    d["subject"] = subject
    code, conf = suggest_indicator(subject, fig.unit, ctx.indicators, kind)
    d["indicator"], d["confidence"] = code, conf
    if code and conf >= 0.6:
        ind = ctx.indicators[code]
        d["unit"] = ind.unit
        for key in ("value", "low", "high"):
            if d[key] is not None:
                c = convert(d[key], fig.unit or ind.unit, ind.unit)
                if c is not None:
                    d[key] = c
        d["new_indicator"] = None
    else:
        d["new_indicator"] = _new_indicator(subject, fig.unit, kind, d["cmp"])
    return d


RELATIVE_RE = re.compile(r"(cao hơn|thấp hơn|không thấp hơn|bằng hoặc cao hơn|vượt)\s+(?:mức\s+)?"
                         r"(?:bình quân|trung bình)?\s*(?:chung\s+)?(?:của\s+)?(cả nước|toàn quốc|vùng[^,;.]*)", re.I)


def _relative(piece: str, lead: str, para: Para, ctx: Context, n: int) -> dict | None:
    m = RELATIVE_RE.search(piece)
    if not m:
        return None
    start, end, how = _years(piece, lead, para, ctx)
    cmp = "<" if "thấp hơn" in m.group(1).lower() and "không" not in m.group(1).lower() else (
        ">=" if m.group(1).lower().startswith(("không", "bằng")) else ">")
    subject = piece[:m.start()].strip()
    code, conf = suggest_indicator(f"{lead} {subject}", "%", ctx.indicators)
    bench_unit = "VN" if re.search(r"cả nước|toàn quốc", m.group(2), re.I) else m.group(2)
    d = {"id": f"d{n:03d}", "quote": piece, "context": lead, "section": para.section, "kind": "relative",
         "cmp": cmp, "value": 0.0, "low": None, "high": None, "value_written": "", "unit_written": "",
         "unit": "", "cmp_words": [m.group(1).lower()], "soft": False,
         "aspiration": bool(re.search(ASPIRE_WORDS, piece, re.I)),
         "start": start if how != "plan" else start, "end": end, "year": None, "years_from": how,
         "benchmark": {"indicator": code if conf >= 0.6 else None, "unit": bench_unit},
         "indicator": code, "confidence": conf,
         "new_indicator": None if conf >= 0.6 else _new_indicator(subject, "%", "relative", cmp)}
    if how == "heading":
        d["start"] = d["end"] = para.year
    return d


# --- milestones and obligations -------------------------------------------------------------------------

MONTHS_RE = r"(\d{1,2})"
DEADLINE_RES = [
    (re.compile(r"(?:trước|chậm nhất|hạn chót|không muộn hơn)?\s*(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d{2})"), "day"),
    (re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})"), "day"),
    (re.compile(r"tháng\s+(\d{1,2})\s*(?:/|\s+năm\s+)\s*((?:19|20)\d{2})"), "month"),
    (re.compile(r"[Qq]uý\s+([IV]+)\s*(?:/|\s+năm\s+)\s*((?:19|20)\d{2})"), "quarter"),
    (re.compile(r"(?:6|sáu)\s+tháng\s+đầu\s+năm\s+((?:19|20)\d{2})"), "half"),
    (re.compile(r"(?:(?:trong|trước|cuối|đến hết|vào)\s+năm|^\W*[Nn]ăm|:\s*năm)\s+((?:19|20)\d{2})(?!\s*[-–])"), "year"),
]
# "Quyết định số 06/QĐ-TTg, ngày 06/01/2022 của …": the date a document was signed, not a deadline
CITATION_RE = re.compile(
    r"(?:\d+[\w.]*\s*/\s*[A-ZĐ][\w\-/.]*|\d+-[A-ZĐ]{2,}[\w\-/]*|Nghị quyết|Quyết định|Chỉ thị|Kế hoạch|"
    r"Hướng dẫn|Thông tư|Nghị định|Chương trình|Công văn)[^.;]{0,40}?ngày\s+"
    r"(?:\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})")
MILESTONE_VERBS = (r"sơ kết|tổng kết|tổ chức|hoàn thành|ban hành|gửi|trình|phát động|ký kết|xây dựng kế hoạch|"
                   r"đại hội|hội nghị|công nhận|thành lập|khởi công|sắp xếp|triển khai|nộp|phê duyệt|"
                   r"báo cáo")
BODY_RE = re.compile(
    r"((?:Giao\s+)?(?:Thủ trưởng|Chủ tịch|Giám đốc|Sở|Ban|UBND|Ủy ban|Uỷ ban|Hội đồng|Phòng|Văn phòng|Đảng đoàn|"
    r"Đảng ủy|Đảng uỷ|Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Thành ủy|Công an|Bộ Chỉ huy|Các sở|Các cơ quan|Các ban|"
    r"Các huyện|Các cấp|Cơ quan|Trưởng khối|Mặt trận|Liên đoàn|Tỉnh đoàn|Hội Liên hiệp)[^.;:]{0,160}?)\s+"
    r"(?:chủ trì|tham mưu|có trách nhiệm|lãnh đạo|chỉ đạo|thực hiện|tổ chức|gửi|phối hợp|xây dựng|theo dõi|"
    r"hướng dẫn|báo cáo|triển khai)")


def parse_deadline(text: str) -> tuple[str, dt.date, str] | None:
    """The first deadline written in ``text``: (as written, the date, precision).

    A month, a quarter or a year ends on its last day.

    >>> parse_deadline("hoàn thành trong Quý III/2025")[1:]
    (datetime.date(2025, 9, 30), 'quarter')
    >>> parse_deadline("gửi trước ngày 30/3/2021")[1:]
    (datetime.date(2021, 3, 30), 'day')
    """
    text = CITATION_RE.sub(lambda m: "§" * len(m.group(0)), text)
    outside = re.sub(r"\([^()]*\)", lambda m: "§" * len(m.group(0)), text)
    if outside != text and _find_deadline(outside):
        text = outside     # a date in brackets belongs to something else ("(dự kiến ngày …)")
    return _find_deadline(text)


def _find_deadline(text: str) -> tuple[str, dt.date, str] | None:
    best = None
    for rx, prec in DEADLINE_RES:
        m = rx.search(text)
        if not m or (best and m.start() >= best[0]):
            continue
        try:
            if prec == "day":
                d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            elif prec == "month":
                d = _last_day(int(m.group(2)), int(m.group(1)))
            elif prec == "quarter":
                q = ROMAN.get(m.group(1).upper())
                if not q:
                    continue
                d = _last_day(int(m.group(2)), q * 3)
            elif prec == "half":
                d = dt.date(int(m.group(1)), 6, 30)
            else:
                d = dt.date(int(m.group(1)), 12, 31)
        except ValueError:
            continue
        best = (m.start(), m.group(0).strip(" :"), d, prec)
        if prec != "year":
            # a finer deadline written later in the sentence still wins over a bare year
            pass
    if not best:
        return None
    fine = [(rx.search(text), prec) for rx, prec in DEADLINE_RES[:5]]
    fine = [(m, p) for m, p in fine if m]
    if best[3] == "year" and fine:
        m, p = min(fine, key=lambda x: x[0].start())
        if not re.match(r"^\W*[Nn]ăm\s", text[best[0]:]) or p != "day":
            return _find_deadline(m.group(0))
    return best[1], best[2], best[3]


def _responsible(sentence: str, para: Para, paras_heading: str) -> str:
    m = BODY_RE.match(_strip_heading(sentence).lstrip("*_ "))
    if m:
        return m.group(1).strip(" ,")
    m = re.search(r"\b(?:đề nghị|yêu cầu|[Gg]iao)\s+((?:[A-ZĐÂĂÊÔƠƯ]|các\s|Các\s).{3,80}?)\s+(?:triển khai|thực hiện|tổ chức|báo cáo|chủ trì|"
                  r"xây dựng|gửi|tham mưu)", sentence)
    if m:
        return m.group(1).strip(" ,;:")
    h = re.sub(r"^[#*\s]*(?:[IVX]+|\d+(?:\.\d+)*)\.?\s*", "", paras_heading or "").strip(" *")
    m = BODY_RE.match(h + " thực hiện")
    if m:
        return m.group(1).strip(" ,")
    return ""


FREQ_RE = re.compile(r"(hằng|hàng|định kỳ hằng|định kỳ hàng|định kỳ)\s*(tháng|quý|năm|6 tháng)|"
                     r"(6 tháng|sáu tháng)(?:\s+một lần)?|đột xuất|định kỳ", re.I)


def _obligation(sentence: str, para: Para) -> dict | None:
    if not re.search(r"\bbáo cáo\b|\bgửi\b", sentence, re.I):
        return None
    freq = FREQ_RE.search(sentence)
    dl = parse_deadline(sentence)
    to = re.search(r"(?:báo cáo|gửi)[^.;]{0,80}?\bvề\s+([^.;(,]{3,80}?)(?:\s*\(|\s+để|[.;,]|$)", sentence)
    if not (freq or dl) or not to:
        return None
    return {"quote": sentence.strip(), "section": para.section,
            "who": _responsible(sentence, para, para.heading),
            "to": to.group(1).strip(),
            "frequency": freq.group(0).strip() if freq else "",
            "by_when": dl[0] if dl else "", "by_date": dl[1].isoformat() if dl else None}


def _milestone(sentence: str, para: Para, ctx: Context, has_target: bool, n: int) -> dict | None:
    low = _strip_heading(sentence).lower().lstrip("*_ ")
    if low.startswith(("căn cứ", "nhằm", "trên đây", "để ")):
        return None
    verb = re.search(rf"\b({MILESTONE_VERBS})\b", low)
    if not verb or (len(re.findall(r"\w+", low[:verb.start()])) > 12 and not low.startswith("thời gian")):
        return None
    dl = parse_deadline(sentence)
    if dl and dl[2] == "year" and re.search(r"giai đoạn|nhiệm kỳ|tầm nhìn", low) and not re.search(
            r"(?:trong|trước|cuối|vào)\s+năm", low):
        dl = None
    stated = dl is not None
    y0, y1 = ctx.period
    if dl is None:
        if has_target:
            return None
        out = []
        for clause in _split_top(sentence, r";\s*"):
            cl = clause.strip(" .")
            c_low = cl.lower()
            if re.match(r"^\W*(?:hằng|hàng)\s+năm\b", c_low) and re.search(rf"\b({MILESTONE_VERBS})\b", c_low):
                base = _milestone_dict(cl, para, ("hằng năm", dt.date(y0, 12, 31), "year"), False, n + len(out))
                for year in range(y0, y1 + 1):   # recurring: one deadline a year of the plan
                    out.append(dict(base, id=f"m{n + len(out):03d}", deadline=dt.date(year, 12, 31).isoformat(),
                                    recurring=True))
                continue
            for term in re.finditer(r"(giữa|cuối|kết thúc)\s+(?:nhiệm kỳ|giai đoạn|kế hoạch)", c_low):
                # "sơ kết giữa nhiệm kỳ", "tổng kết vào cuối nhiệm kỳ": from the plan's period
                year = y1 if term.group(1) != "giữa" else -(-(y0 + y1) // 2)
                out.append(_milestone_dict(cl, para, (cl[term.start():term.end()], dt.date(year, 12, 31), "year"),
                                           False, n + len(out)))
        return out or None
    elif has_target and dl[2] == "year":
        return None
    return _milestone_dict(sentence, para, dl, stated, n)


def _milestone_dict(sentence: str, para: Para, dl: tuple, stated: bool, n: int) -> dict:
    return {"id": f"m{n:03d}", "quote": sentence.strip(), "section": para.section,
            "title": _strip_heading(sentence)[:160].strip(),
            "deadline_written": dl[0], "deadline": dl[1].isoformat(), "precision": dl[2],
            "stated": stated, "responsible": _responsible(sentence, para, para.heading)}


def _year_task(clause: str, para: Para, ctx: Context, n: int) -> dict | None:
    """A task in words under a "Năm 2024:" heading: a milestone due at the end of that year (inferred)."""
    if not para.year or ctx.period[0] == ctx.period[1]:
        return None
    text = re.sub(r"^[-+•*_\s]*(?:\*[^*:]{0,20}\*:\s*)?", "", clause).strip(" *_")
    low = text.lower()
    if len(re.findall(r"\w+", text)) < 4 or low.startswith(("thi đua", "tập trung", "trong đó", "phấn đấu đạt kết quả",
                                                             "căn cứ")) \
            or clause.rstrip().endswith(":") or parse_deadline(clause) \
            or re.match(r"^(?:Chương trình|Nghị quyết|Quyết định|Kế hoạch|Chỉ thị|Hướng dẫn|Thông tư|Nghị định|"
                        r"Công văn)\s+số\b", text) \
            or re.fullmatch(r"“[^”]*”", text.strip()):
        return None   # a citation, or a title in quotation marks, is not a task
    m = _milestone_dict(clause, para, (f"năm {para.year} (tiêu đề mục)", dt.date(para.year, 12, 31), "year"), False, n)
    m["title"] = text[:160]
    return m


def _strip_heading(s: str) -> str:
    return re.sub(r"^[-+•*\s]*(?:(?:Trong\s+)?[Nn]ăm\s+\d{4}\s*:\s*)?", "", s)


# --- the whole document ------------------------------------------------------------------------------------

def draft_text(text: str, indicators: dict[str, Indicator] | None = None,
               period: tuple[int, int] | None = None) -> dict:
    """``{"drafts": [...], "milestones": [...], "obligations": [...], "period": [y0, y1]}`` for a plan's text."""
    period = period or detect_period(text) or (dt.date.today().year, dt.date.today().year)
    ctx = Context(period=tuple(period), indicators=indicators or {})
    drafts: list[dict] = []
    milestones: list[dict] = []
    obligations: list[dict] = []
    for para in _paragraphs(text):
        body = para.text
        if para.footnote:
            body = body[len(para.footnote):].strip()
        elif (m := YEAR_HEAD_RE.match(body)):
            body = body[m.end():].strip()
        else:
            body = BULLET_RE.sub("", body, count=1)
        body = SECTION_PREFIX_RE.sub("", body, count=1)
        for sentence in _sentences(body):
            sentence_has_target = False
            lead, rest = _lead_in(sentence)
            previous: dict | None = None
            for clause, clause_lead in _clauses(rest, lead):
                before_clause = len(drafts)
                year_task = _year_task(clause, para, ctx, len(milestones) + 1)
                for lead_, piece, part in _pieces(clause, clause_lead):
                    lead = lead_
                    if previous is not None and previous.get("_part") != (clause, part):
                        list_head = None
                    else:
                        list_head = previous
                    rel = _relative(piece, lead, para, ctx, len(drafts) + 1)
                    if rel:
                        drafts.append(rel)
                        sentence_has_target = True
                        continue
                    figs = _figures(piece)
                    targets = [f for f in figs if f.role == "target"]
                    cond = re.search(r"\bthì\b", clause)
                    if cond and 0 <= clause.find(piece) < cond.start():
                        targets = []   # "Đơn vị có trên 300 cán bộ, … thì …": a condition
                    if not targets and re.search(r"\bkhông còn\b", piece):
                        d = _draft_none_left(piece, lead, para, ctx, len(drafts) + 1)
                        drafts.append(d)
                        previous = d
                        sentence_has_target = True
                        continue
                    for f in targets:
                        d = _draft_target(piece, lead, f, figs, para, ctx, len(drafts) + 1, previous, list_head)
                        if d is None:
                            continue
                        d["_part"] = (clause, part)
                        drafts.append(d)
                        previous = d
                        sentence_has_target = True
                if year_task and len(drafts) == before_clause:
                    milestones.append(year_task)
                    sentence_has_target = True   # the sentence's milestone is this clause's
            ms = _milestone(sentence, para, ctx, sentence_has_target, len(milestones) + 1)
            if ms:
                milestones.extend(ms if isinstance(ms, list) else [ms])
            ob = _obligation(sentence, para)
            if ob:
                obligations.append(ob)
    for d in drafts:
        d.pop("_part", None)
        d["kind_label"] = KIND_LABELS.get(d["kind"], d["kind"])
        assert d["kind"] in KINDS
    return {"period": list(period), "drafts": drafts, "milestones": milestones, "obligations": obligations}


def _draft_none_left(piece: str, lead: str, para: Para, ctx: Context, n: int) -> dict:
    """"không còn xã dưới 10 tiêu chí": the count falls to nought (the 10 defines what is counted)."""
    start, end, how = _years(piece, lead, para, ctx)
    subject = _subject(f"{lead} {piece}", None)
    code, conf = suggest_indicator(subject, "", ctx.indicators)
    return {"id": f"d{n:03d}", "quote": piece, "context": lead, "section": para.section, "kind": "level_max",
            "cmp": "<=", "value": 0.0, "low": None, "high": None, "value_written": "", "unit_written": "",
            "unit": ctx.indicators[code].unit if code and conf >= 0.6 else "", "cmp_words": ["không còn"],
            "soft": False, "aspiration": bool(re.search(ASPIRE_WORDS, piece, re.I)),
            "start": start, "end": end if how != "plan" else ctx.period[1], "year": None, "years_from": how,
            "subject": subject, "indicator": code, "confidence": conf,
            "new_indicator": None if conf >= 0.6 else _new_indicator(subject, "", "level_max", "<=")}


SECTION_PREFIX_RE = re.compile(r"^[#*\s]*(?:[IVX]+|\d+(?:\.\d+)*)\.(?:\s*\**\s*)")


def _clauses(sentence: str, lead: str) -> list[tuple[str, str]]:
    """A sentence's clauses (at ``;``), each with its lead-in; a bracket holding a list of figures
    ("… NTM (80% xã đạt chuẩn; trong đó có 8 xã …)") is opened with the words before it as lead-in."""
    out = []
    for clause in _split_top(sentence, r";\s*"):
        clause = clause.strip(" .")
        if not clause:
            continue
        m = re.match(r"^(.*?)\((.*)\)\s*$", clause, re.S)
        if m and ";" in m.group(2) and [f for f in _figures(m.group(2)) if f.role == "target"]:
            head = m.group(1).strip()
            inner_lead = f"{lead} {head}".strip()
            if [f for f in _figures(head) if f.role == "target"]:
                out.append((head, lead))
                inner_lead = lead
            for inner in _split_top(m.group(2), r";\s*"):
                if inner.strip(" ."):
                    out.append((inner.strip(" ."), inner_lead))
            continue
        out.append((clause, lead))
    return out


def draft_document(source: str | Path | bytes, name: str | None = None,
                   indicators: dict[str, Indicator] | None = None,
                   period: tuple[int, int] | None = None) -> dict:
    text = read_document(source, name)
    out = draft_text(text, indicators, period)
    out["text"] = text
    return out


# --- examples for docs/method.md ----------------------------------------------------------------------------

EXAMPLES = (
    "- Tốc độ tăng trưởng kinh tế (GRDP) bình quân 5 năm đạt 8,5%/năm; thu nhập bình quân đầu người đến năm 2030 "
    "đạt trên 120 triệu đồng/năm.",
    "- Cơ cấu kinh tế: nông, lâm nghiệp và thủy sản 18,5%, công nghiệp - xây dựng 32,4%, dịch vụ 43,6%.",
    "- Tỷ lệ lao động qua đào tạo đạt 72%, trong đó có bằng cấp, chứng chỉ đạt 35%; tỷ lệ thất nghiệp "
    "khu vực thành thị dưới 3%.",
    "- Mỗi năm đào tạo nghề cho 12.000 - 13.000 lao động; tỷ lệ hộ nghèo giảm bình quân 1,2 điểm %/năm; "
    "quy mô dân số khoảng 95 vạn người.",
    "- Tổng vốn đầu tư phát triển toàn xã hội giai đoạn 2026-2030 đạt 450 nghìn tỷ đồng; "
    "tăng trưởng năng suất lao động cao hơn mức bình quân chung của cả nước; đến năm 2030 không còn hộ nghèo.",
    "- Năm 2027: công nhận ít nhất 12 xã đạt chuẩn nông thôn mới, 6 xã nông thôn mới nâng cao; "
    "hoàn thành việc sáp nhập các thôn, tổ dân phố.",
    "1. Sở Nội vụ chủ trì tổ chức Hội nghị sơ kết, hoàn thành trong Quý II/2028; định kỳ 6 tháng báo cáo "
    "về Ủy ban nhân dân tỉnh.",
)


def examples_markdown(period: tuple[int, int] = (2026, 2030)) -> str:
    """The block of docs/method.md between the drafting-examples markers (``python -m kpi.drafting``)."""
    lines: list[str] = []
    for text in EXAMPLES:
        out = draft_text(text, None, period)
        lines.append(f"> {text}")
        lines.append("")
        for d in out["drafts"]:
            num = (f"{_fmt(d['low'])} – {_fmt(d['high'])}" if d["kind"] == "range"
                   else f"{d['cmp'] or ''} {_fmt(d['value'])}".strip())
            extra = ", ".join(x for x in (
                "khoảng (soft)" if d["soft"] else "", "phấn đấu" if d["aspiration"] else "",
                f"gốc {d['baseline']}" if d.get("baseline") else "",
                f"so với {d['benchmark']['unit']}" if d.get("benchmark") else "") if x)
            years = f"{d['year']}" if d["kind"] == "step" else f"{d['start']}-{d['end']}"
            lines.append(f"- `{d['kind']}` {num} {d['unit_written']} · {years} ({d['years_from']})"
                         f"{' · ' + extra if extra else ''} · từ ngữ: {', '.join(d['cmp_words']) or '—'} · "
                         f"«{d['quote']}»")
        for m in out["milestones"]:
            how = "ghi trong văn bản" if m["stated"] else "suy ra"
            lines.append(f"- mốc: hạn {m['deadline']} («{m['deadline_written']}», {how}); "
                         f"chủ trì: {m['responsible'] or '—'} · «{m['quote']}»")
        for o in out["obligations"]:
            lines.append(f"- báo cáo: {o['who'] or '—'} → {o['to']}, {o['frequency'] or o['by_when']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _fmt(v) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")


if __name__ == "__main__":
    print(examples_markdown(), end="")
