"""The data behind the secretariat's review-and-publish page (no Streamlit here).

The page uploads a plan's document, shows its drafts (``kpi.drafting``) in
editable tables beside the text with the quoted clause highlighted, and
publishes the accepted rows (``kpi.plan_versions.publish``: the catalogue's
checks, a new version, the audit log). Everything the page computes is here,
so tests call it without a browser:

* :func:`read_upload` – the document's text and drafts, and header facts guessed from it;
* :func:`targets_frame`, :func:`milestones_frame`, :func:`new_indicators_frame` – editor tables;
* :func:`highlight` – the text around a quote, the quote marked (HTML, escaped);
* :func:`publish_review` – the edited tables to a published plan, or the named errors.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from kpi import plan_versions
from kpi.catalog import Indicator
from kpi.drafting import DraftError, detect_period, draft_document  # noqa: F401  (DraftError: for the page)

CMPS = (">=", ">", "<=", "<")
TARGET_COLUMNS = ["accept", "target_id", "kind", "indicator", "cmp", "value", "low", "high", "start", "end",
                  "year", "soft", "average", "baseline_year", "baseline_value", "baseline_implied", "quote",
                  "section", "choice", "tolerance", "benchmark_indicator", "benchmark_unit", "confidence", "draft"]
MILESTONE_COLUMNS = ["accept", "milestone_id", "title", "deadline", "stated", "deadline_written", "responsible",
                     "quote", "section", "evidence", "choice"]
NEW_INDICATOR_COLUMNS = ["code", "name", "unit", "direction", "area", "temporal", "aggregation"]


def _guess_header(text: str, name: str, period: tuple[int, int], units: dict[str, str] | None = None) -> dict:
    """Header facts the document states: number, date, issuer, title (the secretariat checks them)."""
    head = text[:3000]
    number = re.search(r"Số\s*:?\s*(\d*\s*/\s*[A-ZĐ][\w\-/.]*)", head)
    date = re.search(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", head)
    title = re.search(r"KẾ HOẠCH\**\s*\n+\s*\**([^\n]{10,300})", head)
    body = (r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ban Thường vụ (?:Tỉnh|Thành|Huyện) [uủ][ỷy]|"
            r"(?:Tỉnh|Thành|Huyện) [uủ][ỷy]|Hội đồng nhân dân|HĐND|Hội đồng Thi đua[^\n,.;]{0,30}?)"
            r"(?:\s+(?:tỉnh|thành phố|huyện)\s+[A-ZĐ]\w*(?:\s+[A-ZĐ]\w*)*)?")
    # the body that "ban hành" the plan, else the first body in the heading lines
    issuer = (re.search(rf"\b({body})\s+(?:ban hành|xây dựng)\s+(?:Kế hoạch|kế hoạch)", text)
              or re.search(rf"^\W*({body})\W*$", head, re.M | re.I))
    doc_date = None
    if date:
        try:
            doc_date = dt.date(int(date.group(3)), int(date.group(2)), int(date.group(1)))
        except ValueError:
            doc_date = None
    title_text = re.sub(r"\*+", "", title.group(1)).strip() if title else ""
    title_text = f"Kế hoạch {title_text[0].lower()}{title_text[1:]}" if title_text else ""
    y0, y1 = period
    stem = name.rsplit(".", 1)[0]
    scope = ""
    if units:   # the first province or city named in the document's head (or its issuer)
        where = f"{issuer.group(1) if issuer else ''}\n{head}".lower()
        place = re.search(r"^\W*([^\n,]{2,30}),\s*ngày", head, re.M)    # "Lai Châu, ngày … tháng …"
        hits = [(where.find(f"{kind} {n.lower()}"), code) for code, n in units.items() for kind in ("tỉnh", "thành phố")
                if f"{kind} {n.lower()}" in where]
        hits += [(len(where), code) for code, n in units.items() if place and place.group(1).strip() == n]
        scope = min(hits)[1] if hits else ""
    issuer_text = issuer.group(1).strip() if issuer else ""
    if issuer_text and scope and units and units[scope] not in issuer_text and issuer_text.isupper() is False \
            and not re.search(r"(?:tỉnh|thành phố|huyện)\s+[A-ZĐ]", issuer_text):
        issuer_text = f"{issuer_text} {units[scope]}"      # "Ban Thường vụ Tỉnh ủy" + "Bến Tre"
    return {"id": plan_versions.slug(stem if f"{y0}" in stem and f"{y1}" in stem else f"{stem} {y0} {y1}", 8),
            "title": title_text, "short_title": title_text[:40],
            "doc_number": re.sub(r"\s+", "", number.group(1)) if number and re.match(r"\d", number.group(1).strip()) else "",
            "doc_date": doc_date, "issuer": issuer_text,
            "scope_unit": scope, "period": (y0, y1), "source": name}


def read_upload(data: bytes, name: str, indicators: dict[str, Indicator],
                period: tuple[int, int] | None = None, units: dict[str, str] | None = None) -> dict:
    """``{"text", "drafts", "milestones", "obligations", "period", "header"}`` for an uploaded document.

    Raises ``DraftError`` (Vietnamese, naming the file) for a document it cannot read.
    """
    out = draft_document(data, name, indicators=indicators, period=period)
    out["header"] = _guess_header(out["text"], name, tuple(out["period"]), units)
    return out


def targets_frame(drafts: list[dict]) -> pd.DataFrame:
    rows = []
    for d in drafts:
        ind = d.get("indicator") if d.get("new_indicator") is None else d["new_indicator"]["code"]
        rows.append({"accept": True, "target_id": "", "kind": d["kind"], "indicator": ind or "",
                     "cmp": d.get("cmp"), "value": d.get("value"), "low": d.get("low"), "high": d.get("high"),
                     "start": d.get("start"), "end": d.get("end"), "year": d.get("year"),
                     "soft": bool(d.get("soft")), "average": bool(d.get("average")),
                     "baseline_year": (d.get("baseline") or {}).get("year"),
                     "baseline_value": (d.get("baseline") or {}).get("value"),
                     "baseline_implied": bool((d.get("baseline") or {}).get("implied", False)), "quote": d["quote"],
                     "section": d.get("section") or "", "confidence": d.get("confidence") or 0.0, "draft": d["id"]})
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def milestones_frame(milestones: list[dict]) -> pd.DataFrame:
    rows = [{"accept": True, "milestone_id": "", "title": m["title"], "deadline": dt.date.fromisoformat(m["deadline"]),
             "stated": m["stated"], "deadline_written": m["deadline_written"], "responsible": m["responsible"],
             "quote": m["quote"], "section": m.get("section") or ""} for m in milestones]
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)


def new_indicators_frame(drafts: list[dict], area: str = "Kinh tế") -> pd.DataFrame:
    seen, rows = set(), []
    for d in drafts:
        n = d.get("new_indicator")
        if n and n["code"] not in seen:
            seen.add(n["code"])
            rows.append({"code": n["code"], "name": n["name"], "unit": n["unit"], "direction": n["direction"],
                         "area": area, "temporal": "rate" if n["unit"].startswith("%") else "stock",
                         "aggregation": "none"})
    return pd.DataFrame(rows, columns=NEW_INDICATOR_COLUMNS)


def highlight(text: str, quote: str, context: int = 400) -> str:
    """HTML of the text around ``quote`` with the quote in ``<mark>``; the whole text escaped."""
    words = quote.split()
    if not words:
        return _safe(text[: 2 * context])
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = rx.search(text)
    if not m:
        return _safe(text[: 2 * context])
    a, b = max(0, m.start() - context), min(len(text), m.end() + context)
    pre = ("… " if a else "") + _safe(text[a:m.start()])
    post = _safe(text[m.end():b]) + (" …" if b < len(text) else "")
    return f"{pre}<mark>{_safe(m.group(0))}</mark>{post}"


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
             **{c: f"&#{ord(c)};" for c in "*_#[]`$~|\\!"}}


def _safe(s: str) -> str:
    """Text as inert HTML: escaped, and the characters Markdown would read as markup written as entities."""
    return "".join(_ENTITIES.get(ch, ch) for ch in s).replace("\n", "<br>")


def _clean(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


def _records(df: pd.DataFrame | None) -> list[dict]:
    if df is None or df.empty:
        return []
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]


def quote_issues(targets: pd.DataFrame, milestones: pd.DataFrame | None, text: str) -> list[str]:
    """Accepted rows whose quote is not, word for word, in the document (an edit changed it)."""
    from kpi.drafting import squash

    flat = squash(text)
    out = []
    for what, df in (("chỉ tiêu", targets), ("mốc", milestones)):
        for i, r in enumerate(_records(df), start=1):
            q = squash(str(r.get("quote") or ""))
            if r.get("accept") and q and q not in flat:
                out.append(f"{what} dòng {i}: câu trích không có nguyên văn trong văn bản («{q[:60]}»)")
    return out


def publish_review(con, header: dict, targets: pd.DataFrame, milestones: pd.DataFrame | None,
                   new_indicators: pd.DataFrame | None, actor, *, source_name: str = "", text: str | None = None,
                   note: str = "") -> dict:
    """Publish the accepted rows as the plan's next version. Raises ``CatalogError`` with the named errors."""
    rows = [r for r in _records(targets) if r.get("accept")]
    for r in rows:
        if r.get("baseline_year") is not None and r.get("baseline_value") is not None:
            r["baseline"] = {"year": r["baseline_year"], "value": r["baseline_value"],
                             "implied": bool(r.get("baseline_implied"))}
    ms = [r for r in _records(milestones) if r.get("accept")]
    used = {r.get("indicator") for r in rows}
    new = [r for r in _records(new_indicators) if r.get("code") in used]
    data = plan_versions.plan_from_drafts(header, rows, ms)
    # what the page does not edit goes on as the published plan has it: obligations, the report's receivers
    from kpi import repo
    known = repo.catalog_from_db(con).plans.get(data["plan"]["id"])
    if known is not None:
        kept = plan_versions.plan_data(known)
        data.update({k: kept[k] for k in ("obligations",) if k in kept})
        if "report_to" in kept["plan"]:
            data["plan"].setdefault("report_to", kept["plan"]["report_to"])
    return plan_versions.publish(con, data, actor, file_name=source_name or header.get("source") or "",
                                 indicators=plan_versions.new_indicator_data(new) if new else None,
                                 note=note, source_text=text)


