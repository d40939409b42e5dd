"""Kế hoạch: the plans, every target in the plan's words, milestones the secretariat marks done."""

import datetime as dt

import streamlit as st

from kpi import permissions, plans, ui

ui.cold_start_guard()
actor = ui.require("read")
f = ui.filters()
st.title("Kế hoạch")
views = ui.load(plans.plans_view, as_of=f["asof"])
views = sorted(views, key=lambda p: p["plan"].id != f["plan"])   # the chosen plan first
tabs = st.tabs([ui.text(p["plan"].short_title) for p in views])
for tab, p in zip(tabs, views):
    plan = p["plan"]
    with tab:
        st.markdown(f"**{ui.text(plan.title)}**")
        st.caption(f"{ui.text(p['reference'])} · Phạm vi: {ui.text(p['scope_name'])} · "
                   f"Giai đoạn {plan.start}–{plan.end}")
        if plan.note:
            st.caption(f"Ghi chú: {ui.text(plan.note)}")
        if not p["targets"].empty:
            st.subheader(f"Chỉ tiêu ({len(p['targets'])})")
            st.dataframe(p["targets"], hide_index=True, width="stretch",
                         column_config={"Nguyên văn kế hoạch": st.column_config.TextColumn(width="large")})
        if not p["milestones"].empty:
            st.subheader(f"Mốc thời hạn ({len(p['milestones'])})")
            st.dataframe(p["milestones"].drop(columns=["id", "status"]), hide_index=True, width="stretch")
            if not permissions.can(actor, "edit_milestone"):
                continue   # leaders and reporters read; the secretariat marks milestones done
            with st.container(border=True):
                st.markdown("**Xác nhận hoàn thành một mốc**")
                mid = st.selectbox("Mốc", p["milestone_ids"], format_func=lambda m, p=p: p["milestone_titles"][m],
                                   key=f"mark_id_{plan.id}")
                done = st.checkbox("Đã hoàn thành", value=True, key=f"mark_done_{plan.id}")
                day = st.date_input("Ngày hoàn thành", value=dt.date.today(), format="DD/MM/YYYY",
                                    key=f"mark_day_{plan.id}")
                note = st.text_input("Ghi chú, căn cứ (số văn bản, biên bản…)", key=f"mark_note_{plan.id}")
                st.caption(f"Người xác nhận: {ui.text(actor.display())}")
                if st.button("Ghi nhận", key=f"mark_btn_{plan.id}"):
                    plans.set_milestone(None, plan.id, mid, day if done else None, note, actor=actor)
                    ui.clear_cache()
                    st.toast(f"Đã ghi nhận: {ui.text(p['milestone_titles'][mid])}")
                    st.rerun()
