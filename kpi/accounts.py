"""Accounts, passwords, sign-in and sessions, as the database keeps them.

Who may do what is ``kpi.permissions``; this module keeps the accounts that
carry a role. Passwords are hashed with argon2id (argon2-cffi, RFC 9106
low-memory parameters: 64 MiB, 3 passes, 4 lanes). After ``max_failures``
wrong passwords in a row a name is locked for ``lockout`` minutes, whether the
account exists or not, so the answers never tell which names exist. A session
is a random token kept by the app in server memory; the database keeps only
its SHA-256, with an idle timeout and an absolute one. Every function takes
``now`` so tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kpi import audit, settings
from kpi.permissions import ROLES, Actor, authorize
from kpi.fmt import fmt_datetime
from kpi.repo import units_by_code
from kpi.store import connect, db_path, first, open_existing, scalar, transaction
from kpi.texts import unit_label

BAD_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu."
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 256



def default_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults: RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes)."""
    return PasswordHasher()


HASHER = default_hasher()   # tests swap in a cheaper one (tests/conftest.py)


class AuthError(Exception):
    """Sign-in or session refused; the message is for people, in Vietnamese."""


class AccountLocked(AuthError):
    """Too many wrong passwords in a row for this name."""


class SessionExpired(AuthError):
    """The session ended: idle too long, too old, signed out, or the account disabled."""


class AccountError(ValueError):
    """A bad username, role, unit or password when creating or changing an account."""


# --- settings ---------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)
    # last_seen is written at most this often: each write changes the database file, and so empties the
    # pages' cache (kpi.ui.load); the app checks idleness on every run from its own memory.
    touch: dt.timedelta = dt.timedelta(minutes=5)


def load_policy() -> Policy:
    """The policy from the environment (``CHITIEU_LOCKOUT_FAILURES``, ``CHITIEU_LOCKOUT_MINUTES``,
    ``CHITIEU_SESSION_IDLE_MINUTES``, ``CHITIEU_SESSION_MAX_HOURS``), else the defaults."""
    get = settings.get
    return Policy(
        max_failures=get("CHITIEU_LOCKOUT_FAILURES"),
        lockout=dt.timedelta(minutes=get("CHITIEU_LOCKOUT_MINUTES")),
        idle=dt.timedelta(minutes=get("CHITIEU_SESSION_IDLE_MINUTES")),
        absolute=dt.timedelta(hours=get("CHITIEU_SESSION_MAX_HOURS")),
    )


def clock() -> dt.datetime:
    """Local time without a zone, as the rest of the store keeps it."""
    return dt.datetime.now()


def _minutes(td: dt.timedelta) -> str:
    m = td.total_seconds() / 60
    return f"{m:g} phút" if m < 120 else f"{m / 60:g} giờ"


# --- passwords ---------------------------------------------------------------

