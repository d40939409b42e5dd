"""Rules every incoming value passes, each giving a message that names where it was.

``where`` is how a person finds the cell: ``dòng 12`` in a CSV, ``'Biểu 01'!F12``
in a workbook. Messages are in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import math
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


def check_value(indicator: Indicator, value: float) -> str | None:
    """An error message when ``value`` cannot be a value of ``indicator``, else None."""
    if not math.isfinite(value):
        return "giá trị không hữu hạn"
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
    if end is not None and period.start_date() > end:
        succ = f"; đơn vị kế thừa: {unit['successor']}" if unit.get("successor") else ""
        return (f"đơn vị {unit['code']} ({unit['name']}) đã hết hiệu lực từ "
                f"{end + dt.timedelta(days=1):%d/%m/%Y}, không thể có số liệu {period.label()}{succ}")
    if start is not None and period.end_date() < start:
        return (f"đơn vị {unit['code']} ({unit['name']}) chỉ có từ {start:%d/%m/%Y}, "
                f"không thể có số liệu {period.label()}")
    return None
