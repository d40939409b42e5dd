"""Plans in the database with versions: export, import, publish from drafts, the audit trail.

Real DuckDB files, the real catalogue (targets/) and the CLI as a user runs it.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from etl.cli import main
from kpi import permissions as auth, plan_versions, repo
from kpi.catalog import TARGETS_DIR, CatalogError, load_catalog, load_plan
from kpi.drafting import draft_text
from kpi.store import connect, scalar

PLAN = "dienbien_2021_2025"


@pytest.fixture
def real_db(db_file):
    assert main(["init"]) == 0
    return db_file


def _export(tmp_path, capsys, plan=PLAN):
    path = tmp_path / f"{plan}.yaml"
    assert main(["plan", "export", "--plan", plan, "-o", str(path)]) == 0
    capsys.readouterr()
    return path


def test_export_loads_back_to_the_same_plan(real_db, tmp_path, capsys):
    cat = load_catalog()
    for pid in cat.plans:
        path = _export(tmp_path, capsys, pid)
        again = load_plan(path, cat.indicators)
        original = cat.plan(pid)
        assert again.targets == original.targets, pid
        assert again.milestones == original.milestones, pid
        assert (again.title, again.doc_date, again.start, again.end) == (
            original.title, original.doc_date, original.start, original.end)


def test_import_makes_a_version_and_the_audit_log_says_what_changed(real_db, tmp_path, capsys):
    path = _export(tmp_path, capsys)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    t = next(t for t in data["targets"] if t["id"] == "forest_cover_2025")
    t["value"] = 46.0
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["plan", "import", str(path), "--note", "sửa theo Nghị quyết điều chỉnh", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"plan_id": PLAN, "version": 1, "changed": True}
    with connect(real_db) as con:
        cat = repo.catalog_from_db(con)
        assert cat.plan(PLAN).target("forest_cover_2025").value == 46.0
        assert plan_versions.current_version(con, PLAN) == 1
        before, after = con.execute(
            "SELECT before, after FROM audit_log WHERE action = 'targets' ORDER BY id DESC LIMIT 1").fetchone()
        before, after = json.loads(before), json.loads(after)
        key = f"targets:{PLAN}/forest_cover_2025"
        assert before[key] == {"value": 45.5} and after[key] == {"value": 46.0}   # field by field
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'plan_publish' AND object = ?", [PLAN]) == 1
    # the same file again: nothing new
    assert main(["plan", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"plan_id": PLAN, "version": 1, "changed": False}
    # init (the YAML files ship the old value) keeps the published version
    assert main(["init"]) == 0
    with connect(real_db) as con:
        assert repo.catalog_from_db(con).plan(PLAN).target("forest_cover_2025").value == 46.0
    assert main(["plan", "versions", "--plan", PLAN]) == 0
    assert "v1" in capsys.readouterr().out


def test_a_bad_plan_is_refused_with_the_catalogues_named_error_and_nothing_written(real_db, tmp_path, capsys):
    path = _export(tmp_path, capsys)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["targets"][0]["indicator"] = "khong_co"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["plan", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{PLAN}.yaml: chỉ tiêu 'grdp_growth_avg', trường 'indicator': không có chỉ số 'khong_co'" in err
    renamed = tmp_path / "khac.yaml"
    data["targets"][0]["indicator"] = "grdp_growth"
    renamed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["plan", "import", str(renamed)]) == 1
    assert "tệp phải mang tên" in capsys.readouterr().err
    with connect(real_db) as con:
        assert scalar(con, "SELECT count(*) FROM plan_versions") == 0
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'plan_publish'") == 0


def test_a_reporter_may_not_publish(real_db, tmp_path, capsys):
    from accounts_kit import make_user

    make_user(real_db, "bao.cao", "reporter", units=["099"])
    path = _export(tmp_path, capsys)
    assert main(["plan", "import", str(path), "--user", "bao.cao"]) == 1
    assert "không được sửa danh mục" in capsys.readouterr().err


NEW_PLAN_TEXT = """KẾ HOẠCH phát động thi đua giai đoạn 2026-2030

II. CHỈ TIÊU

- Tỷ lệ che phủ rừng đạt 47%.
- Tỷ lệ hợp tác xã ứng dụng chuyển đổi số đạt 40%.
- Hằng năm tạo việc làm mới cho 8.500 lao động.

III. TỔ CHỨC THỰC HIỆN