_DUMMY_HASH: str | None = None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``. A missing hash still costs one verification (no timing hint)."""
    global _DUMMY_HASH
    if not stored:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
        stored, password = _DUMMY_HASH, password + "\x00never"
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")
    if username and password.strip().lower() == username.lower():
        raise AccountError("Mật khẩu không được trùng tên đăng nhập.")
    if len(set(password)) < 4:
        raise AccountError("Mật khẩu quá đơn giản: dùng ít nhất 4 ký tự khác nhau.")
    from kpi.passwords import weakness   # common-password list and guessability (zxcvbn)

    why = weakness(password, (username,))
    if why:
        raise AccountError(why)


def new_password() -> str:
    """A random password to hand out once (the first admin, a reset)."""
    return secrets.token_urlsafe(12)


def normalize(username: str) -> str:
    return (username or "").strip().lower()[:64]


# --- accounts ----------------------------------------------------------------


def _units_of(con, username: str) -> frozenset:
    return frozenset(r[0] for r in con.execute("SELECT unit FROM account_units WHERE username = ?",
                                               [username]).fetchall())


def _actor_from_row(con, username, role, full_name, via="app") -> Actor:
    return Actor(username, role, _units_of(con, username), full_name or "", via)


def get_account(con: duckdb.DuckDBPyConnection, username: str) -> dict | None:
    """One account (without its password hash), or None."""
    cur = con.execute("SELECT username, full_name, role, email, active, demo, created_at, created_by, "
                      "password_changed_at, disabled_at, last_sign_in, password_hash IS NOT NULL AS has_password "
                      "FROM accounts WHERE username = ?", [normalize(username)])
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return None
    d = dict(zip(cols, rows[0]))
    d["units"] = sorted(_units_of(con, d["username"]))
    return d


def actor_for(con: duckdb.DuckDBPyConnection, username: str, via: str = "cli") -> Actor:
    """The active account ``username`` as an actor (the command line's ``--user``). AuthError if none."""
    row = first(con, "SELECT username, role, full_name, active FROM accounts WHERE username = ?",
                [normalize(username)])
    if row is None:
        raise AuthError(f"Không có tài khoản '{username}'.")
    if not row[3]:
        raise AuthError(f"Tài khoản '{row[0]}' đã bị vô hiệu hóa.")
    return _actor_from_row(con, row[0], row[1], row[2], via)


def actor_for_email(con: duckdb.DuckDBPyConnection, email: str | None, via: str = "app") -> Actor | None:
    """The active account whose e-mail is ``email`` (sign-in through an identity provider), else None."""
    if not email:
        return None
    row = first(con, "SELECT username, role, full_name FROM accounts WHERE lower(email) = lower(?) AND active",
                [email.strip()])
    return _actor_from_row(con, *row, via=via) if row else None


def _check_units(con, role: str, units) -> list[str]:
    units = sorted({str(u).strip() for u in units or () if str(u).strip()})
    if role == "reporter" and not units:
        raise AccountError("Báo cáo viên phải gắn với ít nhất một đơn vị (--unit MÃ).")
    if role != "reporter" and units:
        raise AccountError("Chỉ báo cáo viên gắn với đơn vị; vai trò khác xem hoặc ghi mọi đơn vị.")
    missing = [u for u in units if not scalar(con, "SELECT count(*) FROM units WHERE code = ?", [u])]
    if missing:
        raise AccountError(f"Không có đơn vị {', '.join(missing)} (chạy python -m etl init trước).")
    return units


def create_user(con: duckdb.DuckDBPyConnection, username: str, password: str | None, *, role: str,
                actor: Actor, units=(), full_name: str = "", email: str | None = None, demo: bool = False,
                now: dt.datetime | None = None) -> Actor:
    """Add an account (an admin's act). ``password=None``: sign-in through the identity provider only."""
    authorize(actor, "manage_accounts")
    name = normalize(username)
    if not USERNAME_RE.match(name):
        raise AccountError("Tên đăng nhập gồm 2–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, "
                           f"gạch dưới (nhận được '{username}').")
    if role not in ROLES:
        raise AccountError(f"Vai trò '{role}' không có. Các vai trò: {', '.join(ROLES)}.")
    if password is None and not email:
        raise AccountError("Cần mật khẩu, hoặc e-mail để đăng nhập qua nhà cung cấp định danh.")
    if password is not None:
        check_password_rules(password, name)
    units = _check_units(con, role, units)
    if scalar(con, "SELECT count(*) FROM accounts WHERE username = ?", [name]):
        raise AccountError(f"Tài khoản '{name}' đã có.")
    at = now or clock()
    pw_hash = hash_password(password) if password is not None else None
    with transaction(con):
        con.execute("INSERT INTO accounts (username, full_name, role, email, password_hash, active, demo, created_at, "
                    "created_by, password_changed_at) VALUES (?,?,?,?,?,true,?,?,?,?)",
                    [name, full_name or "", role, email, pw_hash, demo, at, actor.username,
                     at if pw_hash else None])
        for u in units:
            con.execute("INSERT INTO account_units VALUES (?, ?)", [name, u])
        audit.record(con, actor, "user_add", name, after={"role": role, "units": units, "full_name": full_name,
                                                           "email": email, "demo": demo}, now=at)
    return Actor(name, role, frozenset(units), full_name or "")


def _require_account(con, username: str) -> dict:
    acc = get_account(con, username)
    if acc is None:
        raise AccountError(f"Không có tài khoản '{username}'.")
    return acc


def set_active(con: duckdb.DuckDBPyConnection, username: str, active: bool, *, actor: Actor,
               now: dt.datetime | None = None) -> None:
    """Disable (its sessions end at once) or enable an account."""
    authorize(actor, "manage_accounts")
    acc = _require_account(con, username)
    if not active and acc["username"] == actor.username:
        raise AccountError("Không tự vô hiệu hóa tài khoản đang dùng.")
    if acc["active"] == active:
        return
    at = now or clock()
    with transaction(con):
        con.execute("UPDATE accounts SET active = ?, disabled_at = ? WHERE username = ?",
                    [active, None if active else at, acc["username"]])
        if not active:
            con.execute("UPDATE sessions SET ended_at = ?, end_reason = 'disabled' WHERE username = ? "
                        "AND ended_at IS NULL", [at, acc["username"]])
        else:
            con.execute("DELETE FROM sign_in_failures WHERE username = ?", [acc["username"]])
        audit.record(con, actor, "user_enable" if active else "user_disable", acc["username"],
                     before={"active": acc["active"]}, after={"active": active}, now=at)


def disable_user(con, username: str, *, actor: Actor, now: dt.datetime | None = None) -> None:
    set_active(con, username, False, actor=actor, now=now)


def enable_user(con, username: str, *, actor: Actor, now: dt.datetime | None = None) -> None:
    set_active(con, username, True, actor=actor, now=now)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str, *, actor: Actor,
                 now: dt.datetime | None = None) -> None:
    """Set a new password (an admin's act): clears a lockout, ends the account's sessions."""
    authorize(actor, "manage_accounts")
    acc = _require_account(con, username)
    check_password_rules(password, acc["username"])
    at = now or clock()
    pw_hash = hash_password(password)
    with transaction(con):
        con.execute("UPDATE accounts SET password_hash = ?, password_changed_at = ?, demo = false "
                    "WHERE username = ?", [pw_hash, at, acc["username"]])
        con.execute("DELETE FROM sign_in_failures WHERE username = ?", [acc["username"]])
        con.execute("UPDATE sessions SET ended_at = ?, end_reason = 'password' WHERE username = ? "
                    "AND ended_at IS NULL", [at, acc["username"]])
        # never the hash: only when
        audit.record(con, actor, "user_password", acc["username"],
                     before={"password_changed_at": acc["password_changed_at"]},
                     after={"password_changed_at": at}, now=at)


