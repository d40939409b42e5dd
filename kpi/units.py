"""Administrative units with validity dates and successors.

Built from the statistics office's district list (63 provinces, 696 former
districts, before 01/07/2025) and the merger list of 34 provinces (from
01/07/2025), both copied under ``data/reference/`` (see data/README.md).

Rules (Nghị quyết 202/2025/QH15): a province that keeps its name keeps its
code; a merged province ends on 30/06/2025 and its successor is the province
whose name the merged one took (Bến Tre 83 → Vĩnh Long 86). Former districts
end on 30/06/2025; communes then report straight to the province, so a
district's successor is its province's successor.

>>> units = {u["code"]: u for u in build_units()}
>>> units["83"]["successor"], str(units["83"]["valid_to"])
('86', '2025-06-30')
>>> units["094"]["name"], units["094"]["parent"]
('Thành phố Điện Biên Phủ', '11')
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path

REF_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
DISTRICT_CSV = "danhmuchanhchinh.gso.gov.vn_district_2025-07-18.csv"
PROVINCE_CSV = "sapnhap.bando.com.vn_province_2025-07-17.csv"
MERGER_DAY = dt.date(2025, 7, 1)
LAST_OLD_DAY = dt.date(2025, 6, 30)

LEVELS = {
    "country": "Cả nước",
    "province": "Tỉnh, thành phố",
    "district": "Huyện, thị xã, thành phố (cũ)",
    "commune": "Xã, phường, thị trấn",
    "department": "Sở, ban, ngành",
}

# Names on the merger list that differ from the statistics office's names.
_ALIASES = {"tphcm": "ho chi minh", "hue": "thua thien hue"}


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: for matching names.

    >>> fold("  Tỉnh  Điện Biên ")
    'tinh dien bien'
    """
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", s).strip().lower()


def _province_key(name: str) -> str:
    s = fold(name)
    s = re.sub(r"^(thu do|thanh pho|tinh|tp\.?)\s+", "", s)
    return _ALIASES.get(s, s)


def _short_province_name(name: str) -> str:
    return re.sub(r"^(Thủ đô|Thành phố|Tỉnh|tỉnh|thành phố)\s+", "", name.strip())


def build_units(ref_dir: Path | None = None) -> list[dict]:
    """Every unit as a dict: code, name, level, parent, valid_from, valid_to, successor, source."""
    ref_dir = ref_dir or REF_DIR
    with open(ref_dir / DISTRICT_CSV, encoding="utf-8-sig", newline="") as f:
        districts = list(csv.DictReader(f))
    with open(ref_dir / PROVINCE_CSV, encoding="utf-8", newline="") as f:
        merged = list(csv.DictReader(f))

    old = {}  # key -> (code, full name)
    for row in districts:
        old.setdefault(_province_key(row["Tỉnh / Thành Phố"]), (row["Mã TP"], row["Tỉnh / Thành Phố"]))

    successor_of: dict[str, str] = {}
    survivors: set[str] = set()
    for row in merged:
        key = _province_key(row["tentinh"])
        if key not in old:
            raise ValueError(f"Tỉnh mới '{row['tentinh']}' không khớp tên tỉnh nào trong danh mục cũ")
        new_code = old[key][0]
        survivors.add(new_code)
        before = row["truocsapnhap"].strip()
        if fold(before) == "khong sap nhap":
            continue
        for part in re.split(r",\s*|\s+và\s+", before):
            pkey = _province_key(part)
            if pkey not in old:
                raise ValueError(f"Tỉnh cũ '{part}' (trước sáp nhập của {row['tentinh']}) không có trong danh mục")
            code = old[pkey][0]
            if code != new_code:
                successor_of[code] = new_code

    src_p = f"{DISTRICT_CSV}; {PROVINCE_CSV}"
    units = [dict(code="VN", name="Cả nước", level="country", parent=None,
                  valid_from=None, valid_to=None, successor=None, source="")]
    for key, (code, full) in sorted(old.items(), key=lambda kv: kv[1][0]):
        ends = code in successor_of
        units.append(dict(
            code=code, name=_short_province_name(full), level="province", parent="VN",
            valid_from=None, valid_to=LAST_OLD_DAY if ends else None,
            successor=successor_of.get(code), source=src_p,
        ))
    prov_successor = {u["code"]: (u["successor"] or u["code"]) for u in units if u["level"] == "province"}
    for row in districts:
        units.append(dict(
            code=row["Mã"], name=row["Tên"].strip(), level="district", parent=row["Mã TP"],
            valid_from=None, valid_to=LAST_OLD_DAY, successor=prov_successor[row["Mã TP"]],
            source=DISTRICT_CSV,
        ))
    return units


def is_valid_on(unit: dict, day: dt.date) -> bool:
    start, end = unit.get("valid_from"), unit.get("valid_to")
    return (start is None or start <= day) and (end is None or day <= end)
