"""Accounts for tests: created straight in the store by the local administrator."""

from __future__ import annotations

from kpi import accounts, permissions
from kpi.store import connect

PASSWORD = "mat-khau-thu-nghiem"


def make_user(db, username: str, role: str, units=(), password: str = PASSWORD, **kw) -> permissions.Actor:
    """An account in ``db``, as an actor."""
    with connect(db) as c:
        return accounts.create_user(c, username, password, role=role, units=units, actor=permissions.LOCAL_ADMIN, **kw)
