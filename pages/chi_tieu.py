"""Chỉ tiêu: one target, its path, its projection and the pace still needed."""

import streamlit as st

from kpi import detail, ui
from kpi.fmt import fmt_number

ui.cold_start_guard()
f = ui.filters()
choices = ui.load(detail.target_choices, plan_id=f["plan"])
if not choices:
    st.title("Chỉ tiêu")
    st.info("Kế hoạch này chỉ có mốc thời hạn, không có chỉ tiêu định lượng. Xem trang Kế hoạch.")
    st.stop()
wanted = st.query_params.get("target")
if st.session_state.get("target_pick") not in choices or (wanted in choices and wanted != st.session_state.get("_target_from_url")):
    st.session_state["target_pick"] = wanted if wanted in choices else next(iter(choices))
    st.session_state["_target_from_url"] = wanted
target_id = st.selectbox("Chỉ tiêu", list(choices), key="target_pick", format_func=lambda t: choices[t])
st.query_params["target"] = target_id

d = ui.load(detail.target_detail, plan_id=f["plan"], target_id=target_id, as_of=f["asof"], unit=f["unit"])
t, ind, a = d["target"], d["indicator"], d["assessment"]

st.title(ui.text(ind.name))
st.markdown(ui.badge(a.status) + f" &nbsp; <b>{ui.text(d['kind_label'])}</b> · Mục tiêu: {ui.text(d['target_text'])}"
            f" · Đơn vị: {ui.text(d['unit_name'])}", unsafe_allow_html=True)

c1, c2, c3, c4 = st.columns(4)
c1.metric(f"Thực hiện ({a.latest_period.label()})" if a.latest_period else "Thực hiện", d["latest_text"])
c2.metric("Mục tiêu", d["target_short"], help=ui.text(d["target_text"]))
c3.metric("Tiến độ so với yêu cầu (R)", fmt_number(a.ratio, 2) if a.ratio is not None else "–",
          help="Tiến độ thực tế chia tiến độ cần thiết từ năm gốc (≥ 0,95: đúng tiến độ). Xem docs/method.md.")
pace_decimals = 2 if a.pace_unit.startswith(("%", "điểm")) else min(ind.decimals, 2)   # counts: no decimals
c4.metric(f"Cần đạt mỗi năm còn lại ({a.pace_unit})" if a.pace_unit else "Cần đạt mỗi năm còn lại",
          fmt_number(a.pace_needed, pace_decimals) if a.pace_needed is not None else "–")

if d["newer"]:
    n = d["newer"]
    st.warning(f"{ui.text(d['unit_name'])} đã có số liệu mới hơn: {ui.text(n['text'])} ({ui.text(n['period'])}).")
    st.page_link("pages/chi_tieu.py", label=f"Xem đến {n['period'].replace('Lũy kế', 'lũy kế')}",
                 icon=":material/update:", query_params={**ui.url_filters(), "asof": n["asof"], "target": target_id})
st.info(ui.text(a.sentence))
for note in a.notes:
    st.caption(f"Ghi chú: {ui.text(note)}")

ui.plotly(d["chart"], key="target_chart")

st.subheader("Căn cứ trong kế hoạch")
st.markdown(f"> {ui.text(t.quote)}")
st.caption(f"Mục {ui.text(t.section)} · {ui.text(d['reference'])}")
if t.choice:
    with st.expander("Cách hiểu khi văn bản chưa rõ"):
        st.markdown(ui.text(t.choice))
if ind.definition:
    st.caption(f"Định nghĩa chỉ số: {ui.text(ind.definition)}")

st.subheader("Số liệu theo kỳ")
if d["values"].empty:
    st.write("Chưa có số liệu.")
else:
    st.dataframe(d["values"], hide_index=True, width="stretch")

st.subheader("Theo đơn vị")
if d["breakdown"].empty:
    st.write("Chưa có số liệu của các đơn vị trực thuộc cho chỉ số này.")
else:
    st.dataframe(d["breakdown"].drop(columns=["Giá trị"]), hide_index=True, width="stretch")
