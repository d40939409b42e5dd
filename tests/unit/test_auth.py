"""Accounts and sign-in: hashing, wrong passwords, lockout, disabled accounts, sessions that expire, sign-out.

Time is injected (``now=``), so lockout windows and session timeouts are tested without sleeping.
"""

import datetime as dt
import hashlib
import io
import json

import pytest

from accounts_kit import PASSWORD, make_user
from etl.cli import main
from kpi import accounts, permissions
from kpi.store import connect, scalar

T0 = dt.datetime(2025, 7, 10, 8, 0)
POLICY = accounts.Policy()     # 5 failures, 15 minutes' lock, 30 minutes idle, 12 hours at most


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def db(mini_db):
    make_user(mini_db, "tuangiao", "reporter", units=["099"], full_name="Lò Văn A")
    make_user(mini_db, "lanhdao", "viewer")
    return mini_db


@pytest.fixture
def con(db):
    with connect(db) as c:
        yield c


def _audit(con, action=None):
    sql = "SELECT actor, action, detail FROM audit_log" + (" WHERE action = ?" if action else "") + " ORDER BY id"
    return con.execute(sql, [action] if action else []).fetchall()


# --- hashing -------------------------------------------------------------------------


def test_password_is_stored_hashed_with_argon2id(con):
    stored = scalar(con, "SELECT password_hash FROM accounts WHERE username = 'tuangiao'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    # two accounts with the same password: different salts, different hashes
    assert stored != scalar(con, "SELECT password_hash FROM accounts WHERE username = 'lanhdao'")


def test_the_real_hasher_is_rfc9106_low_memory():
    assert accounts.default_hasher().hash("một mật khẩu dài").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(con):
    weak = accounts.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    con.execute("UPDATE accounts SET password_hash = ? WHERE username = 'tuangiao'", [weak])
    accounts.authenticate(con, "tuangiao", PASSWORD, now=T0)
    assert scalar(con, "SELECT password_hash FROM accounts WHERE username = 'tuangiao'") != weak


@pytest.mark.parametrize("password, message", [
    ("ngan", "ít nhất 10 ký tự"),
    ("tuangiao", "ít nhất 10 ký tự"),
    ("aaaaaaaaaaaa", "quá đơn giản"),
    ("x" * 300, "dài quá"),
])
def test_password_rules(con, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(con, "moi.nguoi", password, role="viewer", actor=permissions.LOCAL_ADMIN)


@pytest.mark.parametrize("username", ["A", "có.dấu", "a b", "@local", "x" * 40, "<script>"])
def test_usernames_are_plain(con, username):
    with pytest.raises(accounts.AccountError, match="Tên đăng nhập"):
        accounts.create_user(con, username, "mot-mat-khau-dai", role="viewer", actor=permissions.LOCAL_ADMIN)


def test_a_reporter_needs_units_that_exist(con):
    with pytest.raises(accounts.AccountError, match="ít nhất một đơn vị"):
        accounts.create_user(con, "bcv", "mot-mat-khau-dai", role="reporter", actor=permissions.LOCAL_ADMIN)
    with pytest.raises(accounts.AccountError, match="Không có đơn vị 999"):
        accounts.create_user(con, "bcv", "mot-mat-khau-dai", role="reporter", units=["999"], actor=permissions.LOCAL_ADMIN)
    with pytest.raises(accounts.AccountError, match="Chỉ báo cáo viên"):
        accounts.create_user(con, "ld", "mot-mat-khau-dai", role="viewer", units=["11"], actor=permissions.LOCAL_ADMIN)


# --- sign-in -------------------------------------------------------------------------


def test_right_password_gives_the_account_with_its_role_and_units(con):
    actor = accounts.authenticate(con, " TuanGiao ", PASSWORD, now=T0)
    assert actor == permissions.Actor("tuangiao", "reporter", frozenset({"099"}), "Lò Văn A", "app")
    assert _audit(con, "sign_in") == [("tuangiao", "sign_in", "")]
    assert scalar(con, "SELECT last_sign_in FROM accounts WHERE username = 'tuangiao'") == T0


def test_wrong_password_and_unknown_name_get_the_same_answer(con):
    with pytest.raises(accounts.AuthError) as wrong:
        accounts.authenticate(con, "tuangiao", "sai-mat-khau", now=T0)
    with pytest.raises(accounts.AuthError) as unknown:
        accounts.authenticate(con, "khong.co.ai", "sai-mat-khau", now=T0)
    assert str(wrong.value) == str(unknown.value) == "Sai tên đăng nhập hoặc mật khẩu."
    assert not isinstance(wrong.value, accounts.AccountLocked)
    log = _audit(con, "sign_in_failed")
    assert log == [("tuangiao", "sign_in_failed", "sai mật khẩu (lần 1/5)"),
                   ("khong.co.ai", "sign_in_failed", "không có tài khoản (lần 1/5)")]


def test_lockout_after_five_failures_then_unlock_after_the_window(con):
    for i in range(4):
        with pytest.raises(accounts.AuthError) as e:
            accounts.authenticate(con, "tuangiao", f"sai-{i}", now=minutes(i))
        assert not isinstance(e.value, accounts.AccountLocked)
    with pytest.raises(accounts.AccountLocked, match="tạm khóa 15 phút, đến 08:19 10/07/2025"):
        accounts.authenticate(con, "tuangiao", "sai-4", now=minutes(4))
    # locked: even the right password is refused, and the attempt is recorded
    with pytest.raises(accounts.AccountLocked, match="đến 08:19"):
        accounts.authenticate(con, "tuangiao", PASSWORD, now=minutes(18))
    assert _audit(con, "sign_in_locked")[-1][0] == "tuangiao"
    # after the window the right password works, and the count starts again
    assert accounts.authenticate(con, "tuangiao", PASSWORD, now=minutes(19)).username == "tuangiao"
    assert scalar(con, "SELECT count(*) FROM sign_in_failures") == 0
    with pytest.raises(accounts.AuthError) as e:
        accounts.authenticate(con, "tuangiao", "sai", now=minutes(20))
    assert not isinstance(e.value, accounts.AccountLocked)


def test_a_lock_that_ran_out_counts_afresh(con):
    for i in range(5):
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(con, "tuangiao", "sai", now=minutes(i))
    # 16 minutes later the lock is over: one more wrong password is failure 1 of 5, not a new lock
    with pytest.raises(accounts.AuthError) as e:
        accounts.authenticate(con, "tuangiao", "sai", now=minutes(21))
    assert not isinstance(e.value, accounts.AccountLocked)
    assert scalar(con, "SELECT failures FROM sign_in_failures WHERE username = 'tuangiao'") == 1


def test_an_unknown_name_is_locked_like_a_real_one(con):
    for i in range(5):
        with pytest.raises(accounts.AuthError) as e:
            accounts.authenticate(con, "ai.do", "sai", now=minutes(i))
    assert isinstance(e.value, accounts.AccountLocked)
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate(con, "ai.do", "sai", now=minutes(5))


def test_lockout_is_configurable(con, monkeypatch):
    monkeypatch.setenv("CHITIEU_LOCKOUT_FAILURES", "2")
    monkeypatch.setenv("CHITIEU_LOCKOUT_MINUTES", "1")
    with pytest.raises(accounts.AuthError):
        accounts.authenticate(con, "tuangiao", "sai", now=T0)
    with pytest.raises(accounts.AccountLocked, match="tạm khóa 1 phút"):
        accounts.authenticate(con, "tuangiao", "sai", now=T0)
    assert accounts.authenticate(con, "tuangiao", PASSWORD, now=minutes(2)).username == "tuangiao"


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(con):
    token = accounts.new_session(con, accounts.actor_for(con, "tuangiao"), now=T0)
    accounts.disable_user(con, "tuangiao", actor=permissions.LOCAL_ADMIN, now=minutes(1))
    with pytest.raises(accounts.AuthError, match="vô hiệu hóa"):
        accounts.authenticate(con, "tuangiao", PASSWORD, now=minutes(2))
    with pytest.raises(accounts.SessionExpired):
        accounts.session_actor(con, token, now=minutes(2))
    with pytest.raises(accounts.AuthError, match="Sai tên đăng nhập"):   # a wrong password says nothing more
        accounts.authenticate(con, "tuangiao", "sai", now=minutes(3))
    accounts.enable_user(con, "tuangiao", actor=permissions.LOCAL_ADMIN)
    assert accounts.authenticate(con, "tuangiao", PASSWORD, now=minutes(4)).role == "reporter"


def test_a_new_password_clears_the_lock_and_ends_sessions(con):
    token = accounts.new_session(con, accounts.actor_for(con, "tuangiao"), now=T0)
    for i in range(5):
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(con, "tuangiao", "sai", now=minutes(i))
    accounts.set_password(con, "tuangiao", "mat-khau-moi-2025", actor=permissions.LOCAL_ADMIN, now=minutes(6))
    assert accounts.authenticate(con, "tuangiao", "mat-khau-moi-2025", now=minutes(7)).username == "tuangiao"
    with pytest.raises(accounts.SessionExpired):
        accounts.session_actor(con, token, now=minutes(7))
    entry = con.execute("SELECT before::VARCHAR, after::VARCHAR FROM audit_log WHERE action = 'user_password'").fetchall()
    assert "mat-khau" not in str(entry) and "argon2" not in str(entry)     # never the password nor its hash


# --- sessions ------------------------------------------------------------------------


def test_session_token_is_random_and_stored_only_as_its_sha256(con):
    token, actor = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    stored = con.execute("SELECT token_sha256, created_at, last_seen, expires_at FROM sessions").fetchall()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), T0, T0, T0 + dt.timedelta(hours=12))]
    assert len(token) >= 40 and token != accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)[0]
    assert accounts.session_actor(con, token, now=minutes(1)) == actor


