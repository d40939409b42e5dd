"""The targets catalogue: ``targets/*.yaml`` → validated, typed objects.

The schema is documented in ``targets/README.md`` and declared in
``targets/schema.json``. Loading checks each file against the schema and then
the rules JSON Schema cannot say (fields a kind needs, known indicators,
years inside the plan). Every error names the file, the target and the field.

>>> cat = load_catalog()
>>> cat.plans["dienbien_2021_2025"].target("grdp_growth_avg").kind
'avg_growth'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jsonschema
import yaml

from kpi import kinds as _kinds
from kpi.errors import NotFound

TARGETS_DIR = Path(__file__).resolve().parent.parent / "targets"

# The kinds come from one table (kpi/kinds.py); these names stay for the modules that read them.
KINDS = tuple(_kinds.KINDS)
KIND_LABELS = {**{k.id: k.label for k in _kinds.TABLE}, "milestone": "Mốc thời hạn"}
REQUIRED = {k.id: k.required for k in _kinds.TABLE}    # fields each kind must have (besides id, indicator, …)
ALLOWED_CMP = {k.id: k.cmp for k in _kinds.TABLE if k.cmp}
AREAS = ("Kinh tế", "Xã hội", "Hạ tầng - Môi trường", "Xây dựng Đảng", "Thi đua - Khen thưởng")


class CatalogError(ValueError):
    """A catalogue file that breaks the schema. The message is in Vietnamese."""


class PlanNotFound(CatalogError, NotFound):
    """No plan with that id in the catalogue."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    direction: str
    area: str
    aggregation: str = "none"
    temporal: str = "stock"
    decimals: int = 1
    definition: str = ""
    weight: str | None = None
    min: float | None = None
    max: float | None = None
    breaks: tuple = ()
    aliases: tuple = ()    # other names forms use for it (``aliases:`` in indicators.yaml; see alias_key)

    @property
    def is_percent(self) -> bool:
        return self.unit.strip().startswith("%")


@dataclass(frozen=True)
class Baseline:
    year: int
    value: float
    implied: bool = False


@dataclass(frozen=True)
class Target:
    plan_id: str
    id: str
    indicator: str
    kind: str
    quote: str
    start: int
    end: int
    section: str = ""
    cmp: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    tolerance: float | None = None
    average: bool = False
    benchmark: dict | None = None
    baseline: Baseline | None = None
    soft: bool = False
    choice: str = ""

    @property
    def year(self) -> int:
        return self.end

    def to_dict(self) -> dict:
        d = asdict(self)
        d["baseline"] = asdict(self.baseline) if self.baseline else None
        return d


@dataclass(frozen=True)
class Milestone:
    plan_id: str
    id: str
    title: str
    deadline: dt.date
    responsible: str
    quote: str
    evidence: str = ""
    section: str = ""
    choice: str = ""
    deadline_source: str = "stated"   # "inferred": the plan text gives no date, the cataloguer chose it

    @property
    def deadline_inferred(self) -> bool:
        return self.deadline_source == "inferred"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["deadline"] = self.deadline.isoformat()
        return d


FREQUENCIES = {
    "monthly": "Hằng tháng", "quarterly": "Hằng quý", "half_yearly": "6 tháng", "yearly": "Hằng năm",
    "once": "Một lần", "unspecified": "Không nêu kỳ hạn",
}
WHAT = {"return": "Biểu số liệu", "narrative": "Báo cáo bằng văn bản", "both": "Báo cáo và biểu số liệu"}
PERIODIC = ("monthly", "quarterly", "half_yearly", "yearly")


class ObligationError(CatalogError):
    """An obligation (who reports what to whom, by when) that breaks a rule; names file, obligation, field."""


