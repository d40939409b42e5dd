"""The shared filters: a unit's quarters reach the quarter it last sent, even past the province's."""

from etl.cli import main as etl
from kpi import filters


def test_a_unit_sees_the_quarter_it_just_sent(demo_copy, tmp_path):
    before = filters.filter_options(demo_copy)["plans"]["dienbien_2021_2025"]
    latest = before["default_as_of"]
    assert latest == "2025Q3" and before["as_of_by_unit"]["11_tuan_giao"][0] == latest
    csv = tmp_path / "q4.csv"
    csv.write_text("indicator,unit,period,value\nnew_jobs,11_tuan_giao,2025Q4-YTD,120\n", encoding="utf-8")
    assert etl(["--db", str(demo_copy), "load", str(csv)]) == 0
    p = filters.filter_options(demo_copy)["plans"]["dienbien_2021_2025"]
    assert p["as_of_by_unit"]["11_tuan_giao"][:2] == ["2025Q4", "2025Q3"]       # Xã Tuần Giáo: its own Q4
    assert p["as_of_by_unit"]["11"][0] == "2025Q3" == p["default_as_of"]  # the province: unchanged
    opts = filters.filter_options(demo_copy)
    assert filters.resolve(opts, "dienbien_2021_2025", "2025Q4", "11_tuan_giao") == ("dienbien_2021_2025", "2025Q4", "11_tuan_giao")
    assert filters.resolve(opts, "dienbien_2021_2025", "2025Q4", "11") == ("dienbien_2021_2025", "2025Q3", "11")
