"""Every setting read from the environment, in one table: name, default, meaning.

The README documents each one (``tests/unit/test_settings.py`` fails on a
setting missing there). Read a setting with :func:`get`::

    >>> get("CHITIEU_LOCKOUT_FAILURES", environ={})
    5
    >>> get("CHITIEU_DB_WAIT", environ={"CHITIEU_DB_WAIT": "2,5"})
    2.5
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: object          # also gives the type (int, float, str, Path or None for text)
    meaning: str


ROOT = Path(__file__).resolve().parent.parent

SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("CHITIEU_DB", ROOT / "data" / "chitieu.duckdb",
            "the database file (every command's --db overrides it)"),
    Setting("CHITIEU_DB_WAIT", 15.0,
            "seconds a command or page waits for a database file another process holds, before saying it is busy"),
    Setting("CHITIEU_REPORT_DUE_DAYS", 15,
            "days after a quarter's end by which a unit's quarterly return is due (later counts as late)"),
    Setting("CHITIEU_LOCKOUT_FAILURES", 5, "wrong passwords in a row that lock a name"),
    Setting("CHITIEU_LOCKOUT_MINUTES", 15.0, "how long a locked name stays locked"),
    Setting("CHITIEU_SESSION_IDLE_MINUTES", 30.0, "a session ends after this long without activity"),
    Setting("CHITIEU_SESSION_MAX_HOURS", 12.0, "a session ends this long after signing in, active or not"),
    Setting("CHITIEU_SMTP_HOST", None, "the mail server reminders go through (etl remind); required to send"),
    Setting("CHITIEU_SMTP_PORT", None, "its port (default 587 with starttls, 465 with ssl, 25 with none)"),
    Setting("CHITIEU_SMTP_TLS", "starttls", "starttls, ssl (TLS from the first byte) or none"),
    Setting("CHITIEU_SMTP_USER", None, "login name at the mail server (with CHITIEU_SMTP_PASSWORD; none: no login)"),
    Setting("CHITIEU_SMTP_PASSWORD", None, "password at the mail server"),
    Setting("CHITIEU_SMTP_FROM", None, "the sender address of reminders; required to send"),
    Setting("CHITIEU_SMTP_CAFILE", None, "a CA bundle to trust besides the system's (a server with a private CA)"),
    Setting("CHITIEU_SMTP_TIMEOUT", 30.0, "seconds to wait for the mail server"),
    Setting("CHITIEU_APP_URL", "http://localhost:8501", "the dashboard's address, for links in reminders"),
    Setting("CHITIEU_TEST_SLOW_LOAD", None,
            "tests only: seconds a load pauses inside its transaction, to test a busy file"),
)}


def get(name: str, environ=None):
    """The setting's value from the environment (Vietnamese decimal comma allowed), else its default."""
    s = SETTINGS[name]
    raw = (os.environ if environ is None else environ).get(name)
    if raw in (None, ""):
        return s.default
    if isinstance(s.default, bool) or s.default is None or isinstance(s.default, str):
        return raw
    if isinstance(s.default, int):
        return int(raw)
    if isinstance(s.default, float):
        return float(raw.replace(",", "."))
    if isinstance(s.default, Path):
        return Path(raw)
    return raw
