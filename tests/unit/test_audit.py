"""The audit log: who, when, what, before and after, for uploads, rollbacks, milestones, targets, sign-ins;
its rows commit with the change; its files keep formula-looking text as text."""

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from accounts_kit import PASSWORD, make_user
from etl.cli import main
from etl.load import withdraw, write
from etl.validate import Checked, Row
from kpi import accounts, audit, permissions, repo
from kpi.permissions import Actor, PermissionDenied
from kpi.periods import Period
from kpi.store import connect, scalar

SECRETARIAT = Actor("vanphong", "secretariat", full_name="Văn phòng")
REPORTER = Actor("tuangiao", "reporter", frozenset({"099"}))


def _checked(*rows):
    return Checked(rows=[Row(i, u, Period.parse(p), v, s) for i, u, p, v, s in rows], rows_read=len(rows))


def _entries(con, action):
    return audit.entries(con, actor=permissions.LOCAL_ADMIN, action=action)


def _json(x):
    return json.loads(x) if isinstance(x, str) and x else None


def test_an_upload_and_its_correction(con):
    first = write(con, _checked(("poverty_rate", "11", "2023", 20.0, "official")), file_name="a.csv", data=b"a",
                  fmt="bulk", actor=SECRETARIAT)
    second = write(con, _checked(("poverty_rate", "11", "2023", 19.5, "official")), file_name="b.csv", data=b"b",
                   fmt="bulk", actor=SECRETARIAT)
    log = _entries(con, "upload")
    assert list(log["actor"]) == ["vanphong", "vanphong"] and list(log["role"]) == ["secretariat"] * 2
    newest = log.iloc[0]
    after = _json(newest["after"])
    assert newest["object"] == f"lần nạp số {second.upload_id}: b.csv"
    assert (after["upload_id"], after["file"], after["new"], after["changed"]) == (second.upload_id, "b.csv", 0, 1)
    assert after["sha256"] == "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"   # sha256(b"b")
    assert after["changes"] == [{"indicator": "poverty_rate", "unit": "11", "period": "2023", "old": 20.0,
                                 "new": 19.5, "old_status": "official", "status": "official"}]
    assert _json(newest["before"]) == {"values": [{"indicator": "poverty_rate", "unit": "11", "period": "2023",
                                                   "value": 20.0, "status": "official"}]}
    assert _json(log.iloc[1]["before"]) is None and _json(log.iloc[1]["after"])["upload_id"] == first.upload_id


def test_a_rollback_with_the_values_before_and_after(con):
    write(con, _checked(("poverty_rate", "11", "2023", 20.0, "official")), file_name="a.csv", data=b"a",
          fmt="bulk", actor=SECRETARIAT)
    s = write(con, _checked(("poverty_rate", "11", "2023", 19.5, "official"),
                            ("poverty_rate", "11", "2024", 18.0, "official")), file_name="b.csv", data=b"b",
              fmt="bulk", actor=SECRETARIAT)
    withdraw(con, s.upload_id, actor=SECRETARIAT)
    [row] = _entries(con, "rollback").to_dict("records")
    assert row["actor"] == "vanphong" and row["object"] == f"lần nạp số {s.upload_id}: b.csv"
    before, after = _json(row["before"]), _json(row["after"])
    assert before["status"] == "committed" and sorted((v["period"], v["value"]) for v in before["values"]) == [
        ("2023", 19.5), ("2024", 18.0)]
    assert after["status"] == "rolled_back" and sorted((v["period"], v["value"]) for v in after["values"]) == [
        ("2023", 20.0), ("2024", None)]
    assert row["detail"].startswith("2 giá trị rút lại; 1 khôi phục giá trị trước, 1 không còn số liệu")


def test_a_milestone_mark_and_its_change(con):
    day = dt.date(2023, 12, 20)
    repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", day, "BC 12", actor=SECRETARIAT)
    repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", None, "nhầm", actor=SECRETARIAT)
    log = _entries(con, "milestone")
    assert list(log["object"]) == ["mini_2021_2025/mid_term_review"] * 2
    assert _json(log.iloc[1]["before"]) == {"done_on": None}
    assert _json(log.iloc[1]["after"]) == {"done_on": "2023-12-20", "note": "BC 12"}
    assert _json(log.iloc[0]["before"])["done_on"] == "2023-12-20"
    assert _json(log.iloc[0]["before"])["recorded_by"] == "vanphong"
    assert _json(log.iloc[0]["after"]) == {"done_on": None, "note": "nhầm"}


def test_sign_ins_good_and_bad(mini_db):
    make_user(mini_db, "tuangiao", "reporter", units=["099"])
    with connect(mini_db) as con:
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(con, "tuangiao", "sai-mat-khau")
        token, _ = accounts.sign_in(con, "tuangiao", PASSWORD)
        accounts.sign_out(con, token)
        log = audit.entries(con, actor=permissions.LOCAL_ADMIN, who="tuangiao")
    assert list(log["action"])[::-1] == ["sign_in_failed", "sign_in", "sign_out"]
    assert [r if isinstance(r, str) else None for r in log["role"]][::-1] == [None, "reporter", "reporter"]


