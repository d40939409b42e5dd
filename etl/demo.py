"""Seeded, deterministic demo data for every target in the catalogue.

``generate_demo(catalog)`` returns the long bulk format (``etl/bulk.py``):
columns ``indicator, unit, period, value, status, source``, one row per value.
It works from the catalogue alone, so it follows whatever plans and
indicators ``targets/`` holds:

* every indicator used by a target gets one series at the plan's scope unit,
  yearly from 2020, and year-to-date (``2024Q3-YTD``) for the last two years
  up to ``through``; the current year has no yearly value until it is over;
* each target gets a scenario (achieved, on track, at risk, off track, no
  data), drawn per plan from the seed, and its series is built to match;
* benchmarks of ``relative`` targets (national GDP growth at unit ``VN``) use
  real published figures where known (``REAL_FIGURES``);
* Điện Biên (11) also gets its ten former districts (until 30/06/2025, summing
  to the province for ``sum`` indicators) and seven of its real communes from
  01/07/2025 (``DEMO_UNITS``), with made-up figures;
* some 2024 values come twice (estimate, then official) to exercise "the most
  official wins"; 2024 quarters are preliminary, the current year estimates.

Data/README.md explains the choices and lists the real figures with sources.

>>> from kpi.catalog import load_catalog
>>> df = generate_demo(load_catalog(), seed=2025)
>>> list(df.columns)
['indicator', 'unit', 'period', 'value', 'status', 'source']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpi import kinds
from kpi.catalog import Catalog, Indicator, Plan, Target
from kpi.periods import Period
from kpi.settings import SETTINGS
from kpi.units import LAST_OLD_DAY, MERGER_DAY

COLUMNS = ["indicator", "unit", "period", "value", "status", "source"]
DEMO_SOURCE = "Dữ liệu minh họa (tự tạo)"
FIRST_YEAR = 2020
NATIONAL = "VN"
STATUS_RANK = {"estimate": 1, "preliminary": 2, "official": 3}

# Share of a plan's targets per scenario (percent). "no_data" series are left out.
SCENARIO_SHARES = (("achieved", 25), ("on_track", 30), ("at_risk", 20), ("off_track", 15), ("no_data", 10))
LEVEL_KINDS = kinds.LEVEL_KINDS      # from the one table of kinds (kpi/kinds.py)

DISTRICT_LAST_DAY = LAST_OLD_DAY     # district level abolished from 01/07/2025 (kpi.units)
COMMUNE_FIRST_DAY = MERGER_DAY

# Former districts: code, name (statistics office list), population share and
# remoteness (0 = city .. 1 = most remote). Shares and remoteness are rough,
# made-up weights used only to split the demo province figures.
DISTRICTS = {
    "11": (
        ("094", "Thành phố Điện Biên Phủ", 0.12, 0.0),
        ("095", "Thị xã Mường Lay", 0.02, 0.3),
        ("096", "Huyện Mường Nhé", 0.09, 1.0),
        ("097", "Huyện Mường Chà", 0.075, 0.8),
        ("098", "Huyện Tủa Chùa", 0.09, 0.8),
        ("099", "Huyện Tuần Giáo", 0.14, 0.6),
        ("100", "Huyện Điện Biên", 0.19, 0.4),
        ("101", "Huyện Điện Biên Đông", 0.10, 0.8),
        ("102", "Huyện Mường Ảng", 0.075, 0.6),
        ("103", "Huyện Nậm Pồ", 0.085, 1.0),
    ),
}

# Communes from 01/07/2025: real ones, from the merger list (data/reference/,
# codes derived by kpi.units.derived_code), one in each former district's area
# where the demo has figures. The shares and remoteness are made-up weights.
_COMMUNES = (
    # code, name, share of the province (sum indicators), remoteness
    ("11_dien_bien_phu", "Phường Điện Biên Phủ", 0.11, 0.0),
    ("11_muong_lay", "Phường Mường Lay", 0.025, 0.3),
    ("11_muong_nhe", "Xã Mường Nhé", 0.03, 1.0),
    ("11_tua_chua", "Xã Tủa Chùa", 0.028, 0.8),
    ("11_tuan_giao", "Xã Tuần Giáo", 0.04, 0.6),
    ("11_thanh_nua", "Xã Thanh Nưa", 0.035, 0.4),
    ("11_na_hy", "Xã Nà Hỳ", 0.022, 1.0),
)
COMMUNE_PARENT = "11"
DEMO_UNITS = [   # as the registry has them (kpi.units.build_units); the demo adds no unit of its own
    {"code": c, "name": n, "level": "commune", "parent": COMMUNE_PARENT,
     "valid_from": COMMUNE_FIRST_DAY.isoformat(), "source": "sapnhap.bando.com.vn_ward_2025-07-17.csv"}
    for c, n, _s, _r in _COMMUNES
]


# --- real figures -------------------------------------------------------------

def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", s).strip().lower()


def _is_gdp_growth(ind: Indicator) -> bool:
    n = _fold(ind.name) + " " + ind.code
    return (ind.temporal == "rate" and ind.is_percent and ("grdp" in n or "gdp" in n)
            and "dau nguoi" not in n and "per_capita" not in n)


def _is_grdp_per_capita(ind: Indicator) -> bool:
    n = _fold(ind.name)
    return "grdp" in n and "dau nguoi" in n and _fold(ind.unit).startswith("trieu dong")


def _is_grain_output(ind: Indicator) -> bool:
    return "luong thuc" in _fold(ind.name) and _fold(ind.unit) in ("nghin tan", "ngan tan")


def _is_poor_household_rate(ind: Indicator) -> bool:
    n = _fold(ind.name)
    return (ind.is_percent and ind.temporal == "stock" and "ho ngheo" in n
            and not any(w in n for w in ("can ngheo", "huyen", "giam", "nhom")))


@dataclass(frozen=True)
class RealFigure:
    unit: str
    matches: object            # Indicator -> bool
    year: int
    value: float
    status: str
    source: str


_GSO = "Tổng cục Thống kê, thông cáo báo chí tình hình kinh tế - xã hội quý IV và năm {y}"
_CTK_DB = "Cục Thống kê tỉnh Điện Biên"
REAL_FIGURES = (
    # Vietnam GDP growth, as first published by GSO at the end of each year.
    *(RealFigure(NATIONAL, _is_gdp_growth, y, v, "preliminary", _GSO.format(y=y))
      for y, v in ((2020, 2.91), (2021, 2.58), (2022, 8.02), (2023, 5.05), (2024, 7.09))),
    RealFigure("11", _is_gdp_growth, 2023, 7.1, "estimate",
               f"{_CTK_DB}, Tình hình KT-XH tháng 12 và năm 2023 (29/12/2023), số ước"),
    RealFigure("11", _is_gdp_growth, 2024, 8.51, "estimate",
               f"{_CTK_DB}, họp báo công bố số liệu KT-XH năm 2024 (06/01/2025)"),
    RealFigure("11", _is_grdp_per_capita, 2023, 42.98, "preliminary",
               "Báo Quân đội nhân dân (qdnd.vn), số liệu tỉnh Điện Biên năm 2023; nguồn khác ghi 48,6"),
    RealFigure("11", _is_grain_output, 2023, 287.51, "preliminary",
               "Báo Quân đội nhân dân (qdnd.vn), số liệu tỉnh Điện Biên năm 2023"),
    RealFigure("11", _is_grain_output, 2024, 286.98, "estimate",
               f"{_CTK_DB}, họp báo số liệu KT-XH năm 2024 (Báo Điện Biên Phủ), 286.976,29 tấn"),
    RealFigure("11", _is_poor_household_rate, 2023, 25.6, "official",
               "Thời báo Tài chính Việt Nam (02/09/2025), kết quả rà soát hộ nghèo tỉnh Điện Biên"),
    RealFigure("11", _is_poor_household_rate, 2024, 21.29, "official",
               "Thời báo Tài chính Việt Nam (02/09/2025), kết quả rà soát hộ nghèo tỉnh Điện Biên"),
)


# --- series planning --------------------------------------------------------------

@dataclass
class Pin:
    value: float
    status: str
    source: str


@dataclass
class Series:
    indicator: Indicator
    unit: str
    uses: list = field(default_factory=list)        # [(plan, target)], drivers first
    scenario: str = "context"
    benchmark: bool = False
    pins: dict = field(default_factory=dict)        # year -> Pin
    annual: dict = field(default_factory=dict)      # year -> value (unrounded)
    ytd: dict = field(default_factory=dict)         # (year, quarter) -> value, overrides
    integer: bool = False
    season: dict = field(default_factory=dict)      # year -> cumulative quarterly shares (flows)
    step_scenarios: dict = field(default_factory=dict)  # target id -> scenario, for step series

    @property
    def key(self) -> tuple[str, str]:
        return (self.indicator.code, self.unit)

    @property
    def driver(self):
        return self.uses[0] if self.uses else None


def _stable_int(*parts) -> int:
    return int(hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:15], 16)


def _rng(seed: int, *parts) -> np.random.Generator:
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, _stable_int(*parts)])


def _as_of(through: str | Period) -> tuple[int, int]:
    p = through if isinstance(through, Period) else Period.parse(through)
    return p.year, (p.quarter or 4)


def _active(t: Target, ty: int) -> bool:
    return t.start <= ty


def plan_series(catalog: Catalog, seed: int = 2025, through: str = "2025Q3") -> list[Series]:
    """Every series the demo builds, with the target that drives it and its scenario."""
    ty, _tq = _as_of(through)
    series: dict[tuple[str, str], Series] = {}
    uses = []
    for pid in sorted(catalog.plans):
        plan = catalog.plans[pid]
        for i, t in enumerate(plan.targets):
            uses.append((not _active(t, ty), pid, i, plan, t))
    for _na, _pid, _i, plan, t in sorted(uses, key=lambda u: u[:3]):
        key = (t.indicator, plan.scope_unit)
        s = series.setdefault(key, Series(catalog.indicators[t.indicator], plan.scope_unit))
        s.uses.append((plan, t))
    for pid in sorted(catalog.plans):
        for t in catalog.plans[pid].targets:
            if t.kind == "relative" and t.benchmark:
                key = (t.benchmark["indicator"], str(t.benchmark["unit"]))
                s = series.setdefault(key, Series(catalog.indicators[key[0]], key[1]))
                s.benchmark = True
    for s in series.values():
        for rf in REAL_FIGURES:
            if rf.unit == s.unit and rf.matches(s.indicator) and FIRST_YEAR <= rf.year < ty:
                s.pins[rf.year] = Pin(rf.value, rf.status, rf.source)
        d = s.driver
        s.integer = s.indicator.decimals == 0 or (d is not None and d[1].kind == "count")
    _assign_scenarios(catalog, series, seed, ty)
    benchmarks = [s for s in series.values() if s.benchmark]
    rest = [s for s in series.values() if not s.benchmark]
    return sorted(benchmarks, key=lambda s: s.key) + sorted(rest, key=lambda s: s.key)


def _share_groups(plan: Plan) -> list[list[Target]]:
    """Share targets of one plan whose values add up to about 100 (an economic structure)."""
    shares = [t for t in plan.targets if t.kind == "share" and t.value is not None]
    if len(shares) >= 2 and abs(sum(t.value for t in shares) - 100) <= 3:
        return [shares]
    return []


def _assign_scenarios(catalog: Catalog, series: dict, seed: int, ty: int) -> None:
    """Per plan: order the driving targets by a hash of (seed, plan, target) and fill the quotas."""
    use_count = {s.key: len(s.uses) for s in series.values()}
    weight_codes = {s.indicator.weight for s in series.values() if s.indicator.weight}
    for pid in sorted(catalog.plans):
        plan = catalog.plans[pid]
        grouped = {t.id for g in _share_groups(plan) for t in g}
        drivers = []
        for t in plan.targets:
            s = series[(t.indicator, plan.scope_unit)]
            is_driver = s.driver[1] is t
            if not is_driver and not (t.kind == "step" and s.driver[1].kind == "step"):
                continue
            if not _active(t, ty):
                if is_driver:
                    s.scenario = "not_started"
                continue
            if (ty - 1) in s.pins or (ty - 2) in s.pins:  # recent years are real: no scenario to play
                s.scenario = "real"
                continue
            drivers.append((_stable_int(seed, pid, t.id), t, s))
        drivers.sort(key=lambda d: d[0])
        n_active = sum(1 for t in plan.targets if _active(t, ty))
        n_nodata = round(n_active * dict(SCENARIO_SHARES)["no_data"] / 100)
        chosen: dict[str, str] = {}
        for _h, t, s in drivers:
            if len(chosen) >= n_nodata:
                break
            ok = (use_count[s.key] == 1 and not s.benchmark and not s.pins and t.id not in grouped
                  and s.indicator.code not in weight_codes and t.kind != "relative")
            if ok:
                chosen[t.id] = "no_data"
        rest = [d for d in drivers if d[1].id not in chosen]
        quotas = dict(_quotas(len(rest), [(k, w) for k, w in SCENARIO_SHARES if k != "no_data"]))
        # "achieved" first goes to targets that can be judged achieved before their deadline
        # (a stock level, a running total, an average growth); a flow's level or a yearly
        # amount can only be on track until the year is over.
        for _h, t, s in rest:
            if quotas["achieved"] and _achievable(t, s.indicator, ty):
                chosen[t.id] = "achieved"
                quotas["achieved"] -= 1
        order = [k for k, _w in SCENARIO_SHARES if k != "no_data" for _ in range(quotas[k])]
        for (_h, t, s), scen in zip([d for d in rest if d[1].id not in chosen], order):
            chosen[t.id] = scen
        for _h, t, s in drivers:
            if s.driver[1] is t:
                s.scenario = chosen[t.id]
            s.step_scenarios[t.id] = chosen[t.id]


def _achievable(t: Target, ind: Indicator, ty: int) -> bool:
    """Can the target be met before its deadline year is over (as the method judges)?"""
    if t.end < ty:
        return True
    if t.kind in LEVEL_KINDS or t.kind == "step":
        return not _cumulates(ind)
    return t.kind in ("avg_growth", "sum", "change")


def _quotas(n: int, shares: list[tuple[str, float]]) -> list[tuple[str, int]]:
    """Largest-remainder split of ``n`` items by ``shares``."""
    total = sum(w for _k, w in shares)
    raw = [(k, n * w / total) for k, w in shares]
    base = [(k, int(math.floor(x))) for k, x in raw]
    left = n - sum(q for _k, q in base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i][1] - base[i][1]), i))
    out = dict(base)
    for i in order[:left]:
        out[raw[i][0]] += 1
    return [(k, out[k]) for k, _w in shares]


def scenario_table(catalog: Catalog, seed: int = 2025, through: str = "2025Q3") -> pd.DataFrame:
    """Which scenario each target got, and which target drives its series (for docs and tests)."""
    rows = []
    for s in plan_series(catalog, seed, through):
        steps = s.step_scenarios
        for plan, t in s.uses:
            driver = s.driver[1]
            if t is driver or (t.kind == "step" and driver.kind == "step" and t.id in steps):
                scen = steps.get(t.id, s.scenario) if t.kind == "step" else s.scenario
            else:
                scen = f"follows:{driver.plan_id}/{driver.id}"
            rows.append({"plan": plan.id, "target": t.id, "kind": t.kind, "indicator": t.indicator,
                         "unit": s.unit, "scenario": scen})
    return pd.DataFrame(rows, columns=["plan", "target", "kind", "indicator", "unit", "scenario"])


# --- helpers for values -----------------------------------------------------------

def _bounds(ind: Indicator) -> tuple[float | None, float | None]:
    lo, hi = ind.min, ind.max
    points = "diem" in _fold(ind.unit)
    if ind.temporal != "rate" and not points:
        if lo is None:
            lo = 0.0
        if ind.is_percent and hi is None:
            hi = 100.0
    return lo, hi


def _clip(ind: Indicator, v: float) -> float:
    lo, hi = _bounds(ind)
    if lo is not None:
        v = max(v, lo)
    if hi is not None:
        v = min(v, hi)
    return v


def _unit_step(ind: Indicator, integer: bool = False) -> float:
    return 1.0 if integer else 10.0 ** (-ind.decimals)


def _round(ind: Indicator, v: float, integer: bool = False) -> float:
    v = _clip(ind, v)
    d = 0 if integer else ind.decimals
    r = round(v, d)
    return float(r) + 0.0  # no -0.0


def _cumulates(ind: Indicator) -> bool:
    """Year-to-date values add up over the quarters: flows that are amounts, not ratios."""
    return ind.temporal == "flow" and not ind.is_percent


def _magnitude(ind: Indicator) -> float:
    """A plausible size for an indicator when no target gives one (made up)."""
    u = _fold(ind.unit)
    table = (("nghin ty", 20.0), ("ty dong", 3000.0), ("trieu usd", 60.0), ("trieu dong", 40.0),
             ("nghin tan", 200.0), ("nghin luot", 800.0), ("ha", 2000.0), ("van", 60.0),
             ("lao dong", 8000.0), ("nguoi", 8000.0), ("dang vien", 2000.0), ("can", 500.0),
             ("xa", 30.0), ("%", 50.0))
    for k, v in table:
        if k in u:
            return v
    return 100.0


def _sign(cmp: str | None) -> int:
    return -1 if cmp in ("<=", "<") else 1


def _meets(v: float, cmp: str | None, target: float) -> bool:
    return {">=": v >= target, ">": v > target, "<=": v <= target, "<": v < target}.get(cmp or ">=", v >= target)


def _start(s: Series, t: Target, plan: Plan, ty: int, rng: np.random.Generator) -> tuple[int, float | None, bool]:
    """(base year, base value or None, stated): the baseline of the driver, else of another target."""
    for _p, u in [(plan, t)] + [x for x in s.uses if x[1] is not t]:
        if u.baseline is not None:
            return u.baseline.year, float(u.baseline.value), True
    base = plan.baseline_year if plan.baseline_year and plan.baseline_year < t.end else t.start - 1
    return min(base, ty - 1), None, False


def _seasonal(rng: np.random.Generator, exact_q: int | None = None) -> list[float]:
    """Cumulative share of the year's amount by the end of each quarter (about q/4).

    For the current year the share at the ``through`` quarter is exactly q/4, so
    a pro-rata reading of the year-to-date amount gives the year the scenario meant.
    """
    c = [0.25 + rng.normal(0, 0.012), 0.5 + rng.normal(0, 0.015), 0.75 + rng.normal(0, 0.012), 1.0]
    if exact_q is not None and exact_q < 4:
        c[exact_q - 1] = exact_q / 4
    for i in range(1, 4):
        c[i] = max(c[i], c[i - 1] + 0.05)
    for i in range(2, -1, -1):
        c[i] = min(c[i], c[i + 1] - 0.05)
    return [float(x) for x in c]


# --- builders: one per kind ---------------------------------------------------------
# Each fills ``s.annual`` (year -> value of the year: level at year end for stocks,
# amount for flows, rate for rates) for FIRST_YEAR..ty. For stocks the value of the
# current year is chosen so that the year-to-date value at ``through`` (linear
# within the year) lands where the scenario wants it.

def _year_end_for(prev: float, at_through: float, tq: int) -> float:
    return at_through if tq == 4 else prev + (at_through - prev) * 4 / tq


def _progress_points(scen: str, base: int, end: int, t1: float, t2: float, closed: bool,
                     rng: np.random.Generator) -> tuple[float, float]:
    """Progress (0 = baseline, 1 = target) wanted at the last full year t1 and at t2."""
    span = max(end - base, 1)
    f1 = min(max((t1 - base) / span, 0), 1)
    f2 = min(max((t2 - base) / span, 0), 1)
    if closed:
        pe = {"achieved": rng.uniform(1.04, 1.12), "on_track": rng.uniform(1.005, 1.03),
              "at_risk": rng.uniform(0.86, 0.94), "off_track": rng.uniform(0.3, 0.6)}.get(scen, 0.9)
        return pe, pe
    if scen == "achieved":
        p1 = rng.uniform(1.0, 1.05) if f1 > 0.5 else rng.uniform(0.6, 0.9)
        return p1, max(p1, 1.0) + rng.uniform(0.03, 0.10)
    if scen == "on_track":
        p2 = f2 + (1 - f2) * rng.uniform(0.3, 0.6) if f2 < 1 else rng.uniform(1.0, 1.03)
        p2 = min(p2, 0.99) if f2 < 1 else p2
        return min(f1 + (1 - f1) * rng.uniform(0.0, 0.3), p2 * 0.98), p2
    if scen == "at_risk":
        p1 = f1 * rng.uniform(0.7, 0.8)
        return p1, max(f2 * rng.uniform(0.72, 0.82), p1 + 0.01)
    if scen == "off_track":  # too slow, some of them going backwards ("regressing")
        p1 = rng.uniform(0.12, 0.35)
        return p1, p1 - rng.uniform(0.04, 0.3)
    return f1, f2  # context: on the path


def _path(scen: str, base: int, pts: list[tuple[float, float]], years: list[int], end: int,
          rng: np.random.Generator) -> dict[int, float]:
    """Progress at each year end: shaped from (base, 0) through the control points."""
    out = {}
    pre_slope = rng.uniform(0.4, 0.9) / max(end - base, 1)
    t1, p1 = pts[0]
    gamma = {"achieved": 0.75, "on_track": 1.0, "at_risk": 1.2}.get(scen, 1.0)
    peak_u, peak = rng.uniform(0.45, 0.7), rng.uniform(0.4, 0.6)
    for y in years:
        if y <= base:
            out[y] = (y - base) * pre_slope
        elif y < t1:
            u = (y - base) / (t1 - base)
            if scen == "off_track":
                p = peak * u / peak_u if u <= peak_u else peak + (p1 - peak) * (u - peak_u) / (1 - peak_u)
            else:
                p = p1 * u ** gamma
            out[y] = p + rng.normal(0, 0.02)
        else:
            # between or after the control points: piecewise linear, then flat drift
            xs = [base] + [x for x, _ in pts]
            ps = [0.0] + [p for _, p in pts]
            out[y] = float(np.interp(y, xs, ps)) if y <= xs[-1] else ps[-1] + (y - xs[-1]) * rng.uniform(-0.02, 0.05)
    return out


def _build_level(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    ind = s.indicator
    ty, tq = asof
    stock = ind.temporal == "stock"
    T = float(t.value)
    sign = -1 if t.kind == "level_max" else 1
    base, B, _ = _start(s, t, plan, ty, rng)
    E = t.end
    if B is None:
        B = _growth_sibling_start(s, t, base) or _default_level_start(ind, t, sign, base, rng)
    years = list(range(FIRST_YEAR, ty))
    t1 = ty - 1
    t2 = (ty - 1 + tq / 4) if stock else ty       # when the latest value is seen
    closed = E < ty                               # the deadline year is over: judged on it
    unit = _unit_step(ind, s.integer)

    def fix(v: float, want_met: bool | None) -> float:
        """Keep the scenario after rounding: met when it should be, short when it should not."""
        met = _meets(_round(ind, v, s.integer), t.cmp, T)
        if want_met is True and not met:
            return T + sign * unit
        if want_met is False and met and abs(T - B) >= 20 * unit:
            return T - sign * unit   # (a small whole-number target cannot be "almost there")
        return v

    if sign * (T - B) > unit * 1.5:
        if closed:
            pe, _ = _progress_points(scen, base, E, E, E, True, rng)
            prog = _path(scen, base, [(E, pe)], years + [ty], E, rng)
            for y in years + [ty]:
                s.annual[y] = B + (T - B) * prog[y]
            if E in s.annual:
                s.annual[E] = fix(s.annual[E], {"achieved": True, "on_track": True,
                                                 "at_risk": False, "off_track": False}.get(scen))
            return
        p1, p2 = _progress_points(scen, base, E, t1, t2, False, rng)
        prog = _path(scen, base, [(t1, p1), (t2, p2)] if t1 > base else [(t2, p2)], years, E, rng)
        for y in years:
            s.annual[y] = B + (T - B) * prog[y]
        v2 = fix(B + (T - B) * p2, {"achieved": True, "on_track": False if t2 < E else None,
                                    "at_risk": False, "off_track": False}.get(scen))
    else:
        # The baseline already meets the target (a cap like population): keep it, or not.
        G = max(abs(T - B), 0.04 * abs(T), unit * 2)
        off = {"achieved": rng.uniform(0.3, 0.8), "on_track": rng.uniform(0.05, 0.25),
               "at_risk": -rng.uniform(0.1, 0.35), "off_track": -rng.uniform(0.7, 1.3)}.get(scen, 0.2)
        t_eval = E if closed else t2
        slope = (T + sign * off * G - B) / max(t_eval - base, 0.5)
        for y in years:
            s.annual[y] = B + slope * (y - base) + (rng.normal(0, 0.05 * G) if FIRST_YEAR < y < ty - 1 and y != base else 0.0)
        v2 = B + slope * (t2 - base)
    s.annual[ty] = _year_end_for(s.annual[ty - 1], v2, tq) if stock else v2


def _growth_sibling_start(s: Series, t: Target, base: int) -> float | None:
    """The start implied by an average-growth target on the same series (24.700 tỷ at +15,61%/năm)."""
    for _p, u in s.uses:
        if u is not t and u.kind == "avg_growth" and u.value is not None and s.indicator.temporal != "rate":
            return float(t.value) / (1 + float(u.value) / 100) ** max(t.end - base, 1)
    return None


def _default_level_start(ind: Indicator, t: Target, sign: int, base: int, rng) -> float:
    T = float(t.value)
    lo, hi = _bounds(ind)
    years = max(t.end - base, 1)
    if t.kind == "count":
        return float(math.floor(T * rng.uniform(0.3, 0.6))) if T > 0 else float(rng.integers(2, 8))
    if ind.is_percent:
        if sign > 0:
            gap = min(max(0.15 * T, 1.5), 25) * rng.uniform(0.8, 1.2)
            return max(T - gap, (lo or 0) + 0.5)
        gap = min(max(0.35 * T, 0.6), 20) * rng.uniform(0.8, 1.2)
        return min(T + gap, hi if hi is not None else T + gap)
    if sign > 0:
        b = T / (1 + rng.uniform(0.05, 0.10)) ** years
        return b if hi is None else min(b, hi)
    if T <= 0:
        return float(rng.integers(3, 10))
    return T * rng.uniform(0.88, 0.95)  # a cap not to exceed (population): below it, rising


def _build_share(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    ind = s.indicator
    ty, tq = asof
    T = float(t.value)
    tol = float(t.tolerance) if t.tolerance else 1.0
    base, B, _ = _start(s, t, plan, ty, rng)
    if B is None:
        B = T + rng.choice([-1, 1]) * rng.uniform(1.0, 3.0)
    d = np.sign(T - B) if abs(T - B) > 1e-9 else rng.choice([-1, 1])
    off = {"achieved": rng.uniform(0, 0.3), "on_track": rng.uniform(0.4, 0.9),
           "at_risk": rng.uniform(1.2, 1.8), "off_track": rng.uniform(2.5, 4.0)}.get(scen, 0.5) * tol
    t_eval = min(t.end, ty - 1 + tq / 4)
    v_eval = T - d * off
    slope = (v_eval - B) / max(t_eval - base, 0.5)
    for y in range(FIRST_YEAR, ty):
        s.annual[y] = B + slope * (y - base) + (rng.normal(0, 0.15 * tol) if y not in (base, ty - 1) else 0.0)
    v2 = B + slope * (ty - 1 + tq / 4 - base)
    s.annual[ty] = _year_end_for(s.annual[ty - 1], v2, tq) if ind.temporal == "stock" else v2


def _growth_goal(scen: str, T: float, sign: int, rng) -> float:
    k = max(1.0, 0.1 * abs(T))
    return {"achieved": T + sign * k * rng.uniform(0.8, 1.6),
            "on_track": T + sign * k * rng.uniform(0.05, 0.35),
            "at_risk": T - sign * k * rng.uniform(0.5, 1.0),
            "off_track": T - sign * k * rng.uniform(2.0, 3.5)}.get(scen, T)


def _solve_rates(window: list[int], goal: float, pins: dict[int, float], rng) -> dict[int, float]:
    """Yearly rates (%) over ``window`` whose geometric mean is ``goal``, keeping pinned years."""
    free = [y for y in window if y not in pins]
    out = {y: pins[y] for y in window if y in pins}
    if not free:
        return out
    need = len(window) * math.log1p(goal / 100) - sum(math.log1p(v / 100) for v in out.values())
    mean_free = need / len(free)
    sigma = max(0.005, 0.12 * abs(math.expm1(mean_free)))
    noise = rng.normal(0, sigma, len(free))
    if len(free) > 1:
        noise -= noise.mean()
    for y, e in zip(free, noise):
        out[y] = 100 * math.expm1(mean_free + e)
    return out


def _build_avg_growth(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    ind = s.indicator
    ty, _tq = asof
    T = float(t.value)
    sign = _sign(t.cmp)
    rate_pins = {y: p.value for y, p in s.pins.items()} if ind.temporal == "rate" else {}
    window = list(range(t.start, min(t.end, ty) + 1))
    if scen == "real" and rate_pins:
        goal = float(np.mean(list(rate_pins.values())))
    else:
        goal = _growth_goal(scen, T, sign, rng)
    rates = _solve_rates(window, goal, {y: v for y, v in rate_pins.items() if y in window}, rng)
    for y in range(FIRST_YEAR, ty + 1):
        if y in rates:
            continue
        if y in rate_pins:
            rates[y] = rate_pins[y]
        elif y < t.start:
            rates[y] = goal * (rng.uniform(0.3, 0.8) if y == 2020 else rng.uniform(0.6, 1.1))
        else:
            rates[y] = goal * rng.uniform(0.8, 1.1)
    if ind.temporal == "rate":
        s.annual = {y: rates[y] for y in range(FIRST_YEAR, ty + 1)}
        return
    base, B, _ = _start(s, t, plan, ty, rng)
    if B is None:
        B = _anchor_level(s, t, base) or _magnitude(ind) * rng.uniform(0.8, 1.2)
    base = max(min(base, ty), FIRST_YEAR - 1)
    lv = {base: B}
    for y in range(base + 1, ty + 1):
        lv[y] = lv[y - 1] * (1 + rates[y] / 100)
    for y in range(base - 1, FIRST_YEAR - 1, -1):
        lv[y] = lv[y + 1] / (1 + rates[y + 1] / 100)
    s.annual = {y: lv[y] for y in range(FIRST_YEAR, ty + 1)}


def _anchor_level(s: Series, t: Target, base: int) -> float | None:
    """A start level consistent with another target on the same series (a level by a year)."""
    for _p, u in s.uses:
        if u is not t and u.kind in LEVEL_KINDS and u.value:
            return float(u.value) / (1 + float(t.value) / 100) ** max(u.end - base, 0)
    return None


# Per-year kinds are judged year by year on R = 1 - shortfall / |threshold|:
# R >= 0.95 on track, 0.6-0.95 at risk, below 0.6 off track (kpi/progress.py).
_YEAR_R = {"at_risk": (0.74, 0.9), "off_track": (0.42, 0.57)}


def _at_ratio(threshold: float, sign: int, r: float) -> float:
    """The value whose gap ratio against ``threshold`` is ``r`` (r > 1: beyond it)."""
    return threshold + sign * (r - 1) * max(abs(threshold), 1.0)


def _year_ratios(scen: str, n: int, rng, met=(1.005, 1.06)) -> list[float]:
    """A gap ratio per year of the period so far, the last one being the year judged now."""
    out = []
    for i in range(n):
        last, second_last = i == n - 1, i == n - 2
        if scen == "achieved":
            r = rng.uniform(1.02, 1.1)
        elif scen == "on_track":
            r = rng.uniform(0.9, 0.98) if (i == 1 and n >= 3) else rng.uniform(*met)
        elif scen == "at_risk":
            r = rng.uniform(*_YEAR_R["at_risk"]) if last else (rng.uniform(*met) if i % 2 == 0 else rng.uniform(0.85, 0.97))
        elif scen == "off_track":
            r = rng.uniform(*_YEAR_R["off_track"]) if (last or second_last) else rng.uniform(0.8, 1.02)
        else:
            r = rng.uniform(0.95, 1.05)
        out.append(r)
    return out


def _build_range(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    ty, _tq = asof
    low, high = float(t.low), float(t.high)
    w = max(high - low, 0.04 * max(abs(low), abs(high)), _unit_step(s.indicator, s.integer))
    period = list(range(t.start, min(t.end, ty) + 1))
    vals = {}
    for y, r in zip(period, _year_ratios(scen, len(period), rng)):
        if scen == "achieved":
            vals[y] = rng.uniform(low + 0.15 * w, high + 0.3 * w)
        elif r >= 1:
            vals[y] = rng.uniform(low + 0.05 * w, high - 0.1 * w)
        else:
            vals[y] = _at_ratio(low, 1, r)
    for y in range(FIRST_YEAR, ty + 1):
        s.annual[y] = vals.get(y, rng.uniform(low - 0.5 * w, high + 0.2 * w))
    _stock_current_year(s, asof, period, 1, scen)


def _stock_current_year(s: Series, asof, period: list[int] | None = None, sign: int = 1,
                        scen: str = "") -> None:
    """Stocks move smoothly: order the judged years, lead up to them, aim the year end at ``through``.

    A level does not jump about from year to year: the years judged are put in
    order (rising when things go well, falling when they go badly), the years
    before the period climb towards the first, and the current year, seen at
    ``through`` (linear within the year), gets the year end that puts it there.
    """
    ty, tq = asof
    if s.indicator.temporal != "stock":
        return
    if period:
        vals = sorted(s.annual[y] for y in period)
        if (sign > 0) == (scen in ("at_risk", "off_track")):
            vals = vals[::-1]
        for y, v in zip(period, vals):
            s.annual[y] = v
        v0 = s.annual[period[0]]
        step = abs(v0) * 0.03
        for y in range(period[0] - 1, FIRST_YEAR - 1, -1):
            s.annual[y] = s.annual[y + 1] - sign * step
    if (ty - 1) in s.annual:
        s.annual[ty] = _year_end_for(s.annual[ty - 1], s.annual[ty], tq)


def _build_yearly(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    ind = s.indicator
    ty, _tq = asof
    V, sign = float(t.value), _sign(t.cmp)
    unit = _unit_step(ind, s.integer)
    strict = unit if t.cmp in (">", "<") else 0.0
    period = list(range(t.start, min(t.end, ty) + 1))
    # "bình quân mỗi năm" for a flow is achieved early only once the total covers every year
    met = (1.08, 1.16) if (t.average and scen == "achieved") else (1.005, 1.06)
    ratios = _year_ratios(scen, len(period), rng, met)
    if t.average and scen == "achieved":
        ratios = [rng.uniform(*met) for _ in period]
    vals = {}
    for y, r in zip(period, ratios):
        vals[y] = _at_ratio(V, sign, r) + (sign * strict if r >= 1 else 0.0)
    for y in range(FIRST_YEAR, ty + 1):
        s.annual[y] = vals.get(y, _at_ratio(V, sign, rng.uniform(0.85, 1.02)))
    _stock_current_year(s, asof, period, sign, scen)


def _build_sum(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    """Yearly amounts growing at a steady rate; their running total lands where the scenario wants."""
    ty, tq = asof
    V = float(t.value)
    g = rng.uniform(0.03, 0.10)
    cur = s.season.setdefault(ty, _seasonal(rng, tq))
    years = list(range(t.start, min(t.end, ty) + 1))
    closed = t.end < ty
    weights = {y: (1 + g) ** (y - t.start) for y in years}
    seen = sum(w * (cur[tq - 1] if y == ty else 1.0) for y, w in weights.items())
    n = t.end - t.start + 1
    elapsed = sum(1 for y in years if y < ty) + (tq / 4 if ty in weights else 0)
    pro_rata = min(elapsed / n, 1.0)
    F = {"achieved": rng.uniform(1.01, 1.06),
         "on_track": rng.uniform(1.0, 1.02) if closed else min(pro_rata + rng.uniform(0.01, 0.03), 0.99),
         "at_risk": pro_rata * rng.uniform(0.82, 0.9),
         "off_track": pro_rata * rng.uniform(0.6, 0.72)}.get(scen, pro_rata)
    a0 = F * V / seen if seen else V / n
    for y in range(FIRST_YEAR, ty + 1):
        s.annual[y] = a0 * (1 + g) ** (y - t.start) * (rng.uniform(0.95, 1.05) if y < t.start else 1.0)


def _build_change(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    ind = s.indicator
    ty, tq = asof
    V = float(t.value)
    better = 1 if t.cmp in (">=", ">") else -1
    k = abs(V) if V else 1.0
    c = {"achieved": V + better * rng.uniform(0.1, 0.3) * k,
         "on_track": V + better * rng.uniform(0.01, 0.06) * k,
         "at_risk": V - better * rng.uniform(0.12, 0.25) * k,
         "off_track": V - better * rng.uniform(0.55, 0.9) * k}.get(scen, V)
    if ind.temporal == "rate" or "diem" in _fold(ind.unit):
        # The indicator is the change itself (points or % a year): one value a year.
        for y in range(FIRST_YEAR, ty + 1):
            s.annual[y] = c + rng.normal(0, 0.15 * k) if y != ty - 1 else c
        return
    base, B, _ = _start(s, t, plan, ty, rng)
    stock = ind.temporal == "stock"
    if B is None:
        B = _change_sibling_start(s, t, base, rng)
    if B is None:
        B = abs(V) * max(t.end - base, 1) * rng.uniform(1.8, 2.8) if V < 0 and ind.is_percent else _magnitude(ind)
    t2 = (ty - 1 + tq / 4) if stock else ty
    if t.end < ty:
        t2 = t.end
    for y in range(FIRST_YEAR, ty):
        jitter = 0.0 if y in (base, ty - 1) or y < base else rng.normal(0, 0.15 * k)
        s.annual[y] = B + c * (y - base) + jitter
    v2 = B + c * (t2 - base)
    s.annual[ty] = _year_end_for(s.annual[ty - 1], v2, tq) if (stock and t.end >= ty) else B + c * (ty - base)


def _change_sibling_start(s: Series, t: Target, base: int, rng) -> float | None:
    """A start consistent with a level on the same series ("+500 ha in 2024" and "4.000 ha in 2025")."""
    lo, _hi = _bounds(s.indicator)
    for _p, u in s.uses:
        if u is not t and u.kind in LEVEL_KINDS + ("step",) and u.value is not None:
            B = float(u.value) - float(t.value) * max(u.end - base, 1)
            floor = (lo if lo is not None else -math.inf)
            if B <= floor:
                B = floor + abs(float(t.value)) * rng.uniform(0.3, 1.0)
            return B
    return None


def _build_relative(s: Series, plan: Plan, t: Target, scen: str, asof, rng, built: dict) -> None:
    ty, _tq = asof
    bench = built.get((t.benchmark["indicator"], str(t.benchmark["unit"])))
    b_annual = bench.annual if bench is not None else {y: 6.5 + rng.normal(0, 1) for y in range(FIRST_YEAR, ty + 1)}
    m = float(t.value or 0) * _sign(t.cmp)
    sign = _sign(t.cmp)
    period = list(range(t.start, min(t.end, ty) + 1))
    for y in range(FIRST_YEAR, ty + 1):
        i = period.index(y) if y in period else None
        last = i is not None and i == len(period) - 1
        if i is None:
            d = rng.normal(0.2, 1.0)
        elif scen == "achieved":
            d = rng.uniform(0.5, 1.5)
        elif scen == "on_track":
            d = rng.uniform(0.1, 0.5) if last else rng.uniform(-0.3, 0.8)
        elif scen == "at_risk":
            d = -rng.uniform(0.1, 0.6) if last else rng.uniform(0.0, 0.6)
        elif scen == "off_track":
            d = -rng.uniform(1.0, 2.5)
        else:
            d = rng.normal(0, 0.5)
        s.annual[y] = b_annual[y] + m + sign * d
    if bench is not None:
        for (y, q), bv in bench.ytd.items():
            s.ytd[(y, q)] = bv + (s.annual[y] - b_annual[y])


def _build_step(s: Series, plan: Plan, t: Target, scen: str, asof, rng) -> None:
    """Every step target of the series controls its own year; the other years lead up to it."""
    ind = s.indicator
    ty, tq = asof
    steps = sorted((u for _p, u in s.uses if u.kind == "step"), key=lambda u: u.end)
    scen_of = s.step_scenarios
    ref = float(steps[0].value)
    lead = _sign(steps[0].cmp)
    stock = ind.temporal == "stock"
    cur = s.season.setdefault(ty, _seasonal(rng, tq))
    first = min(steps[0].end, ty + 1)
    a, b = (rng.uniform(0.6, 0.8), rng.uniform(0.85, 0.95)) if lead > 0 else (rng.uniform(1.3, 1.5), rng.uniform(1.05, 1.15))
    for y in range(FIRST_YEAR, ty + 1):
        u = (y - FIRST_YEAR) / max(first - 1 - FIRST_YEAR, 1)
        s.annual[y] = ref * (a + (b - a) * min(u, 1.0)) * rng.uniform(0.98, 1.02)
    for u in steps:
        Y, V, sign = u.end, float(u.value), _sign(u.cmp)
        sc = scen_of.get(u.id, scen)
        if Y > ty:
            continue
        frac = {"achieved": rng.uniform(1.03, 1.12), "on_track": rng.uniform(1.0, 1.04),
                "at_risk": rng.uniform(0.88, 0.95), "off_track": rng.uniform(0.55, 0.75)}.get(sc, 0.95)
        if sign < 0:
            frac = 2 - frac
        if Y < ty or tq == 4:
            s.annual[Y] = V * frac
        elif _cumulates(ind):
            # the current year: judged on what is done so far
            if sc == "achieved":
                s.annual[Y] = V * frac / cur[tq - 1]
            elif sc == "on_track":
                s.annual[Y] = V * rng.uniform(1.0, 1.05)
            else:
                s.annual[Y] = V * frac
        elif stock:
            # judged as a level by the end of Y, on the path from last year's level
            prev = s.annual.get(Y - 1, ref)
            if sign * (V - prev) <= 0:
                prev = V - sign * max(0.1 * abs(V), _unit_step(ind, s.integer) * 3)
                s.annual[Y - 1] = prev
            _p1, p2 = _progress_points(sc, Y - 1, Y, Y - 1, Y - 1 + tq / 4, False, rng)
            s.annual[Y] = _year_end_for(prev, prev + (V - prev) * p2, tq)
        else:
            s.annual[Y] = V * frac
        for y in range(Y + 1, ty + 1):  # after a step year: stay about there until the next one
            if not any(w.end == y for w in steps):
                s.annual[y] = s.annual[y - 1] * (rng.uniform(0.99, 1.04) if lead > 0 else rng.uniform(0.96, 1.01))


def _build_history(s: Series, plan: Plan, t: Target, asof, rng) -> None:
    """A target not started yet: a plausible history leading towards it."""
    ty, _tq = asof
    if t.kind in LEVEL_KINDS:
        fake = dataclasses.replace(t, start=FIRST_YEAR + 1, end=max(t.end, ty + 1), baseline=None)
        _build_level(s, plan, fake, "context", asof, rng)
        return
    ref = t.value if t.value is not None else ((t.low + t.high) / 2 if t.low is not None else None)
    if ref is None or t.kind in ("change", "relative", "sum"):
        ref = _magnitude(s.indicator)
    for y in range(FIRST_YEAR, ty + 1):
        s.annual[y] = float(ref) * rng.uniform(0.85, 1.0) * (1 + 0.02 * (y - ty))


def _build_context(s: Series, asof, rng) -> None:
    """A series no target drives (a benchmark): real figures where known, plausible otherwise."""
    ind = s.indicator
    ty, _tq = asof
    pins = {y: p.value for y, p in s.pins.items()}
    if ind.temporal == "rate":
        mean = float(np.mean(list(pins.values()))) if pins else 6.0
        last = pins[max(pins)] if pins else mean
        for y in range(FIRST_YEAR, ty + 1):
            s.annual[y] = pins.get(y, last + rng.uniform(0.0, 1.0) if y == ty else mean + rng.normal(0, 1))
        return
    v = _magnitude(ind)
    for y in range(FIRST_YEAR, ty + 1):
        v *= 1 + rng.uniform(0.02, 0.07)
        s.annual[y] = pins.get(y, v)


BUILDERS = {
    "level_min": _build_level, "level_max": _build_level, "count": _build_level,
    "share": _build_share, "avg_growth": _build_avg_growth, "range": _build_range,
    "yearly": _build_yearly, "sum": _build_sum, "change": _build_change, "step": _build_step,
}


def _apply_pins(s: Series, asof) -> None:
    """Put real figures in; bend the made-up years around them smoothly.

    Rates are replaced year by year. Levels get an additive correction that is
    zero at the baseline and at the years the scenario is judged on, and
    interpolated between. When the last full year is real, the current year
    continues the real trend instead of a scenario.
    """
    if not s.pins:
        return
    ty, _tq = asof
    if s.indicator.temporal == "rate":
        for y, p in s.pins.items():
            s.annual[y] = p.value
        return
    anchors = {y: p.value - s.annual[y] for y, p in s.pins.items() if y in s.annual}
    d = s.driver[1] if s.driver else None
    if d is not None and d.baseline is not None:
        anchors.setdefault(d.baseline.year, 0.0)
    real_latest = (ty - 1) in s.pins
    if not real_latest:
        anchors.setdefault(ty - 1, 0.0)
        anchors.setdefault(ty, 0.0)
    xs = sorted(anchors)
    for y in list(s.annual):
        if real_latest and y == ty:
            continue
        s.annual[y] += float(np.interp(y, xs, [anchors[x] for x in xs]))
    for y, p in s.pins.items():
        s.annual[y] = p.value
    if real_latest:
        prev2 = s.annual.get(ty - 2, s.annual[ty - 1])
        s.annual[ty] = s.annual[ty - 1] + (s.annual[ty - 1] - prev2) * 0.85


# --- periods, rows ----------------------------------------------------------------

def _province_values(s: Series, asof, rng) -> list[tuple[Period, float, str, str]]:
    """(period, unrounded value, status, source) at the series' own unit."""
    ind = s.indicator
    ty, tq = asof
    out = []
    last_year = ty if tq == 4 else ty - 1
    for y in range(FIRST_YEAR, last_year + 1):
        pin = s.pins.get(y)
        if pin is not None:
            out.append((Period(y), pin.value, pin.status, pin.source))
        else:
            status = "estimate" if y == ty else "official"
            out.append((Period(y), s.annual[y], status, DEMO_SOURCE))
    for y in (ty - 1, ty):
        last_q = 4 if y < ty else tq
        cum = s.season.setdefault(y, _seasonal(rng, tq if y == ty else None))
        noise = rng.normal(0, 1, 4)
        for q in range(1, last_q + 1):
            pin = s.pins.get(y)
            if q == 4 and pin is not None:  # twelve months to date is the year's figure
                out.append((Period(y, q, True), pin.value, pin.status, pin.source))
                continue
            if (y, q) in s.ytd and q < 4:
                v = s.ytd[(y, q)]
            elif _cumulates(ind):
                v = s.annual[y] * cum[q - 1]
            elif ind.temporal == "stock":
                prev = s.annual.get(y - 1, s.annual[y])
                v = prev + (s.annual[y] - prev) * q / 4
            else:
                spread = 0.04 * max(abs(s.annual[y]), 1.0)
                v = s.annual[y] + (noise[q - 1] * spread * (4 - q) / 4 if q < last_q or y < ty else 0.0)
            status = "preliminary" if y < ty else "estimate"
            out.append((Period(y, q, True), v, status, DEMO_SOURCE))
    return out


