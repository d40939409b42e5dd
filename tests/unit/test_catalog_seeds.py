"""Hold the targets catalogue to the plan texts it was taken from.

The plans in ``targets/`` are transcriptions of the seed documents in
the plan texts in ``targets/sources/``: every number must be the plan's own number, every quote
the plan's own words. These tests check the two fully encoded plans:

* ``dienbien_2021_2025``: Số 383/KH-UBND ngày 09/02/2021 (seed 002), sections 1.1-1.4;
* ``bentre_2024_2025``: Ban Thường vụ Tỉnh ủy Bến Tre, cao điểm "Đồng Khởi mới" (seed 004).

>>> vi_numbers("đạt 7,16%/năm, 2.500 đảng viên, 8.000 - 8.300 lao động")
[7.16, 2500.0, 8000.0, 8300.0]
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from kpi.catalog import TARGETS_DIR, load_catalog, load_indicators, load_plan

SEEDS = Path(__file__).resolve().parents[2] / "targets"   # plan.source is relative to targets/
PLANS = ("dienbien_2021_2025", "bentre_2024_2025")


# --- helpers ------------------------------------------------------------------

def squash(text: str) -> str:
    """Collapse every run of whitespace to one space (the only normalisation allowed)."""
    return " ".join(text.split())


def vi_numbers(text: str) -> list[float]:
    """Numbers as Vietnamese writes them: ``1.300`` is 1300, ``7,16`` is 7.16.

    A dot followed by groups of exactly three digits is a thousands separator;
    a comma is the decimal mark. Superscript footnote marks are not digits.
    """
    out = []
    for tok in re.findall(r"\d+(?:[.,]\d+)*", text):
        if "," in tok:
            out.append(float(tok.replace(".", "").replace(",", ".")))
        elif "." in tok and all(len(g) == 3 for g in tok.split(".")[1:]):
            out.append(float(tok.replace(".", "")))
        else:
            out.append(float(tok))
    return out


def mentions(text: str, number: float) -> bool:
    return any(abs(n - abs(number)) < 1e-9 for n in vi_numbers(text))


# --- fixtures -----------------------------------------------------------------

@pytest.fixture(scope="module")
def indicators():
    return load_indicators(TARGETS_DIR / "indicators.yaml")


@pytest.fixture(scope="module")
def plans(indicators):
    """The two plans, loaded on their own so another plan's file cannot hide their errors."""
    return {pid: load_plan(TARGETS_DIR / f"{pid}.yaml", indicators) for pid in PLANS}


@pytest.fixture(scope="module")
def seeds(plans):
    return {pid: squash((SEEDS / p.source).read_text(encoding="utf-8")) for pid, p in plans.items()}


def all_targets(plans):
    return [t for p in plans.values() for t in p.targets]


# --- the plans' identity --------------------------------------------------------

@pytest.mark.parametrize("plan_id, field, expected", [
    ("dienbien_2021_2025", "doc_number", "383/KH-UBND"),
    ("dienbien_2021_2025", "doc_date", dt.date(2021, 2, 9)),
    ("dienbien_2021_2025", "issuer", "UBND tỉnh Điện Biên"),
    ("dienbien_2021_2025", "scope_unit", "11"),
    ("dienbien_2021_2025", "start", 2021),
    ("dienbien_2021_2025", "end", 2025),
    ("dienbien_2021_2025", "baseline_year", 2020),
    ("dienbien_2021_2025", "source", "sources/dienbien_2021_2025.txt"),
    ("bentre_2024_2025", "doc_number", ""),
    ("bentre_2024_2025", "doc_date", None),
    ("bentre_2024_2025", "issuer", "Ban Thường vụ Tỉnh ủy Bến Tre"),
    ("bentre_2024_2025", "scope_unit", "83"),
    ("bentre_2024_2025", "start", 2024),
    ("bentre_2024_2025", "end", 2025),
    ("bentre_2024_2025", "source", "sources/bentre_2024_2025.txt"),
])
def test_plan_identity(plans, plan_id, field, expected):
    assert getattr(plans[plan_id], field) == expected