def test_idle_session_expires(con):
    token, _ = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    assert accounts.session_actor(con, token, now=minutes(29)).username == "tuangiao"   # activity at 8:29
    assert accounts.session_actor(con, token, now=minutes(58)).username == "tuangiao"   # 29 minutes later
    with pytest.raises(accounts.SessionExpired, match="không hoạt động quá 30 phút"):
        accounts.session_actor(con, token, now=minutes(58 + 31))
    with pytest.raises(accounts.SessionExpired):      # ended for good, even if asked "earlier"
        accounts.session_actor(con, token, now=minutes(59))
    assert scalar(con, "SELECT end_reason FROM sessions") == "idle"
    assert _audit(con, "session_expired") == [("tuangiao", "session_expired", "idle")]


def test_activity_known_to_the_app_keeps_the_session(con):
    """The app writes last_seen only every few minutes; the activity it saw counts all the same."""
    token, _ = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    assert accounts.session_actor(con, token, now=minutes(45), seen=minutes(20)).username == "tuangiao"


def test_session_expires_after_twelve_hours_however_active(con):
    token, _ = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    for m in range(20, 12 * 60, 20):
        accounts.session_actor(con, token, now=minutes(m))
    with pytest.raises(accounts.SessionExpired, match="quá 12 giờ"):
        accounts.session_actor(con, token, now=minutes(12 * 60))
    assert scalar(con, "SELECT end_reason FROM sessions") == "absolute"


