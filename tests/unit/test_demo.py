"""The demo data generator (etl/demo.py): deterministic, well-formed, plausible.

Most tests run on a small catalogue written to a temporary folder, so they do
not depend on the real plan files; the last ones run on ``targets/``.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from etl import demo
from kpi.catalog import TARGETS_DIR, load_catalog
from kpi.periods import Period

ROOT = Path(__file__).resolve().parents[2]
THROUGH = "2025Q3"

INDICATORS = """
indicators:
  grdp_growth: {name: Tốc độ tăng trưởng GRDP, unit: "%", direction: up, aggregation: none,
                temporal: rate, area: Kinh tế, decimals: 2}
  grdp_per_capita: {name: GRDP bình quân đầu người, unit: triệu đồng, direction: up,
                    aggregation: none, temporal: flow, area: Kinh tế, decimals: 1, min: 0}
  share_agri: {name: Tỷ trọng nông nghiệp trong GRDP, unit: "%", direction: neither, aggregation: none,
               temporal: stock, area: Kinh tế, decimals: 2, min: 0, max: 100}
  share_ind: {name: Tỷ trọng công nghiệp - xây dựng trong GRDP, unit: "%", direction: neither,
              aggregation: none, temporal: stock, area: Kinh tế, decimals: 2, min: 0, max: 100}
  share_serv: {name: Tỷ trọng dịch vụ trong GRDP, unit: "%", direction: neither, aggregation: none,
               temporal: stock, area: Kinh tế, decimals: 2, min: 0, max: 100}
  share_tax: {name: Tỷ trọng thuế sản phẩm trong GRDP, unit: "%", direction: neither, aggregation: none,
              temporal: stock, area: Kinh tế, decimals: 2, min: 0, max: 100}
  budget_revenue: {name: Thu ngân sách nhà nước trên địa bàn, unit: tỷ đồng, direction: up,
                   aggregation: sum, temporal: flow, area: Kinh tế, decimals: 0, min: 0}
  investment: {name: Tổng vốn đầu tư toàn xã hội, unit: nghìn tỷ đồng, direction: up,
               aggregation: sum, temporal: flow, area: Kinh tế, decimals: 1, min: 0}
  grain_output: {name: Tổng sản lượng lương thực có hạt, unit: nghìn tấn, direction: up,
                 aggregation: sum, temporal: flow, area: Kinh tế, decimals: 1, min: 0}
  herd_growth: {name: Tốc độ tăng đàn gia súc, unit: "%", direction: up, aggregation: none,
                temporal: rate, area: Kinh tế, decimals: 2}
  industry_growth: {name: Tốc độ tăng giá trị sản xuất công nghiệp, unit: "%", direction: up,
                    aggregation: none, temporal: rate, area: Kinh tế, decimals: 2}
  retail_sales: {name: Tổng mức bán lẻ hàng hóa, unit: tỷ đồng, direction: up, aggregation: sum,
                 temporal: flow, area: Kinh tế, decimals: 0, min: 0}
  population: {name: Quy mô dân số trung bình, unit: vạn người, direction: neither, aggregation: sum,
               temporal: stock, area: Xã hội, decimals: 2, min: 0}
  trainees: {name: Số lao động được đào tạo nghề, unit: lao động, direction: up, aggregation: sum,
             temporal: flow, area: Xã hội, decimals: 0, min: 0}
  new_jobs: {name: Số lao động được tạo việc làm mới, unit: lao động, direction: up, aggregation: sum,
             temporal: flow, area: Xã hội, decimals: 0, min: 0}
  poor_rate: {name: Tỷ lệ hộ nghèo (chuẩn nghèo tiếp cận đa chiều), unit: "%", direction: down,
              aggregation: none, temporal: stock, area: Xã hội, decimals: 2, min: 0, max: 100}
  poor_rate_g1: {name: Tỷ lệ hộ nghèo các huyện nghèo nhóm 1, unit: "%", direction: down,
                 aggregation: mean, temporal: stock, area: Xã hội, decimals: 2, min: 0, max: 100}
  insurance: {name: Tỷ lệ người dân tham gia bảo hiểm y tế, unit: "%", direction: up,
              aggregation: weighted_mean, weight: population, temporal: stock, area: Xã hội,
              decimals: 1, min: 0, max: 100}
  unemployment: {name: Tỷ lệ thất nghiệp khu vực thành thị, unit: "%", direction: down,
                 aggregation: none, temporal: stock, area: Xã hội, decimals: 2, min: 0, max: 100}
  ntm_communes: {name: Số xã đạt chuẩn nông thôn mới, unit: xã, direction: up, aggregation: sum,
                 temporal: stock, area: Xã hội, decimals: 0, min: 0}
  forest_cover: {name: Tỷ lệ che phủ rừng, unit: "%", direction: up, aggregation: none,
                 temporal: stock, area: Hạ tầng - Môi trường, decimals: 1, min: 0, max: 100}
  party_good: {name: Tỷ lệ tổ chức đảng hoàn thành tốt nhiệm vụ, unit: "%", direction: up,
               aggregation: none, temporal: stock, area: Xây dựng Đảng, decimals: 1, min: 0, max: 100}
  members_admitted: {name: Số đảng viên mới được kết nạp, unit: đảng viên, direction: up,
                     aggregation: sum, temporal: flow, area: Xây dựng Đảng, decimals: 0, min: 0}
  houses: {name: Số nhà ở cho hộ nghèo hoàn thành, unit: căn, direction: up, aggregation: sum,
           temporal: flow, area: Xã hội, decimals: 0, min: 0}
  admission_rate: {name: Tỷ lệ kết nạp đảng viên mới, unit: "%", direction: up, aggregation: none,
                   temporal: flow, area: Xây dựng Đảng, decimals: 2, min: 0, max: 100}
  staff_trained: {name: Tỷ lệ cán bộ được học tập nghị quyết, unit: "%", direction: up,
                  aggregation: none, temporal: stock, area: Xây dựng Đảng, decimals: 1, min: 0, max: 100}
