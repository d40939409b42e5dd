"""Approval end to end: a reporter sends, the receiver accepts (lock), the reporter is refused, reopen, resend.

Everything goes through ``python -m etl`` (``etl.cli.main``) on a real DuckDB file, as people would.
"""

from __future__ import annotations

import pytest

from etl.cli import main
from kpi import approval
from kpi.permissions import PermissionDenied
from kpi.store import connect, scalar
from tests.conftest import MINI_PLAN, write_catalog
from tests.unit.accounts_kit import make_user
from tests.unit.returns_kit import fill_template

OB = """
obligations:
  - id: quarterly_return
    title: Báo cáo quý
    reporters: [{level: district, parent: "11"}]
    to: "11_ubnd"
    via: "11_so_noi_vu"
    what: return
    frequency: quarterly
    due: {days_after: 15}
    quote: "Báo cáo quý"
"""
PLAN = ["--plan", "mini_2021_2025", "--period", "2025Q2"]


@pytest.fixture
def db(db_file, tmp_path):
    d = write_catalog(tmp_path / "targets", plans={"mini_2021_2025": MINI_PLAN + OB})
    assert main(["init", "--targets", str(d)]) == 0
    make_user(db_file, "tuangiao", "reporter", units=("099",))
    make_user(db_file, "vanphong", "secretariat")
    return db_file


def csv(tmp_path, value, name):
    """The unit's quarterly return (the real template, filled as a person would)."""
    form = tmp_path / f"form-{name}.xlsx"
    if not form.exists():
        assert main(["template", "--plan", "mini_2021_2025", "--unit", "099", "--period", "2025Q2", "-o", str(form)]) == 0
    return str(fill_template(form, {"new_jobs": {"quarter": value, "ytd": value}}, out=tmp_path / f"{name}.xlsx"))


def current(db):
    with connect(db) as con:
        return scalar(con, "SELECT value FROM current_observations WHERE unit='099' AND period='2025Q2-YTD'")


def test_accept_locks_reopen_unlocks(db, tmp_path, capsys):
    assert main(["load", csv(tmp_path, 100, "a.csv"), "--user", "tuangiao"]) == 0
    assert main(["review", "accept", *PLAN, "--obligation", "quarterly_return", "--unit", "099", "--user", "vanphong"]) == 0
    capsys.readouterr()

    # the reporter can no longer change the accepted quarter, not even with a dry run
    assert main(["load", csv(tmp_path, 120, "b.csv"), "--user", "tuangiao"]) == 1
    out = capsys.readouterr().out
    assert "Báo cáo của đơn vị 099 kỳ 2025Q2 đã được vanphong chấp nhận lúc" in out
    assert current(db) == 100
    assert main(["load", csv(tmp_path, 121, "c.csv"), "--user", "tuangiao", "--dry-run"]) == 1

    # nor reopen it: that is the receiver's act
    assert main(["review", "reopen", *PLAN, "--obligation", "quarterly_return", "--unit", "099", "--user", "tuangiao"]) == 1
    assert "không được xem xét" in capsys.readouterr().err

    assert main(["review", "reopen", *PLAN, "--obligation", "quarterly_return", "--unit", "099", "--user", "vanphong",
                 "--reason", "đơn vị xin sửa"]) == 0
    assert main(["load", csv(tmp_path, 120, "b.csv"), "--user", "tuangiao"]) == 0
    assert current(db) == 120

    with connect(db) as con:
        actions = [r[0] for r in con.execute("SELECT action FROM audit_log WHERE action LIKE 'review_%' ORDER BY id").fetchall()]
        assert actions == ["review_accept", "review_reopen"]
        assert approval.current(con, "mini_2021_2025", "quarterly_return", "099", "2025Q2")["state"] == "pending"


def test_the_receiver_itself_is_not_locked_out(db, tmp_path):
    assert main(["load", csv(tmp_path, 100, "a.csv"), "--user", "tuangiao"]) == 0
    assert main(["review", "accept", *PLAN, "--obligation", "quarterly_return", "--unit", "099"]) == 0
    assert main(["load", csv(tmp_path, 130, "b.csv"), "--user", "vanphong"]) == 0
    assert current(db) == 130


def test_send_back_needs_a_reason_and_waits_for_a_new_upload(db, tmp_path, capsys):
    assert main(["load", csv(tmp_path, 100, "a.csv"), "--user", "tuangiao"]) == 0
    assert main(["review", "send-back", *PLAN, "--obligation", "quarterly_return", "--unit", "099"]) == 2
    assert main(["review", "send-back", *PLAN, "--obligation", "quarterly_return", "--unit", "099",
                 "--reason", "Thiếu số lũy kế"]) == 0
    capsys.readouterr()
    assert main(["review", "inbox", *PLAN]) == 0
    assert "099 (Huyện Tuần Giáo) [2025Q2]: Trả lại; lần nạp số 1; lý do: Thiếu số lũy kế" in capsys.readouterr().out
    # nothing new came: it cannot be accepted yet
    assert main(["review", "accept", *PLAN, "--obligation", "quarterly_return", "--unit", "099"]) == 1
    assert "chờ đơn vị gửi lại" in capsys.readouterr().out
    assert main(["load", csv(tmp_path, 101, "b.csv"), "--user", "tuangiao"]) == 0
    assert main(["review", "accept", *PLAN, "--all-pending"]) == 0
    with connect(db) as con:
        assert approval.locked(con, "099", "2025Q2-YTD")
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'review_send_back' "
                           "AND detail = 'Thiếu số lũy kế'") == 1


def test_only_the_receiving_side_reviews(db):
    reporter = make_user(db, "khac", "reporter", units=("100",))
    with connect(db) as con, pytest.raises(PermissionDenied):
        approval.accept(con, "mini_2021_2025", "quarterly_return", "099", "2025Q2", actor=reporter)


def test_nothing_to_accept(db):
    with connect(db) as con, pytest.raises(approval.ReviewError, match="chưa nhận được gì để chấp nhận"):
        approval.accept(con, "mini_2021_2025", "quarterly_return", "100", "2025Q2",
                        actor=make_user(db, "vp2", "secretariat"))
