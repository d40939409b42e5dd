"""Thêm kế hoạch: a plan's document uploaded, drafts reviewed beside the highlighted text, published."""

import html
import io

import pytest

from kpi import repo
from kpi.store import connect, scalar
from tests.app.signin import app as signed_in_app

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PARAS = ["UBND TỈNH ĐIỆN BIÊN", "Số: 45/KH-UBND", "Điện Biên, ngày 12 tháng 01 năm 2026", "KẾ HOẠCH",
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
def at(demo_copy):
    app = signed_in_app("vanphong")
    app.run()
    app.switch_page("pages/them_ke_hoach.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _upload(at):
    at.file_uploader(key="pl_file").set_value(("ke-hoach-2026.docx", _docx(), DOCX)).run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_drafts_show_beside_the_text_with_the_quote_marked(at):
    assert at.title[0].value == "Thêm kế hoạch"
    _upload(at)
    assert at.text_input(key="pl_number").value == "45/KH-UBND"
    assert at.number_input(key="pl_y0").value == 2026
    marked = [m.value for m in at.markdown if "<mark>" in m.value]
    assert marked and "<mark>Tỷ lệ che phủ rừng đạt 52%</mark>" in marked[0]
    at.selectbox(key="pl_pick").set_value(2).run()
    marked = [m.value for m in at.markdown if "<mark>" in m.value]
    assert "<mark>Mỗi năm tạo việc làm mới cho 6.500 lao động</mark>" in marked[0]


def test_publish_makes_a_plan_every_page_follows(at, demo_copy):
    _upload(at)
    at.text_input(key="pl_id").set_value("thu_2026_2030")
    at.text_input(key="pl_issuer").set_value("UBND tỉnh Điện Biên")
    at.button(key="pl_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Đã công bố kế hoạch thu_2026_2030, phiên bản 1."]
    with connect(demo_copy) as con:
        plan = repo.catalog_from_db(con).plan("thu_2026_2030")
        assert [t.value for t in plan.targets] == [52, 40, 6500]
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'plan_publish' AND actor = 'vanphong'") == 1
    at.switch_page("pages/ke_hoach.py").run()
    assert not at.exception


def test_publish_refuses_with_the_named_errors(at, demo_copy):
    _upload(at)
    at.text_input(key="pl_id").set_value("thu_2026_2030")
    at.text_input(key="pl_issuer").set_value("")
    at.button(key="pl_publish").click().run()
    assert not at.success
    err = html.unescape(at.error[0].value)
    assert "ke-hoach-2026.docx: kế hoạch, trường 'issuer': quá ngắn" in err
    with connect(demo_copy) as con:
        assert scalar(con, "SELECT count(*) FROM plans WHERE id = 'thu_2026_2030'") == 0


def test_a_reporter_or_a_viewer_does_not_get_the_page_even_by_its_url(demo_copy):
    for who in ("tuangiao", "lanhdao"):
        app = signed_in_app(who)
        app.run()
        with pytest.raises(ValueError):
            app.switch_page("pages/them_ke_hoach.py")


def test_editing_a_plan_in_the_catalogue_publishes_a_new_version(at, demo_copy):
    at.radio(key="pl_mode").set_value("Kế hoạch đã có (sửa, công bố phiên bản mới)").run()
    at.selectbox(key="pl_plan").set_value("bentre_2024_2025").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="pl_issuer").value == "Ban Thường vụ Tỉnh ủy Bến Tre"
    assert any("<mark>" in m.value for m in at.markdown)            # the plan's own text, its quote marked
    at.button(key="pl_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Đã công bố kế hoạch bentre_2024_2025, phiên bản 1."]
    with connect(demo_copy) as con:
        plan = repo.catalog_from_db(con).plan("bentre_2024_2025")
        assert plan.baseline_year == 2023 and plan.note.startswith("Bản sao không ghi số")
