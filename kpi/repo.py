"""Reading and writing the catalogue and the observations in the store.

Functions take an open connection (see ``kpi.store.connect``); none keeps one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from kpi import audit
from kpi.permissions import Actor, authorize
from kpi.catalog import Baseline, Catalog, Indicator, Milestone, Obligation, Plan, Target
from kpi.errors import NotFound
from kpi.periods import Period
from kpi.store import NoCatalog, first, scalar, transaction

# --- catalogue -------------------------------------------------------------


def sync_units(con: duckdb.DuckDBPyConnection, units: list[dict]) -> int:
    """Insert or replace units by code, with the old → new commune links and the groups' members.

    Returns 1 when anything changed, else 0. A unit keeps its ``cluster`` when
    the new row has none (the demo sets clusters; ``init`` must not wipe them).
    """
    from kpi.units import predecessor_links

    cols = ["code", "name", "level", "parent", "valid_from", "valid_to", "successor", "cluster", "source", "note"]
    df = pd.DataFrame([{c: u.get(c) for c in cols} for u in units], columns=cols)
    df = df.astype(object).where(df.notna(), None)
    before = [_fingerprint(con, t, k) for t, k in (("units", "code"), ("unit_links", "old, new"),
                                                      ("unit_members", "grp, member"))]
    con.register("_units_in", df)
    try:
        con.execute(f"""INSERT OR REPLACE INTO units ({', '.join(cols)})
                        SELECT i.code, i.name, i.level, i.parent, CAST(i.valid_from AS DATE),
                               CAST(i.valid_to AS DATE), i.successor, coalesce(i.cluster, u.cluster), i.source, i.note
                        FROM _units_in i LEFT JOIN units u USING (code)""")
    finally:
        con.unregister("_units_in")
    links = predecessor_links(units)
    if links:
        con.execute("DELETE FROM unit_links WHERE list_contains(?, old)", [sorted({x["old"] for x in links})])
        con.executemany("INSERT INTO unit_links VALUES (?, ?, ?)", [[x["old"], x["new"], x["split"]] for x in links])
    groups = [u for u in units if u.get("level") == "group" and u.get("members") is not None]
    for g in groups:
        con.execute("DELETE FROM unit_members WHERE grp = ?", [g["code"]])
        if g["members"]:
            con.executemany("INSERT INTO unit_members VALUES (?, ?)", [[g["code"], m] for m in g["members"]])
    after = [_fingerprint(con, t, k) for t, k in (("units", "code"), ("unit_links", "old, new"),
                                                     ("unit_members", "grp, member"))]
    return int(before != after)


def units_by_code(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Every unit as a dict, by code.

    ``plan_until``: the last year of the plans whose scope is the unit (None: no plan). A plan
    follows its own territory after a merger, so an ended unit still takes that plan's figures
    until then (etl.validate.check_unit_period, docs/method.md).
    """
    return {d["code"]: d for d in _dicts(con, """
        SELECT u.*, p.plan_until FROM units u
        LEFT JOIN (SELECT scope_unit, max(end_year) AS plan_until FROM plans GROUP BY ALL) p
          ON p.scope_unit = u.code""")}


def _fingerprint(con, table: str, order: str) -> str:
    return scalar(con, f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY {order})) FROM {table} t")


CATALOG_KEYS = {"indicators": ("code",), "indicator_breaks": ("indicator", "year"), "plans": ("id",),
                "targets": ("plan_id", "id"), "milestones": ("plan_id", "id"), "obligations": ("plan_id", "id")}


def catalog_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, dict]]:
    """The catalogue tables as {table: {key: row}} (a few hundred rows: cheap to compare)."""
    out = {}
    for table, key in CATALOG_KEYS.items():
        cur = con.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        out[table] = {"/".join(str(r[cols.index(k)]) for k in key): dict(zip(cols, r)) for r in cur.fetchall()}
    return out


