"""Thêm kế hoạch: the secretariat drops in a plan's document, reviews the drafted targets, publishes.

The logic is in kpi/plan_review.py (drafting in kpi/drafting.py, publishing and versions in
kpi/plan_versions.py); this page only lays it out.
"""

import datetime as dt

import streamlit as st

from kpi import plan_review, ui
from kpi.catalog import AREAS, KIND_LABELS, KINDS, CatalogError

ui.cold_start_guard()
actor = ui.require("edit_targets")
st.title("Thêm kế hoạch")
st.caption("Tải lên văn bản kế hoạch: chitieu đọc và đề xuất từng chỉ tiêu, mốc thời hạn kèm câu trích của văn bản. "
           "Rà soát, sửa, tách (thêm dòng), bỏ những dòng không đúng, rồi công bố: kế hoạch được kiểm tra như tệp "
           "danh mục và lưu thành một phiên bản mới; mọi trang theo dõi nó ngay.")

choices = plan_review.catalogue_choices(None)

st.subheader("1. Văn bản và thông tin kế hoạch")
NEW, EDIT = "Văn bản kế hoạch mới", "Kế hoạch đã có (sửa, công bố phiên bản mới)"
mode = st.radio("Bắt đầu từ", [NEW, EDIT], key="pl_mode", horizontal=True)


def _start(key, out: dict, targets, milestones, new_ind, header: dict) -> None:
    """Put a document's drafts (or a plan's rows) into the page's state, once per document or plan."""
    st.session_state.update({"_pl_key": key, "_pl": out, "_pl_targets": targets, "_pl_milestones": milestones,
                             "_pl_new": new_ind, "pl_id": header["id"], "pl_title": header["title"],
                             "pl_short": header["short_title"], "pl_number": header["doc_number"],
                             "pl_issuer": header["issuer"], "pl_date": header["doc_date"],
                             "pl_y0": header["period"][0], "pl_y1": header["period"][1],
                             "_pl_source": header["source"], "_pl_file": header.get("file", ""),
                             "_pl_extra": {k: header[k] for k in ("baseline_year", "note") if header.get(k)}})
    if header["scope_unit"] in choices["units"]:
        st.session_state["pl_scope"] = header["scope_unit"]
    for k in ("pl_targets", "pl_milestones", "pl_newind"):
        st.session_state.pop(k, None)


if mode == NEW:
    upload = st.file_uploader("Văn bản kế hoạch (.docx, .pdf có lớp chữ, .txt)", type=["docx", "pdf", "txt"],
                              key="pl_file")
    if upload is None:
        st.info("Chọn tệp văn bản kế hoạch để bắt đầu.")
        st.stop()
    content = upload.getvalue()
    key = ("doc", upload.name, len(content))
    if st.session_state.get("_pl_key") != key:
        try:
            out = plan_review.read_upload(content, upload.name, choices["indicators"], units=choices["provinces"])
        except plan_review.DraftError as e:
            st.error(ui.text(str(e)))
            st.stop()
        _start(key, out, plan_review.targets_frame(out["drafts"]), plan_review.milestones_frame(out["milestones"]),
               plan_review.new_indicators_frame(out["drafts"]), dict(out["header"], file=upload.name))
else:
    plan_id = st.selectbox("Kế hoạch", choices["plans"], key="pl_plan")
    key = ("plan", plan_id)
    if st.session_state.get("_pl_key") != key:
        f = plan_review.plan_frames(None, plan_id)
        out = {"text": f["text"], "drafts": [], "milestones": [], "obligations": []}
        _start(key, out, f["targets"], f["milestones"], plan_review.new_indicators_frame([]),
               dict(f["header"], file=f"{plan_id}.yaml"))
    st.caption(f"Phiên bản hiện hành: {plan_review.current_version_of(None, plan_id)} "
               "(0: kế hoạch theo tệp YAML đi kèm sản phẩm). Công bố tạo phiên bản mới; nhật ký ghi từng trường thay đổi.")
out = st.session_state["_pl"]