def test_last_seen_is_written_at_most_every_few_minutes(con):
    token, _ = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    accounts.session_actor(con, token, now=minutes(1))
    assert scalar(con, "SELECT last_seen FROM sessions") == T0
    accounts.session_actor(con, token, now=minutes(6))
    assert scalar(con, "SELECT last_seen FROM sessions") == minutes(6)


def test_sign_out_ends_the_session(con):
    token, _ = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    accounts.sign_out(con, token, now=minutes(1))
    with pytest.raises(accounts.SessionExpired, match="đã đăng xuất"):
        accounts.session_actor(con, token, now=minutes(2))
    accounts.sign_out(con, token)     # twice: a no-op
    assert [a for _, a, _ in _audit(con)][-2:] == ["sign_in", "sign_out"]
    with pytest.raises(accounts.SessionExpired):
        accounts.session_actor(con, "a-token-nobody-was-given")


def test_a_role_change_is_seen_by_a_live_session(con):
    token, actor = accounts.sign_in(con, "tuangiao", PASSWORD, now=T0)
    con.execute("INSERT INTO account_units VALUES ('tuangiao', '094')")
    assert accounts.session_actor(con, token, now=minutes(1)).units == frozenset({"099", "094"})


# --- identity provider ---------------------------------------------------------------


def test_identity_provider_sign_in_maps_the_email_to_an_account(db, con):
    make_user(db, "ld.email", "viewer", email="Lanh.Dao@dienbien.gov.vn")
    token, actor = accounts.sign_in_external(con, "lanh.dao@dienbien.gov.vn", now=T0)
    assert actor.username == "ld.email" and accounts.session_actor(con, token, now=minutes(1)).role == "viewer"
    with pytest.raises(accounts.AuthError, match="chưa gắn với tài khoản nào"):
        accounts.sign_in_external(con, "nguoi.la@example.com", now=T0)


def test_an_account_without_a_password_cannot_sign_in_with_one(db, con):
    with connect(db) as c:
        accounts.create_user(c, "chi.sso", None, role="viewer", email="sso@dienbien.gov.vn", actor=permissions.LOCAL_ADMIN)
    with pytest.raises(accounts.AuthError, match="Sai tên đăng nhập"):
        accounts.authenticate(con, "chi.sso", "", now=T0)