def test_init_records_what_changed_in_the_targets(db_file, mini_catalog_dir, capsys):
    assert main(["init", "--targets", str(mini_catalog_dir)]) == 0
    plan = mini_catalog_dir / "mini_2021_2025.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("value: 9000", "value: 9500"), encoding="utf-8")
    assert main(["init", "--targets", str(mini_catalog_dir)]) == 0
    assert main(["init", "--targets", str(mini_catalog_dir)]) == 0      # nothing changed: no entry
    with connect(db_file) as con:
        log = _entries(con, "targets")
    assert len(log) == 2 and list(log["actor"]) == ["@local", "@local"]
    assert _json(log.iloc[0]["before"]) == {"targets:mini_2021_2025/jobs_yearly": {"value": 9000.0}}
    assert _json(log.iloc[0]["after"]) == {"targets:mini_2021_2025/jobs_yearly": {"value": 9500.0}}
    assert log.iloc[0]["detail"] == "targets: 0 thêm, 1 sửa, 0 bỏ"
    assert "targets: 3 thêm" in log.iloc[1]["detail"]


def test_the_audit_row_commits_with_the_change(con, monkeypatch):
    """If the audit row cannot be written, the upload is not written either."""
    def broken(*a, **k):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        write(con, _checked(("poverty_rate", "11", "2023", 20.0, "official")), file_name="a.csv", data=b"a",
              fmt="bulk", actor=SECRETARIAT)
    with pytest.raises(RuntimeError):
        repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", dt.date(2023, 12, 1), "", actor=SECRETARIAT)
    monkeypatch.undo()
    assert (scalar(con, "SELECT count(*) FROM uploads"), scalar(con, "SELECT count(*) FROM observations"),
            scalar(con, "SELECT count(*) FROM milestone_events")) == (0, 0, 0)


def test_only_the_secretariat_and_admins_read_the_log(con):
    for who in (REPORTER, Actor("lanhdao", "viewer")):
        with pytest.raises(PermissionDenied, match="không được xem nhật ký"):
            audit.entries(con, actor=who)
    assert list(audit.entries(con, actor=SECRETARIAT)["action"]) == ["user_add", "targets"]    # from init


def test_filters_by_account_action_and_day(con):
    con.execute("DELETE FROM audit_log")        # init's own entries
    day = dt.datetime(2025, 3, 1, 9)
    audit.record(con, SECRETARIAT, "export", "báo cáo quý I", now=day)
    audit.record(con, REPORTER, "export", "bảng", now=day + dt.timedelta(days=2))
    audit.record(con, REPORTER, "sign_out", "tuangiao", now=day + dt.timedelta(days=2))
    assert len(audit.entries(con, actor=SECRETARIAT, who="tuangiao")) == 2
    assert list(audit.entries(con, actor=SECRETARIAT, action="export")["object"]) == ["bảng", "báo cáo quý I"]
    assert list(audit.entries(con, actor=SECRETARIAT, since=dt.date(2025, 3, 2))["actor"]) == ["tuangiao"] * 2
    assert list(audit.entries(con, actor=SECRETARIAT, until=dt.date(2025, 3, 1))["actor"]) == ["vanphong"]
    assert audit.facets(con)["actions"] == ["sign_out", "export"]
    with pytest.raises(KeyError):
        audit.record(con, SECRETARIAT, "made_up_action", "x")


HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"y\")", "bình thường"]


def test_files_keep_formula_looking_text_as_text(con):
    con.execute("DELETE FROM audit_log")
    for i, text in enumerate(HOSTILE):
        audit.record(con, SECRETARIAT, "export", text, after={"file": text}, detail=text,
                     now=dt.datetime(2025, 1, 1, 8, i))
    table = audit.for_people(audit.entries(con, actor=SECRETARIAT))
    wb = load_workbook(io.BytesIO(audit.to_xlsx(table)))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Số", "Thời điểm", "Tài khoản"]
    col = header.index("Đối tượng") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
    assert [c.value for c in cells] == HOSTILE[::-1]
    assert {c.data_type for c in cells} == {"s"}         # strings, not formulas ("f")
    assert all(c.number_format == "@" for c in cells)
    rows = list(csv.reader(io.StringIO(audit.to_csv(table).decode("utf-8-sig"))))
    objects = [r[header.index("Đối tượng")] for r in rows[1:]]
    assert objects == ["bình thường", "'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1:A2)", "'-2+3", "'+1+1",
                       "'=cmd|' /C calc'!A0"]
    assert rows[1][header.index("Hành động")] == "Xuất báo cáo, bảng, biểu đồ"


def test_views_audit_files_and_an_export_of_the_log_is_itself_logged(mini_db):
    make_user(mini_db, "vanphong", "secretariat")
    with connect(mini_db) as con:
        actor = accounts.actor_for(con, "vanphong")
    csv_bytes, xlsx_bytes = audit.audit_files(mini_db, actor=actor)
    assert csv_bytes.startswith(b"\xef\xbb\xbfS\xe1\xbb\x91,") and xlsx_bytes[:2] == b"PK"   # "Số," with a BOM
    audit.record_export(mini_db, actor=actor, what="nhật ký (csv)", files=["nhat-ky.csv"])
    with connect(mini_db) as con:
        row = con.execute("SELECT actor, object, after::VARCHAR FROM audit_log WHERE action = 'export'").fetchall()
    assert [(a, o, json.loads(x)) for a, o, x in row] == [("vanphong", "nhật ký (csv)", {"files": ["nhat-ky.csv"]})]


def test_long_lists_are_cut_with_a_count(con):
    audit.record(con, SECRETARIAT, "export", "x", after={"files": [str(i) for i in range(250)]})
    files = _json(audit.entries(con, actor=SECRETARIAT).iloc[0]["after"])["files"]
    assert len(files) == audit.MAX_LIST + 1 and files[-1] == "… và 50 mục khác"
