"""Reporting periods: a year, a quarter, or year-to-date up to a quarter.

Written as in the bulk format and the database: ``2023``, ``2024Q2``,
``2024Q2-YTD``.

>>> p = Period.parse("2024Q2-YTD")
>>> (p.year, p.quarter, p.ytd, str(p), p.label())
(2024, 2, True, '2024Q2-YTD', 'Lũy kế 6 tháng năm 2024')
>>> Period.parse("2024").end_date().isoformat()
'2024-12-31'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_RE = re.compile(r"^\s*(\d{4})(?:\s*[Qq]([1-4])(\s*-\s*YTD)?)?\s*$", re.IGNORECASE)
_YTD_MONTHS = {1: "3 tháng", 2: "6 tháng", 3: "9 tháng", 4: "12 tháng"}


class PeriodError(ValueError):
    """A period string that is not ``YYYY``, ``YYYYQn`` or ``YYYYQn-YTD``."""


@dataclass(frozen=True)
class Period:
    """A reporting period. Ordered by its end date; at one end date a quarter comes before YTD, YTD before the year.

    ``quarter`` is None for a whole year; ``ytd`` marks a year-to-date figure
    (January to the end of ``quarter``).
    """

    year: int
    quarter: int | None = None
    ytd: bool = False

    def __post_init__(self):
        if self.quarter is None and self.ytd:
            raise PeriodError("Kỳ lũy kế phải có quý")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise PeriodError(f"Quý không hợp lệ: {self.quarter}")

    @classmethod
    def parse(cls, text: str | int) -> "Period":
        m = _RE.match(str(text))
        if not m:
            raise PeriodError(
                f"Kỳ báo cáo không hợp lệ: '{text}' (dạng đúng: 2023, 2024Q2 hoặc 2024Q2-YTD)"
            )
        year, q, ytd = m.groups()
        return cls(int(year), int(q) if q else None, bool(ytd))

    def __str__(self) -> str:
        if self.quarter is None:
            return str(self.year)
        return f"{self.year}Q{self.quarter}" + ("-YTD" if self.ytd else "")

    @property
    def kind(self) -> str:
        """'Y' for a year, 'Q' for a quarter, 'YTD' for year-to-date."""
        if self.quarter is None:
            return "Y"
        return "YTD" if self.ytd else "Q"

    def start_date(self) -> dt.date:
        if self.quarter is None or self.ytd:
            return dt.date(self.year, 1, 1)
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    def end_date(self) -> dt.date:
        if self.quarter is None:
            return dt.date(self.year, 12, 31)
        month = 3 * self.quarter
        nxt = dt.date(self.year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    def year_fraction(self) -> float:
        """Share of its year that the period covers up to its end (Q2 → 0,5)."""
        return 1.0 if self.quarter is None else self.quarter / 4

    def sort_key(self) -> tuple:
        # At the same end date a whole year or YTD is a fuller figure than a quarter.
        return (self.end_date(), {"Q": 0, "YTD": 1, "Y": 2}[self.kind])

    def __lt__(self, other: "Period") -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: "Period") -> bool:
        return self.sort_key() <= other.sort_key()

    def label(self) -> str:
        """Vietnamese label: ``Năm 2024``, ``Quý II/2024``, ``Lũy kế 6 tháng năm 2024``."""
        if self.quarter is None:
            return f"Năm {self.year}"
        if self.ytd:
            return f"Lũy kế {_YTD_MONTHS[self.quarter]} năm {self.year}"
        return f"Quý {ROMAN[self.quarter]}/{self.year}"

    def as_of_label(self) -> str:
        """How an as-of period reads in a sentence: ``Quý II/2025``, ``năm 2024``."""
        if self.quarter is None:
            return f"năm {self.year}"
        return f"Quý {ROMAN[self.quarter]}/{self.year}"


class NotAQuarter(PeriodError):
    """A valid period that is not a single quarter (``2025``, ``2025Q2-YTD``) where one is needed."""


def parse_quarter(text: str) -> Period:
    """A quarter and nothing else: ``2025Q2``. PeriodError for bad text, NotAQuarter for another kind.

    >>> str(parse_quarter("2025Q2"))
    '2025Q2'
    """
    p = Period.parse(text)
    if p.quarter is None or p.ytd:
        raise NotAQuarter(f"Kỳ phải là một quý, ví dụ 2025Q2 (nhận được '{text}')")
    return p


def quarter_of(date: dt.date) -> Period:
    return Period(date.year, (date.month - 1) // 3 + 1)


def quarters(first: int, last_year: int, last_quarter: int = 4) -> list[Period]:
    """All quarters from Q1 of ``first`` to ``last_quarter`` of ``last_year``."""
    out = []
    for y in range(first, last_year + 1):
        for q in range(1, 5):
            if (y, q) <= (last_year, last_quarter):
                out.append(Period(y, q))
    return out
