"""Signing AppTests in: a real session in the database, its token in ``session_state`` before ``.run()``."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi import accounts
from kpi.store import connect

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def session_token(username: str, db=None) -> str:
    with connect(db) as con:
        return accounts.new_session(con, accounts.actor_for(con, username, via="app"))


def signed_in(at: AppTest, username: str = "vanphong", db=None) -> AppTest:
    """``at`` with ``username`` (a demo account by default: the secretariat) signed in."""
    at.session_state["auth_token"] = session_token(username, db)
    return at


def app(username: str | None = "vanphong", db=None, timeout: float = 60) -> AppTest:
    """app.py as an AppTest, signed in as ``username`` (None: not signed in)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    return signed_in(at, username, db) if username else at
