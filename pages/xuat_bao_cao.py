"""Xuất báo cáo: the quarter's Word report, the scorecard in Excel, the charts as PNG and SVG."""

import datetime as dt

import streamlit as st

from kpi import audit, comparison, exports, store, ui

ui.cold_start_guard()
actor = ui.require("export")
f = ui.filters()
st.title("Xuất báo cáo")
try:
    data = exports.report_data(None, f["plan"], f["asof"], unit=f["unit"])
except (exports.ExportError, store.NoDatabase) as e:
    st.error(str(e))
    st.stop()
plan = data.plan
# the unit charts come from the Đơn vị page's data, cached like the other pages'
data.units_view = ui.load(comparison.units_view, plan_id=plan.id, as_of=str(data.as_of), level=exports.unit_level(data.as_of))
st.caption(f"{ui.text(plan.short_title)} · {ui.text(plan.reference())} · Đơn vị: {ui.text(data.unit_name)} · "
           f"Số liệu đến {data.as_of.as_of_label()}. Chọn kế hoạch, quý và đơn vị ở thanh bên.")

tag = f"{plan.id}_{data.as_of}_{data.unit}"
choices = exports.chart_choices(data)
picked = st.multiselect(
    "Biểu đồ xuất ra ảnh (PNG và SVG, trong một tệp nén)", list(choices), default=exports.report_charts(data),
    format_func=choices.get, key=f"export_charts_{tag}",
    help="Mặc định: các biểu đồ có trong báo cáo Word (số chỉ tiêu theo trạng thái và các chỉ tiêu cần chú ý). "
         "Trên các trang khác, nút máy ảnh trên thanh công cụ của từng biểu đồ cũng tải được ảnh PNG.")

defaults = exports.letterhead_for(plan)
with st.expander("Phần đầu văn bản (thể thức theo Nghị định 30/2020/NĐ-CP)"):
    c1, c2 = st.columns(2)
    parent = c1.text_input("Cơ quan chủ quản", defaults.parent, key=f"export_parent_{plan.id}")
    body = c2.text_input("Cơ quan ban hành báo cáo", defaults.body, key=f"export_body_{plan.id}")
    number = c1.text_input("Số, ký hiệu", defaults.number, key=f"export_number_{plan.id}",
                           help="Để trống số: điền khi vào sổ văn bản.")
    day = c2.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", key=f"export_date_{plan.id}",
                        help="Để trống: ghi \"ngày … tháng … năm …\" để điền khi ký.")
letterhead = exports.letterhead_for(plan, body=body, parent=parent, number=number,
                                    date=day if isinstance(day, dt.date) else None)

wanted = (tag, tuple(picked), parent, body, number, str(day))
if st.button("Tạo báo cáo và các tệp", type="primary", key="export_build"):
    bar = st.progress(0.0, text="Đang chuẩn bị…")
    try:
        bundle = exports.build(data, picked, letterhead,
                               progress=lambda i, n, text: bar.progress(min(1.0, i / n) if n else 1.0, text=text))
    except exports.RenderError as e:
        st.error(str(e))
        st.stop()
    audit.log_event(None, actor, "export", f"{plan.id} {data.as_of}",
                    after={"unit": data.unit, "files": list(bundle.names.values()), "charts": bundle.files})
    st.session_state["export_bundle"] = {"wanted": wanted, "bundle": bundle}

made = st.session_state.get("export_bundle")
if made and made["wanted"] == wanted:
    b = made["bundle"]
    st.success(f"Đã tạo: báo cáo Word ({len(exports.report_charts(data))} biểu đồ), bảng chỉ tiêu Excel "
               f"({len(data.rows)} chỉ tiêu), {len(b.files)} tệp ảnh. Vẽ biểu đồ {b.seconds['charts']:.1f} giây.")
    c1, c2, c3 = st.columns(3)
    c1.download_button("Báo cáo quý (.docx)", b.docx, file_name=b.names["docx"], on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       icon=":material/description:", key="export_dl_docx")
    c2.download_button("Bảng chỉ tiêu (.xlsx)", b.xlsx, file_name=b.names["xlsx"], on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/table:", key="export_dl_xlsx")
    c3.download_button("Biểu đồ PNG + SVG (.zip)", b.zip, file_name=b.names["zip"], on_click="ignore",
                       mime="application/zip", icon=":material/image:", key="export_dl_zip", disabled=not b.files)
elif made:
    st.info("Lựa chọn đã thay đổi: bấm \"Tạo báo cáo và các tệp\" để tạo lại.")
