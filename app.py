"""chitieu: theo dõi chỉ tiêu kế hoạch. The frame around every page: config, navigation, shared filters."""

import streamlit as st

from kpi import ui

st.set_page_config(page_title="chitieu – Theo dõi chỉ tiêu kế hoạch", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", icon=":material/dashboard:", default=True),
    st.Page("pages/chi_tieu.py", title="Chỉ tiêu", icon=":material/show_chart:"),
    st.Page("pages/don_vi.py", title="Đơn vị", icon=":material/groups:"),
    st.Page("pages/ke_hoach.py", title="Kế hoạch", icon=":material/description:"),
    st.Page("pages/nhap_so_lieu.py", title="Nhập số liệu", icon=":material/upload_file:"),
]

with ui.entry():
    page = st.navigation(PAGES)
    ui.shared_filters(page)
    page.run()