@dataclass(frozen=True)
class Obligation:
    """Who reports what, to whom (through whom), how often, by when: one sentence of a plan.

    ``reporters``: unit codes, or selectors ``{"level": "department", "parent": "11"}`` (every
    unit of that level under that unit) or ``{"group": "11_khoi_thi_dua"}`` (a group's members).
    ``due``: ``{"days_after": 15}`` (after each period ends), ``{"date": "2021-03-30"}``
    (once), ``{"days_before_event": 15, "event": "congress"}`` (before the reporter's own
    event), or ``{}`` (the plan sets no deadline: nothing is ever late).
    """

    plan_id: str
    id: str
    title: str
    reporters: tuple
    to: str
    what: str
    frequency: str
    quote: str
    via: str | None = None
    due: dict = field(default_factory=dict)
    section: str = ""
    choice: str = ""

    @property
    def due_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.due["date"]) if self.due.get("date") else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reporters"] = list(self.reporters)
        return d


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    short_title: str
    doc_number: str
    doc_date: dt.date | None
    issuer: str
    scope_unit: str
    start: int
    end: int
    source: str
    baseline_year: int | None = None
    note: str = ""
    targets: tuple[Target, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    file: str = ""
    obligations: tuple[Obligation, ...] = ()
    report_to: tuple[str, ...] = ()   # bodies the plan tells to receive its progress reports ("Nơi nhận")

    def obligation(self, obligation_id: str) -> Obligation:
        for o in self.obligations:
            if o.id == obligation_id:
                return o
        known = ", ".join(o.id for o in self.obligations) or "(chưa có)"
        raise ObligationError(f"Kế hoạch '{self.id}' không có nghĩa vụ báo cáo '{obligation_id}'. Có: {known}")

    def reference(self) -> str:
        """How the plan is cited: ``Số 383/KH-UBND ngày 09/02/2021 của UBND tỉnh Điện Biên``."""
        parts = []
        if self.doc_number:
            parts.append(f"Số {self.doc_number}")
        if self.doc_date:
            parts.append(f"ngày {self.doc_date:%d/%m/%Y}")
        parts.append(f"của {self.issuer}")
        return " ".join(parts)

    def target(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise NotFound(f"Không có chỉ tiêu '{target_id}' trong kế hoạch '{self.id}'")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "short_title": self.short_title,
            "doc_number": self.doc_number,
            "doc_date": self.doc_date.isoformat() if self.doc_date else None,
            "issuer": self.issuer, "scope_unit": self.scope_unit,
            "period": [self.start, self.end], "baseline_year": self.baseline_year,
            "source": self.source, "note": self.note, "reference": self.reference(),
            "report_to": list(self.report_to),
            "targets": [t.to_dict() for t in self.targets],
            "milestones": [m.to_dict() for m in self.milestones],
            "obligations": [o.to_dict() for o in self.obligations],
        }


@dataclass
class Catalog:
    indicators: dict[str, Indicator] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)

    def plan(self, plan_id: str) -> Plan:
        try:
            return self.plans[plan_id]
        except KeyError:
            known = ", ".join(sorted(self.plans)) or "(chưa có)"
            raise PlanNotFound(f"Không có kế hoạch '{plan_id}'. Các kế hoạch: {known}") from None


# --- loading ---------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so the schema sees what was typed."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_Loader)
    except yaml.YAMLError as e:
        raise CatalogError(f"{path}: không đọc được YAML: {e}") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: tệp phải là một bảng khóa: giá trị (mapping)")
    return data


def _schema() -> dict:
    schema = json.loads((TARGETS_DIR / "schema.json").read_text(encoding="utf-8"))
    # the kinds are those of the registry (kpi/kinds.py); the file lists them for editors, a test keeps it in step
    schema["$defs"]["target"]["properties"]["kind"]["enum"] = list(KINDS)
    return schema


def _where(path: Path, data: dict, err: jsonschema.ValidationError) -> str:
    """Turn a JSON Schema error path into 'chỉ tiêu X, trường Y'."""
    p = list(err.absolute_path)
    section = None
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        p = p + extra[:1]
    elif err.validator == "required":
        missing = [f for f in err.validator_value if f not in err.instance]
        p = p + missing[:1]
    section = p[0] if p else None
    if section in ("targets", "milestones", "obligations") and len(p) >= 2 and isinstance(p[1], int):
        items = data.get(section) or []
        item = items[p[1]] if p[1] < len(items) else {}
        ident = item.get("id", f"#{p[1] + 1}") if isinstance(item, dict) else f"#{p[1] + 1}"
        what = {"targets": "chỉ tiêu", "milestones": "mốc", "obligations": "nghĩa vụ báo cáo"}[section]
        fld = ".".join(str(x) for x in p[2:])
        return f"{what} '{ident}'" + (f", trường '{fld}'" if fld else "")
    if section == "indicators" and len(p) >= 2:
        fld = ".".join(str(x) for x in p[2:])
        return f"chỉ số '{p[1]}'" + (f", trường '{fld}'" if fld else "")
    if section == "plan":
        fld = ".".join(str(x) for x in p[1:])
        return "kế hoạch" + (f", trường '{fld}'" if fld else "")
    return "tệp"


