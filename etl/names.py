"""Indicators by name: the office's own names matched to the catalogue, and names remembered.

A department's old form names its indicators its own way ("Tỷ lệ hộ nghèo
(theo chuẩn nghèo đa chiều)", "Tạo việc làm mới"). :class:`NameMatcher`
finds the catalogue indicator in three steps:

1. a remembered name (an alias): the unit's own, then one approved for
   everyone, then one shipped with the catalogue (``aliases:`` in
   ``targets/indicators.yaml``); compared by :func:`kpi.catalog.alias_key`
   (no accents, case or punctuation);
2. the catalogue name itself, the same way;
3. similarity (rapidfuzz), on names with accents folded, words in any order,
   and the words that carry no meaning here dropped (``STOP_WORDS``: "Tỷ lệ",
   "Số", "theo", "của"…); each name is compared with and without its text in
   parentheses, the best pair counts. The score is 0,6 × token-set ratio +
   0,4 × token-sort ratio (0–100). The indicators of the unit's form are
   tried first, then the whole catalogue.

One clear candidate (score ≥ ``ACCEPT`` and ``MARGIN`` ahead of the next) is
taken, with a warning naming the catalogue indicator, so a clerk can check it.
Otherwise the row is an error that lists the best three candidates.

>>> from kpi.catalog import Indicator
>>> cat = {c: Indicator(c, n, "%", "up", "Xã hội") for c, n in [
...     ("poor", "Tỷ lệ hộ nghèo (chuẩn nghèo tiếp cận đa chiều)"), ("jobs", "Số lao động được tạo việc làm mới"),
...     ("poor_g1", "Tỷ lệ hộ nghèo các huyện nghèo nhóm 1"), ("trained", "Tỷ lệ lao động có việc làm sau đào tạo")]}
>>> m = NameMatcher(cat)
>>> r = m.match("Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)")
>>> (r.code, r.how, r.score >= ACCEPT)
('poor', 'similar', True)
>>> m.match("Tạo việc làm mới").code
'jobs'
>>> m.match("Số cầu treo dân sinh").code is None
True

Names are remembered with :func:`remember` (a unit's own, or for everyone
when the secretariat approves it), audited, and used by every later load
(``etl load`` and the upload page read them through :func:`read_aliases`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import duckdb
from rapidfuzz import fuzz, process

from kpi import audit
from kpi.permissions import Actor, PermissionDenied, can, denied_message
from kpi.catalog import Indicator, alias_key
from kpi.store import transaction

EVERYONE = "*"
ACCEPT = 88        # a candidate this close (0–100) …
MARGIN = 8         # … and this far ahead of the next one is taken, with a warning
SHOW = 60          # candidates below this are not worth listing
STOP_WORDS = ("ty le", "so", "so luong", "theo", "cua", "cac", "duoc", "va", "trong", "tren dia ban", "dia ban",
              "toan tinh", "tinh", "dat", "muc", "chi tieu", "nam")


def similarity_key(text: str) -> str:
    """The name for similarity: folded, punctuation and stop words out, parentheses' words kept.

    >>> similarity_key("Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)")
    'ho ngheo chuan ngheo da chieu'
    """
    t = " " + alias_key(text) + " "
    for w in sorted(STOP_WORDS, key=len, reverse=True):
        t = t.replace(f" {w} ", " ")
        t = t.replace(f" {w} ", " ")   # overlapping occurrences
    return re.sub(r"\s+", " ", t).strip()


def variants(text: str) -> list[str]:
    """The similarity keys of a name: whole, and without the text in parentheses (when that leaves words).

    >>> variants("Tỷ lệ hộ nghèo (chuẩn nghèo tiếp cận đa chiều)")
    ['ho ngheo chuan ngheo tiep can da chieu', 'ho ngheo']
    """
    out = [k for k in (similarity_key(text), similarity_key(re.sub(r"\([^()]*\)", " ", str(text or "")))) if k]
    return list(dict.fromkeys(out))


def score(a: str, b: str, **_kw) -> float:
    return 0.6 * fuzz.token_set_ratio(a, b) + 0.4 * fuzz.token_sort_ratio(a, b)


@dataclass
class NameMatch:
    code: str | None
    how: str = ""                    # alias | alias_unit | catalog_alias | name | similar | "" (none)
    score: float = 0.0
    candidates: list[tuple[str, float]] = field(default_factory=list)   # best three (code, score)

    @property
    def ambiguous(self) -> bool:
        return self.code is None and bool(self.candidates) and self.candidates[0][1] >= ACCEPT


@dataclass
class Alias:
    key: str
    unit: str
    indicator: str
    alias: str
    created_by: str | None = None


class NameMatcher:
    """Match names against the catalogue, the remembered names first."""

    def __init__(self, indicators: dict[str, Indicator], aliases: list[Alias] | None = None):
        self.indicators = indicators
        self.by_name = {alias_key(i.name): c for c, i in indicators.items()}
        self.catalog_aliases = {alias_key(a): c for c, i in indicators.items() for a in getattr(i, "aliases", ())}
        self.aliases = [a for a in (aliases or []) if a.indicator in indicators]
        self.keys = {c: variants(i.name) for c, i in indicators.items()}
        for c, i in indicators.items():
            for a in getattr(i, "aliases", ()):
                self.keys[c] += variants(a)

    def remembered(self, name: str, unit: str | None) -> NameMatch | None:
        k = alias_key(name)
        if not k:
            return None
        for a in self.aliases:
            if a.key == k and unit is not None and a.unit == unit:
                return NameMatch(a.indicator, "alias_unit", 100.0)
        for a in self.aliases:
            if a.key == k and a.unit == EVERYONE:
                return NameMatch(a.indicator, "catalog_alias" if a.created_by == "@catalog" else "alias", 100.0)
        if k in self.catalog_aliases:
            return NameMatch(self.catalog_aliases[k], "catalog_alias", 100.0)
        if k in self.by_name:
            return NameMatch(self.by_name[k], "name", 100.0)
        return None

    def similar(self, name: str, prefer: set[str] | None = None) -> NameMatch:
        qs = variants(name)
        if not qs:
            return NameMatch(None)
        pools = ([prefer] if prefer else []) + [set(self.indicators)]
        best: list[tuple[str, float]] = []
        for pool in pools:
            scores = {}
            for c in pool:
                if c not in self.keys:
                    continue
                scores[c] = max(score(q, k) for q in qs for k in self.keys[c])
            ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:3]
            if not best:
                best = ranked
            if ranked and ranked[0][1] >= ACCEPT and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= MARGIN):
                return NameMatch(ranked[0][0], "similar", round(ranked[0][1], 1), [(c, round(s, 1)) for c, s in ranked])
        return NameMatch(None, "", round(best[0][1], 1) if best else 0.0,
                         [(c, round(s, 1)) for c, s in best if s >= SHOW])

    def match(self, name: str, unit: str | None = None, prefer: set[str] | None = None) -> NameMatch:
        return self.remembered(name, unit) or self.similar(name, prefer)

    def describe(self, candidates: list[tuple[str, float]]) -> str:
        """``'Tỷ lệ hộ nghèo …' (poor_household_rate, 95), …`` for messages."""
        return ", ".join(f"'{self.indicators[c].name}' ({c}, {s:.0f})" for c, s in candidates)


# --- remembered names ------------------------------------------------------------


def read_aliases(con: duckdb.DuckDBPyConnection) -> list[Alias]:
    try:
        rows = con.execute("SELECT alias_key, unit, indicator, alias, created_by FROM indicator_aliases").fetchall()
    except duckdb.CatalogException:   # a database before migration 6 is migrated on open; kept for safety
        return []
    return [Alias(*r) for r in rows]


def remember(con: duckdb.DuckDBPyConnection, name: str, indicator: str, *, actor: Actor, unit: str | None = None,
             everyone: bool = False) -> Alias:
    """Remember that ``name`` means ``indicator``: in ``unit``'s files, or (``everyone``) in every file.

    A unit's own name: whoever may write that unit's figures. For everyone: the secretariat or an
    admin (``edit_targets``). Audited (``indicator_alias``), in the same transaction.
    """
    if not isinstance(actor, Actor):
        raise TypeError("remember() needs actor=kpi.permissions.Actor")
    key = alias_key(name)
    if not key:
        raise ValueError("Tên chỉ tiêu trống")
    if indicator not in {r[0] for r in con.execute("SELECT code FROM indicators").fetchall()}:
        raise KeyError(f"Không có chỉ số '{indicator}' trong danh mục")
    if everyone:
        if not can(actor, "edit_targets"):
            raise PermissionDenied(denied_message(actor, "edit_targets") + " (ghi nhớ tên chỉ tiêu cho mọi đơn vị)")
        scope = EVERYONE
    else:
        if not unit:
            raise ValueError("Cần đơn vị (hoặc everyone=True) để ghi nhớ tên chỉ tiêu")
        if not can(actor, "write_unit", unit):
            raise PermissionDenied(f"Tài khoản {actor.describe()} không được ghi nhớ tên chỉ tiêu cho đơn vị {unit}")
        scope = unit
    with transaction(con):
        old = con.execute("SELECT indicator, alias FROM indicator_aliases WHERE alias_key = ? AND unit = ?",
                          [key, scope]).fetchall()
        con.execute("""INSERT INTO indicator_aliases (alias_key, unit, indicator, alias, created_by, created_at)
                       VALUES (?,?,?,?,?,?) ON CONFLICT (alias_key, unit) DO UPDATE SET indicator = excluded.indicator,
                       alias = excluded.alias, created_by = excluded.created_by, created_at = excluded.created_at""",
                    [key, scope, indicator, name.strip(), actor.username, dt.datetime.now()])
        audit.record(con, actor, "indicator_alias", f"'{name.strip()}' → {indicator}",
                     before={"indicator": old[0][0], "alias": old[0][1]} if old else None,
                     after={"indicator": indicator, "alias": name.strip(), "unit": scope},
                     detail="cho mọi đơn vị" if scope == EVERYONE else f"cho đơn vị {scope}")
    return Alias(key, scope, indicator, name.strip(), actor.username)
