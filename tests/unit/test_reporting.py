"""Returns received, late and missing (kpi.reporting), and the default as-of."""

import datetime as dt

import pandas as pd

from etl.load import write
from etl.validate import Checked, Row
from kpi import permissions
from kpi.assess import default_as_of
from kpi.catalog import Plan
from kpi.periods import Period
from kpi.repo import catalog_from_db
from kpi.reporting import due_days, reporting_table

PLAN = Plan(id="p", title="Kế hoạch", short_title="KH", doc_number="", doc_date=None, issuer="UBND",
            scope_unit="11", start=2024, end=2025, source="")
UNITS = {c: {"code": c, "name": f"Đơn vị {c}", "level": "district", "parent": "11", "valid_from": None,
             "valid_to": dt.date(2025, 6, 30)} for c in ("094", "099")}


def _uploads(rows):
    return pd.DataFrame(rows, columns=["unit", "period", "uploaded_at", "status", "format"])


def test_reporting_counts_on_time_late_and_missing():
    due = Period.parse("2024Q2").end_date() + dt.timedelta(days=due_days())
    ups = _uploads([
        ("094", "2024Q1", dt.datetime(2024, 4, 10), "committed", "return"),
        ("099", "2024Q1", dt.datetime(2024, 4, 20), "committed", "return"),        # late
        ("094", "2024Q2", dt.datetime.combine(due, dt.time(9)), "committed", "return"),
        ("099", "2024Q2", dt.datetime(2024, 7, 1), "rolled_back", "return"),       # withdrawn: not sent
    ])
    rep = reporting_table(PLAN, UNITS, ups, ["094", "099"], Period.parse("2024Q2"))
    assert rep["by_period"] == [
        {"period": "Quý I/2024", "on_time": 1, "late": 1, "missing": 0, "expected": 2},
        {"period": "Quý II/2024", "on_time": 1, "late": 0, "missing": 1, "expected": 2},
    ]
    assert list(rep["missing"]["Đơn vị"]) == ["Đơn vị 099"]
    assert list(rep["late"]["Trễ (ngày)"]) == [5]


def test_reporting_ignores_other_plans_units_and_starts_with_the_first_return():
    ups = _uploads([
        ("829", "2021Q1", dt.datetime(2021, 4, 5), "committed", "return"),   # a Bến Tre unit, long before
        ("094", "2025Q1", dt.datetime(2025, 4, 5), "committed", "return"),
    ])
    rep = reporting_table(PLAN, UNITS, ups, ["094", "099"], Period.parse("2025Q2"))
    assert [r["period"] for r in rep["by_period"]] == ["Quý I/2025", "Quý II/2025"]
    assert reporting_table(PLAN, UNITS, _uploads([]), ["094"], Period.parse("2025Q2"))["by_period"] == []


def test_a_yearly_estimate_does_not_move_the_default_as_of(con):
    def load(*rows):
        checked = Checked(rows=[Row(i, "11", Period.parse(p), v, s) for i, p, v, s in rows], rows_read=len(rows))
        assert write(con, checked, file_name="x.csv", data=None, fmt="bulk", actor=permissions.LOCAL_ADMIN).ok

    plan = catalog_from_db(con).plan("mini_2021_2025")
    load(("new_jobs", "2025Q2-YTD", 4000, "preliminary"), ("new_jobs", "2025", 9100, "estimate"))
    assert default_as_of(con, plan) == Period(2025, 2)
    load(("new_jobs", "2025", 9300, "official"))
    assert default_as_of(con, plan) == Period(2025, 4)
