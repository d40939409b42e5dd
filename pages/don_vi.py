"""Đơn vị: units side by side, the emulation ranking, who has not reported."""

import streamlit as st

from kpi import comparison, ui
from kpi.units import LAST_OLD_DAY
from kpi.fmt import fmt_number

ui.cold_start_guard()
f = ui.filters()
st.title("Đơn vị")
base = ui.load(comparison.units_view, plan_id=f["plan"], as_of=f["asof"])
c1, c2 = st.columns(2)
level = base["level"]
if len(base["levels"]) > 1:
    level = c1.radio("Cấp đơn vị", list(base["levels"]), format_func=base["levels"].get, key="unit_level",
                     horizontal=True)
base = base if level == base["level"] else ui.load(comparison.units_view, plan_id=f["plan"], as_of=f["asof"], level=level)
cluster = None
if base["clusters"]:
    pick = c2.selectbox("Cụm, khối thi đua", ["Tất cả"] + base["clusters"], key="unit_cluster")
    cluster = None if pick == "Tất cả" else pick
data = base if cluster is None else ui.load(comparison.units_view, plan_id=f["plan"], as_of=f["asof"], cluster=cluster,
                                            level=level)

st.caption(f"{ui.text(data['plan'].short_title)} · số liệu đến {data['as_of'].as_of_label()}. "
           "Đơn vị được đánh giá theo chỉ tiêu của tỉnh; với chỉ số cộng dồn (việc làm, thu ngân sách…) "
           "mục tiêu của đơn vị là mục tiêu tỉnh nhân với tỷ trọng của đơn vị trong năm đầu có số liệu. "
           f"Cấp huyện kết thúc ngày {LAST_OLD_DAY:%d/%m/%Y}.")

if not data["ranking"]:
    st.info("Chưa có số liệu của các đơn vị trực thuộc cho kế hoạch này.")
else:
    with st.container(key="units_wide"):            # a wide screen: the ranking chart and the heatmap
        ui.plotly(data["ranking_chart"], key="units_ranking")
        if data["heatmap"] is not None:
            ui.plotly(data["heatmap"], key="units_heatmap")
    with st.container(key="units_narrow"):          # a phone: the same ranking as a list, read top to bottom
        st.markdown("**Xếp hạng đơn vị** (tỷ lệ chỉ tiêu đạt hoặc đúng tiến độ)")
        ranked = sorted(data["ranking"], key=lambda r: (-r["share"], r["name"]))
        st.markdown("\n".join(f"{i}. **{ui.text(r['name'])}** — {fmt_number(100 * r['share'], 0)}% "
                               f"({r['good']}/{r['total']} chỉ tiêu)" for i, r in enumerate(ranked, start=1)))

st.subheader("Nộp báo cáo quý")
rep = data["reporting"]
if not rep["by_period"]:
    st.write("Chưa có đơn vị nào phải nộp báo cáo trong kỳ đã chọn.")
else:
    last = rep["latest"]
    c1, c2, c3 = st.columns(3)
    sent = last["on_time"] + last["late"]
    c1.metric(f"Đã nộp {last['period']}", f"{sent}/{last['expected']}")
    c2.metric("Đúng hạn", last["on_time"])
    c3.metric("Chưa nộp", last["missing"])
    st.caption(f"Hạn nộp: {rep['due_days']} ngày sau khi hết quý.")
    ui.plotly(data["reporting_chart"], key="units_reporting")
    for tab, (name, frame) in zip(st.tabs(["Chưa nộp", "Nộp trễ"]), (("missing", rep["missing"]), ("late", rep["late"]))):
        with tab:
            if frame.empty:
                st.write("Không có.")
            else:
                st.dataframe(frame, hide_index=True, width="stretch", key=f"reporting_{name}")
