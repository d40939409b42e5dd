"""Nhập số liệu: template, upload, validation, import summary, confirm, history with rollback."""

import streamlit as st

from kpi import ui, views
from kpi.periods import Period

ui.cold_start_guard()
f = ui.filters()
st.title("Nhập số liệu")
choices = ui.load("upload_choices", plan_id=f["plan"])
if not choices["units"]:
    st.info("Kế hoạch này không có chỉ tiêu định lượng để báo cáo theo quý.")
    st.stop()

st.subheader("1. Chọn đơn vị và quý, tải biểu mẫu")
c1, c2 = st.columns(2)
unit = c1.selectbox("Đơn vị báo cáo", list(choices["units"]), key="up_unit",
                    format_func=lambda c: f"{choices['units'][c]} ({c})")
period = c2.selectbox("Quý", choices["quarters"], key="up_period", format_func=lambda q: Period.parse(q).label())
try:
    data, name = views.template_bytes(None, f["plan"], unit, period)
    st.download_button("Tải biểu mẫu Excel", data, file_name=name, key="up_template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
except ValueError as e:
    st.warning(str(e))

st.subheader("2. Gửi tệp đã điền")
who = st.text_input("Người nạp (họ tên)", key="up_user")
upload = st.file_uploader("Tệp báo cáo (.xlsx) hoặc bảng dài (.csv, .xlsx)", type=["xlsx", "csv"], key="up_file")
if upload is not None:
    content = upload.getvalue()
    key = (upload.name, len(content), unit, period, f["plan"])
    if st.session_state.get("_up_checked_key") != key:
        try:
            st.session_state["_up_check"] = views.check_upload(None, upload.name, content, f["plan"], unit, period,
                                                               user=who, dry_run=True)
        except (KeyError, ValueError) as e:
            st.session_state["_up_check"] = {"ok": False, "lines": [str(e)], "issues": None, "changes": None,
                                             "summary": None, "duplicate_of": None, "upload_id": None}
        st.session_state["_up_checked_key"] = key
        st.session_state.pop("_up_result", None)
    check = st.session_state["_up_check"]
    st.markdown("**Kết quả kiểm tra (chưa ghi)**")
    if check["summary"]:
        s = check["summary"]
        m = st.columns(6)
        for col, (label, value) in zip(m, [("Dòng đọc", s["rows_read"]), ("Giá trị mới", s["new"]),
                                           ("Thay đổi", s["changed"]), ("Không đổi", s["unchanged"]),
                                           ("Lỗi", len(s["errors"])), ("Cảnh báo", len(s["warnings"]))]):
            col.metric(label, value)
    for line in check["lines"][1:2]:
        st.write(line)
    if check["issues"] is not None and not check["issues"].empty:
        st.dataframe(check["issues"], hide_index=True, width="stretch", key="up_issues")
    if check["changes"] is not None and not check["changes"].empty:
        st.markdown("Giá trị thay đổi (cũ → mới):")
        st.dataframe(check["changes"], hide_index=True, width="stretch", key="up_changes")
    if check["duplicate_of"] is not None:
        st.info(f"Tệp này đã được nạp (lần nạp số {check['duplicate_of']}); không cần gửi lại.")
    elif not check["ok"]:
        st.error("Tệp có lỗi nên chưa thể ghi. Sửa các ô nêu trên rồi gửi lại.")
    elif "_up_result" not in st.session_state:
        if st.button("Xác nhận ghi vào cơ sở dữ liệu", type="primary", key="up_confirm"):
            st.session_state["_up_result"] = views.check_upload(None, upload.name, content, f["plan"], unit,
                                                                period, user=who, dry_run=False)
            ui.clear_cache()
            st.rerun()
    result = st.session_state.get("_up_result")
    if result:
        if result["ok"] and result["upload_id"] is not None:
            st.success(f"Đã ghi: lần nạp số {result['upload_id']}. " + " ".join(result["lines"][1:2]))
        else:
            st.error(" ".join(result["lines"]))

st.subheader("3. Lịch sử nạp số liệu")
history = ui.load("uploads_table")
if history.empty:
    st.write("Chưa có lần nạp nào.")
else:
    st.dataframe(history, hide_index=True, width="stretch", key="up_history")
    with st.expander("Rút lại một lần nạp"):
        committed = history[history["Trạng thái"] == "Đã ghi"]["Số"].tolist()
        pick = st.selectbox("Lần nạp", committed, key="up_rollback_id",
                            format_func=lambda i: f"#{i} — " + str(history.set_index("Số").loc[i, "Tệp"]))
        if st.button("Rút lại", key="up_rollback"):
            st.session_state["_up_rollback_lines"] = views.rollback(None, pick, by=who)
            ui.clear_cache()
            st.rerun()
        for line in st.session_state.get("_up_rollback_lines", []):
            st.write(line)
