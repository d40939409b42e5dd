"""Nhật ký: who did what and when (sign-ins, uploads, rollbacks, milestones, targets, accounts, exports)."""

import datetime as dt

import streamlit as st

from kpi import audit, ui

ui.cold_start_guard()
actor = ui.require("read_audit")
st.title("Nhật ký")
st.caption("Mọi lần đăng nhập, nạp số liệu, rút lại, xác nhận mốc, cập nhật danh mục chỉ tiêu, thay đổi tài khoản "
           "và xuất báo cáo: ai, lúc nào, việc gì, trước và sau.")

facets = audit.audit_view(None, actor=actor, limit=1)["facets"]
c1, c2, c3, c4 = st.columns(4)
who = c1.selectbox("Tài khoản", ["Tất cả"] + facets["actors"], key="audit_who")
action = c2.selectbox("Hành động", ["Tất cả"] + facets["actions"], key="audit_action",
                      format_func=lambda a: audit.ACTIONS.get(a, a))
first = facets["first"] or dt.date.today()
since = c3.date_input("Từ ngày", value=first, format="DD/MM/YYYY", key="audit_since")
until = c4.date_input("Đến ngày", value=dt.date.today(), format="DD/MM/YYYY", key="audit_until")
filters = {"who": None if who == "Tất cả" else who, "action": None if action == "Tất cả" else action,
           "since": since if isinstance(since, dt.date) else None,
           "until": until if isinstance(until, dt.date) else None}

LIMIT = 1000
data = audit.audit_view(None, actor=actor, **filters)
table = data["entries"]
st.write(f"{data['count']} mục" + (f"; hiện {LIMIT} mục mới nhất, tải tệp để xem hết." if data["count"] > LIMIT else "."))
if table.empty:
    st.info("Không có mục nào theo bộ lọc đã chọn.")
else:
    st.dataframe(table.head(LIMIT), hide_index=True, width="stretch", key="audit_table",
                 column_config={"Trước": st.column_config.TextColumn(width="medium"),
                                "Sau": st.column_config.TextColumn(width="medium")})
    csv_bytes, xlsx_bytes = audit.audit_files(None, actor=actor, **filters)
    stem = f"nhat-ky-{dt.date.today():%Y%m%d}"

    def _noted(kind: str):
        return lambda: audit.record_export(None, actor=actor, what=f"nhật ký ({kind})", files=[f"{stem}.{kind}"],
                                           detail=f"{data['count']} mục; bộ lọc: {filters}")

    d1, d2 = st.columns(2)
    d1.download_button("Tải CSV", csv_bytes, file_name=f"{stem}.csv", mime="text/csv", key="audit_csv",
                       on_click=_noted("csv"), icon=":material/download:")
    d2.download_button("Tải Excel (.xlsx)", xlsx_bytes, file_name=f"{stem}.xlsx", key="audit_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click=_noted("xlsx"), icon=":material/table:")
