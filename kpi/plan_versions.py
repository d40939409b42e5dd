"""Plans published in the app: stored in the database, with versions.

A plan ships as YAML under ``targets/``; the secretariat may also publish one from
the app (drafted from its text, reviewed) or with ``python -m etl plan import``.
Each publication is checked with the catalogue's own rules (``kpi.catalog``: the
schema, then the rules it cannot say) and refused with the same named errors;
when it passes it becomes the plan's next version in ``plan_versions`` (version 1
is the first publication; a plan only in YAML has version 0), and the catalogue
tables every page reads are brought in line in the same transaction, with the
audit log recording what changed, target by target and field by field
(``repo.sync_catalog``) and which version was published.

``python -m etl init`` keeps published plans: the newest version of each is laid
over the YAML catalogue before the tables are synced (:func:`with_published`).

>>> import yaml
>>> from kpi.catalog import load_catalog
>>> cat = load_catalog()
>>> text = plan_yaml(cat.plan("bentre_2024_2025"))
>>> yaml.safe_load(text)["plan"]["period"]
[2024, 2025]
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import duckdb
import yaml

from kpi import audit, repo
from kpi.permissions import Actor, authorize
from kpi.catalog import REQUIRED, Catalog, CatalogError, Indicator, Plan, indicators_from_data, plan_from_data
from kpi.store import scalar, transaction



# --- YAML ----------------------------------------------------------------------------------------------

def plan_data(plan: Plan, indicators: dict[str, Indicator] | None = None) -> dict:
    """A plan as the mapping its YAML file holds (defaults left out, so the file reads like a hand-written one)."""
    head = {"id": plan.id, "title": plan.title, "short_title": plan.short_title,
            "doc_number": plan.doc_number or "",
            "doc_date": plan.doc_date.isoformat() if plan.doc_date else None,
            "issuer": plan.issuer, "scope_unit": plan.scope_unit, "period": [plan.start, plan.end]}
    if plan.baseline_year is not None:
        head["baseline_year"] = plan.baseline_year
    head["source"] = plan.source or ""
    if plan.note:
        head["note"] = plan.note
    if plan.report_to:
        head["report_to"] = list(plan.report_to)
    targets = []
    for t in plan.targets:
        d: dict = {"id": t.id}
        if t.section:
            d["section"] = t.section
        d["indicator"] = t.indicator
        d["kind"] = t.kind
        if t.kind == "step":
            d["year"] = t.end
        for k in ("cmp", "value", "low", "high", "tolerance"):
            v = getattr(t, k)
            if v is not None:
                d[k] = _num(v) if k != "cmp" else v
        if t.kind != "step":
            if t.start != plan.start:
                d["start"] = t.start
            if t.end != plan.end:
                d["end"] = t.end
        if t.average:
            d["average"] = True
        if t.benchmark:
            d["benchmark"] = dict(t.benchmark)
        if t.baseline:
            d["baseline"] = {"year": t.baseline.year, "value": _num(t.baseline.value), "implied": t.baseline.implied}
        if t.soft:
            d["soft"] = True
        d["quote"] = t.quote
        if t.choice:
            d["choice"] = t.choice
        targets.append(d)
    milestones = []
    for m in plan.milestones:
        d = {"id": m.id, "title": m.title, "deadline": m.deadline.isoformat(), "responsible": m.responsible}
        for k in ("evidence", "section"):
            if getattr(m, k):
                d[k] = getattr(m, k)
        d["quote"] = m.quote
        if m.choice:
            d["choice"] = m.choice
        if m.deadline_source != "stated":
            d["deadline_source"] = m.deadline_source
        milestones.append(d)
    obligations = []
    for o in plan.obligations:
        d = {"id": o.id, "title": o.title}
        if o.section:
            d["section"] = o.section
        d["reporters"] = [dict(r) if isinstance(r, dict) else r for r in o.reporters]
        d["to"] = o.to
        if o.via:
            d["via"] = o.via
        d.update(what=o.what, frequency=o.frequency)
        if o.due:
            d["due"] = dict(o.due)
        d["quote"] = o.quote
        if o.choice:
            d["choice"] = o.choice
        obligations.append(d)
    out = {"plan": head, "targets": targets}
    if milestones:
        out["milestones"] = milestones
    if obligations:
        out["obligations"] = obligations
    return out


def _num(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


def plan_yaml(plan: Plan) -> str:
    """The YAML of a plan, in the format of ``targets/<plan_id>.yaml`` (it loads back with ``load_plan``)."""
    head = f"# {plan.reference()}: {plan.title}\n# Xuất từ cơ sở dữ liệu chitieu ({dt.date.today():%d/%m/%Y}).\n\n"
    return head + yaml.safe_dump(plan_data(plan), allow_unicode=True, sort_keys=False, width=100)


def indicators_yaml(indicators: dict[str, Indicator]) -> str:
    data = {}
    for code, ind in indicators.items():
        d = {"name": ind.name, "unit": ind.unit, "direction": ind.direction, "aggregation": ind.aggregation,
             "temporal": ind.temporal, "area": ind.area, "decimals": ind.decimals}
        if ind.definition:
            d["definition"] = ind.definition
        if ind.weight:
            d["weight"] = ind.weight
        data[code] = d
    return yaml.safe_dump({"indicators": data}, allow_unicode=True, sort_keys=False, width=100)


# --- versions -------------------------------------------------------------------------------------------

def versions(con: duckdb.DuckDBPyConnection, plan_id: str) -> list[dict]:
    cur = con.execute("SELECT plan_id, version, published_at, published_by, file_name, note FROM plan_versions "
                      "WHERE plan_id = ? ORDER BY version", [plan_id])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def current_version(con: duckdb.DuckDBPyConnection, plan_id: str) -> int:
    """The version the catalogue tables hold for a plan: 0 when it was never published in the app."""
    return int(scalar(con, "SELECT coalesce(max(version), 0) FROM plan_versions WHERE plan_id = ?", [plan_id]))


def version_yaml(con: duckdb.DuckDBPyConnection, plan_id: str, version: int | None = None) -> str | None:
    version = version or current_version(con, plan_id)
    return scalar(con, "SELECT plan_yaml FROM plan_versions WHERE plan_id = ? AND version = ?", [plan_id, version])


def _latest(con) -> list[tuple]:
    return con.execute("""SELECT plan_id, version, plan_yaml, indicators_yaml FROM plan_versions
                          QUALIFY row_number() OVER (PARTITION BY plan_id ORDER BY version DESC) = 1
                          ORDER BY plan_id""").fetchall()


def with_published(con: duckdb.DuckDBPyConnection, cat: Catalog) -> Catalog:
    """``cat`` (from ``targets/``) with the newest published version of every plan laid over it."""
    out = Catalog(indicators=dict(cat.indicators), plans=dict(cat.plans))
    rows = _latest(con)
    for _, _, _, ind_text in rows:
        if ind_text:
            extra = yaml.safe_load(ind_text)
            out.indicators.update(indicators_from_data(Path("indicators.yaml"), extra, known=out.indicators))
    for plan_id, version, text, _ in rows:
        try:
            plan = plan_from_data(Path(f"{plan_id}.yaml"), _load(text), out.indicators)
        except CatalogError as e:   # e.g. the YAML catalogue dropped an indicator a published plan uses
            raise CatalogError(f"kế hoạch đã công bố '{plan_id}' (phiên bản {version}) không còn hợp lệ "
                               f"với danh mục: {e}") from None
        out.plans[plan_id] = plan
    return out


def _load(text: str) -> dict:
    from kpi.catalog import _Loader

    return yaml.load(text, Loader=_Loader)


def _canonical(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def publish(con: duckdb.DuckDBPyConnection, data: dict, actor: Actor, *, file_name: str = "",
            indicators: dict | None = None, note: str = "", source_text: str | None = None) -> dict:
    """Check a plan (a mapping shaped like its YAML file) and publish it as its next version.

    ``indicators``: an ``indicators.yaml``-shaped mapping of the new indicators the
    plan uses. Raises ``CatalogError`` (the catalogue's named errors) and writes
    nothing when the plan or an indicator breaks a rule. Returns
    ``{"plan_id", "version", "changed"}``; publishing what the newest version
    already says changes nothing.
    """
    authorize(actor, "edit_targets")
    where = Path(file_name or f"{(data.get('plan') or {}).get('id', 'ke-hoach')}.yaml")
    if not isinstance(data, dict):
        raise CatalogError(f"{where.name}: tệp phải là một bảng khóa: giá trị (mapping)")
    current = repo.catalog_from_db(con)
    new_inds: dict[str, Indicator] = {}
    if indicators:
        new_inds = indicators_from_data(Path("indicators.yaml"), indicators, known=current.indicators)
        for code, ind in new_inds.items():
            old = current.indicators.get(code)
            if old is not None and old != ind:
                raise CatalogError(f"indicators.yaml: chỉ số '{code}', trường 'code': đã có trong danh mục "
                                   f"với định nghĩa khác ('{old.name}', {old.unit}); hãy đặt mã khác")
    all_inds = {**current.indicators, **new_inds}
    plan = plan_from_data(where, data, all_inds, check_name=where.suffix in (".yaml", ".yml"))
    text = plan_yaml(plan)
    canonical = _canonical(plan_data(plan))
    with transaction(con):
        version = current_version(con, plan.id)
        old = version_yaml(con, plan.id, version) if version else None
        if old is not None and _canonical(_load(old)) == canonical and not new_inds:
            return {"plan_id": plan.id, "version": version, "changed": False}
        cat = Catalog(indicators=all_inds, plans=dict(current.plans))
        cat.plans[plan.id] = plan
        repo.sync_catalog(con, cat, actor=actor)
        version += 1
        con.execute("INSERT INTO plan_versions VALUES (?,?,?,?,?,?,?,?,?)", [
            plan.id, version, text, indicators_yaml(new_inds) if new_inds else None, dt.datetime.now(),
            getattr(actor, "username", str(actor)), file_name or None, source_text, note or None])
        audit.record(con, actor, "plan_publish", plan.id,
                     before={"version": version - 1}, after={"version": version, "targets": len(plan.targets),
                                                             "milestones": len(plan.milestones)},
                     detail=f"{plan.id} phiên bản {version}" + (f": {note}" if note else ""))
    return {"plan_id": plan.id, "version": version, "changed": True}


# --- from reviewed drafts to a plan ----------------------------------------------------------------------

def slug(text: str, limit: int = 5) -> str:
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Mn").lower()
    words = re.findall(r"[a-z0-9]+", t)
    s = "_".join(words[:limit])
    return s if s and s[0].isalpha() else f"x_{s}" if s else "muc"


def plan_from_drafts(header: dict, targets: list[dict], milestones: list[dict]) -> dict:
    """The YAML mapping of a plan from its header facts and the reviewed drafts (kpi.drafting's fields).

    ``header``: id, title, short_title, doc_number, doc_date (date or ISO text or None),
    issuer, scope_unit, period (y0, y1), source, note. Rows are taken as they are:
    the checks in :func:`publish` say what is wrong, by target and field.
    """
    y0, y1 = (int(header["period"][0]), int(header["period"][1]))
    doc_date = header.get("doc_date")
    if isinstance(doc_date, dt.date):
        doc_date = doc_date.isoformat()
    head = {"id": header["id"], "title": header["title"], "short_title": header.get("short_title") or header["title"][:40],
            "doc_number": header.get("doc_number") or "", "doc_date": doc_date or None,
            "issuer": header["issuer"], "scope_unit": str(header["scope_unit"]), "period": [y0, y1],
            "source": header.get("source") or ""}
    if header.get("baseline_year"):
        head["baseline_year"] = int(header["baseline_year"])
    if header.get("note"):
        head["note"] = header["note"]
    out_t, seen = [], set()
    for r in targets:
        kind = r.get("kind")
        ind = r.get("indicator") or ""
        end = _int(r.get("end")) or y1
        base = r.get("target_id") or (f"{ind}_{_int(r.get('year')) or end}" if ind else f"chi_tieu_{len(out_t) + 1}")
        tid, n = base, 2
        while tid in seen:
            tid, n = f"{base}_{n}", n + 1
        seen.add(tid)
        d: dict = {"id": tid}
        if r.get("section"):
            d["section"] = str(r["section"])
        d["indicator"] = ind
        d["kind"] = kind
        need = REQUIRED.get(kind, ())
        if kind == "step":
            d["year"] = _int(r.get("year")) or end
        if "cmp" in need or (kind not in ("range", "share") and r.get("cmp")):
            if r.get("cmp"):
                d["cmp"] = r["cmp"]
        for k in ("value", "low", "high", "tolerance"):
            v = r.get(k)
            if v is not None and v == v and (k in need or k == "tolerance" or kind == "relative"):
                d[k] = _num(float(v))
        if kind == "relative":
            d["benchmark"] = r.get("benchmark") or {"indicator": r.get("benchmark_indicator") or ind,
                                                    "unit": str(r.get("benchmark_unit") or "VN")}
        if kind != "step":
            start = _int(r.get("start")) or y0
            if start != y0:
                d["start"] = start
            if end != y1:
                d["end"] = end
        if r.get("average"):
            d["average"] = True
        bl = r.get("baseline")
        if isinstance(bl, dict) and bl.get("year") is not None and bl.get("value") is not None:
            d["baseline"] = {"year": int(bl["year"]), "value": _num(float(bl["value"])),
                             "implied": bool(bl.get("implied", False))}
        if r.get("soft"):
            d["soft"] = True
        d["quote"] = r.get("quote") or ""
        if r.get("choice"):
            d["choice"] = r["choice"]
        out_t.append(d)
    out_m = []
    for r in milestones:
        mid, n = r.get("milestone_id") or f"moc_{slug(r.get('title') or 'moc')}", 2
        base = mid
        while mid in seen:
            mid, n = f"{base}_{n}", n + 1
        seen.add(mid)
        deadline = r.get("deadline")
        if isinstance(deadline, dt.date):
            deadline = deadline.isoformat()
        d = {"id": mid, "title": r.get("title") or "", "deadline": deadline or "",
             "responsible": r.get("responsible") or ""}
        if r.get("evidence"):
            d["evidence"] = r["evidence"]
        if r.get("section"):
            d["section"] = str(r["section"])
        d["quote"] = r.get("quote") or ""
        if r.get("choice"):
            d["choice"] = r["choice"]
        elif r.get("stated") is False:
            d["choice"] = r.get("choice") or f"Hạn suy ra ({r.get('deadline_written') or 'không ghi trong câu'})."
        if r.get("stated") is False:   # the text gives no date: shown as such everywhere (docs/method.md)
            d["deadline_source"] = "inferred"
        out_m.append(d)
    data = {"plan": head, "targets": out_t}
    if out_m:
        data["milestones"] = out_m
    return data


def new_indicator_data(rows: list[dict], area: str = "Kinh tế") -> dict:
    """An ``indicators.yaml`` mapping for proposed new indicators (code, name, unit, direction, …)."""
    out = {}
    for r in rows:
        unit = r.get("unit") or ""
        out[r["code"]] = {"name": r.get("name") or r["code"], "unit": unit, "direction": r.get("direction") or "up",
                          "aggregation": r.get("aggregation") or "none",
                          "temporal": r.get("temporal") or ("rate" if unit.startswith("%") else "stock"),
                          "area": r.get("area") or area, "decimals": int(r.get("decimals") or 1)}
    return {"indicators": out}


def _int(v):
    try:
        return int(v) if v is not None and v == v and v != "" else None
    except (TypeError, ValueError):
        return None
