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
import hashlib
import datetime as dt
import re
import unicodedata
from pathlib import Path

REF_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
DISTRICT_CSV = "danhmuchanhchinh.gso.gov.vn_district_2025-07-18.csv"
PROVINCE_CSV = "sapnhap.bando.com.vn_province_2025-07-17.csv"
MERGER_DAY = dt.date(2025, 7, 1)
LAST_OLD_DAY = dt.date(2025, 6, 30)

WARD_OLD_CSV = "danhmuchanhchinh.gso.gov.vn_ward_2025-07-18.csv"
WARD_NEW_CSV = "sapnhap.bando.com.vn_ward_2025-07-17.csv"
BODIES_CSV = "bodies.csv"

LEVELS = {
    "country": "Cả nước",
    "province": "Tỉnh, thành phố",
    "district": "Huyện, thị xã, thành phố (cũ)",
    "commune": "Xã, phường, thị trấn",
    "department": "Sở, ban, ngành",
    "party": "Cấp ủy, ban đảng, ban cán sự đảng, đảng đoàn",
    "mass_org": "Mặt trận, đoàn thể",
    "government": "Ủy ban nhân dân, Hội đồng Thi đua - Khen thưởng",
    "group": "Cụm, khối thi đua",
}
TERRITORIES = ("country", "province", "district", "commune")
BODIES = ("department", "party", "mass_org", "government")

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


def build_units(ref_dir: Path | None = None, *, communes: bool = True, bodies: bool = True,
                provinces=None) -> list[dict]:
    """Every unit as a dict: code, name, level, parent, valid_from, valid_to, successor, source, note.

    Provinces and former districts, then (``communes``) the communes before and
    after 01/07/2025 with the old → new mapping (:func:`build_communes`), then
    (``bodies``) the departments, Party bodies, mass organisations and groups of
    ``bodies.csv`` (:func:`read_bodies`). ``provinces`` (codes, old or new)
    keeps only the communes of those provinces: see :func:`provinces_for`.
    """
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
    if communes:
        keep = None
        if provinces is not None:
            keep = set(provinces)
            keep |= {c for c, s in prov_successor.items() if s in keep or c in keep} | {prov_successor[c] for c in keep
                                                                                       if c in prov_successor}
        units.extend(build_communes(ref_dir, prov_successor, {key: code for key, (code, _f) in old.items()}, keep))
    if bodies:
        units.extend(read_bodies(ref_dir))
    _check_codes(units)
    return units


def is_valid_on(unit: dict, day: dt.date) -> bool:
    start, end = unit.get("valid_from"), unit.get("valid_to")
    return (start is None or start <= day) and (end is None or day <= end)


# --- communes before and after 01/07/2025 ----------------------------------------
#
# Before: the statistics office's list (5-digit official codes, parent = the
# former district), valid until 30/06/2025.
# After: the merger map's 3.321 communes, which carry no official code. Their
# code is DERIVED: ``<province code>_<name folded to ascii, words joined by _>``,
# e.g. ``11_tuan_giao`` for Xã Tuần Giáo of Điện Biên. Two names of a province
# that differ only by accents (Cẩm Giang, Cẩm Giàng) both get ``_`` and the first
# 4 hex digits of the SHA-1 of the exact name (NFC): ``31_cam_giang_xxxx``. It is
# stable (the same list gives the same code), unique (the build checks it) and can never collide with an official code, which is digits
# only. Parent = the province, valid from 01/07/2025.
# The mapping: each new commune's ``truocsapnhap`` lists its predecessors by
# name ("Xã Ẳng Tở, Xã Chiềng Đông, Xã Búng Lao"; "Phường 8 (thành phố Cà Mau)"
# names the district when the name repeats). Each name is looked up among the
# old communes of the provinces that merged into the new one. An old commune
# found in exactly one new commune gets it as ``successor``; one found in
# several (split between successors, often written "(phần còn lại sau khi sáp
# nhập vào …)") gets no successor and a note listing them all; a name matching
# several old communes is not guessed (noted on the new commune).

