"""Password strength and the sign-in failure counter: the parts of signing in that must hold under attack.

- :func:`weakness` refuses a password found in a common-password list or too
  easy to guess, with zxcvbn (Dropbox's estimator: 30 000 common passwords,
  English words, names, keyboard walks, repeats, dates), the account's name
  and a few local words (the province, "mật khẩu") counted as known.
- :func:`count_failure` adds one wrong password atomically: one statement
  increments the row, in a transaction retried when another sign-in changes
  the same row at the same moment (DuckDB's optimistic concurrency answers
  that with a ``TransactionException``, never shown to a person). Twelve wrong
  passwords sent at once count twelve, and lock the name.

>>> weakness("passwordpassword") is not None
True
>>> weakness("Dienbien-2025-quy2") is None
True
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Callable

import duckdb

from kpi.store import transaction

MIN_SCORE = 2                 # zxcvbn score 0–4; below 2: about a million guesses or fewer
ZXCVBN_MAX = 72               # zxcvbn's own limit; longer passwords are judged on their first 72 characters
LOCAL_WORDS = ("dienbien", "dien bien", "chitieu", "matkhau", "mat khau", "vanphong", "quantri", "admin",
               "ubnd", "tinh", "huyen", "baocao", "kehoach", "thongke")
WARNINGS_VI = {
    "top-10": "nằm trong 10 mật khẩu phổ biến nhất",
    "top-100": "nằm trong 100 mật khẩu phổ biến nhất",
    "very common": "là một mật khẩu rất phổ biến",
    "similar to a commonly used": "gần giống một mật khẩu phổ biến",
    "repeats": "chỉ là một chuỗi lặp lại",
    "sequences": "là một dãy liên tiếp (abc, 1234)",
    "keyboard": "là một dãy phím liền nhau trên bàn phím",
    "recent years": "chứa năm gần đây, dễ đoán",
    "dates": "là một ngày tháng, dễ đoán",
    "a word by itself": "chỉ là một từ thông dụng",
    "names and surnames": "chỉ là tên người",
}


def weakness(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is too easy to guess, in Vietnamese; None when it is strong enough."""
    from zxcvbn import zxcvbn

    r = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*LOCAL_WORDS, *(u for u in user_inputs if u)])
    if r["score"] >= MIN_SCORE:
        return None
    warning = (r.get("feedback") or {}).get("warning") or ""
    why = next((vi for en, vi in WARNINGS_VI.items() if en in warning.lower()), "quá dễ đoán")
    return (f"Mật khẩu quá đơn giản: {why} (ước tính đoán được sau khoảng 10^{r['guesses_log10']:.0f} lần thử). "
            "Dùng một cụm vài từ không liền nghĩa, hoặc trộn chữ, số và ký hiệu.")


def retry_on_conflict(fn: Callable, attempts: int = 60):
    """``fn()`` (one transaction), run again when a concurrent transaction changed the same rows."""
    delay = 0.005
    for attempt in range(attempts):
        try:
            return fn()
        except (duckdb.TransactionException, duckdb.ConstraintException):
            if attempt == attempts - 1:
                raise
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.2)
    raise AssertionError("unreachable")


def count_failure(con: duckdb.DuckDBPyConnection, name: str, at: dt.datetime, max_failures: int,
                  lockout: dt.timedelta, record: Callable[[int, dt.datetime | None], None] | None = None,
                  attempts: int = 60) -> tuple[int, dt.datetime | None]:
    """One more wrong password for ``name``: (failures in a row, locked until or None), counted atomically.

    A lock that has ended counts afresh. ``record(failures, locked_until)`` runs in the same transaction
    (the audit row). Retried when a concurrent sign-in changes the same row.
    """
    delay = 0.005
    for attempt in range(attempts):
        try:
            with transaction(con):
                failures = con.execute("""
                    INSERT INTO sign_in_failures (username, failures, last_failure, locked_until)
                    VALUES (?, 1, ?, NULL)
                    ON CONFLICT (username) DO UPDATE SET
                        failures = CASE WHEN sign_in_failures.locked_until IS NOT NULL
                                         AND sign_in_failures.locked_until <= excluded.last_failure
                                        THEN 1 ELSE sign_in_failures.failures + 1 END,
                        locked_until = CASE WHEN sign_in_failures.locked_until IS NOT NULL
                                             AND sign_in_failures.locked_until <= excluded.last_failure
                                            THEN NULL ELSE sign_in_failures.locked_until END,
                        last_failure = excluded.last_failure
                    RETURNING failures""", [name, at]).fetchall()[0][0]
                locked = None
                if failures >= max_failures:
                    locked = at + lockout
                    con.execute("UPDATE sign_in_failures SET locked_until = ? WHERE username = ?", [locked, name])
                if record is not None:
                    record(failures, locked)
            return failures, locked
        except (duckdb.TransactionException, duckdb.ConstraintException):
            if attempt == attempts - 1:
                raise
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.2)
    raise AssertionError("unreachable")