_VI_VALIDATOR = {
    "required": "thiếu trường bắt buộc",
    "additionalProperties": "có trường không được phép",
    "enum": "giá trị không thuộc danh sách cho phép",
    "type": "sai kiểu dữ liệu",
    "pattern": "sai định dạng",
    "minLength": "quá ngắn",
    "minimum": "nhỏ hơn mức cho phép",
    "maximum": "lớn hơn mức cho phép",
}


def _validate_schema(path: Path, data: dict, which: str) -> None:
    schema = _schema()
    sub = dict(schema["$defs"][which])
    sub["$defs"] = schema["$defs"]
    errors = sorted(jsonschema.Draft202012Validator(sub).iter_errors(data),
                    key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{path.name}: {_where(path, data, e)}: "
                 f"{_VI_VALIDATOR.get(e.validator, 'không hợp lệ')} ({e.message})" for e in errors[:20]]
        raise CatalogError("\n".join(lines))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load_indicators(path: Path) -> dict[str, Indicator]:
    return indicators_from_data(path, read_yaml(path))


def indicators_from_data(path: Path, data: dict, known: dict[str, Indicator] | None = None) -> dict[str, Indicator]:
    """Indicators from an ``indicators.yaml``-shaped mapping (``known``: others a weight may name)."""
    _validate_schema(path, data, "indicators_file")
    out = {}
    for code, d in data["indicators"].items():
        d = dict(d)
        d["breaks"] = tuple((b["year"], b["note"]) for b in d.get("breaks", []))
        d["aliases"] = tuple(d.get("aliases", ()))
        out[code] = Indicator(code=code, **d)
    for ind in out.values():
        if ind.aggregation == "weighted_mean" and ind.weight not in out and ind.weight not in (known or {}):
            raise CatalogError(f"{path.name}: chỉ số '{ind.code}', trường 'weight': "
                               f"cần mã chỉ số làm trọng số (có: {ind.weight!r})")
    return out


def _check_target(fname: str, plan: dict, t: dict, indicators: dict[str, Indicator]) -> None:
    def fail(fld: str, msg: str):
        raise CatalogError(f"{fname}: chỉ tiêu '{t['id']}', trường '{fld}': {msg}")

    kind = t["kind"]
    for fld in REQUIRED[kind]:
        if fld not in t:
            fail(fld, f"thiếu giá trị (bắt buộc với loại '{kind}')")
    if t["indicator"] not in indicators:
        fail("indicator", f"không có chỉ số '{t['indicator']}' trong indicators.yaml")
    if kind in ALLOWED_CMP and t["cmp"] not in ALLOWED_CMP[kind]:
        fail("cmp", f"loại '{kind}' chỉ nhận {' hoặc '.join(ALLOWED_CMP[kind])}")
    if kind == "range" and t["low"] > t["high"]:
        fail("low", f"cận dưới {t['low']} lớn hơn cận trên {t['high']}")
    if kind == "relative":
        b = t["benchmark"]
        if b["indicator"] not in indicators:
            fail("benchmark.indicator", f"không có chỉ số '{b['indicator']}'")
    if kind == "count" and float(t["value"]) != int(t["value"]):
        fail("value", "số đơn vị phải là số nguyên")
    if kind == "step" and ("start" in t or "end" in t):
        fail("year", "loại 'step' dùng 'year', không dùng 'start'/'end'")
    p0, p1 = plan["period"]
    start, end = _span(plan, t)
    # A sum may count from before the plan (a 2024-2025 plan that pursues a
    # 2021-2025 total): only its end must fall inside the plan.
    checks = (("end", end),) if kind == "sum" else (("start", start), ("end", end))
    for fld, y in checks:
        if not p0 - 1 <= y <= p1 + 1:
            fail(fld, f"năm {y} nằm ngoài giai đoạn của kế hoạch {p0}-{p1}")
    if start > end:
        fail("start", f"năm bắt đầu {start} sau năm kết thúc {end}")
    if "baseline" in t and t["baseline"]["year"] >= end:
        fail("baseline.year", f"năm gốc {t['baseline']['year']} phải trước năm đích {end}")
    ind = indicators[t["indicator"]]
    if ind.is_percent and kind in ("level_min", "level_max", "share", "count") and not 0 <= t["value"] <= 100:
        fail("value", f"tỷ lệ phần trăm {t['value']} nằm ngoài 0-100")