def test_bentre_note_says_the_copy_has_no_number_or_date(plans):
    note = plans["bentre_2024_2025"].note
    assert "không ghi số và ngày" in note and "15/02/2024" in note


def test_seed_header_matches_dienbien_reference(plans, seeds):
    assert "Số: 383 /KH-UBND" in seeds["dienbien_2021_2025"]
    assert "ngày 09 tháng 02 năm 2021" in seeds["dienbien_2021_2025"]
    assert plans["dienbien_2021_2025"].reference() == "Số 383/KH-UBND ngày 09/02/2021 của UBND tỉnh Điện Biên"


# --- counts ---------------------------------------------------------------------

@pytest.mark.parametrize("plan_id, n_targets, n_milestones", [
    ("dienbien_2021_2025", 77, 3),
    ("bentre_2024_2025", 29, 31),
])
def test_counts_per_plan(plans, plan_id, n_targets, n_milestones):
    assert len(plans[plan_id].targets) == n_targets
    assert len(plans[plan_id].milestones) == n_milestones


@pytest.mark.parametrize("plan_id, per_section", [
    ("dienbien_2021_2025", {"1.1": 18, "1.2": 35, "1.3": 15, "1.4": 9}),
    ("bentre_2024_2025", {"2.1.1": 8, "2.1.2": 5, "2.2": 16}),
])
def test_counts_per_section(plans, plan_id, per_section):
    assert Counter(t.section for t in plans[plan_id].targets) == per_section


# --- sampled targets against the text --------------------------------------------

