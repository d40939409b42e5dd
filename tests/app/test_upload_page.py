"""The upload page: template, a filled return uploaded, the import summary, confirm, rollback.

Signed in as the secretariat's demo account (``vanphong``), who may send any unit's return;
tests/app/test_auth_pages.py has the reporters.
"""

import html

import pytest

from etl import intake
from kpi.store import connect
from tests.app.signin import app as signed_in_app
from tests.unit.returns_kit import fill_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def at(demo_copy):
    app = signed_in_app("vanphong")
    app.run()
    app.switch_page("pages/nhap_so_lieu.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _filled(tmp_path, values, unit="099", period="2025Q2") -> bytes:
    data, name = intake.template_bytes(None, "dienbien_2021_2025", unit, period)
    path = tmp_path / name
    path.write_bytes(data)
    fill_template(path, values)
    return path.read_bytes()


def _frame(at, column: str):
    """The dataframe on the page that has ``column`` (plain dataframes carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _issues(at) -> list[str]:
    """The errors and warnings as the page lists them, one line each, in full."""
    return [html.unescape(line[2:]) for m in at.markdown for line in m.value.split("\n") if line.startswith("- **")]


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_page_has_its_widgets(at):
    assert at.title[0].value == "Nhập số liệu"
    assert at.selectbox(key="up_unit").value == "11"
    assert "Huyện Tuần Giáo (đến 30/06/2025)" in at.selectbox(key="up_unit").options   # names, not codes
    assert at.get("download_button")
    assert [h.value for h in at.subheader] == ["1. Chọn đơn vị và quý, tải biểu mẫu", "2. Gửi tệp đã điền",
                                               "3. Lịch sử nạp số liệu"]


def test_upload_check_confirm_and_roll_back(at, tmp_path):
    at.selectbox(key="up_unit").set_value("099").run()
    at.selectbox(key="up_period").set_value("2025Q2").run()
    data = _filled(tmp_path, {"new_jobs": {"quarter": 111, "ytd": 777}})
    at.file_uploader(key="up_file").set_value(("tuan-giao-q2.xlsx", data, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    assert m["Lỗi"] == "0" and int(m["Giá trị mới"]) + int(m["Thay đổi"]) >= 1
    with connect(None) as con:   # nothing written yet: it was a dry run
        before = con.execute("SELECT value FROM current_observations WHERE indicator='new_jobs' AND unit='099' "
                             "AND period='2025Q2-YTD'").fetchall()
    assert before != [(777.0,)]
    at.button(key="up_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã ghi: lần nạp số" in s.value for s in at.success)
    with connect(None) as con:
        now = con.execute("SELECT value, status FROM current_observations WHERE indicator='new_jobs' AND unit='099' "
                          "AND period='2025Q2-YTD'").fetchall()
        upload_id = con.execute("SELECT max(id) FROM uploads").fetchall()[0][0]
        who = con.execute("SELECT uploaded_by FROM uploads WHERE id = ?", [upload_id]).fetchall()[0][0]
    assert now == [(777.0, "preliminary")] and who == "vanphong"
    # the history shows it, and rolling it back brings the earlier value back
    history = _frame(at, "Người nạp")
    assert history.iloc[0]["Số"] == upload_id and history.iloc[0]["Trạng thái"] == "Đã ghi"
    at.selectbox(key="up_rollback_id").set_value(upload_id)
    at.button(key="up_rollback").click().run()
    assert not at.exception
    with connect(None) as con:
        back = con.execute("SELECT value FROM current_observations WHERE indicator='new_jobs' AND unit='099' "
                           "AND period='2025Q2-YTD'").fetchall()
    assert back == before


def test_a_file_with_errors_cannot_be_confirmed(at, tmp_path):
    at.selectbox(key="up_unit").set_value("099").run()
    at.selectbox(key="up_period").set_value("2025Q2").run()
    data = _filled(tmp_path, {"new_jobs": {"quarter": "abc"}})
    at.file_uploader(key="up_file").set_value(("bad.xlsx", data, XLSX)).run()
    assert not at.exception
    assert _metrics(at)["Lỗi"] == "1"
    [issue] = _issues(at)
    assert issue.startswith("**Lỗi** tại 'Biểu 01'!F") and "không phải là số" in issue
    assert not [b for b in at.button if b.key == "up_confirm"]
    assert any("chưa thể ghi" in e.value for e in at.error)


def test_wrong_quarter_in_the_file_is_an_error(at, tmp_path):
    at.selectbox(key="up_unit").set_value("099").run()
    at.selectbox(key="up_period").set_value("2025Q1").run()
    data = _filled(tmp_path, {"new_jobs": {"quarter": 5}}, period="2025Q2")
    at.file_uploader(key="up_file").set_value(("q2.xlsx", data, XLSX)).run()
    assert not at.exception
    issues = _issues(at)
    # what blocks the whole file comes first, in full, and no "changes" are shown while it cannot be written
    assert issues[0].startswith("**Lỗi chặn cả tệp**") and "Quý II/2025" in issues[0] and "Quý I/2025" in issues[0]
    assert not any("Mới" in d.value.columns and "Cũ" in d.value.columns for d in at.dataframe)
    assert any("lỗi đầu tiên dưới đây làm hỏng cả tệp" in e.value for e in at.error)


def test_form_of_another_unit_shows_that_error_first(at, tmp_path):
    at.selectbox(key="up_unit").set_value("099").run()
    at.selectbox(key="up_period").set_value("2025Q2").run()
    data = _filled(tmp_path, {"new_jobs": {"quarter": 5, "ytd": 9}}, unit="094")
    at.file_uploader(key="up_file").set_value(("tp.xlsx", data, XLSX)).run()
    assert not at.exception
    issues = _issues(at)
    assert issues[0].startswith("**Lỗi chặn cả tệp**") and "đơn vị ghi trong biểu là" in issues[0]
    assert not any("Cũ" in d.value.columns for d in at.dataframe)
    assert not [b for b in at.button if b.key == "up_confirm"]


def test_names_of_a_foreign_form_are_confirmed_and_remembered(at):
    """The province's own layout: rows matched by similarity are shown to confirm; remembered, the check is clean."""
    from tests.unit.foreign_kit import foreign_return

    at.selectbox(key="up_unit").set_value("11").run()
    at.selectbox(key="up_period").set_value("2025Q2").run()
    at.file_uploader(key="up_file").set_value(("so-tai-chinh-q2.xlsx", foreign_return(), XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    asked = {s.key: s.value for s in at.selectbox if s.key and s.key.startswith("up_name_")}
    assert asked == {"up_name_10": "grdp_growth", "up_name_13": "poor_household_rate", "up_name_14": "new_jobs"}
    assert at.button(key="up_confirm")      # warnings only: confirming is offered
    at.button(key="up_names_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã ghi nhớ tên chỉ tiêu" in s.value for s in at.success)
    assert not [s for s in at.selectbox if s.key and s.key.startswith("up_name_")]
    with connect(None) as con:
        rows = con.execute("SELECT alias, indicator, unit, created_by FROM indicator_aliases ORDER BY indicator").fetchall()
        audited = con.execute("SELECT count(*) FROM audit_log WHERE action = 'indicator_alias'").fetchall()[0][0]
    assert [(r[1], r[2], r[3]) for r in rows] == [("grdp_growth", "11", "vanphong"), ("new_jobs", "11", "vanphong"),
                                                 ("poor_household_rate", "11", "vanphong")]
    assert audited == 3


def test_an_empty_return_offers_no_confirm(at, tmp_path):
    at.selectbox(key="up_unit").set_value("099").run()
    at.selectbox(key="up_period").set_value("2025Q2").run()
    data = _filled(tmp_path, {})
    at.file_uploader(key="up_file").set_value(("trong.xlsx", data, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("chưa điền số liệu nào" in t for t in _issues(at))
    assert not [b for b in at.button if b.key == "up_confirm"]
    assert any("Tệp có lỗi" in e.value for e in at.error)


def test_confirm_told_to_try_again_when_others_write_the_same_figures(at, tmp_path, monkeypatch):
    """Another session of the app holds the unit's current values in an open transaction: the load conflicts,
    and after its tries the page says to send again; nothing is written."""
    import duckdb

    import etl.load
    from kpi.store import db_path

    monkeypatch.setattr(etl.load, "WRITE_ATTEMPTS", 1)
    at.selectbox(key="up_unit").set_value("099").run()
    at.selectbox(key="up_period").set_value("2025Q2").run()
    data = _filled(tmp_path, {"new_jobs": {"quarter": 111, "ytd": 777}})
    at.file_uploader(key="up_file").set_value(("tuan-giao-q2.xlsx", data, XLSX)).run()
    with connect(None) as con:
        uploads_before = con.execute("SELECT count(*) FROM uploads").fetchall()
    other = duckdb.connect(str(db_path(None)))
    try:
        other.execute("BEGIN TRANSACTION")
        other.execute("DELETE FROM observation_heads WHERE unit = '099'")
        at.button(key="up_confirm").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("gửi lại" in e.value for e in at.error)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with connect(None) as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == uploads_before


def test_a_narrative_report_is_sent_against_an_obligation_with_a_receipt(at, demo_copy):
    """Issue 11: a Word report sent on the upload page against the plan's obligation, answered with a receipt."""
    from tests.unit.test_narrative import word

    reports = intake.report_choices(None, "dienbien_2021_2025", actor=None)
    ob = next(iter(reports))
    unit = next(iter(reports[ob]["units"]))
    at.selectbox(key="rep_obligation").set_value(ob).run()
    at.selectbox(key="rep_unit").set_value(unit).run()
    period = at.selectbox(key="rep_period").value
    at.file_uploader(key="rep_file").set_value(
        ("bao-cao.docx", word(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).run()
    at.button(key="rep_send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(s.value for s in at.success)
    assert "Đã nhận báo cáo" in said and "Mã biên nhận" in said, said
    with connect(demo_copy) as con:
        row = con.execute("SELECT format, unit, coalesce(period, 'once'), obligation_id FROM uploads "
                          "WHERE file_name = 'bao-cao.docx'").fetchall()
    assert row == [("report", unit, period, ob)]


def test_a_macro_document_is_refused_on_the_page_and_nothing_is_kept(at, demo_copy):
    from tests.unit.test_narrative import with_member, word

    reports = intake.report_choices(None, "dienbien_2021_2025", actor=None)
    at.selectbox(key="rep_obligation").set_value(next(iter(reports))).run()
    bad = with_member(word(), "word/vbaProject.bin")
    at.file_uploader(key="rep_file").set_value(
        ("co-macro.docx", bad, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).run()
    at.button(key="rep_send").click().run()
    assert not at.exception and "Không nhận báo cáo" in " ".join(e.value for e in at.error)
    with connect(demo_copy) as con:
        assert con.execute("SELECT count(*) FROM uploads WHERE file_name = 'co-macro.docx'").fetchall() == [(0,)]
