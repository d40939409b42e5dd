"""The loader refuses bad catalogue files with a message naming file, target and field."""

import pytest

from kpi.catalog import CatalogError, load_catalog
from tests.conftest import MINI_INDICATORS, MINI_PLAN, write_catalog


def test_mini_catalog_loads(mini_catalog):
    plan = mini_catalog.plan("mini_2021_2025")
    assert plan.reference() == "Số 383/KH-UBND ngày 09/02/2021 của UBND tỉnh Điện Biên"
    t = plan.target("poverty_2025")
    assert (t.kind, t.cmp, t.value, t.start, t.end) == ("level_max", "<", 16, 2021, 2025)
    assert t.baseline.year == 2020 and t.baseline.value == 29.93
    assert mini_catalog.indicators["poverty_rate"].breaks == ((2021, "Chuẩn nghèo đa chiều 2021-2025"),)
    assert plan.milestones[0].deadline.isoformat() == "2023-12-31"


@pytest.mark.parametrize("old, new, message", [
    ("    cmp: \">=\"\n    value: 7.16\n", "    cmp: \">=\"\n", "chỉ tiêu 'grdp_growth_avg', trường 'value': thiếu giá trị"),
    ("    kind: avg_growth", "    kind: growth", "chỉ tiêu 'grdp_growth_avg', trường 'kind': giá trị không thuộc danh sách"),
    ("    indicator: grdp_growth\n    kind: avg_growth", "    indicator: grdp\n    kind: avg_growth",
     "chỉ tiêu 'grdp_growth_avg', trường 'indicator': không có chỉ số 'grdp'"),
    ("    value: 16\n", "    value: 160\n", "chỉ tiêu 'poverty_2025', trường 'value': tỷ lệ phần trăm 160"),
    ("    cmp: \"<\"\n    value: 16", "    cmp: \">\"\n    value: 16", "chỉ tiêu 'poverty_2025', trường 'cmp'"),
    ("  - id: jobs_yearly", "  - id: poverty_2025", "chỉ tiêu 'poverty_2025', trường 'id': trùng mã"),
    ("    quote: \"tạo việc làm", "    note: x\n    quote: \"tạo việc làm", "chỉ tiêu 'jobs_yearly', trường 'note': có trường không được phép"),
    ("    deadline: 2023-12-31", "    deadline: 2023-02-30", "mốc 'mid_term_review', trường 'deadline': ngày không có thật"),
    ("    deadline: 2023-12-31", "    deadline: 31/12/2023", "mốc 'mid_term_review', trường 'deadline': sai định dạng"),
    ("  doc_date: 2021-02-09", "  doc_date: 09/02/2021", "kế hoạch, trường 'doc_date': sai định dạng"),
    ("    baseline: {year: 2020, value: 29.93}", "    baseline: {year: 2025, value: 29.93}",
     "chỉ tiêu 'poverty_2025', trường 'baseline.year'"),
    ("    value: 9000\n", "    value: 9000\n    start: 2010\n", "chỉ tiêu 'jobs_yearly', trường 'start': năm 2010 nằm ngoài"),
])
def test_errors_name_file_target_field(tmp_path, old, new, message):
    assert old in MINI_PLAN
    d = write_catalog(tmp_path / "t", plans={"mini_2021_2025": MINI_PLAN.replace(old, new, 1)})
    with pytest.raises(CatalogError) as e:
        load_catalog(d)
    assert str(e.value).startswith("mini_2021_2025.yaml: ")
    assert message in str(e.value)


def test_indicator_errors(tmp_path):
    d = write_catalog(tmp_path / "t", indicators=MINI_INDICATORS.replace("direction: down", "direction: lower"))
    with pytest.raises(CatalogError, match="indicators.yaml: chỉ số 'poverty_rate', trường 'direction'"):
        load_catalog(d)
    d = write_catalog(tmp_path / "u", indicators=MINI_INDICATORS.replace("weight: population", "weight: people"))
    with pytest.raises(CatalogError, match="chỉ số 'poverty_rate', trường 'weight'"):
        load_catalog(d)


def test_file_must_be_named_after_plan(tmp_path):
    d = write_catalog(tmp_path / "t", plans={"other": MINI_PLAN})
    with pytest.raises(CatalogError, match="other.yaml: kế hoạch, trường 'id'"):
        load_catalog(d)


def test_broken_yaml(tmp_path):
    d = write_catalog(tmp_path / "t", plans={"mini_2021_2025": "plan: [unclosed"})
    with pytest.raises(CatalogError, match="mini_2021_2025.yaml: không đọc được YAML"):
        load_catalog(d)


def test_real_catalogue_loads():
    cat = load_catalog()
    assert {"dienbien_2021_2025", "bentre_2024_2025"} <= set(cat.plans)
    for plan in cat.plans.values():
        assert plan.targets or plan.milestones, plan.id


def test_schema_is_documented():
    """Every field the schema allows is named in targets/README.md."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "targets"
    schema = json.loads((root / "schema.json").read_text(encoding="utf-8"))
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name in ("indicator", "target", "milestone"):
        for field in schema["$defs"][name]["properties"]:
            assert f"{field}" in readme, f"{name}.{field} is not documented in targets/README.md"
    for kind in schema["$defs"]["target"]["properties"]["kind"]["enum"]:
        assert f"`{kind}`" in readme, kind