def list_users(con: duckdb.DuckDBPyConnection, *, actor: Actor, now: dt.datetime | None = None) -> list[dict]:
    """Every account (no hashes), with its units and whether it is locked now."""
    authorize(actor, "manage_accounts")
    at = now or clock()
    cur = con.execute("""
        SELECT a.username, a.full_name, a.role, a.email, a.active, a.demo, a.created_at, a.created_by,
               a.password_changed_at, a.disabled_at, a.last_sign_in, f.failures, f.locked_until,
               (SELECT list(unit ORDER BY unit) FROM account_units u WHERE u.username = a.username) AS units
        FROM accounts a LEFT JOIN sign_in_failures f ON f.username = a.username
        ORDER BY a.username""")
    cols = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        d = dict(zip(cols, r))
        d["units"] = d["units"] or []
        d["role_label"] = ROLES.get(d["role"], d["role"])
        d["locked"] = bool(d["locked_until"] and d["locked_until"] > at)
        out.append(d)
    return out


def demo_accounts(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Active demo accounts that still have the documented demo password (for the sign-in page's hint)."""
    rows = con.execute("SELECT username, role FROM accounts WHERE demo AND active ORDER BY "
                       "list_position(['viewer', 'secretariat', 'reporter', 'admin'], role), username").fetchall()
    return [{"username": u, "role": r, "role_label": ROLES.get(r, r)} for u, r in rows]


def account_count(con: duckdb.DuckDBPyConnection) -> int:
    return scalar(con, "SELECT count(*) FROM accounts")


# --- sign-in -----------------------------------------------------------------


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str, *,
                 now: dt.datetime | None = None, policy: Policy | None = None, via: str = "app") -> Actor:
    """The account's actor when the password is right; AuthError (AccountLocked) otherwise.

    Every attempt is in the audit log (sign_in, sign_in_failed, sign_in_locked). Messages never say
    whether the name exists: a name without an account is counted and locked just like one with.
    """
    name = normalize(username)
    at = now or clock()
    pol = policy or load_policy()
    row = first(con, "SELECT username, role, full_name, password_hash, active FROM accounts WHERE username = ?",
                [name]) if name else None
    fail = first(con, "SELECT failures, locked_until FROM sign_in_failures WHERE username = ?", [name])
    failures, locked_until = fail or (0, None)
    who = name or "(trống)"
    if locked_until is not None and at < locked_until:
        with transaction(con):
            audit.record(con, who, "sign_in_locked", who, detail=f"tạm khóa đến {locked_until:%H:%M %d/%m/%Y}",
                         now=at, via=via)
        raise AccountLocked(_locked_message(pol, locked_until))
    if locked_until is not None:      # the lock is over: count afresh
        failures = 0
    ok = verify_password(row[3] if row else None, password or "")
    if ok and row[4]:
        rehashed = hash_password(password) if HASHER.check_needs_rehash(row[3]) else None
        from kpi.passwords import retry_on_conflict   # two tabs signing in at once both succeed

        def succeed():
            with transaction(con):
                if rehashed:   # hashed with older parameters: upgrade while we have the password
                    con.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", [rehashed, name])
                con.execute("DELETE FROM sign_in_failures WHERE username = ?", [name])
                con.execute("UPDATE accounts SET last_sign_in = ? WHERE username = ?", [at, name])
                actor = _actor_from_row(con, row[0], row[1], row[2], via)
                audit.record(con, actor, "sign_in", name, now=at)
            return actor

        return retry_on_conflict(succeed)
    if ok:   # the right password of a disabled account: say so (the person knows the password)
        with transaction(con):
            audit.record(con, who, "sign_in_failed", who, detail="tài khoản đã bị vô hiệu hóa", now=at, via=via)
        raise AuthError("Tài khoản này đã bị vô hiệu hóa. Liên hệ quản trị.")
    from kpi.passwords import count_failure   # atomic: parallel wrong passwords each count

    def record(failures, locked):
        detail = ("sai mật khẩu" if row else "không có tài khoản") + f" (lần {failures}/{pol.max_failures})"
        if locked:
            detail += f"; tạm khóa đến {locked:%H:%M %d/%m/%Y}"
        audit.record(con, who, "sign_in_failed", who, detail=detail, now=at, via=via)

    failures, locked = count_failure(con, who, at, pol.max_failures, pol.lockout, record)
    if locked:
        raise AccountLocked(f"{BAD_CREDENTIALS} {_locked_message(pol, locked)}")
    raise AuthError(BAD_CREDENTIALS)


def _locked_message(pol: Policy, until: dt.datetime) -> str:
    return (f"Đã đăng nhập sai {pol.max_failures} lần liên tiếp: tên đăng nhập này tạm khóa {_minutes(pol.lockout)}, "
            f"đến {until:%H:%M %d/%m/%Y}. Thử lại sau, hoặc nhờ quản trị đặt lại mật khẩu.")


def sign_in_external(con: duckdb.DuckDBPyConnection, email: str | None, *, provider: str = "st.login",
                     now: dt.datetime | None = None, policy: Policy | None = None) -> tuple[str, Actor]:
    """A session for the account whose e-mail the identity provider vouched for; AuthError if none has it.

    The provider proves who the person is; the role and units still come from the account here.
    """
    at = now or clock()
    actor = actor_for_email(con, email)
    if actor is None:
        with transaction(con):
            audit.record(con, (email or "(không có e-mail)")[:64], "sign_in_failed", email or "",
                         detail=f"{provider}: e-mail chưa gắn với tài khoản nào", now=at)
        raise AuthError(f"E-mail {email or '(trống)'} chưa gắn với tài khoản nào trong chitieu. "
                        "Nhờ quản trị thêm: python -m etl user add TÊN --role … --email …")
    with transaction(con):
        con.execute("UPDATE accounts SET last_sign_in = ? WHERE username = ?", [at, actor.username])
        audit.record(con, actor, "sign_in", actor.username, detail=provider, now=at)
    return new_session(con, actor, now=at, policy=policy), actor


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session(con: duckdb.DuckDBPyConnection, actor: Actor, *, now: dt.datetime | None = None,
                policy: Policy | None = None) -> str:
    """A new session for ``actor``: the token (give it to the client only); the store keeps its SHA-256."""
    at = now or clock()
    pol = policy or load_policy()
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions (token_sha256, username, created_at, last_seen, expires_at, via) "
                "VALUES (?,?,?,?,?,?)", [_token_hash(token), actor.username, at, at, at + pol.absolute, actor.via])
    return token


