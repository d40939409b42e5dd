"""Tổng quan: what is on track and what is not, in one look; a status card filters the list, a name opens the target."""

import html

import streamlit as st

from kpi import overview, ui

ui.cold_start_guard()
f = ui.filters()
data = ui.load(overview.overview, plan_id=f["plan"], as_of=f["asof"], unit=f["unit"])
plan = data["plan"]

st.title("Tổng quan")
st.markdown(f"**{ui.text(plan.title)}**")
period = f" · Số liệu: {data['period'].lower()}" if data["period"] else ""
st.caption(f"{ui.text(data['reference'])} · Đơn vị: {ui.text(data['unit_name'])} · "
           f"Số liệu đến {data['as_of'].as_of_label()}{period} · {data['total']} chỉ tiêu")

for w in data.get("warnings", []):   # a plan read with the unit that absorbed its territory (issue 11)
    st.warning(ui.text(w))
chosen = None
if data["total"]:
    chosen = ui.status_filter_cards([c for c in data["cards"]], key="ov_status")

if plan.milestones:
    st.markdown("**Mốc thời hạn**")
    ui.status_cards(data["milestone_cards"])
    if not data["overdue"].empty:
        with st.container(key="overdue"):
            st.markdown(f"**Mốc quá hạn ({len(data['overdue'])})**")
            st.markdown("\n".join(f"- {ui.text(r['Mốc'])} — hạn {r['Hạn']}, quá {r['Quá hạn']}; "
                                  f"chịu trách nhiệm: {ui.text(r['Chịu trách nhiệm'])}"
                                  for r in data["overdue"].to_dict("records")))


def head(columns, key: str) -> None:
    """The list's column titles (hidden on a phone, where each cell carries its own label)."""
    with st.container(key=f"thead_{key}"):
        cols = st.columns(WIDTHS)
    for col, label in zip(cols, columns):
        col.html(f"<div class='tl-head' style='font-weight:600;font-size:0.85rem;color:#52606D'>{label}</div>")


WIDTHS = [1.4, 4.2, 1.7, 1.8, 1.9]
done_label = f"Thực hiện ({data['period'].lower()})" if data["period"] else "Thực hiện"


def rows(df) -> None:
    """One line per target: status, the full name (a link to the target), value, target, change."""
    for r in df.to_dict("records"):
        with st.container(key=f"trow_{r['target_id']}"):
            c = st.columns(WIDTHS, vertical_alignment="center")
            c[0].html(ui.badge(r["status"], small=True) + ("<br><small>tạm tính</small>" if r["provisional"] else ""))
            c[1].page_link("pages/chi_tieu.py", label=r["Chỉ tiêu"],
                           query_params={**ui.url_filters(), "target": r["target_id"]})
            value = r["Thực hiện"] + ("" if data["period"] or r["Kỳ"] == "–" else f" ({r['Kỳ'].lower()})")
            c[2].html(f"<span class='tl-lbl'>Thực hiện: </span><span class='tl-val'>{html.escape(value)}</span>")
            c[3].html(f"<span class='tl-lbl'>Mục tiêu: </span><span class='tl-val'>{html.escape(r['Mục tiêu'])}</span>")
            c[4].html(f"<span class='tl-lbl'>So với quý trước: </span>"
                      f"<span class='tl-val'>{html.escape(r['So với quý trước'])}</span>")


COLUMNS = ["Trạng thái", "Chỉ tiêu (bấm để xem)", done_label, "Mục tiêu",
           f"So với {data['previous'].as_of_label()}"]
groups = {a: df[df["status"] == chosen] if chosen else df for a, df in data["groups"].items()}
groups = {a: df for a, df in groups.items() if not df.empty}
if chosen:
    label = next(c["label"] for c in data["cards"] if c["status"] == chosen)
    st.subheader(f"{label} ({sum(len(df) for df in groups.values())})")
    st.caption("Bấm lại thẻ đang chọn để xem tất cả các chỉ tiêu.")
elif not data["attention"].empty:
    st.caption(f"{len(data['attention'])} chỉ tiêu không đạt, đi ngược mục tiêu hoặc chậm tiến độ: bấm thẻ màu "
               "tương ứng để chỉ xem các chỉ tiêu đó. Bấm tên một chỉ tiêu để xem chi tiết.")

for i, (area, df) in enumerate(groups.items()):
    st.subheader(ui.text(area))
    head(COLUMNS, str(i))
    rows(df)

if data["chart"] is not None and not chosen:
    ui.plotly(data["chart"], key="overview_status")
