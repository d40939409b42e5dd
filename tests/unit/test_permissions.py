"""Who may do what, enforced in the core: a table of role × action × unit, then the core functions refusing.

The core refuses whatever the pages show: a reporter of Tuần Giáo (099) sending Điện Biên's (11)
figures is refused by ``etl.load.write`` itself, and nothing is written.
"""

import datetime as dt
import json

import pytest

from accounts_kit import make_user
from etl.cli import main
from etl.load import list_uploads, rollback_upload, withdraw, write
from etl.validate import Checked, Row
from kpi import accounts, permissions, repo
from kpi.permissions import Actor, PermissionDenied, can
from kpi.periods import Period
from kpi.store import connect, scalar
from returns_kit import PLAN, fill_template, write_return_catalog

VIEWER = Actor("lanhdao", "viewer")
REPORTER = Actor("tuangiao", "reporter", frozenset({"099"}))
SECRETARIAT = Actor("vanphong", "secretariat")
ADMIN = Actor("quantri", "admin")


@pytest.mark.parametrize("actor, action, unit, allowed", [
    (VIEWER, "read", None, True),
    (VIEWER, "export", None, True),
    (VIEWER, "upload", None, False),
    (VIEWER, "write_unit", "11", False),
    (VIEWER, "rollback", None, False),
    (VIEWER, "edit_milestone", None, False),
    (VIEWER, "edit_targets", None, False),
    (VIEWER, "read_audit", None, False),
    (VIEWER, "manage_accounts", None, False),
    (REPORTER, "read", None, True),
    (REPORTER, "upload", None, True),
    (REPORTER, "write_unit", "099", True),
    (REPORTER, "write_unit", "11", False),        # its province: no
    (REPORTER, "write_unit", "11_tuan_giao", False),     # a unit below or after it: no, only the units listed
    (REPORTER, "read_uploads", "099", True),
    (REPORTER, "read_uploads", "094", False),
    (REPORTER, "rollback", None, False),
    (REPORTER, "edit_milestone", None, False),
    (REPORTER, "edit_targets", None, False),
    (REPORTER, "read_audit", None, False),
    (REPORTER, "manage_accounts", None, False),
    (SECRETARIAT, "write_unit", "11", True),
    (SECRETARIAT, "write_unit", "099", True),
    (SECRETARIAT, "rollback", None, True),
    (SECRETARIAT, "edit_milestone", None, True),
    (SECRETARIAT, "edit_targets", None, True),
    (SECRETARIAT, "read_audit", None, True),
    (SECRETARIAT, "manage_accounts", None, False),
    (ADMIN, "write_unit", "11", True),
    (ADMIN, "rollback", None, True),
    (ADMIN, "read_audit", None, True),
    (ADMIN, "manage_accounts", None, True),
    (permissions.LOCAL_ADMIN, "manage_accounts", None, True),
    (permissions.SYSTEM, "write_unit", "11", True),
])
def test_permission_table(actor, action, unit, allowed):
    assert can(actor, action, unit) is allowed
    if allowed:
        permissions.authorize(actor, action, unit)
    else:
        with pytest.raises(PermissionDenied, match=f"Tài khoản '{actor.username}'"):
            permissions.authorize(actor, action, unit)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        can(ADMIN, "delete_everything")


@pytest.mark.parametrize("actor, uploaded_by, units, allowed", [
    (REPORTER, "tuangiao", {"099"}, True),          # its own upload of its own unit
    (REPORTER, "binh", {"099"}, False),             # someone else's
    (REPORTER, "tuangiao", {"099", "11"}, False),   # its own, but touching another unit
    (SECRETARIAT, "binh", {"11"}, True),
    (VIEWER, "lanhdao", set(), False),
])
def test_who_may_withdraw_an_upload(actor, uploaded_by, units, allowed):
    assert permissions.can_withdraw(actor, uploaded_by, units) is allowed


