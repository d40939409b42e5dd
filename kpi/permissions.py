"""Who may do what: roles, the acting account, and the checks every change asks.

Pure: no database, no Streamlit. The app (``kpi.ui``), the command line
(``etl.cli``) and the core functions that change data (``etl.load.write``,
``withdraw``, ``kpi.repo.mark_milestone``, ``sync_catalog``) all ask
:func:`authorize`. Accounts and sessions kept in the database are in
``kpi.accounts``.

Roles (``ROLES``): *viewer* (leaders: read everything, change nothing),
*reporter* (sends returns for its own units only, exactly the units listed on
the account: not the units below them), *secretariat* (targets, milestones,
rollbacks, every unit's uploads, the audit log), *admin* (all that, and
accounts)::

    >>> a = Actor("tuangiao", "reporter", frozenset({"099"}))
    >>> can(a, "write_unit", "099"), can(a, "write_unit", "11"), can(a, "rollback")
    (True, False, False)
    >>> can(Actor("vanphong", "secretariat"), "write_unit", "11")
    True
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = {
    "viewer": "lãnh đạo (chỉ xem)",
    "reporter": "báo cáo viên",
    "secretariat": "văn phòng thường trực",
    "admin": "quản trị",
}
ALL_ROLES = frozenset(ROLES)

# What each action needs. "write_unit" and "read_uploads" are also limited, for a
# reporter, to the units on its account (see ``can``).
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": ALL_ROLES,                                          # dashboards, targets, plans
    "export": ALL_ROLES,                                        # reports, tables, charts
    "upload": frozenset({"reporter", "secretariat", "admin"}),  # the upload page at all
    "write_unit": frozenset({"reporter", "secretariat", "admin"}),
    "read_uploads": ALL_ROLES,
    "rollback": frozenset({"secretariat", "admin"}),            # any upload (a reporter: see can_withdraw)
    "edit_milestone": frozenset({"secretariat", "admin"}),
    "edit_targets": frozenset({"secretariat", "admin"}),
    "write_report": frozenset({"secretariat", "admin"}),        # what people write into a quarter's report
    "read_audit": frozenset({"secretariat", "admin"}),
    "manage_accounts": frozenset({"admin"}),
    "review": frozenset({"secretariat", "admin"}),             # accept, send back, reopen (kpi.approval)
    "remind": frozenset({"secretariat", "admin"}),             # e-mail reminders (etl remind)
}
UNIT_SCOPED = frozenset({"write_unit", "read_uploads"})

DENIED = {
    "read": "không được xem số liệu",
    "export": "không được xuất báo cáo",
    "upload": "không được nạp số liệu",
    "write_unit": "không được ghi số liệu của đơn vị {unit}",
    "read_uploads": "không được xem các lần nạp của đơn vị {unit}",
    "rollback": "không được rút lại lần nạp này",
    "edit_milestone": "không được xác nhận mốc thời hạn",
    "edit_targets": "không được sửa danh mục chỉ tiêu",
    "write_report": "không được viết nội dung báo cáo quý",
    "read_audit": "không được xem nhật ký",
    "manage_accounts": "không được quản lý tài khoản",
    "review": "không được xem xét, chấp nhận hay trả lại báo cáo",
    "remind": "không được gửi thư nhắc báo cáo",
}


class PermissionDenied(Exception):
    """The actor may not do this; the message names the account and what was refused."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: an account, the local administrator at the command line, or the demo loader."""

    username: str
    role: str
    units: frozenset = frozenset()
    full_name: str = ""
    via: str = "app"      # app | cli | system

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def describe(self) -> str:
        """``'tuangiao' (báo cáo viên của 099)``: how messages name the actor."""
        if self.role == "reporter":
            return f"'{self.username}' ({self.role_label} của {', '.join(sorted(self.units)) or 'không đơn vị nào'})"
        return f"'{self.username}' ({self.role_label})"

    def display(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username


# Names starting with "@" can never be accounts (see USERNAME_RE).
LOCAL_ADMIN = Actor("@local", "admin", full_name="Quản trị cục bộ", via="cli")
SYSTEM = Actor("@system", "admin", full_name="Hệ thống (dữ liệu minh họa)", via="system")


def local_admin() -> Actor:
    """The command line without ``--user``: the local administrator, named after the OS account."""
    try:
        import getpass

        who = getpass.getuser()
    except Exception:  # no user name from the OS (some containers)
        who = ""
    return Actor("@local", "admin", full_name=f"Quản trị cục bộ ({who})" if who else "Quản trị cục bộ", via="cli")


# --- permissions ------------------------------------------------------------


def can(actor: Actor, action: str, unit: str | None = None) -> bool:
    """May ``actor`` do ``action`` (on ``unit``)? For a reporter, unit-scoped actions need one of its units.

    With ``unit=None`` a unit-scoped action asks about the role only ("may it write some unit?").
    """
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    if actor.role not in PERMISSIONS[action]:
        return False
    if action in UNIT_SCOPED and actor.role == "reporter" and unit is not None:
        return unit in actor.units
    return True


def authorize(actor: Actor, action: str, unit: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``can(actor, action, unit)``."""
    if not isinstance(actor, Actor):
        raise TypeError("authorize needs an Actor (kpi.permissions.Actor), not " + type(actor).__name__)
    if not can(actor, action, unit):
        raise PermissionDenied(denied_message(actor, action, unit))


def denied_message(actor: Actor, action: str, unit: str | None = None) -> str:
    return f"Tài khoản {actor.describe()} {DENIED[action].format(unit=unit)}"


def can_withdraw(actor: Actor, uploaded_by: str | None, units: set[str]) -> bool:
    """Rolling an upload back: the secretariat and admins any; a reporter only its own upload of its own units."""
    if can(actor, "rollback"):
        return True
    return (actor.role == "reporter" and bool(uploaded_by) and uploaded_by == actor.username
            and bool(units) and set(units) <= set(actor.units))

