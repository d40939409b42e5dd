import datetime as dt

import pytest

from kpi import repo
from kpi.store import connect
from kpi.units import (BODIES, build_units, derived_code, fold, is_valid_on, list_units, parse_kinds,
                       predecessor_links, provinces_for, split_predecessors)

UNITS = {u["code"]: u for u in build_units()}


def test_counts():
    levels = [u["level"] for u in UNITS.values()]
    assert levels.count("commune") == 10035 + 3321   # before and after 01/07/2025
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
    assert sorted(c for c, u in UNITS.items() if u["parent"] == "11" and u["level"] == "district") \
        == [f"{i:03d}" for i in range(94, 104)]


def test_fold():
    assert fold("Thành phố Điện Biên Phủ") == "thanh pho dien bien phu"



# --- communes before and after 01/07/2025 -------------------------------------------

def test_new_communes_have_derived_codes_that_cannot_be_official():
    new = [u for u in UNITS.values() if u["level"] == "commune" and u["valid_from"]]
    old = [u for u in UNITS.values() if u["level"] == "commune" and u["valid_to"]]
    assert len(new) == 3321 and len(old) == 10035
    assert all(len(u["code"]) == 5 and u["code"].isdigit() for u in old)
    assert not any(u["code"].isdigit() for u in new)
    assert all(u["code"].startswith(u["parent"] + "_") for u in new)
    assert UNITS["11_tuan_giao"]["name"] == "Xã Tuần Giáo"


def test_names_differing_only_by_accents_get_distinct_codes():
    # Cẩm Giang and Cẩm Giàng (Hải Phòng after the merger): the same folded name
    clash = sorted(c for c in UNITS if c.startswith("31_cam_giang"))
    assert len(clash) == 2 and all(len(c) == len("31_cam_giang_") + 4 for c in clash)
    again = {u["code"] for u in build_units(provinces={"31", "30"}) if u["level"] == "commune"}
    assert set(clash) <= again


def test_old_to_new_mapping_in_dien_bien():
    assert UNITS["03124"]["name"] == "Phường Noong Bua" and UNITS["03124"]["successor"] == "11_muong_thanh"
    # Nà Tòng (Tủa Chùa) and Na Tông (Điện Biên) fold to the same name: accents tell them apart
    na_tong = {u["name"]: u["successor"] for u in UNITS.values() if (u.get("parent") or "").startswith(("09", "10"))
               and fold(u["name"]) == "xa na tong"}
    assert na_tong == {"Xã Nà Tòng": "11_tua_chua", "Xã Na Tông": "11_nua_ngam"}


def test_a_split_commune_is_noted_not_guessed():
    # Hà Nội: Phường Dương Nội went partly to Tây Mỗ, Đại Mỗ, and the rest to the new Dương Nội / An Khánh
    split = [u for u in UNITS.values() if u["level"] == "commune" and u["valid_to"]
             and str(u.get("note", "")).startswith("Chia cho nhiều xã mới")]
    assert len(split) > 300
    assert all(u["successor"] is None for u in split)
    links = predecessor_links(list(UNITS.values()))
    by_old = {}
    for x in links:
        by_old.setdefault(x["old"], []).append(x)
    assert all(len(v) > 1 and all(x["split"] for x in v) for v in by_old.values() if any(x["split"] for x in v))


def test_an_ambiguous_or_misspelt_predecessor_is_noted():
    notes = [u["note"] for u in UNITS.values() if u["level"] == "commune" and u["valid_from"]]
    assert any("Không tìm thấy trong danh mục cũ: Xã Huổi Lếch" in n for n in notes)


@pytest.mark.parametrize("text, parts", [
    ("Xã Ẳng Tở, Xã Chiềng Đông", [("Xã Ẳng Tở", ""), ("Xã Chiềng Đông", "")]),
    ("Phường 8 (thành phố Cà Mau), Xã Lợi An (phần còn lại sau khi sáp nhập vào xã A, xã B)",
     [("Phường 8", "thành phố Cà Mau"), ("Xã Lợi An", "phần còn lại sau khi sáp nhập vào xã A, xã B")]),
])
def test_split_predecessors(text, parts):
    assert split_predecessors(text) == parts


def test_derived_code():
    assert derived_code("11", "Điện Biên Phủ") == "11_dien_bien_phu"


# --- bodies and groups ---------------------------------------------------------------

def test_bodies_from_the_plans_with_validity():
    assert UNITS["094_phong_noi_vu"]["valid_to"] == dt.date(2025, 6, 30)   # a city's Phòng Nội vụ
    assert UNITS["83_ban_tuyen_giao_tu"]["level"] == "party"
    assert UNITS["11_so_tttt"]["successor"] == "11_so_khcn"
    assert UNITS["11_so_nnmt"]["valid_from"] == dt.date(2025, 3, 1)
    assert all(not u["code"].isdigit() for u in UNITS.values() if u["level"] in BODIES + ("group",))


def test_provinces_for_a_merged_and_a_city_plan():
    assert provinces_for(["83", "094"]) == {"83", "84", "86", "11"}


def test_parse_kinds():
    assert parse_kinds(None) == ("country", "province", "district", "commune")
    with pytest.raises(ValueError, match="Loại đơn vị 'xa' không có"):
        parse_kinds("xa")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    db = tmp_path_factory.mktemp("units") / "u.duckdb"
    with connect(db) as con:
        repo.sync_units(con, build_units(provinces=provinces_for(["11", "83"])))
    return db


@pytest.mark.parametrize("as_of, n, level", [(dt.date(2025, 10, 1), 45, "commune"), (dt.date(2025, 6, 30), 10, "district")])
def test_dien_bien_on_a_day(registry, as_of, n, level):
    with connect(registry) as con:
        rows = list_units(con, parent="11", as_of=as_of)
    assert len(rows) == n and {r["level"] for r in rows} == {level}


def test_a_new_commune_lists_its_predecessors(registry):
    with connect(registry) as con:
        rows = {r["code"]: r for r in list_units(con, parent="11", kinds=("commune",))}
        old = {r["code"]: r for r in list_units(con, parent="099", kinds=("commune",))}
    assert rows["11_tuan_giao"]["predecessors"] == sorted(
        c for c, r in old.items() if r["name"] in ("Thị trấn Tuần Giáo", "Xã Quài Cang", "Xã Quài Nưa"))
    assert all(r["successors"] for r in old.values())