# --- the core refuses ------------------------------------------------------------------


def _checked(*rows):
    return Checked(rows=[Row(i, u, Period.parse(p), v, "official", where=f"dòng {n + 2}")
                         for n, (i, u, p, v) in enumerate(rows)], rows_read=len(rows))


def _counts(con):
    return (scalar(con, "SELECT count(*) FROM observations"), scalar(con, "SELECT count(*) FROM uploads"))


def test_a_reporter_writing_another_unit_is_refused_and_nothing_is_written(con):
    before = _counts(con)
    s = write(con, _checked(("new_jobs", "099", "2024", 900), ("new_jobs", "11", "2024", 9000),
                            ("poverty_rate", "11", "2024", 20.5)),
              file_name="hon-hop.csv", data=b"x", fmt="bulk", actor=REPORTER)
    assert not s.ok and s.upload_id is None and s.written == 0
    assert _counts(con) == before                                  # not even the row of its own unit
    [err] = s.errors
    assert err.where == "dòng 3, dòng 4"
    assert err.message == ("Tài khoản 'tuangiao' (báo cáo viên của 099) không được ghi số liệu của đơn vị 11 "
                           "(Điện Biên), 2 giá trị; không ghi gì từ tệp này")
    refused = con.execute("SELECT actor, role, action, object, detail FROM audit_log "
                          "WHERE action = 'upload_refused'").fetchall()
    assert refused == [("tuangiao", "reporter", "upload_refused", "hon-hop.csv", "không có quyền ghi đơn vị này")]


def test_a_dry_run_already_shows_the_refusal(con):
    s = write(con, _checked(("new_jobs", "11", "2024", 9000)), file_name="f.csv", data=b"y", fmt="bulk",
              actor=REPORTER, dry_run=True)
    assert not s.ok and "không được ghi số liệu của đơn vị 11" in s.errors[0].message
    assert "Tài khoản 'tuangiao'" in "\n".join(s.lines_vi())


def test_a_return_sent_for_another_unit_is_refused_even_without_values(con):
    s = write(con, _checked(), file_name="r.xlsx", data=b"z", fmt="return", unit="11", period="2025Q2",
              actor=REPORTER)
    assert not s.ok and s.errors[0].where == "phần đầu biểu" and _counts(con) == (0, 0)


def test_a_duplicate_of_another_units_file_is_refused_too(con):
    write(con, _checked(("new_jobs", "11", "2024", 9000)), file_name="a.csv", data=b"same", fmt="bulk",
          actor=SECRETARIAT)
    s = write(con, _checked(("new_jobs", "11", "2024", 9000)), file_name="a.csv", data=b"same", fmt="bulk",
              actor=REPORTER)
    assert not s.ok and s.duplicate_of is None


def test_the_reporter_writes_its_own_unit_and_the_secretariat_any(con):
    s = write(con, _checked(("new_jobs", "099", "2024", 900)), file_name="a.csv", data=b"1", fmt="bulk",
              actor=REPORTER)
    assert s.ok and s.written == 1
    s = write(con, _checked(("new_jobs", "11", "2024", 9000)), file_name="b.csv", data=b"2", fmt="bulk",
              actor=SECRETARIAT)
    assert s.ok and s.written == 1
    assert con.execute("SELECT uploaded_by FROM uploads ORDER BY id").fetchall() == [("tuangiao",), ("vanphong",)]


def test_the_actor_is_required(con):
    with pytest.raises(TypeError):
        write(con, _checked(), file_name="a.csv", data=None, fmt="bulk")
    with pytest.raises(TypeError):
        write(con, _checked(), file_name="a.csv", data=None, fmt="bulk", actor="vanphong")
    with pytest.raises(TypeError):
        withdraw(con, 1)
    with pytest.raises(TypeError):
        repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", dt.date(2023, 12, 1), "")


