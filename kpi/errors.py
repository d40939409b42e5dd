"""Errors people see, by type, so callers catch what they mean and nothing else.

A programming slip (a ``KeyError`` from a typo) must surface as the bug it is,
not be caught as "no such plan" and turned into a polite message.
"""


class NotFound(LookupError):
    """Something asked for by its id (a plan, a unit, a target, an upload, a milestone) is not there.

    The message, in Vietnamese, says what was asked for.
    """