def _revision_kind(seed: int, s: Series) -> str:
    h = _stable_int(seed, "revision", s.indicator.code, s.unit) % 6
    return {0: "estimate", 1: "estimate", 2: "estimate+preliminary"}.get(h, "")


def _revised(ind: Indicator, official: float, integer: bool, rng, bump: float) -> float:
    unit = _unit_step(ind, integer)
    if ind.temporal == "rate" or "diem" in _fold(ind.unit):
        v = official + bump * max(0.3, 0.05 * abs(official)) * rng.uniform(0.6, 1.2)
    elif ind.is_percent:
        v = official + bump * rng.uniform(0.3, 1.2)   # points, not per cent of the value
    else:
        v = official * (1 + bump * rng.uniform(0.01, 0.035))
    v = _round(ind, v, integer)
    if v == official:
        v = _round(ind, official + (unit if bump > 0 else -unit), integer)
    if v == official:
        v = _round(ind, official - (unit if bump > 0 else -unit), integer)
    return v


def _split_sum(total_units: int, shares: np.ndarray) -> np.ndarray:
    """Largest-remainder split of a whole number of rounding units."""
    raw = total_units * shares
    base = np.floor(raw).astype(np.int64)
    left = int(total_units - base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:left]] += 1
    return base


def _district_rows(s: Series, rows: list[tuple[Period, float, str, str]], seed: int) -> list[dict]:
    """Former districts of Điện Biên: the province split (sum) or spread around it (means)."""
    ind = s.indicator
    if s.unit not in DISTRICTS or ind.aggregation not in ("sum", "mean", "weighted_mean"):
        return []
    dist = DISTRICTS[s.unit]
    rng = _rng(seed, "districts", ind.code, s.unit)
    pop = np.array([d[2] for d in dist])
    pop = pop / pop.sum()
    remote = np.array([d[3] for d in dist])
    tilt = np.exp(rng.normal(0, 0.25, len(dist)))
    best = _best_rows(rows)
    out = []
    keep = [(p, v, st) for p, v, st in best if p.end_date() <= DISTRICT_LAST_DAY]
    if ind.aggregation == "sum":
        scale = 1 if s.integer else 10 ** ind.decimals
        year_shares = {}
        for y in sorted({p.year for p, _v, _st in keep}):
            sh = pop * tilt * np.exp(rng.normal(0, 0.04, len(dist)))
            year_shares[y] = sh / sh.sum()
        done_q: dict[int, np.ndarray] = {}
        for p, v, st in sorted(keep, key=lambda r: r[0].sort_key()):
            n = int(round(v * scale))
            sh = year_shares[p.year]
            if p.ytd and _cumulates(ind):
                prev = done_q.get(p.year)
                prev_total = int(prev.sum()) if prev is not None else 0
                inc = _split_sum(max(n - prev_total, 0), sh)
                parts = (prev if prev is not None else 0) + inc
                done_q[p.year] = parts
            elif p.quarter is None and p.year in done_q and int(done_q[p.year].sum()) == n:
                parts = done_q[p.year]
            else:
                parts = _split_sum(n, sh)
            for (code, *_x), k in zip(dist, parts):
                out.append(_row(ind.code, code, p, k / scale, st, DEMO_SOURCE))
        return out
    w = pop if ind.aggregation == "weighted_mean" else np.full(len(dist), 1 / len(dist))
    z = _offsets(ind, remote, w, rng)
    year_noise = {}
    for p, v, st in keep:
        zz = z + year_noise.setdefault(p.year, rng.normal(0, 0.08, len(dist)))
        for (code, *_x), dz in zip(dist, zz):
            out.append(_row(ind.code, code, p, _round(ind, _spread(ind, v, dz, s.integer), s.integer),
                            st, DEMO_SOURCE))
    return out


