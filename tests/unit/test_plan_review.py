"""The review-and-publish page's data (kpi.plan_review), without Streamlit: a real .docx, a real database."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from etl.cli import main
from kpi import permissions as auth, plan_review, repo
from kpi.catalog import CatalogError, load_catalog
from kpi.store import connect, scalar

PARAS = ["UBND TỈNH LAI CHÂU", "Số: 45/KH-UBND", "Lai Châu, ngày 12 tháng 01 năm 2026", "KẾ HOẠCH",
         "Phát động phong trào thi đua giai đoạn 2026-2030",
         "II. CHỈ TIÊU", "- Tỷ lệ che phủ rừng đạt 52%; tỷ lệ hợp tác xã ứng dụng chuyển đổi số đạt 40%.",
         "- Mỗi năm tạo việc làm mới cho 6.500 lao động.",
         "III. TỔ CHỨC THỰC HIỆN", "1. Sở Nội vụ chủ trì tổ chức sơ kết, hoàn thành trong Quý IV/2028."]


def _docx() -> bytes:
    import docx

    doc = docx.Document()
    for p in PARAS:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.fixture
def real_db(db_file):
    assert main(["init"]) == 0
    return db_file


def test_an_upload_gives_drafts_and_the_header_the_document_states():
    out = plan_review.read_upload(_docx(), "ke-hoach-lai-chau.docx", load_catalog().indicators,
                                  units={"11": "Điện Biên", "12": "Lai Châu"})
    h = out["header"]
    assert h["scope_unit"] == "12" and h["issuer"] == "UBND TỈNH LAI CHÂU"
    assert h["doc_number"] == "45/KH-UBND"
    assert h["doc_date"] == dt.date(2026, 1, 12)
    assert h["period"] == (2026, 2030)
    assert h["title"].startswith("Kế hoạch phát động phong trào thi đua")
    df = plan_review.targets_frame(out["drafts"])
    assert list(df["value"]) == [52, 40, 6500]
    assert list(df["kind"]) == ["level_min", "level_min", "yearly"]
    assert list(plan_review.new_indicators_frame(out["drafts"])["unit"]) == ["%"]
    assert plan_review.milestones_frame(out["milestones"])["deadline"].tolist() == [dt.date(2028, 12, 31)]


def test_highlight_marks_the_quote_and_escapes_the_text():
    text = "Mục <b>1</b>: tỷ lệ che phủ rừng\nđạt 52%; còn lại."
    got = plan_review.highlight(text, "tỷ lệ che phủ rừng đạt 52%")
    assert "<mark>tỷ lệ che phủ rừng<br>đạt 52%</mark>" in got
    assert "&lt;b&gt;1&lt;/b&gt;" in got
    assert "&#42;" in plan_review.highlight("**đậm** đạt 5%", "đạt 5%")


def test_reviewed_rows_are_published_and_rejected_rows_are_not(real_db):
    out = plan_review.read_upload(_docx(), "ke-hoach-lai-chau.docx", load_catalog().indicators)
    header = dict(out["header"], id="laichau_2026_2030", issuer="UBND tỉnh Lai Châu", scope_unit="12")
    df = plan_review.targets_frame(out["drafts"])
    df.loc[2, "accept"] = False                  # rejected
    df.loc[0, "value"] = 53.0                    # edited
    with connect(real_db) as con:
        v = plan_review.publish_review(con, header, df, plan_review.milestones_frame(out["milestones"]),
                                       plan_review.new_indicators_frame(out["drafts"]), auth.local_admin(),
                                       source_name="ke-hoach-lai-chau.docx", text=out["text"])
        assert v["version"] == 1
        plan = repo.catalog_from_db(con).plan("laichau_2026_2030")
        assert [t.value for t in plan.targets] == [53, 40]
        assert scalar(con, "SELECT source_text IS NOT NULL FROM plan_versions WHERE plan_id = 'laichau_2026_2030'")


def test_publishing_refuses_with_the_named_error(real_db):
    out = plan_review.read_upload(_docx(), "ke-hoach-lai-chau.docx", load_catalog().indicators)
    header = dict(out["header"], id="laichau_2026_2030", issuer="UBND tỉnh Lai Châu", scope_unit="12")
    df = plan_review.targets_frame(out["drafts"])
    df.loc[0, "kind"] = "range"                  # a range without low/high
    with connect(real_db) as con, pytest.raises(CatalogError, match=r"ke-hoach-lai-chau.docx: chỉ tiêu 'forest_cover_2030', trường 'low'"):
        plan_review.publish_review(con, header, df, None, plan_review.new_indicators_frame(out["drafts"]),
                                   auth.local_admin(), source_name="ke-hoach-lai-chau.docx")
    with connect(real_db) as con:
        assert scalar(con, "SELECT count(*) FROM plan_versions") == 0


def test_a_quote_edited_away_from_the_text_is_flagged():
    out = plan_review.read_upload(_docx(), "ke-hoach-lai-chau.docx", load_catalog().indicators)
    df = plan_review.targets_frame(out["drafts"])
    assert plan_review.quote_issues(df, None, out["text"]) == []
    df.loc[1, "quote"] = "tỷ lệ hợp tác xã dùng số đạt 40%"
    assert plan_review.quote_issues(df, None, out["text"]) == [
        "chỉ tiêu dòng 2: câu trích không có nguyên văn trong văn bản («tỷ lệ hợp tác xã dùng số đạt 40%»)"]


def test_a_baseline_set_in_the_table_is_published(real_db):
    out = plan_review.read_upload(_docx(), "ke-hoach-lai-chau.docx", load_catalog().indicators)
    header = dict(out["header"], id="laichau_2026_2030", issuer="UBND tỉnh Lai Châu", scope_unit="12")
    df = plan_review.targets_frame(out["drafts"])
    df.loc[0, "baseline_year"], df.loc[0, "baseline_value"] = 2025, 50.1
    with connect(real_db) as con:
        plan_review.publish_review(con, header, df, None, plan_review.new_indicators_frame(out["drafts"]),
                                   auth.local_admin(), source_name="ke-hoach-lai-chau.docx")
        t = repo.catalog_from_db(con).plan("laichau_2026_2030").targets[0]
    assert (t.baseline.year, t.baseline.value, t.baseline.implied) == (2025, 50.1, False)


def test_a_plan_in_the_catalogue_round_trips_through_the_tables(real_db):
    """Every shipped plan, loaded into the page's tables and published untouched, is the same plan."""
    before = load_catalog()
    for pid in before.plans:
        f = plan_review.plan_frames(real_db, pid)
        assert f["text"], pid
        with connect(real_db) as con:
            plan_review.publish_review(con, f["header"], f["targets"], f["milestones"], None, auth.local_admin(),
                                       source_name=f"{pid}.yaml")
            after = repo.catalog_from_db(con).plan(pid)
        assert after.targets == before.plan(pid).targets, pid
        assert after.milestones == before.plan(pid).milestones, pid


def test_editing_a_published_plan_makes_a_new_version_with_a_field_level_audit(real_db):
    import json

    f = plan_review.plan_frames(real_db, "bentre_2024_2025")
    i = f["targets"].index[f["targets"]["target_id"] == "leading_enterprises_2025"][0]
    f["targets"].loc[i, "value"] = 120.0
    with connect(real_db) as con:
        v = plan_review.publish_review(con, f["header"], f["targets"], f["milestones"], None, auth.local_admin(),
                                       source_name="bentre_2024_2025.yaml", note="điều chỉnh")
        assert v == {"plan_id": "bentre_2024_2025", "version": 1, "changed": True}
        before, after = con.execute("SELECT before, after FROM audit_log WHERE action = 'targets' "
                                    "ORDER BY id DESC LIMIT 1").fetchone()
    key = "targets:bentre_2024_2025/leading_enterprises_2025"
    assert json.loads(before) == {key: {"value": 100.0}} and json.loads(after) == {key: {"value": 120.0}}