def period_of(text: str) -> tuple[int, int] | None:
    return detect_period(text)


# --- what the page calls (each opens the database briefly) ---------------------------------------------------

def catalogue_choices(db=None) -> dict:
    """Indicators (code → "code — name (unit)") and units (code → name) for the page's pickers."""
    from kpi import repo
    from kpi.store import connect

    with connect(db) as con:
        cat = repo.catalog_from_db(con)
        units = con.execute("SELECT code, name FROM units WHERE level IN ('province', 'district', 'commune') "
                            "ORDER BY level <> 'province', code").fetchall()
        provinces = dict(con.execute("SELECT code, name FROM units WHERE level = 'province'").fetchall())
    return {"indicators": cat.indicators,
            "indicator_labels": {c: f"{c} — {i.name} ({i.unit})" for c, i in cat.indicators.items()},
            "units": dict(units), "provinces": provinces, "plans": sorted(cat.plans)}


def publish_to(db, header: dict, targets: pd.DataFrame, milestones: pd.DataFrame | None,
               new_indicators: pd.DataFrame | None, actor, *, source_name: str = "", text: str | None = None,
               note: str = "") -> dict:
    """:func:`publish_review` on a connection of its own."""
    from kpi.store import connect

    with connect(db) as con:
        return publish_review(con, header, targets, milestones, new_indicators, actor, source_name=source_name,
                              text=text, note=note)