def test_rollback_by_a_viewer_is_refused(con):
    s = write(con, _checked(("new_jobs", "11", "2024", 9000)), file_name="b.csv", data=b"2", fmt="bulk",
              actor=SECRETARIAT)
    with pytest.raises(PermissionDenied, match="'lanhdao' \\(lãnh đạo \\(chỉ xem\\)\\) không được rút lại"):
        rollback_upload(con, s.upload_id, actor=VIEWER)
    assert scalar(con, "SELECT status FROM uploads") == "committed"
    assert rollback_upload(con, s.upload_id, actor=SECRETARIAT) == 1


def test_a_reporter_may_withdraw_only_its_own_upload(con):
    mine = write(con, _checked(("new_jobs", "099", "2024", 900)), file_name="a.csv", data=b"1", fmt="bulk",
                 actor=REPORTER)
    other = write(con, _checked(("new_jobs", "099", "2023", 800)), file_name="b.csv", data=b"2", fmt="bulk",
                  actor=SECRETARIAT)
    with pytest.raises(PermissionDenied):
        withdraw(con, other.upload_id, actor=REPORTER)
    assert withdraw(con, mine.upload_id, actor=REPORTER).values == 1


def test_marking_a_milestone_needs_the_secretariat(con):
    with pytest.raises(PermissionDenied, match="không được xác nhận mốc thời hạn"):
        repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", dt.date(2023, 12, 1), "", actor=REPORTER)
    with pytest.raises(PermissionDenied):
        repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", dt.date(2023, 12, 1), "", actor=VIEWER)
    assert scalar(con, "SELECT count(*) FROM milestone_events") == 0
    repo.mark_milestone(con, "mini_2021_2025", "mid_term_review", dt.date(2023, 12, 1), "BC số 1", actor=SECRETARIAT)
    assert repo.milestone_marks(con, "mini_2021_2025")["mid_term_review"].recorded_by == "vanphong"


def test_the_catalogue_needs_the_secretariat(con, mini_catalog):
    with pytest.raises(PermissionDenied, match="không được sửa danh mục chỉ tiêu"):
        repo.sync_catalog(con, mini_catalog, actor=REPORTER)


def test_a_reporter_lists_only_its_units_uploads(con):
    write(con, _checked(("new_jobs", "099", "2024", 900)), file_name="a.csv", data=b"1", fmt="bulk", actor=REPORTER)
    write(con, _checked(("new_jobs", "094", "2024", 700)), file_name="b.csv", data=b"2", fmt="return",
          unit="094", actor=SECRETARIAT)
    write(con, _checked(("new_jobs", "099", "2023", 800)), file_name="c.csv", data=b"3", fmt="return",
          unit="099", actor=SECRETARIAT)
    seen = {u["file_name"]: u["can_withdraw"] for u in list_uploads(con, actor=REPORTER)}
    assert seen == {"a.csv": True, "c.csv": False}    # its own upload, and its unit's return; not 094's
    assert len(list_uploads(con, actor=VIEWER)) == 3
    assert not any(u["can_withdraw"] for u in list_uploads(con, actor=VIEWER))


# --- the command line acts as the account ---------------------------------------------------


@pytest.fixture
def ret_db(db_file, tmp_path):
    assert main(["init", "--targets", str(write_return_catalog(tmp_path / "targets"))]) == 0
    make_user(db_file, "tuangiao", "reporter", units=["099"])
    make_user(db_file, "lanhdao", "viewer")
    make_user(db_file, "vanphong", "secretariat")
    return db_file


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _return(tmp_path, capsys, unit, values=None):
    path = tmp_path / f"r_{unit}.xlsx"
    assert main(["template", "--plan", PLAN, "--unit", unit, "--period", "2025Q2", "-o", str(path)]) == 0
    capsys.readouterr()
    return fill_template(path, values or {"new_jobs": {"quarter": 1200, "ytd": 2300}})


