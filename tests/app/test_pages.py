"""One AppTest per page, on the demo data: renders, shows its key widgets, follows the filters.

Signed in as the secretariat's demo account (``vanphong``), who sees every page but Tài khoản.
"""

import json

import pytest

from kpi import filters, plans
from tests.app.signin import app as signed_in_app


@pytest.fixture
def at(demo_copy):
    app = signed_in_app("vanphong")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _sidebar_select(at, label):
    return next(s for s in at.sidebar.selectbox if s.label == label)


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [h.value for h in at.subheader]
    return "\n".join(parts)


def _frames(at):
    return [d.value for d in at.dataframe]


def _target_links(at) -> list:
    """The overview's list: one link per target (its full name, opening the target page)."""
    return [e for e in at.get("page_link") if "target" in (e.proto.query_string or "")]


def test_overview(at):
    assert [t.value for t in at.title] == ["Tổng quan"]
    assert {s.label for s in at.sidebar.selectbox} == {"Kế hoạch", "Số liệu đến", "Đơn vị"}
    text = _texts(at)
    assert "Số 383/KH-UBND ngày 09/02/2021" in text and "Số liệu đến Quý III/2025" in text
    cards = {b.key: b.label for b in at.button if (b.key or "").startswith("ov_status_")}
    for card in ("Đã đạt", "Đúng tiến độ", "Cần đẩy nhanh", "Chậm tiến độ", "Chưa có số liệu"):
        assert any(card in label for label in cards.values())
    assert {"Kinh tế", "Xã hội", "Hạ tầng - Môi trường", "Xây dựng Đảng"} <= {h.value for h in at.subheader}
    links = _target_links(at)
    assert len(links) == 77                                     # every target once, its whole name
    assert max(len(link.proto.label) for link in links) > 60
    assert "Số liệu: lũy kế 9 tháng năm 2025" in text           # the period said once, not on every row
    assert at.query_params["plan"] == "dienbien_2021_2025"


def test_a_status_card_filters_the_list(at):
    label = next(b.label for b in at.button if b.key == "ov_status_at_risk")
    n = int(label.split("**")[1])
    at.button(key="ov_status_at_risk").click().run()
    assert not at.exception
    assert len(_target_links(at)) == n > 0
    assert any(h.value == f"Cần đẩy nhanh ({n})" for h in at.subheader)
    at.button(key="ov_status_at_risk").click().run()            # a second click: everything again
    assert len(_target_links(at)) == 77


def test_overview_filter_changes_what_is_shown(at):
    before = _texts(at)
    _sidebar_select(at, "Số liệu đến").set_value("2023Q4").run()
    assert not at.exception
    after = _texts(at)
    assert "Số liệu đến Quý IV/2023" in after and after != before
    assert at.query_params["asof"] == "2023Q4"
    _sidebar_select(at, "Kế hoạch").set_value("bentre_2024_2025").run()
    assert not at.exception
    assert "Đồng Khởi mới" in _texts(at)
    assert len(_target_links(at)) == 29


def test_filters_come_from_the_url(demo_copy):
    app = signed_in_app("lanhdao")
    app.query_params["plan"] = "bentre_2024_2025"
    app.query_params["asof"] = "2024Q4"
    app.run()
    assert not app.exception
    assert _sidebar_select(app, "Kế hoạch").value == "bentre_2024_2025"
    assert "Số liệu đến Quý IV/2024" in _texts(app)


def test_target_page(at):
    at.query_params["target"] = "poor_household_rate_2025"
    at.switch_page("pages/chi_tieu.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Tỷ lệ hộ nghèo (chuẩn nghèo tiếp cận đa chiều)"
    assert at.selectbox(key="target_pick").value == "poor_household_rate_2025"
    text = _texts(at)
    assert "Giảm tỷ lệ hộ nghèo tiếp cận đa chiều từ 29,93% năm 2020" in text   # the plan's sentence
    assert "Số 383/KH-UBND" in text
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t.get("name") for t in spec["data"]}
    assert {"Thực hiện", "Lộ trình kế hoạch", "Mục tiêu 2025"} <= names
    assert spec["layout"]["separators"] == ",."
    values = _frames(at)[0]
    assert "Năm 2020" in set(values["Kỳ"]) and "29,93%" in set(values["Giá trị"])
    # another target through the picker
    at.selectbox(key="target_pick").set_value("exports_total").run()
    assert not at.exception
    assert at.title[0].value.startswith("Tổng kim ngạch xuất khẩu")
    assert at.query_params["target"] == "exports_total"


def test_units_page(at):
    at.switch_page("pages/don_vi.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Đơn vị"
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    ranking = charts[0]["data"][0]["y"]
    assert "Huyện Mường Nhé" in ranking and len(ranking) == 10
    assert any(c["data"][0]["type"] == "heatmap" for c in charts)
    at.radio(key="unit_level").set_value("commune").run()
    assert not at.exception
    ranking2 = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]
    assert "Huyện Mường Nhé" not in ranking2


def test_plans_page_and_marking_a_milestone(at):
    at.switch_page("pages/ke_hoach.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Kế hoạch"
    text = _texts(at)
    assert "Số 383/KH-UBND ngày 09/02/2021 của UBND tỉnh Điện Biên" in text
    before = plans.plans_view(None)[0]
    row = before["milestones"].set_index("id").loc["final_review"]
    assert "Quá hạn" in row["Trạng thái"]
    at.selectbox(key="mark_id_dienbien_2021_2025").set_value("final_review")
    at.text_input(key="mark_note_dienbien_2021_2025").input("Báo cáo tổng kết số 12/BC-UBND")
    at.button(key="mark_btn_dienbien_2021_2025").click().run()
    assert not at.exception
    after = {p["plan"].id: p for p in plans.plans_view(None)}["dienbien_2021_2025"]
    row = after["milestones"].set_index("id").loc["final_review"]
    assert "Đã hoàn thành" in row["Trạng thái"] and row["Ghi chú"] == "Báo cáo tổng kết số 12/BC-UBND"
    assert row["Người xác nhận"] == "vanphong"      # the signed-in account, not a name typed in


def test_every_page_runs_for_every_plan(demo_copy):
    opts = filters.filter_options(None)
    for plan_id in opts["plans"]:
        app = signed_in_app("quantri")
        app.query_params["plan"] = plan_id
        app.run()
        for page in ("pages/tong_quan.py", "pages/chi_tieu.py", "pages/don_vi.py", "pages/ke_hoach.py",
                     "pages/nhap_so_lieu.py", "pages/hop_nhan.py", "pages/nhat_ky.py", "pages/tai_khoan.py"):
            app.switch_page(page).run()
            assert not app.exception, (plan_id, page, [e.value for e in app.exception])