_PART_RE = re.compile(r"\(([^()]*)\)")


def derived_code(province: str, name: str) -> str:
    """The derived code of a commune after 01/07/2025.

    >>> derived_code("11", "Tuần Giáo")
    '11_tuan_giao'
    """
    return f"{province}_" + re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")


def split_predecessors(text: str) -> list[tuple[str, str]]:
    """``truocsapnhap`` → [(name, text in brackets)], splitting on commas outside brackets.

    >>> split_predecessors("Xã Lợi An (phần còn lại sau khi sáp nhập vào xã A, xã B), Phường 8 (thành phố Cà Mau)")
    [('Xã Lợi An', 'phần còn lại sau khi sáp nhập vào xã A, xã B'), ('Phường 8', 'thành phố Cà Mau')]
    """
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        m = _PART_RE.search(part)
        out.append((_PART_RE.sub("", part).strip(), m.group(1).strip() if m else ""))
    return out


def _name_key(name: str) -> str:
    """Name with its type, folded; leading zeros of numbered wards dropped ("Phường 08" = "Phường 8")."""
    return re.sub(r"\b0+(\d)", r"\1", fold(name))


def _exact_key(name: str) -> str:
    return re.sub(r"\b0+(\d)", r"\1", re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().lower())


def build_communes(ref_dir: Path, prov_successor: dict[str, str], province_by_key: dict[str, str],
                   keep: set | None = None) -> list[dict]:
    with open(ref_dir / WARD_OLD_CSV, encoding="utf-8-sig", newline="") as f:
        old_rows = [r for r in csv.DictReader(f) if keep is None or r["Mã TP"] in keep]
    with open(ref_dir / WARD_NEW_CSV, encoding="utf-8", newline="") as f:
        new_rows = [r for r in csv.DictReader(f)
                    if keep is None or province_by_key.get(_province_key(r["tentinh"])) in keep]

    olds: dict[str, dict] = {}
    index: dict[tuple[str, str], list[str]] = {}   # (new province, name key) -> old codes
    exact: dict[tuple[str, str], list[str]] = {}   # the same with accents kept (Na Tông ≠ Nà Tòng)
    for r in old_rows:
        code = r["Mã"].strip()
        olds[code] = dict(code=code, name=r["Tên"].strip(), level="commune", parent=r["Mã QH"].strip(),
                          valid_from=None, valid_to=LAST_OLD_DAY, successor=None, source=WARD_OLD_CSV,
                          note="", district_name=r["Quận Huyện"].strip())
        index.setdefault((prov_successor[r["Mã TP"]], _name_key(r["Tên"])), []).append(code)
        exact.setdefault((prov_successor[r["Mã TP"]], _exact_key(r["Tên"])), []).append(code)

    news, taken_by = [], {}   # taken_by: old code -> new codes that list it
    slugs: dict[tuple[str, str], set] = {}
    for r in new_rows:
        prov = province_by_key.get(_province_key(r["tentinh"]))
        slugs.setdefault((prov, derived_code(prov or "", r["tenhc"])), set()).add(r["tenhc"].strip())
    clashes = {k for k, names in slugs.items() if len(names) > 1}
    for r in new_rows:
        prov = province_by_key.get(_province_key(r["tentinh"]))
        if prov is None:
            raise ValueError(f"{WARD_NEW_CSV}: tỉnh '{r['tentinh']}' (dòng id {r['id']}) không có trong danh mục")
        name = f"{r['loai'].strip().capitalize()} {r['tenhc'].strip()}"
        code = derived_code(prov, r["tenhc"])
        if (prov, code) in clashes:
            code += "_" + hashlib.sha1(unicodedata.normalize("NFC", r["tenhc"].strip()).encode()).hexdigest()[:4]
        unmatched, ambiguous = [], []
        parts = split_predecessors(r["truocsapnhap"])
        if fold(r["truocsapnhap"]) == "khong sap nhap":   # kept as it was: its own name
            parts = [(name, "")]
        for part, hint in parts:
            cands = exact.get((prov, _exact_key(part))) or index.get((prov, _name_key(part)), [])
            if len(cands) > 1 and hint and not hint.startswith("phần còn lại"):
                cands = [c for c in cands if fold(hint) in fold(olds[c]["district_name"])] or cands
            if len(cands) == 1:
                taken_by.setdefault(cands[0], []).append(code)
            elif cands:
                ambiguous.append(f"{part} ({len(cands)} xã cùng tên: {', '.join(cands)})")
            else:
                unmatched.append(part)
        note = []
        if ambiguous:
            note.append("Trùng tên, không đoán: " + "; ".join(ambiguous))
        if unmatched:
            note.append("Không tìm thấy trong danh mục cũ: " + ", ".join(unmatched))
        news.append(dict(code=code, name=name, level="commune", parent=prov, valid_from=MERGER_DAY,
                         valid_to=None, successor=None, source=WARD_NEW_CSV,
                         note=("Mã tự đặt (không phải mã chính thức). " + " ".join(note)).strip(),
                         predecessors_text=r["truocsapnhap"].strip()))
    names = {u["code"]: u["name"] for u in news}
    for old_code, new_codes in taken_by.items():
        new_codes = sorted(set(new_codes))
        if len(new_codes) == 1:
            olds[old_code]["successor"] = new_codes[0]
        else:
            olds[old_code]["note"] = ("Chia cho nhiều xã mới: "
                                      + ", ".join(f"{names[c]} ({c})" for c in new_codes))
    for u in olds.values():
        u.pop("district_name")
    return list(olds.values()) + news