def catalog_diff(old: dict, new: dict) -> tuple[dict, dict, dict]:
    """What changed between two ``catalog_rows``: (before, after, counts), only the fields that differ."""
    before, after, counts = {}, {}, {}
    for table in CATALOG_KEYS:
        a, b = old.get(table, {}), new.get(table, {})
        n = {"added": 0, "removed": 0, "changed": 0}
        for key in sorted(set(a) | set(b)):
            ra, rb = a.get(key), b.get(key)
            if ra == rb:
                continue
            label = f"{table}:{key}"
            if ra is None:
                n["added"] += 1
                after[label] = rb
            elif rb is None:
                n["removed"] += 1
                before[label] = ra
            else:
                n["changed"] += 1
                fields = [f for f in rb if ra.get(f) != rb.get(f)]
                before[label] = {f: ra.get(f) for f in fields}
                after[label] = {f: rb.get(f) for f in fields}
        if any(n.values()):
            counts[table] = n
    return before, after, counts


def sync_catalog(con: duckdb.DuckDBPyConnection, cat: Catalog, *, actor: Actor) -> bool:
    """Make the catalogue tables equal to ``cat``. Returns True when anything changed.

    Needs ``edit_targets`` (the secretariat, an admin). What changed, target by
    target and only the fields that differ, goes into the audit log with the
    change (call it inside a transaction). Milestone events (done marks) are
    kept: they are not part of the catalogue.
    """
    authorize(actor, "edit_targets")
    tables = ("indicators", "indicator_breaks", "plans", "targets", "milestones", "obligations")
    keys = {"indicators": "code", "indicator_breaks": "indicator, year", "plans": "id",
            "targets": "plan_id, id", "milestones": "plan_id, id", "obligations": "plan_id, id"}
    before = [_fingerprint(con, t, keys[t]) for t in tables]
    old_rows = catalog_rows(con)
    for t in tables:
        con.execute(f"DELETE FROM {t}")
    for ind in cat.indicators.values():
        con.execute("""INSERT INTO indicators VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""", [
            ind.code, ind.name, ind.unit, ind.direction, ind.aggregation, ind.weight, ind.temporal,
            ind.area, ind.decimals, ind.definition, ind.min, ind.max])
        for year, note in ind.breaks:
            con.execute("INSERT INTO indicator_breaks VALUES (?,?,?)", [ind.code, year, note])
    _sync_catalog_aliases(con, cat)
    for plan in cat.plans.values():
        con.execute("INSERT INTO plans (id, title, short_title, doc_number, doc_date, issuer, scope_unit, start_year, "
                    "end_year, baseline_year, source, note, file, report_to) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
            plan.id, plan.title, plan.short_title, plan.doc_number, plan.doc_date, plan.issuer,
            plan.scope_unit, plan.start, plan.end, plan.baseline_year, plan.source, plan.note, plan.file,
            list(plan.report_to)])
        for i, t in enumerate(plan.targets):
            b = t.baseline
            bm = t.benchmark or {}
            con.execute("INSERT INTO targets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
                plan.id, t.id, i, t.indicator, t.kind, t.section, t.cmp, t.value, t.low, t.high,
                t.tolerance, t.start, t.end, t.average, bm.get("indicator"), bm.get("unit"),
                b.year if b else None, b.value if b else None, b.implied if b else None,
                t.soft, t.quote, t.choice])
        for i, m in enumerate(plan.milestones):
            con.execute("INSERT INTO milestones VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
                plan.id, m.id, i, m.title, m.deadline, m.responsible, m.evidence, m.section,
                m.quote, m.choice, m.deadline_source])
        for i, o in enumerate(plan.obligations):
            con.execute("INSERT INTO obligations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
                plan.id, o.id, i, o.title, json.dumps(list(o.reporters), ensure_ascii=False), o.to, o.via,
                o.what, o.frequency, json.dumps(o.due) if o.due else None, o.section, o.quote, o.choice])
    after = [_fingerprint(con, t, keys[t]) for t in tables]
    if before != after:
        b, a, counts = catalog_diff(old_rows, catalog_rows(con))
        summary = "; ".join(f"{t}: {n['added']} thêm, {n['changed']} sửa, {n['removed']} bỏ" for t, n in counts.items())
        audit.record(con, actor, "targets", "danh mục chỉ tiêu", before=b or None, after=a or None, detail=summary)
    return before != after


