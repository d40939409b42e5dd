"""Nhập số liệu: template, upload, validation, import summary, confirm, history with rollback."""

import streamlit as st

from etl import intake
from kpi import permissions, ui
from kpi.errors import NotFound
from kpi.periods import Period
from kpi.store import StoreBusy

ui.cold_start_guard()
actor = ui.require("upload")
f = ui.filters()
st.title("Nhập số liệu")
choices = ui.load(intake.upload_choices, plan_id=f["plan"], actor=actor)
reports = ui.load(intake.report_choices, plan_id=f["plan"], actor=actor)
if reports:   # narrative reports the plan asks for (Word, PDF), with a receipt
    with st.expander("Gửi báo cáo bằng văn bản (Word, PDF)", expanded=not choices["units"]):
        ob = st.selectbox("Nghĩa vụ báo cáo", list(reports), key="rep_obligation",
                          format_func=lambda o: reports[o]["title"])
        c1, c2 = st.columns(2)
        rep_unit = c1.selectbox("Đơn vị gửi", list(reports[ob]["units"]), key="rep_unit",
                                format_func=lambda c: reports[ob]["units"][c])
        rep_period = c2.selectbox("Kỳ báo cáo", reports[ob]["periods"], key="rep_period")
        doc = st.file_uploader("Tệp báo cáo (.docx, .pdf)", type=["docx", "pdf"], key="rep_file")
        if doc is not None and st.button("Gửi báo cáo", key="rep_send", type="primary"):
            sent = intake.send_report(None, f["plan"], ob, rep_unit, rep_period, doc.name, doc.getvalue(), actor=actor)
            (st.success if sent["ok"] else st.error)("  \n".join(ui.text(x) for x in sent["lines"]))
            ui.clear_cache()
if not choices["units"]:
    if actor.role == "reporter":
        st.info(f"Tài khoản {ui.text(actor.describe())} không báo cáo cho kế hoạch này. Chọn kế hoạch khác ở thanh bên.")
    else:
        st.info("Kế hoạch này không có chỉ tiêu định lượng để báo cáo theo quý.")
    st.stop()

st.subheader("1. Chọn đơn vị và quý, tải biểu mẫu")
c1, c2 = st.columns(2)
unit = c1.selectbox("Đơn vị báo cáo", list(choices["units"]), key="up_unit",
                    format_func=lambda c: choices["units"][c])