"""

PLAN_DB = """
plan:
  id: db_test
  title: Kế hoạch thử nghiệm Điện Biên
  short_title: Điện Biên thử
  doc_number: 383/KH-UBND
  doc_date: "2021-02-09"
  issuer: UBND tỉnh Điện Biên
  scope_unit: "11"
  period: [2021, 2025]
  baseline_year: 2020
  source: 002.txt
targets:
  - {id: grdp_growth_avg, indicator: grdp_growth, kind: avg_growth, cmp: ">=", value: 7.16, quote: Tốc độ tăng trưởng bình quân 7,16%}
  - {id: grdp_pc, indicator: grdp_per_capita, kind: level_min, cmp: ">", value: 52, quote: GRDP bình quân đầu người trên 52 triệu}
  - {id: s_agri, indicator: share_agri, kind: share, value: 16.42, baseline: {year: 2020, value: 18.76, implied: true}, quote: Nông nghiệp 16,42%}
  - {id: s_ind, indicator: share_ind, kind: share, value: 21.35, baseline: {year: 2020, value: 19.10, implied: true}, quote: Công nghiệp 21,35%}
  - {id: s_serv, indicator: share_serv, kind: share, value: 59.92, baseline: {year: 2020, value: 57.64, implied: true}, quote: Dịch vụ 59,92%}
  - {id: s_tax, indicator: share_tax, kind: share, value: 2.31, baseline: {year: 2020, value: 4.50, implied: true}, quote: Thuế sản phẩm 2,31%}
  - {id: budget, indicator: budget_revenue, kind: level_min, cmp: ">=", value: 2000, quote: Thu ngân sách 2.000 tỷ}
  - {id: invest, indicator: investment, kind: sum, cmp: ">=", value: 95, soft: true, quote: Vốn đầu tư khoảng 95 nghìn tỷ}
  - {id: grain, indicator: grain_output, kind: level_min, cmp: ">=", value: 280, quote: Lương thực 280 nghìn tấn}
  - {id: herd, indicator: herd_growth, kind: avg_growth, cmp: ">=", value: 3.5, quote: Đàn gia súc tăng 3,5%/năm}
  - {id: industry, indicator: industry_growth, kind: range, low: 10, high: 12, quote: Công nghiệp tăng 10-12%/năm}
  - {id: retail_level, indicator: retail_sales, kind: level_min, cmp: ">=", value: 24700, quote: Bán lẻ 24.700 tỷ}
  - {id: retail_growth, indicator: retail_sales, kind: avg_growth, cmp: ">=", value: 15.61, quote: Bán lẻ tăng 15,61%/năm}
  - {id: population, indicator: population, kind: level_max, cmp: "<", value: 66.8, quote: Dân số dưới 66,8 vạn}
  - {id: trainees, indicator: trainees, kind: range, low: 8000, high: 8300, quote: Đào tạo nghề 8.000-8.300 lao động}
  - {id: jobs, indicator: new_jobs, kind: yearly, cmp: ">=", value: 9000, quote: Việc làm mới 9.000 lao động/năm}
  - {id: unemployment, indicator: unemployment, kind: level_max, cmp: "<", value: 2.5, quote: Thất nghiệp dưới 2,5%}
  - {id: poverty, indicator: poor_rate, kind: level_max, cmp: "<", value: 16, baseline: {year: 2020, value: 29.93}, quote: Hộ nghèo dưới 16%}
  - {id: poverty_change, indicator: poor_rate, kind: change, cmp: "<=", value: -2.97, quote: Bình quân giảm 2,97 điểm %/năm}
  - {id: poverty_g1, indicator: poor_rate_g1, kind: change, cmp: "<=", value: -4, quote: Huyện nghèo nhóm 1 giảm trên 4%/năm}
  - {id: insurance, indicator: insurance, kind: level_min, cmp: ">", value: 99, quote: Bảo hiểm y tế trên 99%}
  - {id: ntm, indicator: ntm_communes, kind: count, cmp: ">=", value: 31, quote: 31 xã đạt chuẩn nông thôn mới}
  - {id: forest, indicator: forest_cover, kind: level_min, cmp: ">=", value: 45.5, quote: Che phủ rừng 45,5%}
  - {id: party_good, indicator: party_good, kind: yearly, cmp: ">", value: 85, quote: Hằng năm trên 85% tổ chức đảng tốt}
  - {id: members, indicator: members_admitted, kind: yearly, cmp: ">=", value: 2500, average: true, quote: Bình quân mỗi năm kết nạp 2.500 đảng viên}