def predecessor_links(units: list[dict]) -> list[dict]:
    """Old → new links: one row per (old commune, new commune), ``split`` when the old one went to several."""
    succ: dict[str, list[str]] = {}
    for u in units:
        if u["level"] == "commune" and u.get("successor"):
            succ.setdefault(u["code"], []).append(u["successor"])
        elif u["level"] == "commune" and str(u.get("note", "")).startswith("Chia cho nhiều xã mới: "):
            succ[u["code"]] = re.findall(r"\(([^()]+)\)", u["note"])
    return [{"old": o, "new": n, "split": len(ns) > 1} for o, ns in sorted(succ.items()) for n in ns]


# --- bodies that are not territories, and groups -----------------------------------
#
# ``bodies.csv`` (made by hand from the five plans and the 2025 reorganisation;
# its ``source`` column says where each row comes from). Codes are derived
# like new communes': ``<province or former district>_<short name folded>``,
# never digits only. ``members`` (groups only) lists member codes, space-separated.


def read_bodies(ref_dir: Path) -> list[dict]:
    out = []
    with open(ref_dir / BODIES_CSV, encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            if r["level"] not in LEVELS or r["level"] in TERRITORIES:
                raise ValueError(f"{BODIES_CSV}, dòng {i}: loại '{r['level']}' không hợp lệ")
            if r["code"].isdigit():
                raise ValueError(f"{BODIES_CSV}, dòng {i}: mã '{r['code']}' toàn chữ số, trùng kiểu mã chính thức")
            out.append(dict(
                code=r["code"], name=r["name"].strip(), level=r["level"], parent=r["parent"] or None,
                valid_from=dt.date.fromisoformat(r["valid_from"]) if r["valid_from"] else None,
                valid_to=dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
                successor=r["successor"] or None, source=r["source"], note=r["note"],
                members=r["members"].split()))
    return out


def _check_codes(units: list[dict]) -> None:
    seen: dict[str, str] = {}
    for u in units:
        if u["code"] in seen:
            raise ValueError(f"Mã đơn vị '{u['code']}' trùng: {seen[u['code']]} và {u['name']}")
        seen[u["code"]] = u["name"]
    for u in units:
        for ref in ("parent", "successor"):
            if u.get(ref) and u[ref] not in seen:
                raise ValueError(f"Đơn vị {u['code']} ({u['name']}): '{ref}' = '{u[ref]}' không có trong danh mục")
        for m in u.get("members") or ():
            if m not in seen:
                raise ValueError(f"Nhóm {u['code']} ({u['name']}): thành viên '{m}' không có trong danh mục")


def provinces_for(scope_units, ref_dir: Path | None = None) -> set[str]:
    """The provinces whose communes the plans need: each scope unit's province (a former
    district's province for a city plan), with its successor and the successor's predecessors.

    >>> sorted(provinces_for(["83", "094"]))
    ['11', '83', '84', '86']
    """
    base = {u["code"]: u for u in build_units(ref_dir, communes=False, bodies=False)}
    out = set()
    for code in scope_units:
        u = base.get(code)
        while u is not None and u["level"] not in ("province", "country"):
            u = base.get(u["parent"])
        if u is None or u["level"] != "province":
            continue
        new = u["successor"] or u["code"]
        out |= {new} | {c for c, v in base.items() if v["level"] == "province" and v["successor"] == new}
    return out


# --- reading the registry from the store ---------------------------------------------

KIND_ALIASES = {"territory": TERRITORIES, "body": BODIES, "all": tuple(LEVELS)}


class UnknownUnit(KeyError):
    """A unit code the registry does not have (message in Vietnamese)."""

    def __str__(self) -> str:
        return str(self.args[0])


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """``--kind`` → levels: names of ``LEVELS``, comma-separated, or ``territory``, ``body``, ``all``.

    >>> parse_kinds("commune,body")
    ('commune', 'department', 'party', 'mass_org', 'government')
    """
    if not text:
        return TERRITORIES
    out: list[str] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if part in KIND_ALIASES:
            out.extend(KIND_ALIASES[part])
        elif part in LEVELS:
            out.append(part)
        else:
            known = ", ".join(list(LEVELS) + list(KIND_ALIASES))
            raise ValueError(f"Loại đơn vị '{part}' không có; các loại: {known}")
    return tuple(dict.fromkeys(out))


def list_units(con, parent: str | None = None, as_of: dt.date | None = None,
               kinds: tuple[str, ...] = TERRITORIES) -> list[dict]:
    """Units of ``kinds`` (under ``parent``, valid on ``as_of``), each with its predecessors,
    successors (several when it was split) and, for a group, its members. Sorted by level, then name.
    """
    if parent is not None and not con.execute("SELECT count(*) FROM units WHERE code = ?", [parent]).fetchall()[0][0]:
        raise UnknownUnit(f"Không có đơn vị mã '{parent}' trong danh mục")
    sql = "SELECT * FROM units WHERE list_contains(?, level)"
    params: list = [list(kinds)]
    if parent is not None:
        sql += " AND parent = ?"
        params.append(parent)
    if as_of is not None:
        sql += " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)"
        params += [as_of, as_of]
    cur = con.execute(sql + " ORDER BY code", params)
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    codes = [r["code"] for r in rows]
    before: dict[str, list] = {}
    after: dict[str, list] = {}
    for old, new, split in con.execute("SELECT old, new, split FROM unit_links WHERE list_contains(?, old) "
                                       "OR list_contains(?, new) ORDER BY old, new", [codes, codes]).fetchall():
        before.setdefault(new, []).append(old)
        after.setdefault(old, []).append(new)
    members: dict[str, list] = {}
    for grp, m in con.execute("SELECT grp, member FROM unit_members WHERE list_contains(?, grp) ORDER BY member",
                              [codes]).fetchall():
        members.setdefault(grp, []).append(m)
    order = {k: i for i, k in enumerate(LEVELS)}
    for r in rows:
        r["level_label"] = LEVELS.get(r["level"], r["level"])
        r["predecessors"] = before.get(r["code"], [])
        r["successors"] = after.get(r["code"], [r["successor"]] if r["successor"] else [])
        if r["level"] == "group":
            r["members"] = members.get(r["code"], [])
    return sorted(rows, key=lambda r: (order.get(r["level"], 99), fold(r["name"]), r["code"]))
