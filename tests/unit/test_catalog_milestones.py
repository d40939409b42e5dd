"""The milestone plans (seeds 000, 001, 003) held to the text they come from.

Each milestone's ``quote`` must be the plan's own words, its deadline the last
day of the month, quarter or year the quote names, and its responsible body
one the plan names. Deadlines the text does not give must say so in ``choice``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest

from kpi.catalog import TARGETS_DIR, Plan, load_indicators, load_plan

SEEDS = Path(__file__).resolve().parents[2] / "targets"   # plan.source is relative to targets/

PLANS = {  # plan id -> number of milestones
    "laichau_daihoi_thidua_2025": 9,
    "dienbien_tu_2025_2030": 11,
    "dienbienphu_ct41_2025": 4,
}

# (plan, milestone, deadline, responsible: words that are both in the
# milestone's `responsible` and in the seed, time: the words of the quote that
# name the deadline, or None when the text gives none and `choice` explains it)
MILESTONES = [
    ("laichau_daihoi_thidua_2025", "launch_special_drive", "2024-08-31", "các huyện, thành phố", "tháng 8 năm 2024"),
    ("laichau_daihoi_thidua_2025", "guidance_issued", "2024-06-30", "Sở Nội vụ", "Quý II năm 2024"),
    ("laichau_daihoi_thidua_2025", "ct34_review", "2024-12-31", "Sở Nội vụ", None),
    ("laichau_daihoi_thidua_2025", "provincial_congress_plan", "2024-12-31", "Sở Nội vụ", "quý IV năm 2024"),
    ("laichau_daihoi_thidua_2025", "pilot_commune", "2025-02-28", "các huyện, thành phố", "tháng 02 năm 2025"),
    ("laichau_daihoi_thidua_2025", "pilot_province", "2025-04-30", "Than Uyên", "tháng 4 năm 2025"),
    ("laichau_daihoi_thidua_2025", "pilot_province", "2025-04-30", "Sở Y tế", "tháng 4 năm 2025"),
    ("laichau_daihoi_thidua_2025", "congress_commune_enterprise", "2025-03-31", "doanh nghiệp thuộc tỉnh", "Quý I năm 2025"),
    ("laichau_daihoi_thidua_2025", "congress_commune_enterprise", "2025-03-31", "xã, phường, thị trấn", "Quý I năm 2025"),
    ("laichau_daihoi_thidua_2025", "congress_department_district", "2025-06-30", "sở, ngành tỉnh", "quý II năm 2025"),
    ("laichau_daihoi_thidua_2025", "congress_department_district", "2025-06-30", "các huyện, thành phố", "quý II năm 2025"),
    ("laichau_daihoi_thidua_2025", "congress_province", "2025-09-30", "Sở Nội vụ", "quý III năm 2025"),
    ("dienbien_tu_2025_2030", "launch", "2026-03-31", "đảng bộ trực thuộc Tỉnh ủy", "quý I năm 2026"),
    ("dienbien_tu_2025_2030", "party_members_study", "2026-12-31", "đảng bộ trực thuộc Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "contest_resolution_quiz", "2026-12-31", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "năm 2026"),
    ("dienbien_tu_2025_2030", "contest_creative_works", "2026-12-31", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "năm 2026"),
    ("dienbien_tu_2025_2030", "review_2026", "2026-12-31", "đảng bộ trực thuộc Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "review_2027", "2027-12-31", "đảng bộ trực thuộc Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "review_2028", "2028-12-31", "đảng bộ trực thuộc Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "review_2029", "2029-12-31", "đảng bộ trực thuộc Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "review_2030", "2030-12-31", "đảng bộ trực thuộc Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "midterm_review", "2028-12-31", "Ban Tuyên giáo và Dân vận Tỉnh ủy", None),
    ("dienbien_tu_2025_2030", "final_review", "2030-12-31", "Ban Tuyên giáo và Dân vận Tỉnh ủy", None),
    ("dienbienphu_ct41_2025", "briefing_city", "2025-06-30", "Ban Tuyên giáo và Dân vận Thành ủy", None),
    ("dienbienphu_ct41_2025", "briefing_units", "2025-06-30", "Ủy ban MTTQ", None),
    ("dienbienphu_ct41_2025", "report_results", "2025-06-30", "Phòng Nội vụ", None),
    ("dienbienphu_ct41_2025", "training_2025", "2025-12-31", "phường, xã", "Hàng năm"),
]

# "trong tháng 8 năm 2024", "trong Quý II năm 2024", "từ quý I năm 2026", "trong năm 2026"
TIME = re.compile(r"(?:trong|từ)\s+(?:tháng\s+(?P<month>\d{1,2})\s+|quý\s+(?P<quarter>IV|I{1,3})\s+)?"
                  r"năm\s+(?P<year>\d{4})", re.IGNORECASE)
QUARTER_END_MONTH = {"I": 3, "II": 6, "III": 9, "IV": 12}


def norm(text: str) -> str:
    """NFC, whitespace runs collapsed: page breaks in the seed copies split sentences."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_end(quote: str) -> dt.date | None:
    """The last day of the month, quarter or year a deadline phrase in ``quote`` names."""
    found = [m for m in TIME.finditer(norm(quote))]
    if not found:
        return None
    m = found[-1]                                   # the deadline closes the sentence
    year = int(m["year"])
    if m["month"]:
        return month_end(year, int(m["month"]))
    if m["quarter"]:
        return month_end(year, QUARTER_END_MONTH[m["quarter"].upper()])
    return dt.date(year, 12, 31)


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    ind_path = TARGETS_DIR / "indicators.yaml"
    # These plans hold milestones only (targets, if any, need the indicators file).
    indicators = load_indicators(ind_path) if ind_path.exists() else {}
    return {pid: load_plan(TARGETS_DIR / f"{pid}.yaml", indicators) for pid in PLANS}