"""

PLAN_BT = """
plan:
  id: bt_test
  title: Kế hoạch thử nghiệm Bến Tre
  short_title: Bến Tre thử
  doc_number: 01-KH/TU
  doc_date: "2024-01-10"
  issuer: Tỉnh ủy Bến Tre
  scope_unit: "83"
  period: [2024, 2025]
  source: 004.txt
targets:
  - {id: growth_vs_vn, indicator: grdp_growth, kind: relative, cmp: ">", benchmark: {indicator: grdp_growth, unit: VN}, start: 2024, end: 2025, quote: Tăng trưởng cao hơn mức bình quân cả nước}
  - {id: members_2024, indicator: members_admitted, kind: step, cmp: ">=", value: 1200, year: 2024, quote: "Năm 2024: kết nạp 1.200 đảng viên trở lên"}
  - {id: houses_2025, indicator: houses, kind: step, cmp: ">=", value: 2000, year: 2025, quote: "Năm 2025: hoàn thành 2.000 nhà ở cho hộ nghèo"}
  - {id: admission, indicator: admission_rate, kind: range, low: 3, high: 4, quote: Kết nạp từ 3-4% so với tổng số đảng viên}
  - {id: poverty_down, indicator: poor_rate, kind: change, cmp: "<=", value: -1, quote: Giảm nghèo từ 1%-1,5%/năm}
  - {id: budget, indicator: budget_revenue, kind: level_min, cmp: ">=", value: 35000, end: 2025, quote: Thu ngân sách từ 35.000 tỷ đồng trở lên}
"""

PLAN_LATER = """
plan:
  id: db_later
  title: Kế hoạch thử nghiệm nhiệm kỳ sau
  short_title: Điện Biên sau
  doc_number: ""
  doc_date: null
  issuer: Ban Thường vụ Tỉnh ủy Điện Biên
  scope_unit: "11"
  period: [2026, 2030]
  source: 000.txt
