"""Hộp nhận (the receiver's inbox) as an AppTest on the demo data: see what came, accept, send back, reopen."""

import pytest

from kpi import approval
from kpi.store import connect
from tests.app.signin import app as signed_in_app


def _open(plan="dienbien_2021_2025", asof="2025Q2", user="vanphong"):
    at = signed_in_app(user)
    at.query_params["plan"] = plan
    at.query_params["asof"] = asof
    at.run()
    at.switch_page("pages/hop_nhan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_the_demo_shows_every_state(demo_copy):
    at = _open()
    assert at.title[0].value == "Hộp nhận báo cáo"
    assert int(_metric(at, "Đã trả lại")) == 1 and int(_metric(at, "Đã chấp nhận")) >= 1
    assert int(_metric(at, "Chưa nộp, quá hạn")) >= 1 and int(_metric(at, "Chờ xem xét")) >= 1
    at.radio(key="inbox_view").set_value("sent_back").run()
    table = at.dataframe[0].value
    assert list(table["Đơn vị"]) == ["Huyện Mường Chà"] and "thiếu số lũy kế" in table["Lý do"].iloc[0]


def test_accept_then_reopen_from_the_page(demo_copy):
    at = _open()
    key = at.selectbox(key="inbox_item").value
    ob, unit, period = key.split("|")
    at.button(key="FormSubmitter:inbox_form-Chấp nhận").click().run()
    assert not at.exception
    assert "Đã chấp nhận" in at.success[0].value
    with connect(demo_copy) as con:
        assert approval.locked(con, unit, period)
    at.radio(key="inbox_action").set_value("reopen").run()
    at.selectbox(key="inbox_item").set_value(key)
    at.text_input(key="inbox_reason").input("đơn vị xin sửa số")
    at.button(key="FormSubmitter:inbox_form-Mở lại báo cáo đã chấp nhận").click().run()
    assert "Đã mở lại" in at.success[0].value
    with connect(demo_copy) as con:
        assert not approval.locked(con, unit, period)


def test_send_back_needs_a_reason(demo_copy):
    at = _open()
    at.radio(key="inbox_action").set_value("send_back").run()
    at.button(key="FormSubmitter:inbox_form-Trả lại (kèm lý do)").click().run()
    assert "trả lại cần nêu lý do" in at.error[0].value


def test_a_reporter_cannot_open_the_inbox(demo_copy):
    at = signed_in_app("tuangiao")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):   # not in a reporter's menu
        at.switch_page("pages/hop_nhan.py")