c1, c2, c3 = st.columns([2, 1, 1])
c1.text_input("Tên kế hoạch", key="pl_title")
c2.text_input("Tên ngắn (trên menu)", key="pl_short")
c3.text_input("Mã kế hoạch (chữ thường, số, _)", key="pl_id")
c1, c2, c3, c4, c5 = st.columns([1, 1, 2, 1, 1])
c1.text_input("Số, ký hiệu", key="pl_number")
c2.date_input("Ngày ban hành", key="pl_date", format="DD/MM/YYYY")
c3.text_input("Cơ quan ban hành", key="pl_issuer")
c4.number_input("Từ năm", key="pl_y0", min_value=2000, max_value=2100, step=1)
c5.number_input("Đến năm", key="pl_y1", min_value=2000, max_value=2100, step=1)
units = choices["units"]
scope = st.selectbox("Phạm vi (đơn vị của kế hoạch)", list(units), key="pl_scope",
                     format_func=lambda c: f"{c} — {units[c]}")

st.subheader("2. Chỉ tiêu đề xuất")
st.caption((f"{len(out['drafts'])} chỉ tiêu, {len(out['milestones'])} mốc, {len(out['obligations'])} nghĩa vụ báo cáo "
            "đọc được từ văn bản. " if mode == NEW else "")
           + "Bỏ chọn cột «Nhận» để loại; thêm dòng để tách một câu thành hai chỉ tiêu.")
new_codes = list(st.session_state["_pl_new"]["code"])
left, right = st.columns([3, 2])
with left:
    targets = st.data_editor(
        st.session_state["_pl_targets"], key="pl_targets", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "accept": st.column_config.CheckboxColumn("Nhận", default=True),
            "target_id": st.column_config.TextColumn("Mã (tự đặt nếu trống)"),
            "kind": st.column_config.SelectboxColumn("Loại", options=list(KINDS), required=True),
            "indicator": st.column_config.SelectboxColumn("Chỉ số", options=sorted(choices["indicators"]) + new_codes),
            "cmp": st.column_config.SelectboxColumn("So sánh", options=list(plan_review.CMPS)),
            "value": st.column_config.NumberColumn("Giá trị", format="%.4g"),
            "low": st.column_config.NumberColumn("Cận dưới", format="%.4g"),
            "high": st.column_config.NumberColumn("Cận trên", format="%.4g"),
            "start": st.column_config.NumberColumn("Từ năm", format="%d"),
            "end": st.column_config.NumberColumn("Đến năm", format="%d"),
            "year": st.column_config.NumberColumn("Năm (bước)", format="%d"),
            "soft": st.column_config.CheckboxColumn("Khoảng"),
            "average": st.column_config.CheckboxColumn("Bình quân"),
            "baseline_year": st.column_config.NumberColumn("Năm gốc", format="%d"),
            "baseline_value": st.column_config.NumberColumn("Số gốc", format="%.4g"),
            "baseline_implied": st.column_config.CheckboxColumn("Gốc suy ra"),
            "quote": st.column_config.TextColumn("Câu trích", width="large"),
            "section": st.column_config.TextColumn("Mục"),
            "confidence": st.column_config.ProgressColumn("Độ tin cậy chỉ số", min_value=0, max_value=1),
            "draft": st.column_config.TextColumn("Nháp", disabled=True),
        })
with right:
    rows = list(targets.index)
    if rows and out["text"]:
        pick = st.selectbox("Xem câu trong văn bản", rows, key="pl_pick",
                            format_func=lambda i: f"{targets.loc[i, 'draft'] or i}: "
                                                  f"{str(targets.loc[i, 'quote'])[:60]}")
        st.markdown(f"<div class='pl-text' style='max-height:28rem;overflow:auto;font-size:0.9rem'>"
                    f"{plan_review.highlight(out['text'], str(targets.loc[pick, 'quote'] or ''))}</div>",
                    unsafe_allow_html=True)
    kinds = ", ".join(f"{k}: {KIND_LABELS[k]}" for k in KINDS)
    st.caption(f"Loại chỉ tiêu — {kinds}.")