def sign_in(con: duckdb.DuckDBPyConnection, username: str, password: str, *, now: dt.datetime | None = None,
            policy: Policy | None = None) -> tuple[str, Actor]:
    """Authenticate and open a session: ``(token, actor)``; AuthError otherwise."""
    actor = authenticate(con, username, password, now=now, policy=policy)
    return new_session(con, actor, now=now, policy=policy), actor


ENDED = {   # why a session that is over ended, as the sign-in page says it
    None: "Phiên đăng nhập không còn hiệu lực. Vui lòng đăng nhập lại.",
    "disabled": "Tài khoản đã bị vô hiệu hóa. Liên hệ quản trị.",
    "password": "Mật khẩu của tài khoản vừa được đặt lại. Vui lòng đăng nhập bằng mật khẩu mới.",
    "sign_out": "Phiên đăng nhập đã kết thúc (đã đăng xuất). Vui lòng đăng nhập lại.",
    "idle": "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại.",
    "absolute": "Phiên làm việc đã hết thời hạn. Vui lòng đăng nhập lại.",
}


@dataclass(frozen=True)
class SessionInfo:
    actor: Actor
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime    # the absolute end


def session_info(con: duckdb.DuckDBPyConnection, token: str, *, now: dt.datetime | None = None,
                 seen: dt.datetime | None = None, policy: Policy | None = None) -> SessionInfo:
    """Check a session and note the activity: SessionExpired when it is over (and then it is ended).

    ``seen``: the last activity the caller knows of (the app keeps it in memory and
    writes it here at most every ``policy.touch``).
    """
    at = now or clock()
    pol = policy or load_policy()
    row = first(con, """SELECT s.username, s.created_at, s.last_seen, s.expires_at, s.ended_at, a.role, a.full_name,
                               a.active, s.via, s.end_reason
                        FROM sessions s LEFT JOIN accounts a ON a.username = s.username
                        WHERE s.token_sha256 = ?""", [_token_hash(token or "")])
    if row is None or row[4] is not None:
        raise SessionExpired(ENDED.get(row[9] if row else None, ENDED[None]))
    username, created, last_seen, expires, _ended, role, full_name, active, via, _reason = row
    last = max(last_seen, seen) if seen else last_seen
    reason, message = None, None
    if not active:
        reason, message = "disabled", "Tài khoản đã bị vô hiệu hóa. Liên hệ quản trị."
    elif at - last > pol.idle:
        reason, message = "idle", (f"Phiên làm việc đã hết hạn do không hoạt động quá {_minutes(pol.idle)}. "
                                   "Vui lòng đăng nhập lại.")
    elif at >= expires:
        reason, message = "absolute", (f"Phiên làm việc đã kéo dài quá {_minutes(pol.absolute)}. "
                                       "Vui lòng đăng nhập lại.")
    if reason:
        with transaction(con):
            con.execute("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_sha256 = ?",
                        [at, reason, _token_hash(token)])
            audit.record(con, Actor(username, role or "", full_name=full_name or "", via=via or "app"),
                         "session_expired", username, detail=reason, now=at)
        raise SessionExpired(message)
    if at - last_seen >= pol.touch:
        con.execute("UPDATE sessions SET last_seen = ? WHERE token_sha256 = ?", [at, _token_hash(token)])
        last_seen = at
    actor = _actor_from_row(con, username, role, full_name, via or "app")
    return SessionInfo(actor, created, max(last_seen, last), expires)