def _offsets(ind: Indicator, remote: np.ndarray, w: np.ndarray, rng) -> np.ndarray:
    """How far each unit sits from the province, in spreads: remote units do worse."""
    direction = {"up": -1.0, "down": 1.0}.get(ind.direction, 0.0)
    z = direction * (remote - (w * remote).sum()) * 1.6 + rng.normal(0, 0.35, len(remote))
    return z - (w * z).sum()


def _spread(ind: Indicator, v: float, dz: float, integer: bool) -> float:
    """``v`` moved by ``dz`` spreads, easing off near the indicator's bounds (no pile at 100%)."""
    spread = max(0.25 * abs(v), 3 * _unit_step(ind, integer))
    delta = spread * dz
    lo, hi = _bounds(ind)
    if delta > 0 and hi is not None:
        room = max(hi - v, 0.0)
        delta = room * (1 - math.exp(-delta / room)) * 0.95 if room > 0 else 0.0
    elif delta < 0 and lo is not None:
        room = max(v - lo, 0.0)
        delta = -room * (1 - math.exp(delta / room)) * 0.95 if room > 0 else 0.0
    return v + delta


def _commune_rows(s: Series, rows: list[tuple[Period, float, str, str]], seed: int) -> list[dict]:
    ind = s.indicator
    if s.unit != COMMUNE_PARENT or ind.aggregation not in ("sum", "mean", "weighted_mean"):
        return []
    rng = _rng(seed, "communes", ind.code, s.unit)
    out = []
    tilt = np.exp(rng.normal(0, 0.15, len(_COMMUNES)))
    remote = np.array([c[3] for c in _COMMUNES])
    z = _offsets(ind, remote, np.full(len(_COMMUNES), 1 / len(_COMMUNES)), rng)
    for p, v, st in _best_rows(rows):
        if p.end_date() < COMMUNE_FIRST_DAY:
            continue
        for i, (code, _n, share, _r) in enumerate(_COMMUNES):
            cv = v * share * tilt[i] if ind.aggregation == "sum" else _spread(ind, v, z[i], s.integer)
            out.append(_row(ind.code, code, p, _round(ind, cv, s.integer), st, DEMO_SOURCE))
    return out


