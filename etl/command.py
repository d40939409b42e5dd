"""What every ``python -m etl`` command shares: exit codes, the two refusals, output, who acts.

``etl.cli`` and ``etl.plans_cli`` both import this (``etl.cli`` imports
``etl.plans_cli``, so the shared pieces cannot live in either).
"""

from __future__ import annotations

import json
import sys

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Wrong command line: exit code 2."""


class Rejected(Exception):
    """Data refused: exit code 1."""


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def say(*lines: str) -> None:
    for line in lines:
        print(line)


def actor(args, con=None):
    """The account named by ``--user`` (exit 1 if unknown or disabled), else the local administrator."""
    from kpi import accounts, permissions
    from kpi.store import connect

    name = getattr(args, "user", None)
    if not name:
        return permissions.local_admin()
    if con is None:
        with connect(args.db) as c:
            return actor(args, c)
    try:
        return accounts.actor_for(con, name, via="cli")
    except accounts.AuthError as e:
        raise Rejected(str(e)) from None