# plan, target id, indicator, kind, cmp, value, low, high, start, end, baseline (year, value, implied)
SAMPLES = [
    ("dienbien_2021_2025", "grdp_growth_avg", "grdp_growth", "avg_growth", ">=", 7.16, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "grdp_per_capita_2025", "grdp_per_capita", "level_min", ">", 52, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "econ_share_agriculture_2025", "econ_share_agriculture", "share", None, 16.42, None, None, 2021, 2025, (2020, 18.76, True)),
    ("dienbien_2021_2025", "econ_share_industry_construction_2025", "econ_share_industry_construction", "share", None, 21.35, None, None, 2021, 2025, (2020, 19.10, True)),
    ("dienbien_2021_2025", "econ_share_services_2025", "econ_share_services", "share", None, 59.92, None, None, 2021, 2025, (2020, 57.64, True)),
    ("dienbien_2021_2025", "econ_share_product_taxes_2025", "econ_share_product_taxes", "share", None, 2.31, None, None, 2021, 2025, (2020, 4.50, True)),
    ("dienbien_2021_2025", "budget_revenue_2025", "budget_revenue_in_province", "level_min", ">=", 2000, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "social_investment_total", "total_social_investment", "sum", ">=", 95, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "industrial_output_growth_range", "industrial_output_growth", "range", None, None, 10, 12, 2021, 2025, None),
    ("dienbien_2021_2025", "retail_sales_growth_avg", "retail_sales_growth", "avg_growth", ">=", 15.61, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "exports_total", "exports", "sum", ">=", 401, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "tourist_arrivals_2025", "tourist_arrivals", "level_min", ">=", 1300, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "population_2025", "population", "level_max", "<", 66.8, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "population_growth_yearly", "population_growth", "yearly", "<", 1.65, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "vocational_training_yearly", "vocational_trainees", "range", None, None, 8000, 8300, 2021, 2025, None),
    ("dienbien_2021_2025", "new_jobs_yearly", "new_jobs", "yearly", ">=", 9000, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "urban_unemployment_2025", "urban_unemployment_rate", "level_max", "<", 2.5, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "poor_household_rate_2025", "poor_household_rate", "level_max", "<", 16, None, None, 2021, 2025, (2020, 29.93, False)),
    ("dienbien_2021_2025", "poor_household_rate_change_avg", "poor_household_rate", "change", "<=", -2.97, None, None, 2021, 2025, (2020, 29.93, False)),
    ("dienbien_2021_2025", "poor_districts_g1_change", "poor_household_rate_poor_districts_g1", "change", "<", -4, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "poor_districts_g2_change", "poor_household_rate_poor_districts_g2", "change", "<", -3.5, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "doctors_per_10k_2025", "doctors_per_10k", "level_min", ">=", 13, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "health_insurance_2025", "health_insurance_coverage", "level_min", ">", 99, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "child_underweight_2025", "child_underweight_rate", "level_max", "<", 15, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "ntm_districts_2025", "ntm_district_count", "count", ">=", 2, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "ntm_communes_2025", "ntm_commune_count", "count", ">=", 31, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "ntm_communes_basic_2025", "ntm_commune_basic_count", "count", ">=", 21, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "ntm_communes_rate_incl_basic_2025", "ntm_commune_rate_incl_basic", "level_min", ">=", 45, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "communes_below_10_criteria_2025", "commune_below_10_criteria", "level_max", "<=", 0, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "ntm_avg_criteria_2025", "ntm_avg_criteria", "level_min", ">=", 14, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "ntm_villages_2025", "ntm_village_rate", "range", None, None, 45, 50, 2025, 2025, None),
    ("dienbien_2021_2025", "ntm_advanced_communes_2025", "ntm_advanced_commune_count", "count", ">=", 2, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "mobile_data_subscribers_2025", "mobile_data_subscriber_rate", "level_min", ">=", 71.5, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "rural_hygienic_water_2025", "rural_hygienic_water_rate", "level_min", ">", 85, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "forest_cover_2025", "forest_cover", "level_min", ">=", 45.5, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "party_org_good_yearly", "party_org_good_rate", "yearly", ">", 85, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "party_members_admitted_yearly", "party_members_admitted", "yearly", ">=", 2500, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "private_enterprise_party_orgs_yearly", "private_enterprise_party_orgs_new", "yearly", ">=", 10, None, None, 2021, 2025, None),
    ("dienbien_2021_2025", "leaders_postgraduate_2025", "leaders_postgraduate_rate", "level_min", ">=", 40, None, None, 2021, 2025, None),
    ("bentre_2024_2025", "party_members_admitted_2024", "party_members_admitted", "step", ">=", 1200, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "hamlet_clean_cells_2024", "hamlet_clean_cell_count", "step", ">=", 100, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "party_discipline_reduction_2024", "party_discipline_rate_reduction", "step", ">=", 10, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "party_org_good_2025", "party_org_good_rate", "step", ">", 90, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "party_admission_rate_2025", "party_admission_rate", "range", None, None, 3, 4, 2025, 2025, None),
    ("bentre_2024_2025", "hamlet_clean_cell_rate_2025", "hamlet_clean_cell_rate", "range", None, None, 40, 50, 2025, 2025, None),
    ("bentre_2024_2025", "official_email_use_2024", "official_email_use_rate", "step", ">=", 100, None, None, 2024, 2024, (2023, 61, False)),
    ("bentre_2024_2025", "ocop_products_online_2024", "ocop_products_online_rate", "step", ">=", 100, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "new_wards_2025", "new_wards_established", "step", ">=", 4, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "hightech_shrimp_added_2024", "hightech_shrimp_area", "change", ">=", 500, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "hightech_shrimp_area_2025", "hightech_shrimp_area", "step", ">=", 4000, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "ntm_communes_recognised_2024", "ntm_commune_count", "change", ">=", 17, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "ntm_advanced_recognised_2024", "ntm_advanced_commune_count", "change", ">=", 14, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "ntm_model_recognised_2024", "ntm_model_commune_count", "change", ">=", 5, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "gratitude_houses_2024", "gratitude_houses_built", "step", ">=", 200, None, None, 2024, 2024, None),
    ("bentre_2024_2025", "grdp_growth_above_national_2025", "grdp_growth", "relative", ">", None, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "budget_revenue_2021_2025", "budget_revenue_in_province", "sum", ">=", 35000, None, None, 2021, 2025, None),
    ("bentre_2024_2025", "social_investment_2021_2025", "total_social_investment", "sum", ">=", 130, None, None, 2021, 2025, None),
    ("bentre_2024_2025", "ntm_commune_rate_2025", "ntm_commune_rate", "step", ">=", 80, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "ntm_model_communes_2025", "ntm_model_commune_count", "step", ">=", 8, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "ntm_advanced_rate_2025", "ntm_advanced_commune_rate", "step", ">=", 40, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "poor_household_rate_change", "poor_household_rate", "change", "<=", -1, None, None, 2024, 2025, None),
    ("bentre_2024_2025", "key_projects_2025", "key_projects_completed", "step", ">=", 11, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "leading_enterprises_2025", "leading_enterprises", "step", ">=", 100, None, None, 2025, 2025, None),
    ("bentre_2024_2025", "poor_houses_program_2025", "poor_houses_program_built", "step", ">=", 2000, None, None, 2025, 2025, None),
]


