"""The export page (AppTest): choose plan, quarter and charts; build; a progress bar; three downloads.

Run through a small entry file like app.py that lists only this page, so the
test does not depend on app.py's page list.
"""

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kpi import exports
from kpi.store import connect
from tests.app.signin import signed_in

PAGE = Path(__file__).resolve().parents[2] / "pages" / "xuat_bao_cao.py"
ENTRY = '''
import streamlit as st
from kpi import ui

st.set_page_config(page_title="chitieu", layout="wide")
with ui.entry():
    page = st.navigation([st.Page({page!r}, title="Xuất báo cáo", icon=":material/download:", default=True)])
    ui.shared_filters(page)
    page.run()
'''


def page_app(tmp_path, username: str | None = "vanphong") -> AppTest:
    entry = tmp_path / "entry.py"
    entry.write_text(ENTRY.format(page=str(PAGE)), encoding="utf-8")
    app = AppTest.from_file(str(entry), default_timeout=180)
    return signed_in(app, username) if username else app


@pytest.fixture
def at(demo_copy, tmp_path):
    app = page_app(tmp_path)               # the secretariat (a demo account)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_signed_out_sees_no_export(demo_copy, tmp_path):
    app = page_app(tmp_path, username=None)
    app.run()
    assert "Vui lòng đăng nhập" in app.warning[0].value
    assert not app.multiselect and not app.button


def test_a_leader_may_export_too(demo_copy, tmp_path):
    app = page_app(tmp_path, username="lanhdao")
    app.run()
    assert not app.exception and app.button(key="export_build")


def _sidebar_select(at, label):
    return next(s for s in at.sidebar.selectbox if s.label == label)


def test_page_shows_the_choices(at, demo_copy):
    assert [t.value for t in at.title] == ["Xuất báo cáo"]
    assert "Số 383/KH-UBND ngày 09/02/2021" in at.caption[0].value and "Quý III/2025" in at.caption[0].value
    data = exports.report_data(demo_copy, "dienbien_2021_2025", "2025Q3")
    pick = at.multiselect[0]
    assert pick.options == [exports.chart_choices(data)[k] for k in exports.chart_choices(data)]
    assert pick.value == exports.report_charts(data)
    plan = "dienbien_2021_2025"
    assert [at.text_input(key=f"export_{k}_{plan}").value for k in ("parent", "body", "number")] == [
        "UBND TỈNH ĐIỆN BIÊN", "SỞ NỘI VỤ", "      /BC-SNV"]
    assert not at.get("download_button")


def test_build_and_download(at, demo_copy):
    _sidebar_select(at, "Kế hoạch").set_value("bentre_2024_2025").run()
    _sidebar_select(at, "Số liệu đến").set_value("2025Q2").run()
    assert not at.exception, [e.value for e in at.exception]
    data = exports.report_data(demo_copy, "bentre_2024_2025", "2025Q2")
    target = f"target:{data.attention[0].target.id}"
    at.multiselect[0].set_value(["status", target]).run()
    at.text_input(key="export_number_bentre_2024_2025").input("7/BC-VPTU").run()
    at.button(key="export_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    bar = at.get("progress")[0].proto
    assert bar.value == 100 and bar.text == "Xong"
    assert [b.proto.label for b in at.get("download_button")] == [
        "Báo cáo quý (.docx)", "Tóm tắt cho lãnh đạo (.docx)", "Bảng chỉ tiêu (.xlsx)", "Biểu đồ PNG + SVG (.zip)"]
    assert "Đã tạo: báo cáo Word" in at.success[0].value
    bundle = at.session_state["export_bundle"]["bundle"]
    assert bundle.names == {"docx": "bao-cao_bentre_2024_2025_2025Q2.docx", "brief": "tom-tat_bentre_2024_2025_2025Q2.docx",
                            "xlsx": "bang-chi-tieu_bentre_2024_2025_2025Q2.xlsx",
                            "zip": "bieu-do_bentre_2024_2025_2025Q2.zip"}
    doc = Document(io.BytesIO(bundle.docx))
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].text == "TỈNH ỦY BẾN TRE"
    assert doc.tables[0].rows[1].cells[0].text == "Số 7/BC-VPTU"
    assert len(doc.inline_shapes) == len(exports.report_charts(data))
    assert len(Document(io.BytesIO(bundle.brief)).inline_shapes) == len(exports.report_charts(data, brief=True))
    assert load_workbook(io.BytesIO(bundle.xlsx))["Chỉ tiêu"].max_row >= 30
    with zipfile.ZipFile(io.BytesIO(bundle.zip)) as z:
        stem = f"02_chi-tieu_{data.attention[0].target.id}"
        assert z.namelist() == ["01_trang-thai.png", "01_trang-thai.svg", f"{stem}.png", f"{stem}.svg"]
    with connect(demo_copy) as con:
        logged = con.execute("SELECT actor, via, object, after FROM audit_log WHERE action = 'export'").fetchall()
    assert [r[:3] for r in logged] == [("vanphong", "app", "bentre_2024_2025 2025Q2")]
    assert "bao-cao_bentre_2024_2025_2025Q2.docx" in logged[0][3]
    # a changed choice hides the old files until they are built again
    at.multiselect[0].set_value(["status"]).run()
    assert not at.get("download_button")
    assert "Lựa chọn đã thay đổi" in at.info[0].value


def test_plan_without_targets(at):
    _sidebar_select(at, "Kế hoạch").set_value("laichau_daihoi_thidua_2025").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect[0].options == [] and at.multiselect[0].value == []
    at.button(key="export_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    bundle = at.session_state["export_bundle"]["bundle"]
    assert bundle.files == [] and Document(io.BytesIO(bundle.docx)).paragraphs
    assert [b.proto.disabled for b in at.get("download_button")] == [False, False, False, True]


def test_the_secretariat_writes_the_causes_and_the_report_carries_them(at, demo_copy):
    plan, q = "dienbien_2021_2025", "2025Q3"
    at.text_area(key=f"export_text_causes_{plan}_{q}").input("Mưa lũ kéo dài làm chậm tiến độ.").run()
    at.button(key="export_texts_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    from kpi.exports.texts import load_texts
    assert load_texts(demo_copy, plan, q).causes == "Mưa lũ kéo dài làm chậm tiến độ."
    at.multiselect[0].set_value([]).run()
    at.button(key="export_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    doc = Document(io.BytesIO(at.session_state["export_bundle"]["bundle"].docx))
    assert "Mưa lũ kéo dài làm chậm tiến độ." in [p.text for p in doc.paragraphs]
