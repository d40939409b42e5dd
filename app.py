"""chitieu: theo dõi chỉ tiêu kế hoạch. Entry file: page config and navigation."""

import streamlit as st

from kpi import views

st.set_page_config(page_title="chitieu – Theo dõi chỉ tiêu", page_icon="📊", layout="wide")


def overview():
    st.title("Theo dõi chỉ tiêu kế hoạch")
    try:
        rows = views.plan_summaries()
    except views.NoDatabase as e:
        st.warning(str(e))
        return
    for row in rows:
        with st.container(border=True):
            st.subheader(row["short_title"])
            st.caption(f"{row['reference']} · số liệu đến {row['as_of_label']}")
            cols = st.columns(len(row["cards"]) or 1)
            for col, card in zip(cols, row["cards"]):
                col.metric(f"{card['symbol']} {card['label']}", card["count"])


st.navigation([st.Page(overview, title="Tổng quan", icon="📊", default=True)]).run()