@pytest.mark.parametrize(
    "plan_id, target_id, indicator, kind, cmp, value, low, high, start, end, baseline",
    SAMPLES, ids=[f"{s[0].split('_')[0]}:{s[1]}" for s in SAMPLES])
def test_sampled_target(plans, plan_id, target_id, indicator, kind, cmp, value, low, high, start, end, baseline):
    t = plans[plan_id].target(target_id)
    assert (t.indicator, t.kind, t.cmp) == (indicator, kind, cmp)
    assert (t.value, t.low, t.high) == (value, low, high)
    assert (t.start, t.end) == (start, end)
    if baseline is None:
        assert t.baseline is None
    else:
        assert (t.baseline.year, t.baseline.value, t.baseline.implied) == baseline


def test_enough_samples():
    assert len(SAMPLES) >= 25


def test_implied_share_baselines_add_up_to_100(plans):
    shares = [t for t in plans["dienbien_2021_2025"].targets if t.kind == "share"]
    assert len(shares) == 4
    assert sum(t.value for t in shares) == pytest.approx(100)
    assert sum(t.baseline.value for t in shares) == pytest.approx(100)


@pytest.mark.parametrize("plan_id, target_id, average", [
    ("dienbien_2021_2025", "party_members_admitted_yearly", True),   # "bình quân mỗi năm"
    ("dienbien_2021_2025", "new_jobs_yearly", False),                # "lao động/năm"
    ("dienbien_2021_2025", "population_growth_yearly", False),       # "hằng năm"
])
def test_yearly_average_flag(plans, plan_id, target_id, average):
    assert plans[plan_id].target(target_id).average is average


def test_soft_exactly_where_the_text_says_khoang(plans):
    for t in all_targets(plans):
        assert t.soft == ("khoảng" in t.quote), t.id


def test_grdp_benchmark_is_the_national_series(plans):
    t = plans["bentre_2024_2025"].target("grdp_growth_above_national_2025")
    assert t.benchmark == {"indicator": "grdp_growth", "unit": "VN"}


# --- quotes and numbers against the seeds -----------------------------------------

def test_every_quote_is_verbatim_in_its_seed(plans, seeds):
    missing = [f"{p.id}:{item.id}" for p in plans.values()
               for item in (*p.targets, *p.milestones)
               if squash(item.quote) not in seeds[p.id]]
    assert not missing, f"quotes not found verbatim in the seed: {missing}"


def test_every_number_is_in_its_quote_or_explained(plans):
    """value/low/high (and a baseline) appear in the quote, or the choice states the derived number."""
    bad = []
    for t in all_targets(plans):
        numbers = [t.value, t.low, t.high, t.baseline.value if t.baseline else None]
        for n in (x for x in numbers if x is not None):
            if not mentions(t.quote, n) and not mentions(t.choice, n):
                bad.append(f"{t.plan_id}:{t.id}={n}")
    assert not bad, f"numbers found neither in the quote nor in the choice: {bad}"


def test_implied_baselines_carry_their_arithmetic(plans):
    for t in all_targets(plans):
        if t.baseline and t.baseline.implied:
            assert t.choice and mentions(t.choice, t.baseline.value), t.id


@pytest.mark.parametrize("text, numbers", [
    ("7,16%/năm", [7.16]),
    ("2.500 đảng viên", [2500]),
    ("8.000 - 8.300 lao động", [8000, 8300]),
    ("<66,8 vạn dân", [66.8]),
    ("giảm từ 1%-1,5%/năm", [1, 1.5]),
    ("giao thông⁶, thủy lợi⁷", []),
    ("35.000 tỷ đồng", [35000]),
])
def test_vi_numbers(text, numbers):
    assert vi_numbers(text) == numbers