1. Sở Nội vụ chủ trì tổ chức sơ kết, hoàn thành trong Quý IV/2028.
"""

HEADER = {"id": "thu_2026_2030", "title": "Kế hoạch thử giai đoạn 2026-2030", "short_title": "Thử 2026-2030",
          "doc_number": "12/KH-UBND", "doc_date": "2026-01-15", "issuer": "UBND tỉnh Điện Biên",
          "scope_unit": "11", "period": (2026, 2030), "source": "ke-hoach-thu.txt"}


def test_drafts_become_a_published_plan(real_db):
    cat = load_catalog()
    out = draft_text(NEW_PLAN_TEXT, cat.indicators)
    drafts = out["drafts"]
    assert [d["value"] for d in drafts] == [47, 40, 8500]
    new = [d["new_indicator"] for d in drafts if d["new_indicator"]]
    assert [n["unit"] for n in new] == ["%"]
    rows = []
    for d in drafts:
        r = dict(d)
        if d["new_indicator"]:
            r["indicator"] = d["new_indicator"]["code"]
        rows.append(r)
    data = plan_versions.plan_from_drafts(HEADER, rows, out["milestones"])
    with connect(real_db) as con:
        v = plan_versions.publish(con, data, auth.local_admin(), file_name="ke-hoach-thu.txt",
                                  indicators=plan_versions.new_indicator_data(new), source_text=NEW_PLAN_TEXT)
        assert v == {"plan_id": "thu_2026_2030", "version": 1, "changed": True}
        plan = repo.catalog_from_db(con).plan("thu_2026_2030")
    assert [t.kind for t in plan.targets] == ["level_min", "level_min", "yearly"]
    assert [m.deadline.isoformat() for m in plan.milestones] == ["2028-12-31"]
    assert plan.milestones[0].responsible == "Sở Nội vụ"
    # every page follows it: `status` reads it like a shipped plan, and says which version it judged
    assert main(["status", "--plan", "thu_2026_2030", "--json"]) == 0


def test_status_says_which_version_of_the_plan_it_used(real_db, tmp_path, capsys):
    assert main(["status", "--plan", PLAN, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["plan_version"] == 0
    path = _export(tmp_path, capsys)
    assert main(["plan", "import", str(path), "--note", "công bố lại"]) == 0
    capsys.readouterr()
    assert main(["status", "--plan", PLAN, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["plan_version"] == 1


def test_publishing_drafts_with_a_gap_names_the_target_and_field(real_db):
    out = draft_text(NEW_PLAN_TEXT, load_catalog().indicators)
    rows = [dict(d, indicator="") for d in out["drafts"][:1]]
    data = plan_versions.plan_from_drafts(HEADER, rows, [])
    with connect(real_db) as con, pytest.raises(CatalogError) as e:
        plan_versions.publish(con, data, auth.local_admin(), file_name="ke-hoach-thu.txt")
    assert "ke-hoach-thu.txt: chỉ tiêu 'chi_tieu_1', trường 'indicator'" in str(e.value)
    with connect(real_db) as con:
        assert scalar(con, "SELECT count(*) FROM plans WHERE id = 'thu_2026_2030'") == 0


def test_a_new_indicator_that_clashes_is_refused(real_db):
    data = plan_versions.plan_from_drafts(HEADER, [], [])
    clash = {"indicators": {"forest_cover": {"name": "Khác", "unit": "ha", "direction": "up", "area": "Kinh tế"}}}
    with connect(real_db) as con, pytest.raises(CatalogError, match="chỉ số 'forest_cover'.*đã có trong danh mục"):
        plan_versions.publish(con, data, auth.local_admin(), indicators=clash)


def test_yaml_files_stay_how_plans_ship(real_db, tmp_path, capsys):
    """Publishing writes the database only: targets/*.yaml are untouched."""
    before = {p.name: p.read_bytes() for p in TARGETS_DIR.glob("*.yaml")}
    path = _export(tmp_path, capsys)
    assert main(["plan", "import", str(path)]) == 0
    assert {p.name: p.read_bytes() for p in TARGETS_DIR.glob("*.yaml")} == before
    shutil.rmtree(tmp_path / "x", ignore_errors=True)


def test_export_of_an_unknown_plan_is_a_usage_error(real_db, capsys):
    assert main(["plan", "export", "--plan", "khong_co"]) == 2
    assert "Không có kế hoạch 'khong_co'" in capsys.readouterr().err


def test_init_refuses_a_catalogue_that_breaks_a_published_plan(real_db, tmp_path, capsys):
    """The YAML catalogue dropped an indicator a published plan uses: init says so, changes nothing."""
    path = _export(tmp_path, capsys)
    assert main(["plan", "import", str(path)]) == 0
    targets = tmp_path / "targets"
    shutil.copytree(TARGETS_DIR, targets)
    text = (targets / "indicators.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    del data["indicators"]["forest_cover"]
    (targets / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for f in targets.glob("*.yaml"):
        if "forest_cover" in f.read_text(encoding="utf-8") and f.name != "indicators.yaml":
            f.unlink()
    capsys.readouterr()
    assert main(["init", "--targets", str(targets)]) == 1
    err = capsys.readouterr().err
    assert f"kế hoạch đã công bố '{PLAN}' (phiên bản 1)" in err and "forest_cover" in err
    with connect(real_db) as con:
        assert repo.catalog_from_db(con).plan(PLAN).target("forest_cover_2025")