targets:
  - {id: staff, indicator: staff_trained, kind: level_min, cmp: ">=", value: 100, quote: 100% cán bộ được học tập}
milestones:
  - {id: launch, title: Phát động phong trào, deadline: "2026-03-31", responsible: Các đảng bộ, quote: Triển khai từ quý I năm 2026}
"""


def _yaml(text: str) -> str:
    """Quote the free-text quotes of the flow-style lines above (they hold commas)."""
    out = []
    for line in text.splitlines():
        if "quote: " in line and line.rstrip().endswith("}") and 'quote: "' not in line:
            head, q = line.rsplit("quote: ", 1)
            line = f'{head}quote: "{q.rstrip()[:-1]}"}}'
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    d = tmp_path_factory.mktemp("targets")
    shutil.copy(TARGETS_DIR / "schema.json", d / "schema.json")
    (d / "indicators.yaml").write_text(textwrap.dedent(INDICATORS), encoding="utf-8")
    (d / "db_test.yaml").write_text(_yaml(PLAN_DB), encoding="utf-8")
    (d / "bt_test.yaml").write_text(_yaml(PLAN_BT), encoding="utf-8")
    (d / "db_later.yaml").write_text(PLAN_LATER, encoding="utf-8")
    return load_catalog(d)


@pytest.fixture(scope="module")
def frame(catalog):
    return demo.generate_demo(catalog, seed=2025, through=THROUGH)


def _periods(df):
    return df["period"].map(Period.parse)


# --- determinism and shape ------------------------------------------------------

def test_same_seed_same_frame(catalog, frame):
    again = demo.generate_demo(catalog, seed=2025, through=THROUGH)
    pd.testing.assert_frame_equal(frame, again)


def test_other_seed_other_frame(catalog, frame):
    other = demo.generate_demo(catalog, seed=7, through=THROUGH)
    assert not frame.equals(other)
    assert len(other) > 0


def test_columns_and_period_formats(frame):
    assert list(frame.columns) == ["indicator", "unit", "period", "value", "status", "source"]
    assert len(frame) > 500
    for text in frame["period"].unique():
        p = Period.parse(text)
        assert str(p) == text
        assert p.kind in ("Y", "YTD"), text
    assert set(frame["status"]) <= {"estimate", "preliminary", "official"}
    assert frame["value"].notna().all()
    assert (frame["source"].str.len() > 0).all()
    assert not frame.duplicated(["indicator", "unit", "period", "status"]).any()


def test_values_respect_min_max_and_decimals(catalog, frame):
    for code, g in frame.groupby("indicator"):
        ind = catalog.indicators[code]
        lo, hi = ind.min, ind.max
        if ind.is_percent and ind.temporal != "rate":
            lo = 0 if lo is None else lo
            hi = 100 if hi is None else hi
        if lo is not None:
            assert g["value"].min() >= lo, code
        if hi is not None:
            assert g["value"].max() <= hi, code
        made_up = g[g["source"] == demo.DEMO_SOURCE]["value"]
        assert (made_up.round(ind.decimals) - made_up).abs().max() < 1e-9, code


def test_counts_are_whole_numbers(frame):
    g = frame[frame["indicator"] == "ntm_communes"]
    assert len(g) and (g["value"] % 1 == 0).all()


# --- periods --------------------------------------------------------------------

def test_years_2020_on_and_no_yearly_value_for_the_current_year(frame):
    prov = frame[frame["unit"] == "11"]
    years = {int(p) for p in prov["period"] if p.isdigit()}
    assert years == {2020, 2021, 2022, 2023, 2024}
    assert not (frame["period"] == "2025").any()


def test_full_year_when_through_is_year_end(catalog):
    df = demo.generate_demo(catalog, seed=2025, through="2025Q4")
    assert (df["period"] == "2025").any()
    assert (df[df["period"] == "2025"]["status"] == "estimate").all()


def test_ytd_quarters_for_last_two_years(frame):
    ytd = sorted({p for p in frame["period"] if p.endswith("-YTD")}, key=lambda x: Period.parse(x).sort_key())
    assert ytd == ["2024Q1-YTD", "2024Q2-YTD", "2024Q3-YTD", "2024Q4-YTD",
                   "2025Q1-YTD", "2025Q2-YTD", "2025Q3-YTD"]


def _current(df):
    """The value the store would show: official > preliminary > estimate."""
    rank = df["status"].map(demo.STATUS_RANK)
    return (df.assign(_r=rank).sort_values("_r").groupby(["indicator", "unit", "period"], as_index=False)
              .last().drop(columns="_r"))


def test_flow_ytd_grows_within_the_year_and_q4_is_the_year(catalog, frame):
    cur = _current(frame)
    checked = 0
    for (code, unit), g in cur.groupby(["indicator", "unit"]):
        ind = catalog.indicators[code]
        if not demo._cumulates(ind):
            continue
        by = dict(zip(g["period"], g["value"]))
        for y in (2024, 2025):
            vals = [by[f"{y}Q{q}-YTD"] for q in range(1, 5) if f"{y}Q{q}-YTD" in by]
            assert vals == sorted(vals), (code, unit, y, vals)
            checked += 1
        if "2024Q4-YTD" in by and unit in ("11", "83"):
            official = frame[(frame.indicator == code) & (frame.unit == unit) & (frame.period == "2024")
                             & (frame.status == "official")]
            if len(official) and official["source"].iloc[0] == demo.DEMO_SOURCE:
                assert by["2024Q4-YTD"] == pytest.approx(official["value"].iloc[0]), code
    assert checked > 5


def test_stock_ytd_close_to_the_year(catalog, frame):
    cur = _current(frame)
    g = cur[(cur.indicator == "forest_cover") & (cur.unit == "11")]
    if g.empty:
        pytest.skip("forest_cover drew no_data")
    by = dict(zip(g["period"], g["value"]))
    assert by["2024Q4-YTD"] == pytest.approx(by["2024"])
    assert min(by["2023"], by["2024"]) - 0.1 <= by["2024Q2-YTD"] <= max(by["2023"], by["2024"]) + 0.1


# --- revisions and statuses -----------------------------------------------------

def test_revisions_for_2024(frame):
    y24 = frame[(frame["period"] == "2024") & frame["unit"].isin(["11", "83"])]
    multi = y24.groupby(["indicator", "unit"])["status"].agg(set)
    revised = multi[multi.map(lambda s: {"estimate", "official"} <= s)]
    assert len(revised) >= 2
    # the two versions differ
    for (code, unit) in revised.index[:5]:
        vals = y24[(y24.indicator == code) & (y24.unit == unit)].set_index("status")["value"]
        assert vals["estimate"] != vals["official"]


def test_status_by_age(frame):
    # district rows split from a real (preliminary, estimate) province figure keep its status
    made_up = frame[(frame["source"] == demo.DEMO_SOURCE) & frame["unit"].isin(["11", "83", "VN"])]
    old = made_up[made_up["period"].isin(["2020", "2021", "2022", "2023"])]
    assert (old["status"] == "official").all()
    assert (made_up[made_up["period"].str.startswith("2025")]["status"] == "estimate").all()


# --- units ----------------------------------------------------------------------

DISTRICT_CODES = [f"{c:03d}" for c in range(94, 104)]


def test_districts_sum_to_the_province(catalog, frame):
    cur = _current(frame)
    checked = 0
    for code, ind in catalog.indicators.items():
        if ind.aggregation != "sum":
            continue
        g = cur[cur["indicator"] == code]
        dist = g[g["unit"].isin(DISTRICT_CODES)]
        if dist.empty:
            continue
        prov = g[g["unit"] == "11"].set_index("period")["value"]
        sums = dist.groupby("period")["value"].sum()
        assert set(dist.groupby("period")["unit"].nunique()) == {10}
        for period, total in sums.items():
            tol = 10 ** -ind.decimals * 0.51 + 1e-9
            assert abs(total - prov[period]) <= tol, (code, period, total, prov[period])
            checked += 1
    assert checked > 20


def test_districts_end_mid_2025(frame):
    dist = frame[frame["unit"].isin(DISTRICT_CODES)]
    assert len(dist) > 0
    ends = _periods(dist).map(lambda p: p.end_date())
    assert ends.max().isoformat() == "2025-06-30"
    assert set(dist[dist["period"].str.startswith("2025")]["period"]) == {"2025Q1-YTD", "2025Q2-YTD"}


def test_districts_only_for_aggregated_indicators(catalog, frame):
    dist = frame[frame["unit"].isin(DISTRICT_CODES)]
    aggs = {catalog.indicators[c].aggregation for c in dist["indicator"].unique()}
    assert aggs <= {"sum", "mean", "weighted_mean"}
    assert {"sum", "mean", "weighted_mean"} <= aggs


def test_communes_from_july_2025(frame):
    codes = [u["code"] for u in demo.DEMO_UNITS]
    assert 5 <= len(codes) <= 8
    for u in demo.DEMO_UNITS:
        assert u["code"].startswith("11_")   # real communes, derived codes (kpi.units.derived_code)
        assert u["level"] == "commune" and u["parent"] == "11" and u["valid_from"] == "2025-07-01"
    com = frame[frame["unit"].isin(codes)]
    assert len(com) > 0
    assert set(com["period"]) == {"2025Q3-YTD"}


def test_bente_followed_under_its_old_code(frame):
    bt = frame[frame["unit"] == "83"]
    assert "2025Q3-YTD" in set(bt["period"])
    assert not (frame["unit"] == "86").any()


def test_national_benchmark_uses_real_figures(frame):
    vn = frame[(frame["unit"] == "VN") & (frame["indicator"] == "grdp_growth")]
    by = dict(zip(vn["period"], vn["value"]))
    assert by["2020"] == 2.91 and by["2021"] == 2.58 and by["2022"] == 8.02
    assert by["2023"] == 5.05 and by["2024"] == 7.09
    assert "2025Q3-YTD" in by
    assert vn[vn["period"] == "2024"]["source"].iloc[0].startswith("Tổng cục Thống kê")
    assert (vn[vn["period"].str.startswith("2025")]["source"] == demo.DEMO_SOURCE).all()


def test_real_figures_and_baselines_are_kept(frame):
    db = frame[frame["unit"] == "11"].set_index(["indicator", "period"])
    assert db.loc[("poor_rate", "2020"), "value"] == 29.93
    assert db.loc[("poor_rate", "2024"), "value"] == 21.29
    assert db.loc[("grdp_per_capita", "2023"), "value"] == 42.98
    assert db.loc[("grdp_growth", "2024"), "value"] == 8.51


def test_economic_structure_adds_to_100(frame):
    cur = _current(frame)
    g = cur[cur["indicator"].isin(["share_agri", "share_ind", "share_serv", "share_tax"]) & (cur["unit"] == "11")]
    totals = g.groupby("period")["value"].sum()
    assert len(totals) >= 10
    assert (totals - 100).abs().max() < 0.011


# --- scenarios --------------------------------------------------------------------

def test_every_indicator_appears_except_no_data(catalog, frame):
    table = demo.scenario_table(catalog, seed=2025, through=THROUGH)
    present = set(zip(frame["indicator"], frame["unit"]))
    for r in table.itertuples():
        if r.scenario == "no_data":
            assert (r.indicator, r.unit) not in present, r
        else:
            assert (r.indicator, r.unit) in present, r
    assert ("grdp_growth", "VN") in present


def test_scenario_mix(catalog):
    table = demo.scenario_table(catalog, seed=2025, through=THROUGH)
    db = table[table["plan"] == "db_test"]
    counts = db["scenario"].value_counts()
    for scen in ("achieved", "on_track", "at_risk", "off_track", "no_data"):
        assert counts.get(scen, 0) >= 1, counts
    assert (table[table["plan"] == "db_later"]["scenario"] == "not_started").all()


def test_scenario_depends_only_on_seed_plan_and_target(catalog):
    a = demo.scenario_table(catalog, seed=11)
    b = demo.scenario_table(catalog, seed=11)
    pd.testing.assert_frame_equal(a, b)
    c = demo.scenario_table(catalog, seed=12)
    assert not a["scenario"].equals(c["scenario"])


# --- the real catalogue -----------------------------------------------------------

@pytest.fixture(scope="module")
def real_catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def real_frame(real_catalog):
    return demo.generate_demo(real_catalog, seed=2025, through=THROUGH)


def test_real_catalogue_generates(real_catalog, real_frame):
    table = demo.scenario_table(real_catalog, seed=2025, through=THROUGH)
    present = set(zip(real_frame["indicator"], real_frame["unit"]))
    missing = [(r.plan, r.target) for r in table.itertuples()
               if r.scenario != "no_data" and (r.indicator, r.unit) not in present]
    assert not missing
    for p in real_catalog.plans.values():
        for t in p.targets:
            if t.benchmark:
                assert (t.benchmark["indicator"], t.benchmark["unit"]) in present
    for code, g in real_frame.groupby("indicator"):
        ind = real_catalog.indicators[code]
        if ind.min is not None:
            assert g["value"].min() >= ind.min, code
        if ind.max is not None:
            assert g["value"].max() <= ind.max, code


def test_real_catalogue_passes_the_bulk_checks(real_catalog, real_frame):
    """What ``python -m etl demo`` does: the CSV goes through the bulk reader without errors."""
    bulk = pytest.importorskip("etl.bulk")
    units_mod = pytest.importorskip("kpi.units")
    units = {u["code"]: u for u in units_mod.build_units(provinces={"11", "12", "83"})}
    assert {u["code"] for u in demo.DEMO_UNITS} <= set(units)   # the demo's communes are real ones
    data = real_frame.to_csv(index=False).encode("utf-8")
    checked = bulk.check_bulk("demo.csv", data, real_catalog.indicators, units)
    assert not checked.errors, [str(e) for e in checked.errors[:10]]
    assert len(checked.rows) == len(real_frame)
    values = [r.value for r in checked.rows]
    assert values == pytest.approx(list(real_frame["value"]))


def _has_assess_target() -> bool:
    path = ROOT / "kpi" / "progress.py"
    return path.exists() and "def assess_target" in path.read_text(encoding="utf-8")


@pytest.mark.skipif(not _has_assess_target(), reason="kpi/progress.py (assess_target) not written yet")
def test_status_mix_on_the_real_dienbien_plan(real_catalog, real_frame):
    from kpi import progress

    plan_id = "dienbien_2021_2025"
    if plan_id not in real_catalog.plans:
        pytest.skip(f"{plan_id} not in the catalogue yet")
    statuses = _assess(real_catalog, real_frame, plan_id, progress)
    assert len(set(statuses.values())) >= 4, statuses
    assert "achieved" in statuses.values() and "no_data" in statuses.values(), statuses


def _assess(cat, frame, plan_id, progress) -> dict[str, str]:
    plan = cat.plans[plan_id]
    cur = _current(frame)
    as_of = Period.parse(THROUGH)

    def points(code, unit):
        g = cur[(cur["indicator"] == code) & (cur["unit"] == unit)]
        pts = [progress.Point(Period.parse(p), float(v)) for p, v in zip(g["period"], g["value"])]
        return sorted(pts, key=lambda pt: pt.period.sort_key())

    out = {}
    for t in plan.targets:
        bench = points(t.benchmark["indicator"], t.benchmark["unit"]) if t.benchmark else None
        a = progress.assess_target(t, cat.indicators[t.indicator], points(t.indicator, plan.scope_unit),
                                   as_of, benchmark=bench)
        out[t.id] = a.status
    return out


def status_mix(plan_id: str = "dienbien_2021_2025", seed: int = 2025) -> pd.Series:
    """Helper for a person: ``python -c 'from tests.unit.test_demo import status_mix; print(status_mix())'``."""
    from kpi import progress

    cat = load_catalog()
    frame = demo.generate_demo(cat, seed=seed, through=THROUGH)
    return pd.Series(_assess(cat, frame, plan_id, progress)).value_counts()