# --- the command line ----------------------------------------------------------------


def _cli(capsys, monkeypatch, *args, stdin: str | None = None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_makes_the_first_admin_once(db_file, mini_catalog_dir, capsys, monkeypatch):
    code, out, _ = _cli(capsys, monkeypatch, "init", "--targets", str(mini_catalog_dir))
    assert code == 0 and "Đã tạo tài khoản quản trị đầu tiên: admin, mật khẩu" in out
    password = out.split("hãy ghi lại): ")[1].split()[0]
    with connect(db_file) as c:
        assert accounts.authenticate(c, "admin", password).role == "admin"
    code, out, _ = _cli(capsys, monkeypatch, "init", "--targets", str(mini_catalog_dir))
    assert code == 0 and "admin" not in out


def test_init_takes_the_first_admin_password_from_stdin(db_file, mini_catalog_dir, capsys, monkeypatch):
    code, out, _ = _cli(capsys, monkeypatch, "init", "--targets", str(mini_catalog_dir), "--admin-password-stdin",
                        stdin="mat-khau-quan-tri\n")
    assert code == 0 and "mat-khau-quan-tri" not in out
    with connect(db_file) as c:
        assert accounts.authenticate(c, "admin", "mat-khau-quan-tri").role == "admin"


def test_user_add_list_disable_password(db, capsys, monkeypatch):
    code, out, err = _cli(capsys, monkeypatch, "user", "add", "cb.muongnhe", "--role", "reporter", "--unit", "095",
                          "--unit", "096", "--full-name", "Cán bộ Mường Nhé", "--password-stdin",
                          stdin="mat-khau-muong-nhe\n")
    assert code == 0, err
    assert "Đã thêm tài khoản 'cb.muongnhe' (báo cáo viên của 095, 096)." in out
    code, out, _ = _cli(capsys, monkeypatch, "user", "list", "--json")
    users = {u["username"]: u for u in json.loads(out)}
    assert users["cb.muongnhe"]["units"] == ["095", "096"] and "password_hash" not in users["cb.muongnhe"]
    code, out, _ = _cli(capsys, monkeypatch, "user", "list")
    assert "cb.muongnhe: báo cáo viên của 095, 096 — Cán bộ Mường Nhé [đang dùng]" in out
    assert _cli(capsys, monkeypatch, "user", "disable", "cb.muongnhe")[0] == 0
    assert "[đã vô hiệu hóa]" in _cli(capsys, monkeypatch, "user", "list")[1]
    code, _, err = _cli(capsys, monkeypatch, "user", "password", "cb.muongnhe", "--password-stdin",
                        stdin="mat-khau-moi-nhe-2025\n")
    assert code == 0, err
    with connect(db) as c:
        with pytest.raises(accounts.AuthError, match="vô hiệu hóa"):
            accounts.authenticate(c, "cb.muongnhe", "mat-khau-moi-nhe-2025")
        log = [r[0] for r in c.execute("SELECT action FROM audit_log WHERE object = 'cb.muongnhe' ORDER BY id")
               .fetchall()]
    assert log == ["user_add", "user_disable", "user_password", "sign_in_failed"]


@pytest.mark.parametrize("args, stdin, code, message", [
    (("user", "add", "x1", "--role", "viewer", "--password-stdin"), "ngan\n", 1, "ít nhất 10 ký tự"),
    (("user", "add", "tuangiao", "--role", "viewer", "--password-stdin"), "mot-mat-khau-dai\n", 1, "đã có"),
    (("user", "add", "x1", "--role", "chief", "--password-stdin"), "mot-mat-khau-dai\n", 2, "invalid choice"),
    (("user", "add", "x1", "--role", "viewer"), "", 2, "--password-stdin"),             # no terminal, no stdin flag
    (("user", "disable", "khong.co"), None, 1, "Không có tài khoản 'khong.co'"),
    (("user", "list", "--user", "lanhdao"), None, 1, "không được quản lý tài khoản"),   # only admins
    (("user", "list", "--user", "ghost"), None, 1, "Không có tài khoản 'ghost'"),
])
def test_user_command_refusals(db, capsys, monkeypatch, args, stdin, code, message):
    try:
        got, out, err = _cli(capsys, monkeypatch, *args, stdin=stdin if stdin is not None else "")
    except SystemExit as e:      # argparse's own refusals
        got, err, out = e.code, capsys.readouterr().err, ""
    assert got == code and message in err, (out, err)


def test_password_is_never_an_argument():
    from etl.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["user", "add", "x1", "--role", "viewer", "--password", "secret"])
