"""Nhập số liệu: template, upload, validation, import summary, confirm, history with rollback."""

import streamlit as st

from kpi import ui

ui.cold_start_guard()
st.title("Nhập số liệu")
st.info("Trang nạp báo cáo quý đang được hoàn thiện. Trong lúc chờ, dùng dòng lệnh: "
        "python -m etl load TỆP --dry-run")
