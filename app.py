"""chitieu: theo dõi chỉ tiêu kế hoạch. The frame around every page: config, sign-in, navigation, shared filters."""

import streamlit as st

from kpi import navigation, ui

st.set_page_config(page_title="chitieu – Theo dõi chỉ tiêu kế hoạch", page_icon="📊", layout="wide")
ui.page_css()

# The menu, from the one page table (kpi/navigation.py: file, title, icon, the action a role needs).
PAGES = [st.Page(str(p.path), title=p.title, icon=p.icon, default=p.default) for p in navigation.PAGES]

with ui.entry():
    actor = ui.current_actor()   # None until signed in: then the sign-in page is the only page
    if actor is None:
        page = st.navigation(ui.sign_in_pages(PAGES))
    else:
        page = st.navigation(ui.pages_for(actor, PAGES))   # by role
        ui.account_box(actor)
        ui.shared_filters(page)
    page.run()
