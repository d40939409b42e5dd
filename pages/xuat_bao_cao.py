"""Xuất báo cáo: the quarter's Word report, the scorecard in Excel, the charts as PNG and SVG."""

import datetime as dt

import streamlit as st

from kpi import audit, comparison, exports, permissions, store, ui
from kpi.exports import images, texts
from kpi.fmt import fmt_seconds

ui.cold_start_guard()
actor = ui.require("export")
images.warm_up(idle_seconds=300)   # the browser that draws the charts starts now, while the page is read (2 to 6 s)
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
    help="Mặc định: các biểu đồ có trong báo cáo Word (số chỉ tiêu theo kết quả đánh giá và các chỉ tiêu khó "
         "hoàn thành, không đạt). "
         "Trên các trang khác, nút máy ảnh trên thanh công cụ của từng biểu đồ cũng tải được ảnh PNG.")

holder = (data.holder() or {}).get("name")   # a merged territory: its successor writes the report
defaults = exports.letterhead_for(plan, holder=holder)
with st.expander("Phần đầu văn bản (thể thức theo Nghị định 30/2020/NĐ-CP)"):
    c1, c2 = st.columns(2)
    head = plan.id + (f"_{holder}" if holder else "")   # new defaults when another body holds the plan
    parent = c1.text_input("Cơ quan chủ quản", defaults.parent, key=f"export_parent_{head}")
    body = c2.text_input("Cơ quan ban hành báo cáo", defaults.body, key=f"export_body_{head}")
    number = c1.text_input("Số, ký hiệu", defaults.number, key=f"export_number_{plan.id}",
                           help="Để trống số: điền khi vào sổ văn bản.")
    day = c2.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", key=f"export_date_{plan.id}",
                        help="Để trống: ghi \"ngày … tháng … năm …\" để điền khi ký.")
letterhead = exports.letterhead_for(plan, body=body, parent=parent, number=number, holder=holder,
                                    date=day if isinstance(day, dt.date) else None)

# What only people can write, kept per plan and quarter (kpi.exports.texts); the data's part is drafted
stored = texts.load_texts(None, plan.id, str(data.as_of))
can_write = permissions.can(actor, texts.RIGHT)
with st.expander("Phần do cơ quan thường trực viết (lưu theo kế hoạch và quý)", expanded=False):
    st.caption("chitieu tự soạn phần số liệu: chỉ tiêu khó hoàn thành, đơn vị chưa gửi báo cáo, nhiệm vụ quá hạn. "
               "Các mục dưới đây do người viết; mục để trống sẽ hiện một dòng trong ngoặc vuông để điền sau."
               + ("" if can_write else " Chỉ văn phòng thường trực và quản trị sửa được."))
    typed = {}
    for section in ("assessment", "causes", "directions", "proposals"):
        typed[section] = st.text_area(texts.SECTIONS[section], getattr(stored, section), disabled=not can_write,
                                      key=f"export_text_{section}_{plan.id}_{data.as_of}", height=110)
    c1, c2, c3 = st.columns(3)
    for col, section in zip((c1, c2, c3), ("signer_name", "signer_title", "deputy_title")):
        typed[section] = col.text_input(texts.SECTIONS[section], getattr(stored, section), disabled=not can_write,
                                        key=f"export_text_{section}_{plan.id}_{data.as_of}")
    if can_write and st.button("Lưu phần viết", key="export_texts_save"):
        changed = texts.save_texts(None, plan.id, str(data.as_of), typed, actor=actor)
        st.toast("Đã lưu." if changed else "Không có gì thay đổi.")
        stored = texts.load_texts(None, plan.id, str(data.as_of))
report_texts = texts.ReportTexts(**typed) if can_write else stored

wanted = (tag, tuple(picked), parent, body, number, str(day), report_texts)
if st.button("Tạo báo cáo và các tệp", type="primary", key="export_build"):
    bar = st.progress(0.0, text="Đang chuẩn bị…")
    try:
        bundle = exports.build(data, picked, letterhead, texts=report_texts,
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
    total = sum(b.seconds.values())
    st.success(f"Đã tạo: báo cáo Word ({len(exports.report_charts(data))} biểu đồ), bản tóm tắt cho lãnh đạo, bảng "
               f"chỉ tiêu Excel ({len(data.rows)} chỉ tiêu), {len(b.files)} tệp ảnh, trong {fmt_seconds(total)}.")
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Báo cáo quý (.docx)", b.docx, file_name=b.names["docx"], on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       icon=":material/description:", key="export_dl_docx")
    c2.download_button("Tóm tắt cho lãnh đạo (.docx)", b.brief, file_name=b.names["brief"], on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       icon=":material/summarize:", key="export_dl_brief",
                       help="Tối đa 5 trang: số chỉ tiêu, các chỉ tiêu cần chỉ đạo, tối đa 4 biểu đồ.")
    c3.download_button("Bảng chỉ tiêu (.xlsx)", b.xlsx, file_name=b.names["xlsx"], on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/table:", key="export_dl_xlsx")
    c4.download_button("Biểu đồ PNG + SVG (.zip)", b.zip, file_name=b.names["zip"], on_click="ignore",
                       mime="application/zip", icon=":material/image:", key="export_dl_zip", disabled=not b.files)
elif made:
    st.info("Lựa chọn đã thay đổi: bấm \"Tạo báo cáo và các tệp\" để tạo lại.")