# --- milestones -------------------------------------------------------------------

@pytest.mark.parametrize("plan_id, milestone_id, deadline, responsible", [
    ("dienbien_2021_2025", "unit_plans_submitted", dt.date(2021, 3, 30), "Chủ tịch UBND các huyện"),
    ("dienbien_2021_2025", "midterm_review", dt.date(2023, 12, 31), "Sở Nội vụ"),
    ("dienbien_2021_2025", "final_review", dt.date(2025, 9, 30), "Sở Nội vụ"),
    ("bentre_2024_2025", "launch_conference", dt.date(2024, 2, 15), "Ban Thường vụ Tỉnh ủy"),
    ("bentre_2024_2025", "preliminary_review_2024", dt.date(2025, 1, 17), "Ban Tổ chức Tỉnh ủy"),
    ("bentre_2024_2025", "cong_dan_dong_khoi_2025", dt.date(2025, 1, 17), "Ủy ban nhân dân tỉnh"),
    ("bentre_2024_2025", "final_review_2025", dt.date(2025, 12, 31), "Ban Tổ chức Tỉnh ủy"),
    ("bentre_2024_2025", "ba_lai_8_bridge_start_2024", dt.date(2024, 12, 31), "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
    ("bentre_2024_2025", "investment_promotion_conference_2024", dt.date(2024, 12, 31), "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
    ("bentre_2024_2025", "admin_units_rearranged_2025", dt.date(2025, 12, 31), "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
    ("bentre_2024_2025", "mo_cay_nam_ntm_district_2024", dt.date(2024, 12, 31), "Huyện ủy Mỏ Cày Nam"),
])
def test_milestone(plans, plan_id, milestone_id, deadline, responsible):
    m = next(m for m in plans[plan_id].milestones if m.id == milestone_id)
    assert m.deadline == deadline
    assert responsible in m.responsible
    assert m.evidence


def test_milestones_without_a_named_body_say_so(plans):
    for m in plans["bentre_2024_2025"].milestones:
        if "các cấp ủy, đơn vị" in m.responsible and "Ban Thường vụ Tỉnh ủy" in m.responsible:
            assert "Mục IV không giao" in m.choice, m.id


# --- the shared indicator catalogue -------------------------------------------------

def test_every_indicator_is_used_by_some_target_or_benchmark():
    cat = load_catalog()
    used = {t.indicator for p in cat.plans.values() for t in p.targets}
    used |= {t.benchmark["indicator"] for p in cat.plans.values() for t in p.targets if t.benchmark}
    unused = sorted(set(cat.indicators) - used)
    assert not unused, f"indicators no target uses: {unused}"


@pytest.mark.parametrize("code", [
    "grdp_growth", "budget_revenue_in_province", "total_social_investment", "party_members_admitted",
    "ntm_commune_count", "ntm_advanced_commune_count", "poor_household_rate", "party_org_good_rate",
])
def test_indicator_shared_by_both_plans(plans, code):
    for p in plans.values():
        assert any(t.indicator == code for t in p.targets), (p.id, code)


def test_percent_indicators_are_bounded_where_they_are_shares(indicators):
    for ind in indicators.values():
        if ind.is_percent and ind.temporal == "stock":
            assert (ind.min, ind.max) == (0, 100), ind.code


def test_poverty_series_mark_the_2021_standard(indicators):
    for code in ("poor_household_rate", "poor_household_rate_poor_districts_g1",
                 "poor_household_rate_poor_districts_g2"):
        years = [y for y, note in indicators[code].breaks if "07/2021/NĐ-CP" in note]
        assert years == [2021], code


def test_revenue_and_poverty_definitions_keep_the_distinctions(indicators):
    assert "ngân sách địa phương" in indicators["budget_revenue_in_province"].definition
    assert "nghèo đa chiều" in indicators["poor_household_rate"].definition


def test_weights_are_indicators(indicators):
    for ind in indicators.values():
        if ind.aggregation == "weighted_mean":
            assert ind.weight in indicators, ind.code