def _best_rows(rows):
    """The most official row of each period (what districts are split from)."""
    best: dict[str, tuple] = {}
    for p, v, st, _src in rows:
        k = str(p)
        if k not in best or STATUS_RANK[st] > STATUS_RANK[best[k][2]]:
            best[k] = (p, v, st)
    return list(best.values())


def _row(ind: str, unit: str, p: Period, v: float, status: str, source: str) -> dict:
    return {"indicator": ind, "unit": unit, "period": str(p), "value": float(v),
            "status": status, "source": source}


def _balance_shares(catalog: Catalog, built: dict, rounded: dict) -> set:
    """Economic-structure shares: the largest one is 100 minus the others, period by period."""
    members = set()
    for pid in sorted(catalog.plans):
        plan = catalog.plans[pid]
        for group in _share_groups(plan):
            keys = [(t.indicator, plan.scope_unit) for t in group]
            if len(set(keys)) != len(keys) or any(k not in rounded for k in keys):
                continue
            members.update(keys)
            big = max(group, key=lambda t: t.value)
            bkey = (big.indicator, plan.scope_unit)
            ind = built[bkey].indicator
            for i, (p, _v, st, src) in enumerate(rounded[bkey]):
                others = 0.0
                for k in keys:
                    if k == bkey:
                        continue
                    match = [r for r in rounded[k] if str(r[0]) == str(p) and r[2] == st]
                    others += match[0][1] if match else 0.0
                rounded[bkey][i] = (p, _round(ind, 100 - others), st, src)
    return members


