"""Vietnamese formatting of numbers, values and dates.

Numbers follow the vi-VN locale of the Unicode CLDR, through Babel: thousands
grouped with ``.``, decimals after ``,``. Dates are dd/mm/yyyy. Counts
(``fmt_count``) never carry decimals.

>>> fmt_number(1234.5, 1)
'1.234,5'
>>> fmt_number(-0.004, 2)
'0,00'
>>> fmt_value(7.16, "%", 2)
'7,16%'
>>> fmt_value(2500, "đảng viên", 0)
'2.500 đảng viên'
>>> fmt_count(9000.0), fmt_seconds(21.94)
('9.000', '21,9 giây')
>>> parse_number("1.234,5")
1234.5
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re

from babel.numbers import format_decimal

DASH = "–"
LOCALE = "vi_VN"


def fmt_number(x: float | int | None, decimals: int | None = 1) -> str:
    """``1234.5`` → ``'1.234,5'``; None or NaN → ``'–'``.

    ``decimals=None`` prints as many as the number has (up to 6): ``120.0`` → ``'120'``.
    """
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return DASH
    pattern = "#,##0" + ("." + "#" * 6 if decimals is None else ("." + "0" * decimals if decimals > 0 else ""))
    with decimal.localcontext() as ctx:
        ctx.prec = 400          # room for any float (up to 1e308) and its decimals
        s = format_decimal(x, format=pattern, locale=LOCALE)
    if re.fullmatch(r"-0[.,]?0*", s):  # no "-0,00"
        s = s[1:]
    return s


def fmt_count(n: float | int | None) -> str:
    """A count (units, targets, people, files): never a decimal. ``9000.0`` → ``'9.000'``."""
    if n is None or (isinstance(n, float) and not math.isfinite(n)):
        return DASH
    return fmt_number(round(n), 0)


def fmt_seconds(s: float) -> str:
    """A duration for messages: ``21.94`` → ``'21,9 giây'``."""
    return f"{fmt_number(s, 1)} giây"


def fmt_value(x: float | int | None, unit: str = "", decimals: int = 1) -> str:
    """A number with its unit: ``7,16%``, ``52 triệu đồng``, ``2.500 người``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return DASH
    num = fmt_number(x, decimals)
    unit = (unit or "").strip()
    if not unit:
        return num
    if unit.startswith("%"):
        return num + unit
    return f"{num} {unit}"


def fmt_signed(x: float | None, unit: str = "", decimals: int = 1) -> str:
    """A change with its sign (the overview's "so với quý trước"): ``+1,2 điểm %``, ``-2,97 điểm %``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return DASH
    return ("+" if x > 0 else "") + fmt_value(x, unit, decimals)


def fmt_date(d: dt.date | dt.datetime | str | None) -> str:
    """``2021-02-09`` → ``09/02/2021``."""
    if d is None or d == "":
        return DASH
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return f"{d:%d/%m/%Y}"


def fmt_datetime(d: dt.datetime | None) -> str:
    if d is None:
        return DASH
    return f"{d:%d/%m/%Y %H:%M}"


_NUM = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


def parse_number(text: str) -> float:
    """Read a number written the Vietnamese way (``1.234,5``, ``12,5``, ``1.300``).

    A plain machine number (``1234.5``) is accepted too when it cannot be
    Vietnamese grouping (one dot, not followed by exactly three digits).
    Raises ValueError with the text otherwise.
    """
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        raise ValueError("ô trống")
    if _NUM.match(s):
        return float(s.replace(".", "").replace(",", "."))
    if re.fullmatch(r"[+-]?\d+\.\d+", s) and not re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", s):
        return float(s)
    raise ValueError(f"không phải số: '{text}'")
