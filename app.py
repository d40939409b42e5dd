"""chitieu: theo dõi chỉ tiêu kế hoạch. The frame around every page: config, sign-in, navigation, shared filters."""

import streamlit as st

from kpi import ui

st.set_page_config(page_title="chitieu – Theo dõi chỉ tiêu kế hoạch", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", icon=":material/dashboard:", default=True),
    st.Page("pages/chi_tieu.py", title="Chỉ tiêu", icon=":material/show_chart:"),
    st.Page("pages/don_vi.py", title="Đơn vị", icon=":material/groups:"),
    st.Page("pages/ke_hoach.py", title="Kế hoạch", icon=":material/description:"),
    st.Page("pages/nhap_so_lieu.py", title="Nhập số liệu", icon=":material/upload_file:"),
    st.Page("pages/xuat_bao_cao.py", title="Xuất báo cáo", icon=":material/download:"),
    st.Page("pages/nhat_ky.py", title="Nhật ký", icon=":material/history:"),
    st.Page("pages/tai_khoan.py", title="Tài khoản", icon=":material/manage_accounts:"),
]

with ui.entry():
    actor = ui.current_actor()   # None until signed in: then the sign-in page is the only page
    if actor is None:
        page = st.navigation(ui.sign_in_pages(PAGES))
    else:
        page = st.navigation(ui.pages_for(actor, PAGES))   # by role: kpi.ui.PAGE_ACTIONS
        ui.account_box(actor)
        ui.shared_filters(page)
    page.run()
