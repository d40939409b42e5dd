"""Reporting obligations: the catalogue (quotes, rules, named errors) and who reported what, by when."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from etl.load import write
from etl.validate import Checked, Row
from kpi import repo
from kpi.permissions import LOCAL_ADMIN
from kpi.catalog import ObligationError, load_catalog
from kpi.obligations import instances, obligation_rows, reporter_codes, reporting_rate
from kpi.periods import Period
from kpi.store import connect
from kpi.units import build_units, provinces_for
from tests.conftest import MINI_PLAN, write_catalog

TARGETS = Path(__file__).resolve().parents[2] / "targets"
CATALOG = load_catalog()
UNITS = {u["code"]: u for u in build_units(provinces=provinces_for(p.scope_unit for p in CATALOG.plans.values()))}


def squash(text: str) -> str:
    return " ".join(text.split())


# --- the catalogue --------------------------------------------------------------------

def test_every_plan_declares_obligations():
    assert all(p.obligations for p in CATALOG.plans.values())
    assert sum(len(p.obligations) for p in CATALOG.plans.values()) == 12


@pytest.mark.parametrize("plan_id", sorted(CATALOG.plans))
def test_every_obligation_quote_is_verbatim_in_its_seed(plan_id):
    plan = CATALOG.plans[plan_id]
    seed = squash((TARGETS / plan.source).read_text(encoding="utf-8"))
    missing = [o.id for o in plan.obligations if squash(o.quote) not in seed]
    assert not missing, f"quotes not found verbatim in {plan.source}: {missing}"


@pytest.mark.parametrize("plan_id", sorted(CATALOG.plans))
def test_every_unit_an_obligation_names_is_in_the_registry(plan_id):
    members = {u["code"]: u.get("members", []) for u in UNITS.values() if u["level"] == "group"}
    for o in CATALOG.plans[plan_id].obligations:
        assert o.to in UNITS and (o.via is None or o.via in UNITS), o.id
        assert reporter_codes(o, UNITS, members), f"{o.id} names no reporter"


OB = """
obligations:
  - id: quarterly_return
    title: Báo cáo quý
    reporters: [{level: district, parent: "11"}]
    to: "11_ubnd"
    what: return
    frequency: quarterly
    due: {days_after: 15}
    quote: "Báo cáo quý"
