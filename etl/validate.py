"""Rules every incoming value passes, each giving a message that names where it was.

``where`` is how a person finds the cell: ``dòng 12`` in a CSV, ``'Biểu 01'!F12``
in a workbook. Messages are in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import asdict, dataclass, field

from kpi.catalog import Indicator
from kpi.fmt import fmt_number
from kpi.periods import Period


@dataclass
class Issue:
    level: str            # error | warning
    where: str
    message: str
    indicator: str | None = None

    def __str__(self) -> str:
        head = "Lỗi" if self.level == "error" else "Cảnh báo"
        return f"{head} tại {self.where}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Row:
    """One value ready to store."""

    indicator: str
    unit: str
    period: Period
    value: float
    status: str = "official"
    source: str = ""
    where: str = ""
    note: str = ""


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    ignored: int = 0
    rows_read: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    def error(self, where: str, message: str, indicator: str | None = None) -> None:
        self.issues.append(Issue("error", where, message, indicator))

    def warn(self, where: str, message: str, indicator: str | None = None) -> None:
        self.issues.append(Issue("warning", where, message, indicator))


MAX_MAGNITUDE = 1e15   # beyond any indicator's plausible range in its unit (GRDP in tỷ đồng is ~1e5)


def check_value(indicator: Indicator, value: float) -> str | None:
    """An error message when ``value`` cannot be a value of ``indicator``, else None.

    The same rule for every reader (CSV, XLSX number cells, numbers typed as text): not finite
    (Inf, NaN) or larger than ``MAX_MAGNITUDE`` in absolute value is refused.

    >>> ind = Indicator("x", "X", "tỷ đồng", "up", "Kinh tế")
    >>> check_value(ind, 1e308)
    'giá trị quá lớn (1e+308): vượt mọi mức hợp lý của một chỉ số (tối đa 10^15 về độ lớn)'
    >>> check_value(ind, float("nan"))
    'giá trị không hữu hạn (nan): không phải một số đo được'
    """
    if not math.isfinite(value):
        return f"giá trị không hữu hạn ({value}): không phải một số đo được"
    if abs(value) > MAX_MAGNITUDE:
        return f"giá trị quá lớn ({value:.0e}): vượt mọi mức hợp lý của một chỉ số (tối đa 10^15 về độ lớn)"
    d = None  # print the value as it came, not rounded
    if indicator.min is not None and value < indicator.min:
        if indicator.min == 0:
            return f"giá trị âm ({fmt_number(value, d)}) không thể có với chỉ số này"
        return f"giá trị {fmt_number(value, d)} nhỏ hơn mức tối thiểu {fmt_number(indicator.min, None)}"
    if indicator.max is not None and value > indicator.max:
        if indicator.is_percent and indicator.max == 100:
            return f"tỷ lệ {fmt_number(value, d)}% lớn hơn 100%"
        return f"giá trị {fmt_number(value, d)} lớn hơn mức tối đa {fmt_number(indicator.max, None)}"
    return None


def check_unit_period(unit: dict, period: Period) -> str | None:
    """An error when the unit did not exist during the period (a district after 30/06/2025)."""
    start, end = unit.get("valid_from"), unit.get("valid_to")
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    if isinstance(end, str):
        end = dt.date.fromisoformat(end)
    if end is not None and period.start_date() > end and not _followed(unit, period):
        succ = f"; đơn vị kế thừa: {unit['successor']}" if unit.get("successor") else ""
        return (f"đơn vị {unit['code']} ({unit['name']}) đã hết hiệu lực từ "
                f"{end + dt.timedelta(days=1):%d/%m/%Y}, không thể có số liệu {period.label()}{succ}")
    if start is not None and period.end_date() < start:
        return (f"đơn vị {unit['code']} ({unit['name']}) chỉ có từ {start:%d/%m/%Y}, "
                f"không thể có số liệu {period.label()}")
    return None


def _followed(unit: dict, period: Period) -> bool:
    """Issue 11: a plan follows its own territory after a merger (Bến Tre 83 until the end of 2025).
    ``plan_until`` (kpi.repo.units_by_code) is the last year of the plans whose scope is this unit."""
    return bool(unit.get("plan_until")) and period.year <= unit["plan_until"]


def old_boundary_note(unit: dict, period: Period) -> str | None:
    """The note a figure of an ended unit carries when a plan still follows that territory (None otherwise)."""
    end = unit.get("valid_to")
    if isinstance(end, str):
        end = dt.date.fromisoformat(end)
    if end is None or period.end_date() <= end or not _followed(unit, period):
        return None
    succ = f", nay thuộc {unit['successor']}" if unit.get("successor") else ""
    return (f"số liệu tính theo địa giới cũ của {unit['name']} (mã {unit['code']}, hết hiệu lực từ "
            f"{end + dt.timedelta(days=1):%d/%m/%Y}{succ}): vẫn nhận vì kế hoạch theo dõi địa bàn này "
            f"đến hết năm {unit['plan_until']}")


# --- rules that look at a unit's history ------------------------------------


def expected_range(indicator: Indicator, history: list[float]) -> tuple[float, float, str] | None:
    """The range a new value is expected in, from the unit's earlier values (oldest first).

    Three values or more: median ± 3 × MAD (scaled to a standard deviation,
    and at least 10% of the median, so a flat series does not flag every
    change). One or two: from a third to three times the last one (not for
    rates, which change sign). None when there is nothing to compare with.

    >>> ind = Indicator("jobs", "Việc làm", "lao động", "up", "Xã hội", temporal="flow")
    >>> expected_range(ind, [2000, 2200, 2100, 2300])[:2]
    (1505.0, 2795.0)
    >>> expected_range(ind, [3000])
    (1000.0, 9000.0, 'từ 1/3 đến 3 lần số kỳ trước')
    """
    vals = [float(v) for v in history if v is not None and math.isfinite(v)]
    if len(vals) >= 3:
        med = statistics.median(vals)
        spread = max(1.4826 * statistics.median(abs(v - med) for v in vals), 0.1 * abs(med))
        if spread == 0:
            return None
        lo, hi, basis = med - 3 * spread, med + 3 * spread, f"trung vị {len(vals)} kỳ trước ± 3 độ lệch"
    elif vals and vals[-1] > 0 and indicator.temporal != "rate":
        lo, hi, basis = vals[-1] / 3, vals[-1] * 3, "từ 1/3 đến 3 lần số kỳ trước"
    else:
        return None
    if indicator.min is not None:
        lo = max(lo, indicator.min)
    if indicator.max is not None:
        hi = min(hi, indicator.max)
    return lo, hi, basis


def check_outlier(indicator: Indicator, value: float, history: list[float]) -> str | None:
    """A warning when ``value`` is far from the unit's history, giving the range expected."""
    r = expected_range(indicator, history)
    if r is None or r[0] <= value <= r[1]:
        return None
    lo, hi, basis = r
    d = indicator.decimals
    return (f"giá trị {fmt_number(value, None)} khác xa số liệu trước đây của đơn vị: dự kiến trong khoảng "
            f"{fmt_number(lo, d)} – {fmt_number(hi, d)} ({basis}). Kiểm tra lại số và đơn vị tính "
            f"({indicator.unit}).")


def check_ytd_not_lower(indicator: Indicator, value: float, previous: float, previous_period: Period) -> str | None:
    """An error when a flow's year-to-date falls below the previous quarter's year-to-date.

    Amounts added up since January cannot fall (unless the indicator allows
    negative amounts).
    """
    if indicator.temporal != "flow" or (indicator.min is not None and indicator.min < 0):
        return None
    if value >= previous - 1e-9 * max(1.0, abs(previous)):
        return None
    return (f"lũy kế từ đầu năm ({fmt_number(value, None)}) thấp hơn lũy kế đã báo cáo đến quý trước "
            f"({fmt_number(previous, None)}, {previous_period.label()}): số cộng dồn từ đầu năm không thể giảm")
