"""Hộp nhận: what came for the plan and quarter; accept, send back with a reason, reopen (the receiver's side)."""

import streamlit as st

from kpi import inbox, ui
from kpi.approval import ReviewError

ui.cold_start_guard()
actor = ui.require("review")
f = ui.filters()
st.title("Hộp nhận báo cáo")
data = ui.load(inbox.inbox_view, plan_id=f["plan"], period=f["asof"])
st.caption(f"{ui.text(data['plan'].short_title)} · {ui.text(data['period'])}. Ai phải báo cáo gì, cho ai, hạn nào "
           "theo kế hoạch; chấp nhận thì số liệu kỳ đó khóa với đơn vị báo cáo cho tới khi mở lại.")
c = data["counts"]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Chờ xem xét", c["waiting"])
m2.metric("Đã trả lại", c["sent_back"])
m3.metric("Đã chấp nhận", c["accepted"])
m4.metric("Chưa nộp, quá hạn", c["missing"])
for ob, notes in data["notes"].items():
    for n in notes:
        st.warning(ui.text(n))

view = st.radio("Xem", list(inbox.VIEWS), format_func=inbox.VIEWS.get, horizontal=True, key="inbox_view")
table = inbox.filtered(data["table"], view)
if table.empty:
    st.info("Không có mục nào.")
else:
    st.dataframe(table, hide_index=True, width="stretch", key="inbox_table")

st.subheader("Xem xét")
acts = {"accept": "Chấp nhận", "send_back": "Trả lại (kèm lý do)", "reopen": "Mở lại báo cáo đã chấp nhận"}
action = st.radio("Việc", list(acts), format_func=acts.get, horizontal=True, key="inbox_action")
choices = data["can"][action]
if not choices:
    st.write("Không có báo cáo nào để " + acts[action].lower() + ".")
else:
    with st.form("inbox_form"):
        key = st.selectbox("Báo cáo", choices, format_func=lambda k: data["labels"].get(k, k), key="inbox_item")
        reason = st.text_input("Lý do" + (" (bắt buộc)" if action == "send_back" else ""), key="inbox_reason")
        if st.form_submit_button(acts[action], type="primary"):
            try:
                st.success(inbox.review(None, action=action, plan_id=f["plan"], key=key, reason=reason, actor=actor))
                ui.clear_cache()
            except ReviewError as e:
                st.error(ui.text(str(e)))