"""


@pytest.mark.parametrize("old, new, message", [
    ("due: {days_after: 15}", "due: {date: \"2025-02-30\"}",
     "nghĩa vụ báo cáo 'quarterly_return', trường 'due': báo cáo định kỳ (Hằng quý) tính hạn bằng 'days_after'"),
    ("frequency: quarterly", "frequency: once", "trường 'due': 'days_after' (sau mỗi kỳ) không dùng cho báo cáo một lần"),
    ("frequency: quarterly\n    due: {days_after: 15}", "frequency: once\n    due: {date: \"2025-02-30\"}",
     "trường 'due.date': ngày không có thật '2025-02-30'"),
    ("due: {days_after: 15}", "due: {days_before_event: 15}", "'days_before_event' và 'event' phải đi cùng nhau"),
    ("frequency: quarterly", "frequency: unspecified", "không có hạn nộp"),
    ("what: return", "what: numbers", "nghĩa vụ báo cáo 'quarterly_return', trường 'what': giá trị không thuộc"),
    ("    to: \"11_ubnd\"\n", "", "nghĩa vụ báo cáo 'quarterly_return', trường 'to': thiếu trường bắt buộc"),
])
def test_errors_name_file_obligation_field(tmp_path, old, new, message):
    text = MINI_PLAN + textwrap.dedent(OB).replace(old, new)
    d = write_catalog(tmp_path / "t", plans={"mini_2021_2025": text})
    with pytest.raises(Exception) as e:
        load_catalog(d)
    assert "mini_2021_2025.yaml: " in str(e.value) and message in str(e.value)


def test_rule_errors_are_obligation_errors(tmp_path):
    d = write_catalog(tmp_path / "t", plans={"mini_2021_2025": MINI_PLAN + OB.replace("quarterly", "once")})
    with pytest.raises(ObligationError):
        load_catalog(d)


@pytest.mark.parametrize("plan_id, ob_id, period, keys", [
    ("bentre_2024_2025", "party_bodies_quarterly", "2025Q2", [("2025Q2", dt.date(2025, 7, 15))]),
    ("bentre_2024_2025", "organisation_board_yearly", "2024Q4", [("2024", None)]),
    ("bentre_2024_2025", "organisation_board_yearly", "2024Q3", []),
    ("dienbien_2021_2025", "unit_plans_to_ubnd", "2021Q1", [("once", dt.date(2021, 3, 30))]),
    ("dienbien_2021_2025", "unit_plans_to_ubnd", "2025Q2", []),
    ("bentre_2024_2025", "party_bodies_quarterly", "2026Q1", []),   # after the plan
])
def test_instances(plan_id, ob_id, period, keys):
    plan = CATALOG.plans[plan_id]
    assert [(i.key, i.due) for i in instances(plan.obligation(ob_id), plan, Period.parse(period))] == keys


# --- who reported what, by when ------------------------------------------------------------

@pytest.fixture
def db(db_file):
    with connect(db_file) as con:
        repo.sync_units(con, list(UNITS.values()))
        repo.sync_catalog(con, CATALOG, actor=LOCAL_ADMIN)
    return db_file


def send(con, unit, period, at, value=1.0):
    """A quarterly return of ``unit`` through the real loader, sent at ``at``."""
    checked = Checked(rows=[Row("new_jobs", unit, Period.parse(f"{period}-YTD"), value, "preliminary")], rows_read=1)
    s = write(con, checked, file_name=f"{unit}-{period}-{value}.csv", data=f"{unit}{period}{value}".encode(),
              fmt="return", unit=unit, period=period, actor=LOCAL_ADMIN, uploaded_at=at)
    assert s.upload_id, s.errors
    return s.upload_id


def test_bentre_party_bodies_report_quarterly_to_the_standing_board_through_propaganda(db):
    with connect(db) as con:
        out = obligation_rows(con, "bentre_2024_2025", Period.parse("2025Q2"), today=dt.date(2025, 7, 20),
                              obligation="party_bodies_quarterly")
    rows = out["rows"]
    assert {r["to_name"] for r in rows} == {"Ban Thường vụ Tỉnh ủy Bến Tre"}
    assert {r["via_name"] for r in rows} == {"Ban Tuyên giáo Tỉnh ủy Bến Tre"}
    names = {r["reporter_name"] for r in rows}
    assert {"Huyện ủy Ba Tri", "Thành ủy Bến Tre", "Ban Tổ chức Tỉnh ủy Bến Tre",
            "Ban cán sự đảng Ủy ban nhân dân tỉnh Bến Tre"} <= names
    assert "Ban Tuyên giáo Tỉnh ủy Bến Tre" not in names and "Ban Thường vụ Tỉnh ủy Bến Tre" not in names
    assert {r["reporter_level"] for r in rows} == {"party"} and {r["state"] for r in rows} == {"missing"}


def test_bentre_bodies_end_with_the_province_and_the_list_says_so(db):
    with connect(db) as con:
        out = obligation_rows(con, "bentre_2024_2025", Period.parse("2025Q3"), today=dt.date(2025, 12, 1))
    assert out["rows"] == []
    assert any("đã hết hiệu lực từ 01/07/2025" in n for n in out["notes"]["party_bodies_quarterly"])


def test_dien_bien_departments_and_districts_then_communes(db):
    with connect(db) as con:
        q2 = obligation_rows(con, "dienbien_2021_2025", Period.parse("2025Q2"), today=dt.date(2025, 8, 1),
                             obligation="periodic_return")["rows"]
        q3 = obligation_rows(con, "dienbien_2021_2025", Period.parse("2025Q3"), today=dt.date(2025, 11, 1),
                             obligation="periodic_return")["rows"]
    levels2 = {r["reporter_level"] for r in q2}
    assert levels2 == {"department", "district"}
    deps = {r["reporter_name"] for r in q2 if r["reporter_level"] == "department"}
    assert "Sở Nội vụ tỉnh Điện Biên" not in deps          # the body reports go through
    assert {"Sở Y tế tỉnh Điện Biên", "Sở Tài chính tỉnh Điện Biên"} <= deps
    assert "Sở Kế hoạch và Đầu tư tỉnh Điện Biên" not in deps   # merged into Sở Tài chính from 01/03/2025
    assert sum(r["reporter_level"] == "district" for r in q2) == 10
    assert {r["reporter_level"] for r in q3} == {"department", "commune"}
    assert sum(r["reporter_level"] == "commune" for r in q3) == 45


def test_states_on_time_late_missing_not_yet_due(db):
    with connect(db) as con:
        send(con, "099", "2025Q2", dt.datetime(2025, 7, 10, 9, 0))
        late = send(con, "094", "2025Q2", dt.datetime(2025, 7, 18, 9, 0))
        again = send(con, "094", "2025Q2", dt.datetime(2025, 7, 19, 9, 0), value=2.0)
        rows = {r["reporter"]: r for r in obligation_rows(
            con, "dienbien_2021_2025", Period.parse("2025Q2"), today=dt.date(2025, 7, 20),
            obligation="periodic_return")["rows"]}
        early = {r["reporter"]: r for r in obligation_rows(
            con, "dienbien_2021_2025", Period.parse("2025Q2"), today=dt.date(2025, 7, 15),
            obligation="periodic_return")["rows"]}
    assert rows["099"]["state"] == "received" and rows["099"]["review"] == "pending"
    assert (rows["094"]["state"], rows["094"]["late_days"]) == ("late", 3)
    assert (rows["094"]["first_upload"], rows["094"]["upload_id"], rows["094"]["uploads"]) == (late, again, 2)
    assert rows["100"]["state"] == "missing" and rows["100"]["overdue_days"] == 5
    assert early["100"]["state"] == "not_yet_due"
    rate = reporting_rate(list(rows.values()))
    assert rate["on_time"] == 1 and rate["late"] == 1 and rate["expected"] == len(rows)


def test_a_rolled_back_return_is_not_received(db):
    from etl.load import withdraw

    with connect(db) as con:
        uid = send(con, "099", "2025Q2", dt.datetime(2025, 7, 10, 9, 0))
        withdraw(con, uid, actor=LOCAL_ADMIN)
        rows = {r["reporter"]: r for r in obligation_rows(
            con, "dienbien_2021_2025", Period.parse("2025Q2"), today=dt.date(2025, 7, 20),
            obligation="periodic_return")["rows"]}
    assert rows["099"]["state"] == "missing"


def test_a_deadline_before_the_reporters_own_congress(db):
    with connect(db) as con:
        con.execute("INSERT INTO unit_events VALUES ('12_so_y_te', 'congress', DATE '2025-05-20', 'thí điểm')")
        q2 = {r["reporter"]: r for r in obligation_rows(con, "laichau_daihoi_thidua_2025", Period.parse("2025Q2"),
                                                        today=dt.date(2025, 6, 1),
                                                        obligation="congress_papers_before_congress")["rows"]}
    assert q2["12_so_y_te"]["due"] == dt.date(2025, 5, 5) and q2["12_so_y_te"]["state"] == "missing"
    assert q2["12_so_tu_phap"]["state"] == "no_event"


def test_cli_obligations(db, capsys):
    from etl.cli import main

    assert main(["obligations", "--plan", "bentre_2024_2025", "--period", "2025Q2", "--on", "2025-07-20"]) == 0
    out = capsys.readouterr().out
    assert "Gửi Ban Thường vụ Tỉnh ủy Bến Tre (qua Ban Tuyên giáo Tỉnh ủy Bến Tre); hằng quý" in out
    assert "Huyện ủy Ba Tri [2025Q2, hạn 15/07/2025]: Chưa nộp, quá hạn; quá hạn 5 ngày" in out
    assert main(["obligations", "--plan", "khong_co", "--period", "2025Q2"]) == 2
    assert "Không có kế hoạch 'khong_co'" in capsys.readouterr().err