def plan_frames(db, plan_id: str) -> dict:
    """A plan already in the catalogue, as the page's tables, to edit and publish as its next version.

    ``{"header", "targets", "milestones", "text", "version"}``; ``text`` is the document's text
    (the one published with the newest version, else the plan's ``source`` under targets/).
    """
    from kpi import repo
    from kpi.catalog import TARGETS_DIR
    from kpi.store import connect, scalar

    with connect(db) as con:
        plan = repo.catalog_from_db(con).plan(plan_id)
        version = plan_versions.current_version(con, plan_id)
        text = scalar(con, "SELECT source_text FROM plan_versions WHERE plan_id = ? AND version = ?",
                      [plan_id, version]) if version else None
    if not text and plan.source:
        path = (TARGETS_DIR / plan.source).resolve()
        if path.is_file() and TARGETS_DIR.resolve() in path.parents:
            text = path.read_text(encoding="utf-8")
    header = {"id": plan.id, "title": plan.title, "short_title": plan.short_title, "doc_number": plan.doc_number,
              "doc_date": plan.doc_date, "issuer": plan.issuer, "scope_unit": plan.scope_unit,
              "period": (plan.start, plan.end), "source": plan.source, "baseline_year": plan.baseline_year,
              "note": plan.note}
    rows = []
    for t in plan.targets:
        bl, bm = t.baseline, t.benchmark or {}
        rows.append({"accept": True, "target_id": t.id, "kind": t.kind, "indicator": t.indicator, "cmp": t.cmp,
                     "value": t.value, "low": t.low, "high": t.high, "start": t.start, "end": t.end,
                     "year": t.end if t.kind == "step" else None, "soft": t.soft, "average": t.average,
                     "baseline_year": bl.year if bl else None, "baseline_value": bl.value if bl else None,
                     "baseline_implied": bl.implied if bl else False, "quote": t.quote, "section": t.section,
                     "choice": t.choice, "tolerance": t.tolerance, "benchmark_indicator": bm.get("indicator"),
                     "benchmark_unit": bm.get("unit"), "confidence": 1.0, "draft": ""})
    ms = [{"accept": True, "milestone_id": m.id, "title": m.title, "deadline": m.deadline,
           "stated": m.deadline_source != "inferred",
           "deadline_written": "", "responsible": m.responsible, "quote": m.quote, "section": m.section,
           "evidence": m.evidence, "choice": m.choice} for m in plan.milestones]
    return {"header": header, "targets": pd.DataFrame(rows, columns=TARGET_COLUMNS),
            "milestones": pd.DataFrame(ms, columns=MILESTONE_COLUMNS), "text": text or "", "version": version}


def current_version_of(db, plan_id: str) -> int:
    from kpi.store import connect

    with connect(db) as con:
        return plan_versions.current_version(con, plan_id)
