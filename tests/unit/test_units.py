import datetime as dt

import pytest

from kpi.units import build_units, fold, is_valid_on

UNITS = {u["code"]: u for u in build_units()}


def test_counts():
    levels = [u["level"] for u in UNITS.values()]
    assert levels.count("province") == 63
    assert levels.count("district") == 696
    assert levels.count("country") == 1
    survivors = [u for u in UNITS.values() if u["level"] == "province" and u["successor"] is None]
    assert len(survivors) == 34  # Nghị quyết 202/2025/QH15


@pytest.mark.parametrize("code, name, successor", [
    ("11", "Điện Biên", None), ("12", "Lai Châu", None), ("83", "Bến Tre", "86"), ("84", "Trà Vinh", "86"),
    ("86", "Vĩnh Long", None), ("02", "Hà Giang", "08"), ("77", "Bà Rịa - Vũng Tàu", "79"),
])
def test_provinces_and_successors(code, name, successor):
    assert UNITS[code]["name"] == name
    assert UNITS[code]["successor"] == successor


def test_districts_end_with_the_district_level():
    dbp = UNITS["094"]
    assert (dbp["name"], dbp["parent"], dbp["successor"]) == ("Thành phố Điện Biên Phủ", "11", "11")
    assert is_valid_on(dbp, dt.date(2025, 6, 30)) and not is_valid_on(dbp, dt.date(2025, 7, 1))
    assert UNITS["829"]["successor"] == "86"  # Thành phố Bến Tre → the new Vĩnh Long
    assert sorted(c for c, u in UNITS.items() if u["parent"] == "11") == [f"{i:03d}" for i in range(94, 104)]


def test_fold():
    assert fold("Thành phố Điện Biên Phủ") == "thanh pho dien bien phu"
