import datetime as dt
import math

import pytest

from kpi.fmt import fmt_count, fmt_date, fmt_number, fmt_seconds, fmt_signed, fmt_value, parse_number


@pytest.mark.parametrize("x, d, out", [
    (1234.5, 1, "1.234,5"),
    (1300, 0, "1.300"),
    (7.16, 2, "7,16"),
    (95000, 0, "95.000"),
    (-2.97, 2, "-2,97"),
    (-0.0001, 2, "0,00"),
    (1234567.891, 2, "1.234.567,89"),
    (120.0, None, "120"),
    (1234.5678, None, "1.234,5678"),
    (None, 1, "–"),
    (math.nan, 1, "–"),
])
def test_fmt_number(x, d, out):
    assert fmt_number(x, d) == out


@pytest.mark.parametrize("x, unit, d, out", [
    (7.16, "%", 2, "7,16%"),
    (52, "triệu đồng", 0, "52 triệu đồng"),
    (2500, "đảng viên", 0, "2.500 đảng viên"),
    (13, "bác sĩ/1 vạn dân", 0, "13 bác sĩ/1 vạn dân"),
])
def test_fmt_value(x, unit, d, out):
    assert fmt_value(x, unit, d) == out


def test_fmt_date():
    assert fmt_date(dt.date(2021, 2, 9)) == "09/02/2021"
    assert fmt_date("2025-09-30") == "30/09/2025"


@pytest.mark.parametrize("text, value", [
    ("1.234,5", 1234.5), ("12,5", 12.5), ("1.300", 1300.0), ("2.000.000", 2e6),
    ("7.16", 7.16), ("-2,97", -2.97), (" 45,5 ", 45.5), ("1234", 1234.0), ("0,37", 0.37),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12.34.5", "1.2345.6", "5%"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("x, out", [(9000.0, "9.000"), (7, "7"), (1234567, "1.234.567"), (2.6, "3"), (None, "–")])
def test_counts_have_no_decimals(x, out):
    assert fmt_count(x) == out


def test_no_english_decimal_point_anywhere():
    """Babel's vi-VN: a comma before decimals, a dot between thousands, whatever the process locale."""
    assert fmt_seconds(21.94) == "21,9 giây"
    assert fmt_number(0.5, 2) == "0,50" and fmt_number(1000.25, 2) == "1.000,25"
    assert "." not in fmt_number(21.9, 1)


def test_signed_change():
    assert fmt_signed(1.2, "điểm %", 1) == "+1,2 điểm %" and fmt_signed(-2.97, "điểm %", 2) == "-2,97 điểm %"
    assert fmt_signed(0.0, "xã", 0) == "0 xã"