def _sync_catalog_aliases(con: duckdb.DuckDBPyConnection, cat: Catalog) -> None:
    """The catalogue's ``aliases:`` as names remembered for everyone (``created_by`` '@catalog').

    A name the secretariat approved for everyone wins over the catalogue's same name.
    """
    from kpi.catalog import alias_key

    con.execute("DELETE FROM indicator_aliases WHERE created_by = '@catalog'")
    for ind in cat.indicators.values():
        for a in getattr(ind, "aliases", ()):
            con.execute("""INSERT INTO indicator_aliases (alias_key, unit, indicator, alias, created_by)
                           VALUES (?, '*', ?, ?, '@catalog') ON CONFLICT DO NOTHING""",
                        [alias_key(a), ind.code, a])


def _none(x):
    return None if x is None or (isinstance(x, float) and pd.isna(x)) else x


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts keyed by column name (never unpacked by position)."""
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    """The catalogue from the store; NoDatabase when ``python -m etl init`` has not loaded one yet."""
    if not scalar(con, "SELECT count(*) FROM plans"):
        raise NoCatalog("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy trước: python -m etl init")
    return catalog_from_db(con)


def catalog_from_db(con: duckdb.DuckDBPyConnection) -> Catalog:
    """The catalogue as stored by ``sync_catalog`` (what pages and the CLI use)."""
    cat = Catalog()
    breaks: dict[str, list] = {}
    for d in _dicts(con, "SELECT indicator, year, note FROM indicator_breaks ORDER BY indicator, year"):
        breaks.setdefault(d["indicator"], []).append((d["year"], d["note"]))
    for d in _dicts(con, "SELECT * FROM indicators ORDER BY code"):
        cat.indicators[d["code"]] = Indicator(
            code=d["code"], name=d["name"], unit=d["unit"], direction=d["direction"], area=d["area"],
            aggregation=d["aggregation"], temporal=d["temporal"], decimals=d["decimals"],
            definition=d["definition"] or "", weight=d["weight"], min=d["min"], max=d["max"],
            breaks=tuple(breaks.get(d["code"], ())))
    targets: dict[str, list] = {}
    for d in _dicts(con, "SELECT * FROM targets ORDER BY plan_id, position"):
        bl = (Baseline(d["baseline_year"], d["baseline_value"], bool(d["baseline_implied"]))
              if d["baseline_year"] is not None else None)
        bm = ({"indicator": d["benchmark_indicator"], "unit": d["benchmark_unit"]}
              if d["benchmark_indicator"] else None)
        targets.setdefault(d["plan_id"], []).append(Target(
            plan_id=d["plan_id"], id=d["id"], indicator=d["indicator"], kind=d["kind"],
            quote=d["quote"], start=d["start_year"], end=d["end_year"], section=d["section"] or "",
            cmp=d["cmp"], value=_none(d["value"]), low=_none(d["low"]), high=_none(d["high"]),
            tolerance=_none(d["tolerance"]), average=bool(d["average"]), benchmark=bm, baseline=bl,
            soft=bool(d["soft"]), choice=d["choice"] or ""))
    milestones: dict[str, list] = {}
    for d in _dicts(con, "SELECT * FROM milestones ORDER BY plan_id, position"):
        milestones.setdefault(d["plan_id"], []).append(Milestone(
            plan_id=d["plan_id"], id=d["id"], title=d["title"], deadline=d["deadline"],
            responsible=d["responsible"], quote=d["quote"], evidence=d["evidence"] or "",
            section=d["section"] or "", choice=d["choice"] or "",
            deadline_source=d.get("deadline_source") or "stated"))
    obligations: dict[str, list] = {}
    for d in _dicts(con, "SELECT * FROM obligations ORDER BY plan_id, position"):
        obligations.setdefault(d["plan_id"], []).append(Obligation(
            plan_id=d["plan_id"], id=d["id"], title=d["title"], reporters=tuple(json.loads(d["reporters"])),
            to=d["receiver"], via=d["via"], what=d["what"], frequency=d["frequency"],
            due=json.loads(d["due"]) if d["due"] else {}, quote=d["quote"], section=d["section"] or "",
            choice=d["choice"] or ""))
    for d in _dicts(con, "SELECT * FROM plans ORDER BY start_year, id"):
        cat.plans[d["id"]] = Plan(
            id=d["id"], title=d["title"], short_title=d["short_title"], doc_number=d["doc_number"] or "",
            doc_date=d["doc_date"], issuer=d["issuer"], scope_unit=d["scope_unit"],
            start=d["start_year"], end=d["end_year"], source=d["source"] or "",
            baseline_year=d["baseline_year"], note=d["note"] or "",
            targets=tuple(targets.get(d["id"], ())), milestones=tuple(milestones.get(d["id"], ())),
            file=d["file"] or "", obligations=tuple(obligations.get(d["id"], ())),
            report_to=tuple(d.get("report_to") or ()))
    return cat


# --- observations ----------------------------------------------------------


def current_values(con: duckdb.DuckDBPyConnection, indicators: list[str] | None = None,
                   units: list[str] | None = None) -> pd.DataFrame:
    """Current observations (one per indicator, unit, period) of these indicators and units.

    Pass both lists: they filter the scan of ``observation_heads`` itself,
    before any sort or join. ``None`` means all (the whole store: only for small stores
    and tests).
    """
    sql = "SELECT * FROM current_observations WHERE true"
    params: list = []
    for col, values in (("indicator", indicators), ("unit", units)):
        if values is not None:
            # "= ANY(list)", not "IN (?, ?, …)": DuckDB turns an IN of 5 or more constants into a join
            # that reads the whole table (0,59 s against 1,61 s for a province's 63 units, national store)
            sql += f" AND {col} = ANY(?::VARCHAR[])"
            params.append(sorted(set(values)))
    return con.execute(sql + " ORDER BY indicator, unit, year, quarter NULLS LAST, period", params).df()


def plan_units(con: duckdb.DuckDBPyConnection, scope_unit: str) -> list[str]:
    """The scope unit and the units directly under it (its former districts and its communes), scope first."""
    rows = con.execute("SELECT code FROM units WHERE parent = ? AND code <> ? ORDER BY code",
                       [scope_unit, scope_unit]).fetchall()
    return [scope_unit] + [r[0] for r in rows]


def units_with_values(con: duckdb.DuckDBPyConnection, indicators: list[str], units: list[str]) -> set[str]:
    """Which of ``units`` have any current value of ``indicators``."""
    if not indicators or not units:
        return set()
    return {r[0] for r in con.execute("SELECT DISTINCT unit FROM current_observations "
                                      "WHERE indicator = ANY(?::VARCHAR[]) AND unit = ANY(?::VARCHAR[])",
                                      [sorted(set(indicators)), sorted(set(units))]).fetchall()}


def history(con: duckdb.DuckDBPyConnection, indicator: str, unit: str) -> pd.DataFrame:
    """Every stored version of every period (rolled-back ones marked), newest first."""
    return con.execute("""
        SELECT o.period, o.value, o.status, o.source, o.revision, o.recorded_at, o.upload_id,
               u.file_name, u.uploaded_by, coalesce(u.status, 'committed') AS upload_status,
               c.id IS NOT NULL AS is_current
        FROM (SELECT * FROM observations WHERE indicator = ? AND unit = ?) o
        LEFT JOIN uploads u ON u.id = o.upload_id
        LEFT JOIN (SELECT id FROM current_observations WHERE indicator = ? AND unit = ?) c ON c.id = o.id
        ORDER BY o.year, o.quarter NULLS LAST, o.period, o.id DESC""", [indicator, unit, indicator, unit]).df()


@dataclass
class MilestoneMark:
    done_on: dt.date | None
    note: str
    recorded_by: str
    recorded_at: dt.datetime


def milestone_marks(con: duckdb.DuckDBPyConnection, plan_id: str) -> dict[str, MilestoneMark]:
    rows = con.execute("SELECT milestone_id, done_on, note, recorded_by, recorded_at FROM milestone_state "
                       "WHERE plan_id = ?", [plan_id]).fetchall()
    return {r[0]: MilestoneMark(r[1], r[2] or "", r[3] or "", r[4]) for r in rows}


def mark_milestone(con: duckdb.DuckDBPyConnection, plan_id: str, milestone_id: str,
                   done_on: dt.date | None, note: str = "", *, actor: Actor) -> None:
    """Record that a milestone was done on ``done_on`` (None: not done after all).

    Needs ``edit_milestone`` (the secretariat, an admin); the audit row, with
    the mark before and after, commits with it.
    """
    authorize(actor, "edit_milestone")
    exists = scalar(con, "SELECT count(*) FROM milestones WHERE plan_id = ? AND id = ?",
                         [plan_id, milestone_id])
    if not exists:
        raise NotFound(f"Không có mốc '{milestone_id}' trong kế hoạch '{plan_id}'")
    old = first(con, "SELECT done_on, note, recorded_by, recorded_at FROM milestone_state "
                     "WHERE plan_id = ? AND milestone_id = ?", [plan_id, milestone_id])
    with transaction(con):
        con.execute("INSERT INTO milestone_events (plan_id, milestone_id, done_on, note, recorded_by) "
                    "VALUES (?,?,?,?,?)", [plan_id, milestone_id, done_on, note, actor.username])
        audit.record(con, actor, "milestone", f"{plan_id}/{milestone_id}",
                     before={"done_on": old[0], "note": old[1], "recorded_by": old[2], "recorded_at": old[3]}
                     if old else {"done_on": None},
                     after={"done_on": done_on, "note": note})


def series_points(df: pd.DataFrame) -> list:
    """Rows of current observations → ``kpi.progress.Point`` list (with each value's status), sorted by period."""
    from kpi.progress import Point

    statuses = df["status"] if "status" in df.columns else ["official"] * len(df)
    pts = [Point(Period.parse(p), float(v), str(s) if isinstance(s, str) else "official")
           for p, v, s in zip(df["period"], df["value"], statuses)]
    return sorted(pts, key=lambda pt: pt.period.sort_key())


def series_by_key(df: pd.DataFrame) -> dict[tuple[str, str], list]:
    """Rows of current observations → {(indicator, unit): Point list sorted by period}, in one pass.

    The same as ``series_points`` on each group of a ``groupby(["indicator", "unit"])``, without
    pandas' per-group cost, and each period text parsed once (a province's page has ~100 distinct
    periods over ~100.000 values).
    """
    from kpi.progress import Point

    if df.empty:
        return {}
    parsed: dict[str, Period] = {}
    out: dict[tuple[str, str], list] = {}
    # each value's status too: the method judges an estimate as provisional (issue 10)
    statuses = df["status"].tolist() if "status" in df.columns else ["official"] * len(df)
    for ind, unit, per, v, st in zip(df["indicator"].tolist(), df["unit"].tolist(), df["period"].tolist(),
                                     df["value"].tolist(), statuses):
        p = parsed.get(per)
        if p is None:
            p = parsed[per] = Period.parse(per)
        out.setdefault((ind, unit), []).append(Point(p, float(v), st if isinstance(st, str) else "official"))
    for pts in out.values():
        pts.sort(key=lambda pt: pt.period.sort_key())
    return out