def test_cli_load_by_a_reporter_for_another_unit_exits_1_and_writes_nothing(ret_db, tmp_path, capsys):
    path = _return(tmp_path, capsys, "11")
    code, out, _ = _run(capsys, "load", str(path), "--user", "tuangiao")
    assert code == 1
    assert "Tài khoản 'tuangiao' (báo cáo viên của 099) không được ghi số liệu của đơn vị 11 (Điện Biên)" in out
    with connect(ret_db) as con:
        assert _counts(con) == (0, 0)
        assert scalar(con, "SELECT actor FROM audit_log WHERE action = 'upload_refused'") == "tuangiao"
    # a bulk file mixing its unit and the province's: refused whole
    (tmp_path / "mix.csv").write_text("indicator,unit,period,value\nnew_jobs,099,2024,900\nnew_jobs,11,2024,9000\n",
                                      encoding="utf-8")
    code, out, _ = _run(capsys, "load", str(tmp_path / "mix.csv"), "--user", "tuangiao", "--json")
    s = json.loads(out)
    assert code == 1 and s["written"] == 0 and s["errors"][0]["where"] == "dòng 3"
    # the same files as the secretariat, or as the local administrator: loaded
    assert _run(capsys, "load", str(path), "--user", "vanphong")[0] == 0
    assert _run(capsys, "load", str(tmp_path / "mix.csv"))[0] == 0


def test_cli_load_by_the_reporter_for_its_unit(ret_db, tmp_path, capsys):
    code, out, err = _run(capsys, "load", str(_return(tmp_path, capsys, "099")), "--user", "tuangiao", "--json")
    assert code == 0, err
    with connect(ret_db) as con:
        assert scalar(con, "SELECT uploaded_by FROM uploads") == "tuangiao"


@pytest.mark.parametrize("user, message", [("ghost", "Không có tài khoản 'ghost'"),
                                           ("lanhdao", "không được ghi số liệu của đơn vị 099")])
def test_cli_load_as_an_unknown_or_read_only_account(ret_db, tmp_path, capsys, user, message):
    code, out, err = _run(capsys, "load", str(_return(tmp_path, capsys, "099")), "--user", user)
    assert code == 1 and message in out + err


def test_cli_disabled_account_cannot_act(ret_db, tmp_path, capsys):
    with connect(ret_db) as con:
        accounts.disable_user(con, "tuangiao", actor=permissions.LOCAL_ADMIN)
    code, _, err = _run(capsys, "load", str(_return(tmp_path, capsys, "099")), "--user", "tuangiao")
    assert code == 1 and "đã bị vô hiệu hóa" in err


def test_cli_rollback_as_a_viewer_is_refused(ret_db, tmp_path, capsys):
    s = json.loads(_run(capsys, "load", str(_return(tmp_path, capsys, "099")), "--json")[1])
    code, _, err = _run(capsys, "rollback", str(s["upload_id"]), "--user", "lanhdao")
    assert code == 1 and "không được rút lại lần nạp này" in err
    with connect(ret_db) as con:
        assert scalar(con, "SELECT status FROM uploads") == "committed"
    assert _run(capsys, "rollback", str(s["upload_id"]), "--user", "vanphong")[0] == 0


def test_cli_init_as_a_reporter_is_refused(ret_db, tmp_path, capsys):
    code, _, err = _run(capsys, "init", "--targets", str(tmp_path / "targets"), "--user", "tuangiao")
    assert code == 1 and "không được sửa danh mục chỉ tiêu" in err


def test_cli_uploads_as_a_reporter_lists_its_units(ret_db, tmp_path, capsys):
    _run(capsys, "load", str(_return(tmp_path, capsys, "099")))
    _run(capsys, "load", str(_return(tmp_path, capsys, "100")))
    mine = json.loads(_run(capsys, "uploads", "--json", "--user", "tuangiao")[1])
    assert [u["unit"] for u in mine] == ["099"]
    assert len(json.loads(_run(capsys, "uploads", "--json")[1])) == 2