@pytest.fixture(scope="module")
def seeds(plans) -> dict[str, str]:
    return {pid: norm((SEEDS / p.source).read_text(encoding="utf-8")) for pid, p in plans.items()}


def milestone(plan: Plan, ident: str):
    return next(m for m in plan.milestones if m.id == ident)


@pytest.mark.parametrize("plan_id,count", PLANS.items())
def test_milestone_count(plans, plan_id, count):
    assert len(plans[plan_id].milestones) == count


def test_table_covers_every_milestone(plans):
    listed = {(p, m) for p, m, *_ in MILESTONES}
    encoded = {(pid, m.id) for pid, p in plans.items() for m in p.milestones}
    assert listed == encoded


@pytest.mark.parametrize("plan_id,ident,deadline,responsible,time", MILESTONES,
                         ids=[f"{m}#{i}" for i, (_, m, *_) in enumerate(MILESTONES)])
def test_milestone_against_text(plans, seeds, plan_id, ident, deadline, responsible, time):
    m = milestone(plans[plan_id], ident)
    seed = seeds[plan_id]
    assert m.deadline == dt.date.fromisoformat(deadline)
    assert responsible in norm(m.responsible)
    assert responsible in seed, f"'{responsible}' is not a body the plan names"
    if time is None:
        assert m.choice, f"{ident}: the text gives no date, 'choice' must say how it was chosen"
    else:
        assert time.lower() in norm(m.quote).lower()


@pytest.mark.parametrize("plan_id", PLANS)
def test_quotes_are_verbatim(plans, seeds, plan_id):
    plan = plans[plan_id]
    for item in (*plan.targets, *plan.milestones):
        assert norm(item.quote) in seeds[plan_id], f"{plan_id}/{item.id}: quote not in {plan.source}"


@pytest.mark.parametrize("plan_id", PLANS)
def test_deadline_closes_the_period_the_text_names(plans, plan_id):
    for m in plans[plan_id].milestones:
        named = period_end(m.quote)
        if named is not None:
            assert m.deadline == named, f"{m.id}: quote names a period ending {named}"
        assert m.deadline == month_end(m.deadline.year, m.deadline.month), f"{m.id}: not a month end"
        assert plans[plan_id].start <= m.deadline.year <= plans[plan_id].end, m.id


@pytest.mark.parametrize("quote,end", [
    ("Hoàn thành trong tháng 02 năm 2025.", dt.date(2025, 2, 28)),
    ("hoàn thành trong Quý I năm 2025.", dt.date(2025, 3, 31)),
    ("báo cáo UBND tỉnh trong quý IV năm 2024.", dt.date(2024, 12, 31)),
    ("ngày 03/3/2026 ...; hoàn thành trong năm 2026.", dt.date(2026, 12, 31)),
    ("được triển khai từ quý I năm 2026 và thực hiện", dt.date(2026, 3, 31)),
    ("tổng kết vào cuối nhiệm kỳ", None),
])
def test_period_end_reader(quote, end):
    assert period_end(quote) == end


def test_laichau_sequence(plans):
    """Pilots come before the level they pilot; the province meets last."""
    d = {m.id: m.deadline for m in plans["laichau_daihoi_thidua_2025"].milestones}
    assert d["guidance_issued"] < d["pilot_commune"] <= d["congress_commune_enterprise"]
    assert d["pilot_province"] <= d["congress_department_district"] < d["congress_province"]
    assert d["provincial_congress_plan"] < d["congress_province"]


@pytest.mark.parametrize("plan_id,doc_number,doc_date,issuer,scope,period", [
    ("laichau_daihoi_thidua_2025", "", None, "UBND tỉnh Lai Châu", "12", (2024, 2025)),
    ("dienbien_tu_2025_2030", "", None, "Ban Thường vụ Tỉnh ủy Điện Biên", "11", (2026, 2030)),
    ("dienbienphu_ct41_2025", "213-KH/TU", dt.date(2025, 4, 15),
     "Ban Thường vụ Thành ủy Điện Biên Phủ", "094", (2025, 2025)),
])
def test_plan_header(plans, seeds, plan_id, doc_number, doc_date, issuer, scope, period):
    p = plans[plan_id]
    assert (p.doc_number, p.doc_date, p.issuer, p.scope_unit, (p.start, p.end)) == \
        (doc_number, doc_date, issuer, scope, period)
    if doc_number:
        assert f"Số {doc_number}" in seeds[plan_id]
    if doc_date:
        assert f"ngày {doc_date.day} tháng {doc_date.month} năm {doc_date.year}" in seeds[plan_id]
    if not (doc_number and doc_date):
        assert p.note, "a copy without number or date must say so in 'note'"


def test_dienbien_issued_after_the_programme_it_cites(plans, seeds):
    """The copy has no date; it cites a programme of 03/3/2026, which the note records."""
    assert "Chương trình hành động số 03-CTr/TU, ngày 03/3/2026" in seeds["dienbien_tu_2025_2030"]
    assert "03/3/2026" in plans["dienbien_tu_2025_2030"].note


def test_fifteen_day_rule_is_recorded(plans, seeds):
    """'gửi ... về Sở Nội vụ trước 15 ngày' is relative to each congress: kept in note and evidence."""
    assert "(Sở Nội vụ) trước 15 ngày" in seeds["laichau_daihoi_thidua_2025"]
    p = plans["laichau_daihoi_thidua_2025"]
    assert "trước 15 ngày" in norm(p.note)
    for ident in ("congress_commune_enterprise", "congress_department_district"):
        assert "15 ngày" in milestone(p, ident).evidence
