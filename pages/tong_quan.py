"""Tổng quan: what is on track and what is not, in one look."""

import streamlit as st

from kpi import overview, ui

ui.cold_start_guard()
f = ui.filters()
data = ui.load(overview.overview, plan_id=f["plan"], as_of=f["asof"], unit=f["unit"])
plan = data["plan"]

st.title("Tổng quan")
st.markdown(f"**{ui.text(plan.title)}**")
st.caption(f"{ui.text(data['reference'])} · Đơn vị: {ui.text(data['unit_name'])} · "
           f"Số liệu đến {data['as_of'].as_of_label()} · {data['total']} chỉ tiêu")

for w in data.get("warnings", []):   # a plan read with the unit that absorbed its territory (issue 11)
    st.warning(ui.text(w))
if data["total"]:
    ui.status_cards(data["cards"])
if plan.milestones:
    st.markdown("**Mốc thời hạn**")
    ui.status_cards(data["milestone_cards"])

COLUMNS = ["Trạng thái", "Chỉ tiêu", "Thực hiện", "Kỳ", "Mục tiêu", "Xu hướng"]


def table(df, key):
    """The targets as a table; choosing a row opens the target."""
    event = st.dataframe(
        df[COLUMNS], hide_index=True, width="stretch", height="content", on_select="rerun",
        selection_mode="single-row", key=key,
        column_config={
            "Trạng thái": st.column_config.TextColumn(width="small"),
            "Chỉ tiêu": st.column_config.TextColumn(width="medium"),
            "Xu hướng": st.column_config.LineChartColumn("Xu hướng (theo năm)", width="small"),
        })
    if event.selection.rows:
        target_id = df.iloc[event.selection.rows[0]]["target_id"]
        st.switch_page("pages/chi_tieu.py", query_params={"target": target_id, **ui.url_filters()})


if not data["attention"].empty:
    st.subheader(f"Cần chú ý ({len(data['attention'])})")
    st.caption("Chỉ tiêu không đạt, đi ngược mục tiêu hoặc chậm tiến độ. Chọn một dòng để xem chi tiết.")
    table(data["attention"], "overview_attention")

if data["chart"] is not None:
    ui.plotly(data["chart"], key="overview_status")

for area, df in data["groups"].items():
    st.subheader(ui.text(area))
    table(df, f"overview_{area}")
