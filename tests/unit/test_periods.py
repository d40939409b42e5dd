import datetime as dt

import pytest

from kpi.periods import Period, PeriodError, quarters


@pytest.mark.parametrize("text, year, quarter, ytd, kind, label", [
    ("2023", 2023, None, False, "Y", "Năm 2023"),
    ("2024Q2", 2024, 2, False, "Q", "Quý II/2024"),
    ("2024q4", 2024, 4, False, "Q", "Quý IV/2024"),
    ("2024Q2-YTD", 2024, 2, True, "YTD", "Lũy kế 6 tháng năm 2024"),
    (" 2025Q3 - ytd ", 2025, 3, True, "YTD", "Lũy kế 9 tháng năm 2025"),
    (2021, 2021, None, False, "Y", "Năm 2021"),
])
def test_parse(text, year, quarter, ytd, kind, label):
    p = Period.parse(text)
    assert (p.year, p.quarter, p.ytd, p.kind, p.label()) == (year, quarter, ytd, kind, label)
    assert Period.parse(str(p)) == p


@pytest.mark.parametrize("text", ["", "2024Q5", "2024Q0", "24Q1", "2024-YTD", "Q2 2024", "2024Q2YTD-"])
def test_parse_rejects(text):
    with pytest.raises(PeriodError, match="Kỳ báo cáo không hợp lệ"):
        Period.parse(text)


@pytest.mark.parametrize("text, start, end", [
    ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ("2024Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("2024Q3", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    ("2024Q3-YTD", dt.date(2024, 1, 1), dt.date(2024, 9, 30)),
    ("2024Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
])
def test_dates(text, start, end):
    p = Period.parse(text)
    assert (p.start_date(), p.end_date()) == (start, end)


def test_order_is_by_end_date_then_fullness():
    ps = [Period.parse(x) for x in ["2024", "2024Q4-YTD", "2024Q4", "2023", "2024Q1"]]
    assert [str(p) for p in sorted(ps)] == ["2023", "2024Q1", "2024Q4", "2024Q4-YTD", "2024"]


def test_quarters():
    assert [str(q) for q in quarters(2024, 2025, 2)] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