def session_actor(con: duckdb.DuckDBPyConnection, token: str, *, now: dt.datetime | None = None,
                  seen: dt.datetime | None = None, policy: Policy | None = None) -> Actor:
    """The actor of a live session (its last activity refreshed); SessionExpired otherwise."""
    return session_info(con, token, now=now, seen=seen, policy=policy).actor


def sign_out(con: duckdb.DuckDBPyConnection, token: str, *, now: dt.datetime | None = None) -> None:
    """End a session (a no-op for one already over)."""
    at = now or clock()
    row = first(con, "SELECT s.username, a.role, a.full_name, s.via FROM sessions s "
                     "LEFT JOIN accounts a ON a.username = s.username "
                     "WHERE s.token_sha256 = ? AND s.ended_at IS NULL", [_token_hash(token or "")])
    if row is None:
        return
    with transaction(con):
        con.execute("UPDATE sessions SET ended_at = ?, end_reason = 'sign_out' WHERE token_sha256 = ?",
                    [at, _token_hash(token)])
        audit.record(con, Actor(row[0], row[1] or "", full_name=row[2] or "", via=row[3] or "app"), "sign_out",
                     row[0], now=at)


# --- what the sign-in and accounts pages call (a connection of their own each) ------------

# The demo accounts' published password (python -m etl demo). The sign-in page shows it only while a
# demo account still has it.
DEMO_PASSWORD = "minhhoa2025"