def _span(plan: dict, t: dict) -> tuple[int, int]:
    if "year" in t:
        return t["year"], t["year"]
    p0, p1 = plan["period"]
    return t.get("start", p0), t.get("end", p1)


def load_plan(path: Path, indicators: dict[str, Indicator]) -> Plan:
    return plan_from_data(path, read_yaml(path), indicators)


def plan_from_data(path: Path, data: dict, indicators: dict[str, Indicator], *, check_name: bool = True) -> Plan:
    """A plan from a mapping shaped like its YAML file, with every check ``load_plan`` makes.

    ``path`` names the file in errors; ``check_name=False`` skips the rule that the
    file is named after the plan (a plan published from the app has no file).
    """
    _validate_schema(path, data, "plan_file")
    p = data["plan"]
    if check_name and path.stem != p["id"]:
        raise CatalogError(f"{path.name}: kế hoạch, trường 'id': tệp phải mang tên '{p['id']}.yaml'")
    if p["period"][0] > p["period"][1]:
        raise CatalogError(f"{path.name}: kế hoạch, trường 'period': năm đầu sau năm cuối")
    seen: set[str] = set()
    targets, milestones = [], []
    for t in data.get("targets") or []:
        if t["id"] in seen:
            raise CatalogError(f"{path.name}: chỉ tiêu '{t['id']}', trường 'id': trùng mã trong kế hoạch")
        seen.add(t["id"])
        _check_target(path.name, p, t, indicators)
        start, end = _span(p, t)
        bl = t.get("baseline")
        targets.append(Target(
            plan_id=p["id"], id=t["id"], indicator=t["indicator"], kind=t["kind"],
            quote=t["quote"].strip(), start=start, end=end, section=t.get("section", ""),
            cmp=t.get("cmp"), value=t.get("value"), low=t.get("low"), high=t.get("high"),
            tolerance=t.get("tolerance"), average=t.get("average", False),
            benchmark=t.get("benchmark"),
            baseline=Baseline(bl["year"], bl["value"], bl.get("implied", False)) if bl else None,
            soft=t.get("soft", False), choice=t.get("choice", "").strip(),
        ))
    for m in data.get("milestones") or []:
        if m["id"] in seen:
            raise CatalogError(f"{path.name}: mốc '{m['id']}', trường 'id': trùng mã trong kế hoạch")
        seen.add(m["id"])
        try:
            deadline = dt.date.fromisoformat(m["deadline"])
        except ValueError:
            raise CatalogError(f"{path.name}: mốc '{m['id']}', trường 'deadline': "
                               f"ngày không có thật '{m['deadline']}'") from None
        milestones.append(Milestone(
            plan_id=p["id"], id=m["id"], title=m["title"], deadline=deadline,
            responsible=m["responsible"], quote=m["quote"].strip(),
            evidence=m.get("evidence", ""), section=m.get("section", ""),
            choice=m.get("choice", "").strip(), deadline_source=m.get("deadline_source", "stated"),
        ))
    obligations = []
    for o in data.get("obligations") or []:
        if o["id"] in seen:
            raise ObligationError(f"{path.name}: nghĩa vụ báo cáo '{o['id']}', trường 'id': trùng mã trong kế hoạch")
        seen.add(o["id"])
        obligations.append(_obligation(path.name, p, o))
    try:
        doc_date = _date(p.get("doc_date"))
    except ValueError:
        raise CatalogError(f"{path.name}: kế hoạch, trường 'doc_date': ngày không có thật") from None
    return Plan(
        id=p["id"], title=p["title"], short_title=p["short_title"], doc_number=p["doc_number"],
        doc_date=doc_date, issuer=p["issuer"], scope_unit=p["scope_unit"],
        start=p["period"][0], end=p["period"][1], source=p["source"],
        baseline_year=p.get("baseline_year"), note=p.get("note", ""),
        targets=tuple(targets), milestones=tuple(milestones), file=path.name,
        obligations=tuple(obligations),
        report_to=tuple(s.strip() for s in p.get("report_to") or ()),
    )