st.markdown("**Chỉ số mới đề xuất** (dùng khi chỉ tiêu chưa có trong danh mục; sửa tên, đơn vị, hướng tốt)")
new_ind = st.data_editor(
    st.session_state["_pl_new"], key="pl_newind", num_rows="dynamic", hide_index=True, width="stretch",
    column_config={"code": st.column_config.TextColumn("Mã", required=True),
                   "name": st.column_config.TextColumn("Tên", width="large"),
                   "unit": st.column_config.TextColumn("Đơn vị tính"),
                   "direction": st.column_config.SelectboxColumn("Hướng tốt", options=["up", "down", "neither"]),
                   "area": st.column_config.SelectboxColumn("Lĩnh vực", options=list(AREAS)),
                   "temporal": st.column_config.SelectboxColumn("Loại số liệu", options=["stock", "flow", "rate"]),
                   "aggregation": st.column_config.SelectboxColumn(
                       "Cộng dồn đơn vị", options=["sum", "mean", "weighted_mean", "none"])})

st.subheader("3. Mốc thời hạn")
milestones = st.data_editor(
    st.session_state["_pl_milestones"], key="pl_milestones", num_rows="dynamic", hide_index=True, width="stretch",
    column_config={"accept": st.column_config.CheckboxColumn("Nhận", default=True),
                   "milestone_id": st.column_config.TextColumn("Mã (tự đặt nếu trống)"),
                   "title": st.column_config.TextColumn("Việc", width="large"),
                   "deadline": st.column_config.DateColumn("Hạn", format="DD/MM/YYYY"),
                   "stated": st.column_config.CheckboxColumn("Văn bản ghi hạn", disabled=True),
                   "deadline_written": st.column_config.TextColumn("Hạn như văn bản ghi", disabled=True),
                   "responsible": st.column_config.TextColumn("Chủ trì"),
                   "quote": st.column_config.TextColumn("Câu trích", width="large"),
                   "section": st.column_config.TextColumn("Mục")})
if out["obligations"]:
    st.markdown("**Nghĩa vụ báo cáo** (để tham khảo)")
    st.dataframe([{"Ai": o["who"], "Báo cáo về": o["to"], "Kỳ": o["frequency"], "Hạn": o["by_when"],
                   "Câu trích": o["quote"]} for o in out["obligations"]], hide_index=True, width="stretch")

st.subheader("4. Công bố")
for issue in plan_review.quote_issues(targets, milestones, out["text"]):
    st.warning(ui.text(issue))
note = st.text_input("Ghi chú phiên bản (không bắt buộc)", key="pl_note")
if st.button("Công bố kế hoạch", key="pl_publish", type="primary", icon=":material/publish:"):
    date = st.session_state.get("pl_date")
    header = {"id": st.session_state["pl_id"].strip(), "title": st.session_state["pl_title"].strip(),
              "short_title": st.session_state["pl_short"].strip(), "doc_number": st.session_state["pl_number"].strip(),
              "doc_date": date if isinstance(date, dt.date) else None, "issuer": st.session_state["pl_issuer"].strip(),
              "scope_unit": scope, "period": (int(st.session_state["pl_y0"]), int(st.session_state["pl_y1"])),
              "source": st.session_state["_pl_source"], **st.session_state["_pl_extra"]}
    try:
        result = plan_review.publish_to(None, header, targets, milestones, new_ind, actor,
                                        source_name=st.session_state["_pl_file"], text=out["text"] or None, note=note)
    except CatalogError as e:
        st.error("Chưa công bố được: kế hoạch còn lỗi (sửa rồi bấm lại).\n\n"
                 + "\n".join(f"- {ui.text(line)}" for line in str(e).splitlines()))
    else:
        ui.clear_cache()
        if result["changed"]:
            st.success(f"Đã công bố kế hoạch {result['plan_id']}, phiên bản {result['version']}.")
        else:
            st.info(f"Kế hoạch {result['plan_id']} không thay đổi (vẫn là phiên bản {result['version']}).")