def _within_plans(df: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """No figures for a unit after the last year of its plans (Bến Tre, gone since 01/07/2025, stops with 2025)."""
    last = {}
    for plan in catalog.plans.values():
        if plan.targets:
            last[plan.scope_unit] = max(last.get(plan.scope_unit, plan.end), plan.end)
    for parent, dist in DISTRICTS.items():
        for code, *_x in dist:
            if parent in last:
                last[code] = last[parent]
    for c in _COMMUNES:
        if COMMUNE_PARENT in last:
            last[c[0]] = last[COMMUNE_PARENT]
    if df.empty:
        return df
    years = df["period"].str.slice(0, 4).astype(int)
    limit = df["unit"].map(last).fillna(9999)
    return df[years <= limit].reset_index(drop=True)


def generate_demo(catalog: Catalog, seed: int = 2025, through: str = "2025Q3") -> pd.DataFrame:
    """The demo data set for ``catalog`` as of ``through``, in the long bulk format."""
    asof = _as_of(through)
    ty, _tq = asof
    if ty - 1 < FIRST_YEAR:
        raise ValueError(f"'through' phải từ {FIRST_YEAR + 1} trở đi")
    built: dict[tuple[str, str], Series] = {}
    rounded: dict[tuple[str, str], list] = {}
    for s in plan_series(catalog, seed, through):
        if s.scenario == "no_data":
            continue
        rng = _rng(seed, "series", s.indicator.code, s.unit)
        d = s.driver
        if d is None:
            _build_context(s, asof, rng)
        else:
            plan, t = d
            if s.scenario == "not_started":
                _build_history(s, plan, t, asof, rng)
            elif t.kind == "relative":
                _build_relative(s, plan, t, s.scenario, asof, rng, built)
            else:
                BUILDERS[t.kind](s, plan, t, s.scenario, asof, rng)
        _apply_pins(s, asof)
        vals = _province_values(s, asof, rng)
        if s.benchmark and d is None:
            s.ytd = {(p.year, p.quarter): v for p, v, _st, _src in vals if p.ytd}
        built[s.key] = s
        # real figures keep their published precision; made-up values the indicator's decimals
        rounded[s.key] = [(p, _round(s.indicator, v, s.integer) if src == DEMO_SOURCE else _clip(s.indicator, v),
                           st, src) for p, v, st, src in vals]
    shares = _balance_shares(catalog, built, rounded)
    out: list[dict] = []
    for key, s in built.items():
        rows = rounded[key]
        ind = s.indicator
        rev = "" if (key in shares or (ty - 1) in s.pins) else _revision_kind(seed, s)
        rng = _rng(seed, "revisions", ind.code, s.unit)
        for p, v, st, src in rows:
            if p == Period(ty - 1) and rev:
                bump = rng.choice([-1.0, 1.0])
                out.append(_row(ind.code, s.unit, p, _revised(ind, v, s.integer, rng, bump), "estimate", DEMO_SOURCE))
                if "preliminary" in rev:
                    out.append(_row(ind.code, s.unit, p, _revised(ind, v, s.integer, rng, bump / 2),
                                    "preliminary", DEMO_SOURCE))
            out.append(_row(ind.code, s.unit, p, v, st, src))
        out.extend(_district_rows(s, rows, seed))
        out.extend(_commune_rows(s, rows, seed))
    df = pd.DataFrame(out, columns=COLUMNS)
    df = _within_plans(df, catalog)
    if df.empty:
        return df.astype({"value": float})
    order = df["period"].map(lambda x: Period.parse(x).sort_key())
    df = (df.assign(_o=order, _s=df["status"].map(STATUS_RANK))
            .sort_values(["unit", "indicator", "_o", "_s"], kind="stable")
            .drop(columns=["_o", "_s"]).reset_index(drop=True))
    return df


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.demo [--seed N] [--through 2025Q3] [-o file.csv]``: write the demo CSV."""
    import argparse
    import sys

    from kpi.catalog import load_catalog

    ap = argparse.ArgumentParser(prog="python -m etl.demo", description="Sinh dữ liệu minh họa (CSV dạng dài)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--through", default="2025Q3")
    ap.add_argument("-o", "--output", help="tệp CSV (mặc định: in ra màn hình)")
    args = ap.parse_args(argv)
    df = generate_demo(load_catalog(), seed=args.seed, through=args.through)
    if args.output:
        df.to_csv(args.output, index=False)
    else:
        df.to_csv(sys.stdout, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --- loading the demo: returns sent over time, clusters, milestones done -----------

# Emulation clusters of the former districts. MADE UP for the demo (see data/README.md).
DEMO_CLUSTERS = {
    "094": "Cụm thi đua số 1", "095": "Cụm thi đua số 1", "100": "Cụm thi đua số 1", "102": "Cụm thi đua số 1",
    "096": "Cụm thi đua số 2", "097": "Cụm thi đua số 2", "098": "Cụm thi đua số 2", "099": "Cụm thi đua số 2",
    "101": "Cụm thi đua số 2", "103": "Cụm thi đua số 2",
}



def demo_groups() -> list[dict]:
    """The demo clusters as units of level 'group' with their members (MADE UP, like DEMO_CLUSTERS)."""
    out = []
    for i, name in enumerate(sorted(set(DEMO_CLUSTERS.values())), start=1):
        out.append({"code": f"11_cum_minh_hoa_{i}", "name": f"{name} (minh họa)", "level": "group", "parent": "11",
                    "valid_to": DISTRICT_LAST_DAY, "source": "Minh họa (tự đặt)",
                    "note": "Cụm thi đua tự đặt cho dữ liệu minh họa",
                    "members": sorted(c for c, n in DEMO_CLUSTERS.items() if n == name)})
    return out


# Milestones marked done in the demo: plan, milestone, day done, note. MADE UP.
DEMO_MILESTONE_MARKS = (
    ("dienbien_2021_2025", "unit_plans_submitted", dt.date(2021, 4, 6), "Minh họa: các đơn vị gửi đủ kế hoạch"),
    ("dienbien_2021_2025", "midterm_review", dt.date(2024, 1, 18), "Minh họa: Hội nghị sơ kết"),
    ("bentre_2024_2025", "launch_conference", dt.date(2024, 2, 15), "Minh họa: Hội nghị phát động trực tuyến"),
    ("laichau_daihoi_thidua_2025", "guidance_issued", dt.date(2024, 6, 27), "Minh họa: Hướng dẫn của UBND tỉnh"),
    ("laichau_daihoi_thidua_2025", "congress_commune_enterprise", dt.date(2025, 3, 28), "Minh họa"),
)
# Demo accounts, one per role (README.md lists them). A reporter has its former district and the
# commune that took over its seat on 01/07/2025, so it can send returns before and after the reform.
from kpi.accounts import DEMO_PASSWORD  # noqa: E402  (published with the demo accounts)
DEMO_ACCOUNTS = (
    ("lanhdao", "viewer", (), "Lãnh đạo UBND tỉnh (minh họa)"),
    ("vanphong", "secretariat", (), "Văn phòng Sở Nội vụ (minh họa)"),
    ("tuangiao", "reporter", ("099", "11_tuan_giao"), "Cán bộ báo cáo Tuần Giáo (minh họa)"),
    ("dienbienphu", "reporter", ("094", "11_dien_bien_phu"), "Cán bộ báo cáo Điện Biên Phủ (minh họa)"),
    ("quantri", "admin", (), "Quản trị hệ thống (minh họa)"),
)
RETURN_ON_TIME, RETURN_LATE = 0.78, 0.14      # the rest of the units do not send that quarter's return
RETURN_DUE_DAYS = SETTINGS["CHITIEU_REPORT_DUE_DAYS"].default   # the demo's units keep the default deadline


def split_returns(frame: pd.DataFrame, seed: int = 2025) -> tuple[pd.DataFrame, list[dict]]:
    """Take the sub-units' quarterly figures out of ``frame`` as the returns they would have sent.

    Each (unit, quarter) becomes one return, sent on time, late, or not at all
    (then its figures are dropped): the reporting-rate page needs a history of
    who sent what when. Returns the rest of the frame and the returns.
    """
    units = {c for codes in DISTRICTS.values() for c, *_ in codes} | {c for c, *_ in _COMMUNES}
    is_q = frame["period"].str.contains("Q") & frame["unit"].isin(units)
    rest, quarterly = frame[~is_q], frame[is_q]
    returns = []
    for (unit, period), part in quarterly.groupby(
            [quarterly["unit"], quarterly["period"].str.replace("-YTD", "", regex=False)], sort=True):
        p = Period.parse(period)
        rng = _rng(seed, "return", unit, period)
        draw = rng.random()
        if draw >= RETURN_ON_TIME + RETURN_LATE:
            continue
        due = p.end_date() + dt.timedelta(days=RETURN_DUE_DAYS)
        days = -int(rng.integers(0, 12)) if draw < RETURN_ON_TIME else int(rng.integers(1, 25))
        sent = dt.datetime.combine(due + dt.timedelta(days=days), dt.time(8 + int(rng.integers(0, 9)), 30))
        returns.append({"unit": unit, "period": period, "uploaded_at": sent, "frame": part})
    return rest, returns


def ensure_demo_accounts(con) -> list[str]:
    """Create the demo accounts that are missing (with ``DEMO_PASSWORD``); their names. Existing ones are kept."""
    from kpi import accounts, permissions

    made = []
    for username, role, units, full_name in DEMO_ACCOUNTS:
        if accounts.get_account(con, username) is None:
            accounts.create_user(con, username, DEMO_PASSWORD, role=role, units=units, full_name=full_name,
                             demo=True, actor=permissions.SYSTEM)
            made.append(username)
    return made


def load_demo(con, catalog: Catalog, seed: int = 2025, through: str = "2025Q3") -> list:
    """Write the demo into the store: units, the main data set, the returns, milestone marks, demo accounts.

    Each piece goes through the same checks as any file (``etl.bulk``); each is
    recognised by its SHA-256, so loading the demo twice writes nothing new.
    Everything is done as ``kpi.permissions.SYSTEM`` (``@system`` in the audit log).
    """
    from etl.bulk import check_bulk
    from etl.intake import units_by_code
    from etl.load import write
    from kpi import repo
    from kpi.permissions import SYSTEM
    from kpi.units import build_units, provinces_for

    units = build_units(provinces=provinces_for(p.scope_unit for p in catalog.plans.values()))
    for u in units:
        if u["code"] in DEMO_CLUSTERS:
            u["cluster"] = DEMO_CLUSTERS[u["code"]]
    units += demo_groups()
    repo.sync_units(con, units)
    known = units_by_code(con)
    rest, returns = split_returns(generate_demo(catalog, seed=seed, through=through), seed)

    def csv(df: pd.DataFrame) -> bytes:
        # ";" and decimal ",": a "." would be read as Vietnamese grouping ("1.234" = 1234)
        return df.to_csv(index=False, sep=";", decimal=",").encode("utf-8")

    summaries = []
    name = f"demo-seed-{seed}.csv"
    data = csv(rest)
    summaries.append(write(con, check_bulk(name, data, catalog.indicators, known), file_name=name, data=data,
                           fmt="demo", actor=SYSTEM, note="Dữ liệu minh họa"))
    for r in returns:
        name = f"demo-{r['unit']}-{r['period']}.csv"
        data = csv(r["frame"])
        summaries.append(write(con, check_bulk(name, data, catalog.indicators, known, default_status="preliminary"),
                               file_name=name, data=data, fmt="return", actor=SYSTEM,
                               unit=r["unit"], period=r["period"], uploaded_at=r["uploaded_at"],
                               note="Dữ liệu minh họa: báo cáo quý của đơn vị"))
    marks = repo.milestone_marks  # existing marks are kept; a mark is added once
    for plan_id, mid, day, note in DEMO_MILESTONE_MARKS:
        if plan_id in catalog.plans and any(m.id == mid for m in catalog.plans[plan_id].milestones) \
                and mid not in marks(con, plan_id):
            repo.mark_milestone(con, plan_id, mid, day, note, actor=SYSTEM)
    ensure_demo_accounts(con)
    load_demo_obligations(con, catalog, seed=seed)
    return summaries


# --- the demo's narrative reports, reviews and events (issue 11) ----------------------------
# All MADE UP: who sent which report when, what the receiver accepted or sent back, the congress
# dates of two Lai Châu units. Each is added once (same file, same review), so loading twice adds nothing.

REPORT_ON_TIME, REPORT_LATE = 0.6, 0.2          # the rest never send that quarter's report
DEMO_REPORT_PLANS = (
    # plan, obligation, quarters
    ("bentre_2024_2025", "party_bodies_quarterly", ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")),
    ("bentre_2024_2025", "propaganda_board_quarterly", ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")),
    ("dienbien_2021_2025", "periodic_return", ("2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3")),
)
DEMO_EVENTS = (("12_so_y_te", "congress", dt.date(2025, 3, 20), "Minh họa: đơn vị chỉ đạo điểm"),
               ("110", "congress", dt.date(2025, 4, 10), "Minh họa: huyện Than Uyên, đơn vị chỉ đạo điểm"))
DEMO_CONGRESS_PAPERS = (("12_so_y_te", dt.datetime(2025, 3, 1, 9, 0)),)   # 110 Than Uyên never sends: missing
DEMO_REVIEWS = (
    # plan, obligation, unit, period, action, reason
    ("dienbien_2021_2025", "periodic_return", "099", "2025Q2", "accept", ""),
    ("dienbien_2021_2025", "periodic_return", "101", "2025Q2", "accept", ""),
    ("dienbien_2021_2025", "periodic_return", "097", "2025Q2", "send_back",
     "Minh họa: thiếu số lũy kế 6 tháng của chỉ tiêu việc làm; đề nghị bổ sung và gửi lại"),
    ("bentre_2024_2025", "party_bodies_quarterly", "836_cap_uy", "2025Q1", "accept", ""),
)


def demo_pdf(title: str) -> bytes:
    """A tiny valid PDF whose text is ``title`` (ASCII only: the demo's report is a stand-in)."""
    text = "".join(c for c in fold_ascii(title) if c not in "()\\")[:90]
    stream = f"BT /F1 12 Tf 40 780 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def fold_ascii(text: str) -> str:
    return unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D").encode("ascii", "ignore").decode()


def load_demo_obligations(con, catalog: Catalog, seed: int = 2025) -> dict:
    """Narrative reports sent on time, late or never; reviews (accepted, sent back); congress dates."""
    from etl.narrative import submit_report
    from kpi import approval
    from kpi.obligations import obligation_rows
    from kpi.permissions import SYSTEM

    done = {"reports": 0, "reviews": 0, "events": 0}
    for unit, event, day, note in DEMO_EVENTS:
        if not con.execute("SELECT count(*) FROM unit_events WHERE unit = ? AND event = ?", [unit, event]).fetchall()[0][0]:
            con.execute("INSERT INTO unit_events VALUES (?, ?, ?, ?)", [unit, event, day, note])
            done["events"] += 1
    for plan_id, ob_id, periods in DEMO_REPORT_PLANS:
        if plan_id not in catalog.plans or ob_id not in {o.id for o in catalog.plans[plan_id].obligations}:
            continue
        for period in periods:
            rows = obligation_rows(con, plan_id, Period.parse(period), catalog=catalog, obligation=ob_id)["rows"]
            for r in rows:
                if r["reporter_level"] in ("district", "commune"):
                    continue   # their numeric returns come from split_returns
                rng = _rng(seed, "report", plan_id, ob_id, r["reporter"], period)
                draw = rng.random()
                if draw >= REPORT_ON_TIME + REPORT_LATE:
                    continue
                days = -int(rng.integers(0, 12)) if draw < REPORT_ON_TIME else int(rng.integers(1, 25))
                sent = dt.datetime.combine(r["due"] + dt.timedelta(days=days), dt.time(8 + int(rng.integers(0, 9)), 15))
                name = f"bao-cao-{r['reporter']}-{period}.pdf"
                receipt = submit_report(con, plan_id, ob_id, r["reporter"], period, name,
                                        demo_pdf(f"{r['title']} - {r['reporter_name']} - {period}"),
                                        actor=SYSTEM, uploads_dir=None, uploaded_at=sent)
                done["reports"] += int(receipt.ok and not receipt.duplicate)
    for unit, sent in DEMO_CONGRESS_PAPERS:
        plan = "laichau_daihoi_thidua_2025"
        if plan in catalog.plans:
            receipt = submit_report(con, plan, "congress_papers_before_congress", unit, "once",
                                    f"ho-so-dai-hoi-{unit}.pdf", demo_pdf(f"Ho so Dai hoi thi dua {unit}"),
                                    actor=SYSTEM, uploads_dir=None, uploaded_at=sent)
            done["reports"] += int(receipt.ok and not receipt.duplicate)
    for plan_id, ob_id, unit, period, action, reason in DEMO_REVIEWS:
        if plan_id not in catalog.plans:
            continue
        if con.execute("SELECT count(*) FROM reviews WHERE plan_id = ? AND obligation_id = ? AND unit = ? AND period = ?",
                       [plan_id, ob_id, unit, period]).fetchall()[0][0]:
            continue
        item = approval.current(con, plan_id, ob_id, unit, period)
        if not item["uploads"]:
            continue   # this seed's draw sent nothing for it
        when = item["uploads"][-1][1] + dt.timedelta(days=3)
        step = approval.accept if action == "accept" else approval.send_back
        step(con, plan_id, ob_id, unit, period, reason=reason, actor=SYSTEM, now=when)
        done["reviews"] += 1
    return done