period = c2.selectbox("Quý", choices["quarters"], key="up_period", format_func=lambda q: Period.parse(q).label())
try:
    data, name = ui.load(intake.template_bytes, plan_id=f["plan"], unit=unit, period=period)  # cached: 0,3 s a build
    st.download_button("Tải biểu mẫu Excel", data, file_name=name, key="up_template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
except ValueError as e:
    st.warning(ui.text(str(e)))

st.subheader("2. Gửi tệp đã điền")
st.caption(f"Người nạp: {ui.text(actor.display())} — {ui.text(actor.role_label)}"
           + (f" của {ui.text(', '.join(sorted(actor.units)))}: chỉ nạp được số liệu của các đơn vị này."
              if actor.role == "reporter" else "."))
LIMIT_MB = intake.MAX_FILE_BYTES // (1024 * 1024)
ui.uploader_in_vietnamese(LIMIT_MB, ".xlsx, .csv")
upload = st.file_uploader("Tệp báo cáo (.xlsx) hoặc bảng dài (.csv, .xlsx)", type=["xlsx", "csv"], key="up_file",
                          max_upload_size=LIMIT_MB)
if upload is not None:
    content = upload.getvalue()
    key = (upload.name, len(content), unit, period, f["plan"])
    if st.session_state.get("_up_checked_key") != key:
        try:
            st.session_state["_up_check"] = intake.check_upload(None, upload.name, content, f["plan"], unit, period,
                                                               actor=actor, dry_run=True)
        except (NotFound, ValueError) as e:
            st.session_state["_up_check"] = {"ok": False, "lines": [str(e)], "issues": None, "changes": None,
                                             "summary": None, "duplicate_of": None, "upload_id": None, "blocking": 1}
        st.session_state["_up_checked_key"] = key
        st.session_state.pop("_up_result", None)
    check = st.session_state["_up_check"]
    st.markdown(f"**Kết quả kiểm tra (chưa ghi)** · tệp {ui.text(upload.name)}")
    if check["summary"]:
        s = check["summary"]
        m = st.columns(6)
        for col, (label, value) in zip(m, [("Dòng đọc", s["rows_read"]), ("Giá trị mới", s["new"]),
                                           ("Thay đổi", s["changed"]), ("Không đổi", s["unchanged"]),
                                           ("Lỗi", len(s["errors"])), ("Cảnh báo", len(s["warnings"]))]):
            col.metric(label, value)
    if check["duplicate_of"] is not None:
        st.info(f"Tệp này đã được nạp (lần nạp số {check['duplicate_of']}); không cần gửi lại.")
    elif not check["ok"]:
        if check.get("blocking"):
            st.error("Tệp chưa thể ghi: " + ("lỗi đầu tiên dưới đây làm hỏng cả tệp (biểu của đơn vị, quý hoặc kế "
                                              "hoạch khác). Sửa lỗi đó trước." if check["issues"] is not None else
                                              ui.text(" ".join(check["lines"]))))
        else:
            st.error("Tệp có lỗi nên chưa thể ghi. Sửa các ô nêu dưới đây rồi gửi lại.")
    else:
        for line in check["lines"][1:2]:
            st.markdown(ui.text(line))
    issues = check["issues"]
    if issues is not None and not issues.empty:
        # every message in full, wrapped: what blocks the file first (etl.intake.sorted_issues)
        shown = issues.head(50)
        st.markdown("\n".join(f"- **{ui.text(r['Mức'])}** tại {ui.text(r['Vị trí'])}: {ui.text(r['Nội dung'])}"
                               for r in shown.to_dict("records")))
        if len(issues) > len(shown):
            with st.expander(f"Xem cả {len(issues)} lỗi và cảnh báo"):
                st.table(issues)
    if check.get("names"):   # names not the catalogue's: the clerk confirms or picks, and they are remembered
        with st.expander("Tên chỉ tiêu khác danh mục: xác nhận hoặc chọn chỉ tiêu", expanded=True):
            st.caption("Chọn đúng chỉ tiêu cho từng tên rồi bấm Ghi nhớ: lần sau tệp cùng tên được nhận ngay.")
            picks = {}
            for q in check["names"]:
                picks[q["name"]] = st.selectbox(f"{q['where']}: {q['name']}", q["options"], key=f"up_name_{q['row']}",
                                                format_func=lambda c, q=q: q["labels"][c])
            everyone = (st.checkbox("Ghi nhớ cho mọi đơn vị", key="up_names_all")
                        if permissions.can(actor, "edit_targets") else False)
            if st.button("Ghi nhớ các tên này", key="up_names_save"):
                try:
                    n = intake.remember_names(None, picks, actor=actor, unit=unit, everyone=everyone)
                    st.session_state.pop("_up_checked_key", None)   # check again, with the names remembered
                    st.session_state["_up_names_saved"] = n
                    st.rerun()
                except permissions.PermissionDenied as e:
                    st.error(ui.text(str(e)))
    if st.session_state.pop("_up_names_saved", None):
        st.success("Đã ghi nhớ tên chỉ tiêu; tệp đã được kiểm tra lại.")
    # the changes only matter once the file can be written: a form of another unit "changes" every value
    if check["ok"] and check["changes"] is not None and not check["changes"].empty:
        st.markdown("Giá trị thay đổi (cũ → mới):")
        st.dataframe(check["changes"], hide_index=True, width="stretch", key="up_changes")
    if check["ok"] and check["duplicate_of"] is None and "_up_result" not in st.session_state:
        if st.button("Xác nhận ghi vào cơ sở dữ liệu", type="primary", key="up_confirm"):
            try:
                st.session_state["_up_result"] = intake.check_upload(None, upload.name, content, f["plan"], unit,
                                                                    period, actor=actor, dry_run=False)
            except StoreBusy as e:   # the file held too long, or the same figures written by others meanwhile
                st.session_state["_up_result"] = {"ok": False, "upload_id": None, "lines": [str(e)]}
            else:
                st.session_state["_up_sent"] = (f["plan"], unit, period)
            ui.clear_cache()
            st.rerun()
    result = st.session_state.get("_up_result")
    if result:
        if result["ok"] and result["upload_id"] is not None:
            st.success(f"Đã ghi: lần nạp số {result['upload_id']}. " + ui.text(" ".join(result["lines"][1:2])))
            plan_id, sent_unit, sent_period = st.session_state["_up_sent"]
            st.page_link("pages/tong_quan.py", icon=":material/visibility:",
                         label=f"Xem số liệu vừa gửi: {choices['units'][sent_unit]}, {Period.parse(sent_period).label()}",
                         query_params={"plan": plan_id, "unit": sent_unit, "asof": sent_period})
        else:
            st.error(ui.text(" ".join(result["lines"])))

st.subheader("3. Lịch sử nạp số liệu")
if actor.role == "reporter":
    st.caption("Các lần nạp của đơn vị mình và của chính mình.")
uploads = ui.load(intake.uploads_view, actor=actor)
history = uploads["table"]
if history.empty:
    st.write("Chưa có lần nạp nào.")
else:
    st.dataframe(history, hide_index=True, width="stretch", key="up_history")
    if uploads["withdrawable"]:
        with st.expander("Rút lại một lần nạp"):
            if actor.role == "reporter":
                st.caption("Báo cáo viên rút lại được lần nạp do chính mình gửi; văn phòng rút lại được mọi lần nạp.")
            pick = st.selectbox("Lần nạp", uploads["withdrawable"], key="up_rollback_id",
                                format_func=lambda i: f"#{i} — " + str(history.set_index("Số").loc[i, "Tệp"]))
            if st.button("Rút lại", key="up_rollback"):
                try:
                    st.session_state["_up_rollback_lines"] = intake.rollback(None, pick, actor=actor)
                except (permissions.PermissionDenied, ValueError, NotFound) as e:
                    st.session_state["_up_rollback_lines"] = [str(e)]
                ui.clear_cache()
                st.rerun()
            for line in st.session_state.get("_up_rollback_lines", []):
                st.markdown(ui.text(line))