def open_session(path=None, username: str = "", password: str = "") -> tuple[str, SessionInfo]:
    """Sign in: the session token and what the app keeps about the session; AuthError otherwise."""
    with open_existing(path) as con:
        token, _actor = sign_in(con, username, password)
        return token, session_info(con, token)


def open_external_session(path=None, email: str | None = None) -> tuple[str, SessionInfo]:
    """Sign in through the identity provider (``st.login``): the account with that e-mail."""
    with open_existing(path) as con:
        token, _actor = sign_in_external(con, email)
        return token, session_info(con, token)


def check_session(path=None, token: str = "", seen: dt.datetime | None = None) -> SessionInfo:
    """Check a session (SessionExpired when over) and note the activity ``seen``."""
    with connect(db_path(path)) as con:
        return session_info(con, token, seen=seen)


def close_session(path=None, token: str = "") -> None:
    with connect(db_path(path)) as con:
        sign_out(con, token)


def demo_hint(path=None) -> dict | None:
    """What the sign-in page tells: the demo accounts that still have the demo password, and that password;
    or that there is no account yet. None on a real database with accounts."""
    p = db_path(path)
    if not p.exists():
        return None
    with connect(p) as con:
        accounts = demo_accounts(con)
        none_yet = account_count(con) == 0
    if none_yet:
        return {"accounts": [], "password": None, "no_accounts": True}
    return {"accounts": accounts, "password": DEMO_PASSWORD, "no_accounts": False} if accounts else None


def accounts_view(path=None, *, actor) -> dict:
    """Accounts for the Tài khoản page, and the units a reporter can be given."""
    with open_existing(path) as con:
        users = list_users(con, actor=actor)
        units = units_by_code(con)
    table = pd.DataFrame([{
        "Tên đăng nhập": u["username"], "Họ tên": u["full_name"], "Vai trò": u["role_label"],
        "Đơn vị": ", ".join(u["units"]), "Trạng thái": ("Đang dùng" if u["active"] else "Đã vô hiệu hóa")
        + (" · tạm khóa" if u["locked"] else "") + (" · minh họa" if u["demo"] else ""),
        "Đăng nhập gần nhất": fmt_datetime(u["last_sign_in"]) if u["last_sign_in"] else "",
        "Tạo lúc": fmt_datetime(u["created_at"]), "Người tạo": u["created_by"] or "",
    } for u in users])
    pickable = {c: f"{unit_label(u, c)} ({c})" for c, u in sorted(units.items()) if u["level"] != "country"}
    return {"table": table, "usernames": [u["username"] for u in users],
            "active": {u["username"]: u["active"] for u in users}, "units": pickable, "roles": dict(ROLES)}


def add_account(path=None, *, actor, username: str, password: str, role: str, units=(), full_name: str = "") -> str:
    with connect(db_path(path)) as con:
        return create_user(con, username, password, role=role, units=units, full_name=full_name,
                                actor=actor).describe()


def set_account_active(path=None, *, actor, username: str, active: bool) -> None:
    with connect(db_path(path)) as con:
        set_active(con, username, active, actor=actor)


def reset_password(path=None, *, actor, username: str, password: str) -> None:
    with connect(db_path(path)) as con:
        set_password(con, username, password, actor=actor)