def _obligation(fname: str, plan: dict, o: dict) -> Obligation:
    """Check the rules the schema cannot say: a due rule that fits the frequency, a real date."""
    def fail(fld: str, msg: str):
        raise ObligationError(f"{fname}: nghĩa vụ báo cáo '{o['id']}', trường '{fld}': {msg}")

    freq, due = o["frequency"], dict(o.get("due") or {})
    if ("days_before_event" in due) != ("event" in due):
        fail("due", "'days_before_event' và 'event' phải đi cùng nhau (số ngày trước sự kiện nào)")
    rules = [k for k in ("days_after", "date", "days_before_event") if k in due]
    if len(rules) > 1:
        fail("due", f"chỉ một cách tính hạn, có: {', '.join(rules)}")
    if freq == "once" and not rules:
        fail("due", "báo cáo một lần cần 'date' hoặc 'days_before_event' + 'event'")
    if freq == "once" and "days_after" in due:
        fail("due", "'days_after' (sau mỗi kỳ) không dùng cho báo cáo một lần")
    if freq in PERIODIC and rules and rules[0] != "days_after":
        fail("due", f"báo cáo định kỳ ({FREQUENCIES[freq]}) tính hạn bằng 'days_after'")
    if freq == "unspecified" and rules:
        fail("due", "kỳ hạn 'unspecified' (kế hoạch không nêu) không có hạn nộp")
    if "date" in due:
        try:
            day = dt.date.fromisoformat(due["date"])
        except ValueError:
            fail("due.date", f"ngày không có thật '{due['date']}'")
        p0, p1 = plan["period"]
        if not p0 - 1 <= day.year <= p1 + 1:
            fail("due.date", f"năm {day.year} nằm ngoài giai đoạn của kế hoạch {p0}-{p1}")
    if o.get("via") and o["via"] == o["to"]:
        fail("via", "cơ quan trung gian trùng cơ quan nhận báo cáo")
    return Obligation(
        plan_id=plan["id"], id=o["id"], title=o["title"], reporters=tuple(o["reporters"]), to=o["to"],
        via=o.get("via"), what=o["what"], frequency=freq, due=due, quote=o["quote"].strip(),
        section=o.get("section", ""), choice=o.get("choice", "").strip())


def load_catalog(directory: Path | str | None = None) -> Catalog:
    """Load ``indicators.yaml`` and every plan file in ``directory`` (default ``targets/``)."""
    directory = Path(directory) if directory else TARGETS_DIR
    ind_path = directory / "indicators.yaml"
    if not ind_path.exists():
        raise CatalogError(f"{directory}: không tìm thấy indicators.yaml")
    indicators = load_indicators(ind_path)
    cat = Catalog(indicators=indicators)
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "indicators.yaml":
            continue
        plan = load_plan(path, indicators)
        cat.plans[plan.id] = plan
    return cat


def alias_key(text) -> str:
    """A name as compared with remembered names: no accents, case, punctuation or list numbering.

    >>> alias_key("  2.1. Tỷ lệ hộ nghèo (theo chuẩn đa chiều) ")
    'ty le ho ngheo theo chuan da chieu'
    """
    import re

    from kpi.units import fold

    t = re.sub(r"^\s*(?:(?:[0-9]+(?:\.[0-9]+)*|[ivxlc]+|[a-zđ])[.)]|[-+•*–])\s*", "", str(text or "").strip().lower())
    return re.sub(r"\s+", " ", re.sub(r"[^0-9a-z%]+", " ", fold(t))).strip()
