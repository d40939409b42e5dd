"""How values, targets and units read in Vietnamese on the pages and in the exports.

>>> from kpi.catalog import Indicator, Target
>>> ind = Indicator("poverty", "Tỷ lệ hộ nghèo", "%", "down", "Xã hội", decimals=2)
>>> target_text(Target("p", "t", "poverty", "level_max", "…", 2021, 2025, cmp="<", value=16), ind)
'< 16,00% (2025)'
"""

from __future__ import annotations

from kpi import progress
from kpi.catalog import Plan, Target
from kpi.fmt import fmt_number, fmt_value
from kpi.periods import Period
from kpi.units import LAST_OLD_DAY, MERGER_DAY

# The two levels of units below a province, which are never ranked together.
LEVEL_LABELS = {"district": f"Huyện, thị xã, thành phố (đến {LAST_OLD_DAY:%d/%m/%Y})",
                "commune": f"Xã, phường (từ {MERGER_DAY:%d/%m/%Y})"}


def unit_label(u: dict | None, code: str) -> str:
    if not u:
        return code
    end = f" (đến {u['valid_to']:%d/%m/%Y})" if u.get("valid_to") else ""
    return f"{u['name']}{end}"


def target_text(t: Target, ind) -> str:
    d = ind.decimals
    cmp = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< "}.get(t.cmp or "", "")
    if t.kind == "range":
        return f"{fmt_number(t.low, d)}–{fmt_value(t.high, ind.unit, d)}/năm"
    if t.kind == "relative":
        return f"{cmp}mức cả nước" if t.benchmark and t.benchmark.get("unit") == "VN" else f"{cmp}mức chuẩn"
    if t.kind == "avg_growth":
        return f"{cmp}{fmt_number(t.value, 2)}%/năm (bình quân {t.start}–{t.end})"
    if t.kind == "change":      # as written: "giảm trên 3,5 điểm %/năm", never "< -3,50 điểm %/năm"
        unit = "điểm %" if ind.is_percent else ind.unit
        return progress.change_goal(t.cmp, t.value, unit, t.soft)
    if t.kind == "sum":
        return f"{cmp}{fmt_value(t.value, ind.unit, d)} ({t.start}–{t.end})"
    if t.kind == "yearly":
        return f"{cmp}{fmt_value(t.value, ind.unit, d)}/năm"
    if t.kind == "share":
        if t.baseline is not None and abs(t.value - t.baseline.value) > 1e-9:     # the shift the plan states
            shift = t.value - t.baseline.value
            return (f"{fmt_value(t.value, ind.unit, d)} ({'giảm' if shift < 0 else 'tăng'} "
                    f"{fmt_number(abs(shift), 2)} điểm so với {t.baseline.year})")
        return f"{fmt_value(t.value, ind.unit, d)} (±{fmt_number(t.tolerance or 1, 1)})"
    return f"{cmp}{fmt_value(t.value, ind.unit, d)} ({t.end})"


def latest_text(a: progress.Assessment, t: Target, ind) -> str:
    if a.latest_value is None:
        return "–"
    if t.kind in ("avg_growth",):
        return f"{fmt_number(a.latest_value, 2)}%/năm"
    if t.kind == "change":
        x = a.latest_value
        d = 2 if ind.is_percent else max(ind.decimals, 1)
        return f"{'giảm' if x < 0 else 'tăng'} {fmt_number(abs(x), d)} {a.pace_unit.replace('/năm', '') or ind.unit}/năm"
    return fmt_value(a.latest_value, ind.unit, ind.decimals)


def source_line(plan: Plan, as_of: Period) -> str:
    return f"Nguồn: chitieu, {plan.short_title} ({plan.reference()}); số liệu đến {as_of.as_of_label()}"


def short_name(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[:limit - 2] + "…"
