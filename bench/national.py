"""A national-shaped store, and what each page, load and report costs on it, beside goals and naive baselines.

    .venv/bin/python bench/national.py [--rows N] [--db PATH] [--build-only] [--json] [--repeat 3]

**The store.** ``--db`` (default ``/tmp/chitieu-national.duckdb``; keep it out
of the repository) is built once and reused:

1. ``etl init`` and ``etl demo``: the real catalogue and units, and province
   11's plan data (the demo's values, returns, accounts), so ``etl template``
   and ``etl load`` work on it as on the demo store;
2. the 3.321 communes of ``data/reference/sapnhap.bando.com.vn_ward_2025-07-17.csv``
   as units (code ``X`` + the list's ``ma``, parent: the province the list names);
3. about 150 indicators: the catalogue's, and ``bench_NNN`` ones up to 150;
4. values for every province, former district (40 indicators) and commune
   (150 indicators) that the demo left empty: 6 years × (Q1, Q2, Q3, the
   year) = 24 periods each, about 12,7 M values in all (``--rows`` scales the
   units down).

The bulk path: one province at a time, a DataFrame goes to DuckDB through
``etl.load.insert_observations``, the loader's own write (revision by key,
the current value kept in ``observation_heads`` in the same transaction), with
an upload row and an audit row per province, as ``etl load`` would leave them.
It skips only the per-row Python checks of a file (``etl.bulk``), since the
values are generated valid.

**The measures** (``--repeat`` runs each, the median; see bench/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DEFAULT_DB = Path(tempfile.gettempdir()) / "chitieu-national.duckdb"
WARD_CSV = ROOT / "data" / "reference" / "sapnhap.bando.com.vn_ward_2025-07-17.csv"
PLAN = "dienbien_2021_2025"
BENCH_USER = "@bench"
N_INDICATORS = 150
DISTRICT_INDICATORS = 40
YEARS = range(2020, 2026)
PERIODS = [(y, q) for y in YEARS for q in (1, 2, 3, None)]   # 24: Q1, Q2, Q3 and the year
PY = sys.executable


# --- building ----------------------------------------------------------------------


def _quiet(fn, *a, **k):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*a, **k)


def commune_units(units: dict) -> list[dict]:
    """The 3.321 communes of the merger list as units under their province (codes ``X`` + ``ma``)."""
    from kpi.units import _province_key

    provinces = {_province_key(u["name"]): c for c, u in units.items()
                 if u["level"] == "province" and u.get("valid_to") is None}
    out = []
    with open(WARD_CSV, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            parent = provinces[_province_key(row["tentinh"])]
            kind = row["loai"].strip()
            out.append({"code": f"X{row['ma']}", "name": f"{kind[:1].upper()}{kind[1:]} {row['tenhc'].strip()}",
                        "level": "commune", "parent": parent, "valid_from": "2025-07-01",
                        "source": WARD_CSV.name})
    return out


def bench_indicators(con) -> list[str]:
    """The catalogue's indicators and ``bench_NNN`` up to 150 (added to ``indicators``)."""
    real = [r[0] for r in con.execute("SELECT code FROM indicators ORDER BY code").fetchall()
            if not r[0].startswith("bench_")]
    extra = [f"bench_{i:03d}" for i in range(1, N_INDICATORS - len(real) + 1)]
    for code in extra:
        con.execute("INSERT OR IGNORE INTO indicators VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [
            code, f"Chỉ số thử tải {code[-3:]}", "đơn vị", "up", "sum", None, "flow", "Kinh tế", 1,
            "Chỉ số sinh ra cho bench/national.py", 0, None])
    return real + extra


def chunk_frame(units: list[tuple[str, str]], indicators: list[str], seed: int) -> pd.DataFrame:
    """Values for ``units`` (code, level): 24 periods each; a district gets the first 40 indicators."""
    parts = []
    rng = np.random.default_rng(seed)
    for level, inds in (("district", indicators[:DISTRICT_INDICATORS]), ("other", indicators)):
        codes = [c for c, lv in units if (lv == "district") == (level == "district")]
        if not codes:
            continue
        n_pairs = len(codes) * len(inds)
        unit_col = np.repeat(np.array(codes, dtype=object), len(inds) * len(PERIODS))
        ind_col = np.tile(np.repeat(np.array(inds, dtype=object), len(PERIODS)), len(codes))
        years = np.tile(np.array([y for y, _ in PERIODS]), n_pairs)
        qs = [q for _, q in PERIODS]
        quarter = pd.array(np.tile(np.array([q if q else 0 for q in qs]), n_pairs), dtype="Int64")
        quarter[quarter == 0] = pd.NA
        period = np.tile(np.array([f"{y}Q{q}" if q else str(y) for y, q in PERIODS], dtype=object), n_pairs)
        kind = np.tile(np.array(["Q" if q else "Y" for q in qs], dtype=object), n_pairs)
        base = np.repeat(rng.uniform(10, 1000, n_pairs), len(PERIODS))
        growth = 1 + 0.05 * (years - 2020)
        value = np.round(base * growth * np.where(kind == "Y", 4, 1) * rng.uniform(0.95, 1.05, len(base)), 2)
        parts.append(pd.DataFrame({
            "indicator": ind_col, "unit": unit_col, "period": period, "period_kind": kind, "year": years,
            "quarter": quarter, "value": value,
            "status": np.where(years <= 2024, "official", "preliminary").astype(object),
            "source": "bench/national.py", "note": None}))
    return pd.concat(parts, ignore_index=True).sort_values(["unit", "indicator", "year", "period"],
                                                           ignore_index=True)


def build(db: Path, rows: int | None, log=print) -> dict:
    """Build (or find) the national store at ``db``. Returns its shape."""
    from etl.cli import main as etl
    from etl.load import insert_observations
    from kpi import audit, repo
    from kpi.permissions import SYSTEM
    from kpi.store import connect, scalar, transaction

    t0 = time.perf_counter()
    if _quiet(etl, ["--db", str(db), "init"]) != 0 or _quiet(etl, ["--db", str(db), "demo"]) != 0:
        raise SystemExit("etl init / etl demo failed")
    with connect(db) as con:
        done = scalar(con, "SELECT count(*) FROM uploads WHERE uploaded_by = ?", [BENCH_USER])
        if done:
            log(f"{db}: already built ({done} bulk uploads of {BENCH_USER}); reused")
            reused = True
        else:
            reused = False
    if reused:
        return shape(db)
    with connect(db) as con:
        units = repo.units_by_code(con)
        repo.sync_units(con, commune_units(units))
        units = repo.units_by_code(con)
        indicators = bench_indicators(con)
        taken = {r[0] for r in con.execute("SELECT DISTINCT unit FROM observation_heads").fetchall()}
        groups: dict[str, list[tuple[str, str]]] = {}
        for code, u in sorted(units.items()):
            if code in taken or u["level"] not in ("province", "district", "commune"):
                continue
            top = code if u["level"] == "province" else u["parent"]
            groups.setdefault(top, []).append((code, u["level"]))
        full = sum(len(PERIODS) * (DISTRICT_INDICATORS if lv == "district" else len(indicators))
                   for g in groups.values() for _c, lv in g)
        share = 1.0 if not rows else min(1.0, rows / full)
        written = 0
        actor = SYSTEM
        for i, (top, members) in enumerate(sorted(groups.items())):
            members = members[:max(1, round(len(members) * share))] if share < 1 else members
            df = chunk_frame(members, indicators, seed=i)
            with transaction(con):
                upload_id = scalar(con, """
                    INSERT INTO uploads (file_name, format, uploaded_by, rows_read, rows_new, rows_changed,
                                         rows_unchanged, rows_ignored, warnings, note)
                    VALUES (?, 'bulk', ?, ?, ?, 0, 0, 0, 0, 'bench/national.py') RETURNING id""",
                                   [f"bench-national-{top}.csv", BENCH_USER, len(df), len(df)])
                insert_observations(con, df, upload_id)
                audit.record(con, actor, "upload", f"lần nạp số {upload_id}: bench-national-{top}.csv",
                             after={"upload_id": upload_id, "rows": len(df), "bulk": "bench/national.py"})
            written += len(df)
            log(f"  {i + 1}/{len(groups)} {top}: {len(df):,} values ({written:,} in all, "
                f"{time.perf_counter() - t0:.0f} s)")
        con.execute("CHECKPOINT")
    log(f"built {db} in {time.perf_counter() - t0:.0f} s")
    return shape(db)


def shape(db: Path) -> dict:
    from kpi.store import connect, scalar

    with connect(db) as con:
        return {
            "values": scalar(con, "SELECT count(*) FROM observations"),
            "current": scalar(con, "SELECT count(*) FROM current_observations"),
            "units_with_values": scalar(con, "SELECT count(DISTINCT unit) FROM observation_heads"),
            "indicators_with_values": scalar(con, "SELECT count(DISTINCT indicator) FROM observation_heads"),
            "uploads": scalar(con, "SELECT count(*) FROM uploads"),
            "file_mb": round(db.stat().st_size / 1e6),
        }


# --- returns to load ---------------------------------------------------------------


def filled_return(db: Path, unit: str, period: str, bump: float, catalog) -> tuple[str, bytes]:
    """The unit's return form for ``period``, filled as a unit would: quarter, year to date, year estimate."""
    import openpyxl

    from etl.intake import write_template_for
    from kpi.periods import Period
    from kpi.repo import current_values
    from kpi.store import connect

    cat, _units = catalog
    p = Period.parse(period)
    buf = io.BytesIO()
    codes = write_template_for(buf, PLAN, unit, p, db=db, catalog=catalog)
    with connect(db) as con:
        cur = current_values(con, codes, [unit])
    known = {(r.indicator, r.period): r.value for r in cur.itertuples()}
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 30) if ws.cell(r, 2).value == "Mã")
    for r in range(header + 2, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if code not in cat.indicators:
            continue
        ind = cat.indicators[code]
        # one level per indicator for the whole year (the largest value known this year or the last), so that
        # the returns of one folder, filled before any is loaded, still rise quarter by quarter
        level = max((v for (c, per), v in known.items() if c == code and per[:4] in (str(p.year), str(p.year - 1))),
                    default=50.0) or 50.0
        hi = ind.max if ind.max is not None else float("inf")
        if ind.temporal == "flow":
            ytd = min(hi, level * p.quarter * (1 + bump))
            prev = min(hi, level * (p.quarter - 1) * (1 + bump))
            if ws.cell(r, 6).value != "x":
                ws.cell(r, 6).value = round(max(0.0, ytd - prev), 2)
            ws.cell(r, 7).value = round(ytd, 2)
            ws.cell(r, 8).value = round(min(hi, max(ytd, level * 4 * (1 + bump))), 2)
        else:
            ws.cell(r, 7).value = round(min(hi, level * (1 + bump / 10)), 2)
    out = io.BytesIO()
    wb.save(out)
    return f"bao-cao_{unit}_{period}_{bump:.4f}.xlsx", out.getvalue()


def naive_load(db_dir: Path, data: bytes) -> int:
    """The naive loader: pandas.read_excel (openpyxl) and one INSERT per value into a fresh DuckDB file."""
    import duckdb

    df = pd.read_excel(io.BytesIO(data), engine="openpyxl", header=None)
    path = db_dir / "naive.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE obs (indicator VARCHAR, unit VARCHAR, period VARCHAR, value DOUBLE)")
    n = 0
    con.execute("BEGIN")
    for row in df.itertuples(index=False):
        code = row[1]
        for col in (5, 6, 7):
            v = row[col]
            if isinstance(code, str) and code.isidentifier() and isinstance(v, (int, float)) and v == v:
                con.execute("INSERT INTO obs VALUES (?,?,?,?)", [code, "11", str(col), float(v)])
                n += 1
    con.execute("COMMIT")
    con.close()
    return n


# --- measuring ---------------------------------------------------------------------


def median(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run_cli(args: list[str], db: Path) -> tuple[float, int, str]:
    """Wall time, peak memory (MB, from /usr/bin/time) and stdout of ``python -m etl --db db …``."""
    cmd = ["/usr/bin/time", "-f", "MAXRSS_KB=%M", PY, "-m", "etl", "--db", str(db)] + args
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr[-2000:]}")
    kb = int(next(line for line in p.stderr.splitlines() if line.startswith("MAXRSS_KB=")).split("=")[1])
    return wall, kb // 1024, p.stdout


class Table:
    def __init__(self):
        self.rows: list[dict] = []

    def add(self, measure: str, seconds: float | None, goal: str, baseline: str = "", ok: bool | None = None,
            note: str = ""):
        self.rows.append({"measure": measure, "value": seconds, "goal": goal, "baseline": baseline,
                          "met": ok, "note": note})
        print(f"  {measure}: {_fmt(seconds)} (goal {goal}) {baseline} {note}".rstrip(), file=sys.stderr, flush=True)

    def print(self):
        w = max(len(r["measure"]) for r in self.rows)
        print(f"{'measure':<{w}}  {'median':>10}  {'goal':<22} {'met':<4} baseline / note")
        for r in self.rows:
            met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
            print(f"{r['measure']:<{w}}  {_fmt(r['value']):>10}  {r['goal']:<22} {met:<4} "
                  f"{'; '.join(x for x in (r['baseline'], r['note']) if x)}")


def _fmt(x) -> str:
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    return f"{x:.3f} s" if x < 100 else f"{x:.0f} s"


def measure(db: Path, demo_db: Path, repeat: int, table: Table, work: Path) -> None:
    from etl import intake
    from etl.intake import load_bytes, read_catalog
    from kpi import comparison, detail, filters, overview, repo
    from kpi.permissions import LOCAL_ADMIN
    from kpi.store import connect

    catalog = read_catalog(db)
    demo_catalog = read_catalog(demo_db)
    bump = iter(np.linspace(0.001, 0.2, 1000))

    # 1. one quarterly return, in process: read + validate + commit
    def one_return(path, cat):
        name, data = filled_return(path, "11", "2025Q2", next(bump), cat)
        def run():
            s = load_bytes(name, data, actor=LOCAL_ADMIN, db=path, plan=PLAN, unit="11", period=None, catalog=cat)
            assert s.ok and s.upload_id, s.lines_vi()
            return s
        return run, data

    def timed_returns(path, cat):
        times, rows = [], 0
        for _ in range(repeat):
            run, data = one_return(path, cat)
            t0 = time.perf_counter()
            s = run()
            times.append(time.perf_counter() - t0)
            rows = s.rows_read
        return statistics.median(times), rows, data

    t_nat, rows_read, data = timed_returns(db, catalog)
    t_demo, _, _ = timed_returns(demo_db, demo_catalog)
    t_naive, _ = median(lambda: naive_load(work, data), repeat)
    table.add(f"one return ({rows_read} rows), national store", t_nat, "≤ 0,3 s; ≥ 5× naive",
              f"naive pandas+openpyxl, INSERT per value: {t_naive:.3f} s ({t_naive / t_nat:.1f}×)",
              ok=t_nat <= 0.3 and t_naive / t_nat >= 5)
    table.add("one return, demo store", t_demo, "", f"national / demo = {t_nat / t_demo:.2f}",
              ok=t_nat / t_demo <= 1.5, note="goal: ratio ≤ 1,5")

    # 2. a folder of 100 returns: etl load DIR
    districts = ["094", "095", "096", "097", "098", "099", "100", "101", "102", "103"]
    quarters = [f"{y}Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)] + ["2025Q1", "2025Q2"]
    rates = []
    for run in range(repeat):
        folder = work / f"returns-{run}"
        folder.mkdir(exist_ok=True)
        n = 0
        for u in districts:
            for q in quarters[:10]:
                name, data = filled_return(db, u, q, next(bump), catalog)
                (folder / name).write_bytes(data)
                n += 1
        wall, mb, _ = run_cli(["load", str(folder)], db)
        rates.append(n / wall)
    rate = statistics.median(rates)
    table.add("folder of 100 returns, etl load DIR", f"{rate:.1f} files/s", "≥ 20 files/s", ok=rate >= 20,
              note=f"{100 / rate:.1f} s per folder (a new process)")

    # 3. etl status, the Word report
    t, _ = median(lambda: run_cli(["status", "--plan", PLAN, "--json"], db), repeat)
    table.add("etl status --plan … --json (wall)", t, "≤ 0,5 s", ok=t <= 0.5)
    t_empty, _ = median(lambda: subprocess.run([PY, "-c", "import etl.cli"], cwd=ROOT, check=True), repeat)
    table.rows[-1]["baseline"] = f"python -c 'import etl.cli': {t_empty:.3f} s"
    reports = []
    for _ in range(repeat):
        reports.append(run_cli(["report", "--plan", PLAN, "--period", "2025Q2", "-o", str(work / "r.docx")], db))
    t = statistics.median(r[0] for r in reports)
    mb = max(r[1] for r in reports)
    table.add("Word report of the quarter (etl report)", t, "≤ 15 s, ≤ 1 GB", ok=t <= 15 and mb <= 1024,
              note=f"peak memory {mb} MB")

    # 4. what every page pays once, and the pages' data (the core calls behind them, no Streamlit)
    t, out = median(lambda: filters.filter_options(db), repeat)
    table.add("filters.filter_options (every page)", t, "≤ 0,3 s", ok=t <= 0.3)
    t, _ = median(lambda: intake.uploads_view(db, actor=LOCAL_ADMIN), repeat)
    with connect(db) as con:
        t_old, _ = median(lambda: con.execute(OLD_UPLOADS).fetchall(), 1)
    table.add("uploads list, 200 newest (intake.uploads_view)", t, "≤ 0,3 s", ok=t <= 0.3,
              baseline=f"old query (counts over every row, before the LIMIT): {t_old:.2f} s")
    t, _ = median(lambda: list_uploads_cli(db), repeat)
    table.add("etl uploads --limit 50 --json (wall)", t, "", note="a new process: Python start-up included")
    for name, fn in (("overview.overview (data)", lambda: overview.overview(db, PLAN)),
                     ("detail.target_detail (data)", lambda: detail.target_detail(db, PLAN, "poor_household_rate_2025")),
                     ("comparison.units_view (Đơn vị data)", lambda: comparison.units_view(db, PLAN))):
        t, _ = median(fn, repeat)
        table.add(name, t, "page ≤ 1,5 s", ok=t <= 1.5)
    with connect(db) as con:
        codes = sorted({t.indicator for t in repo.read_catalog(con).plan(PLAN).targets})
        t_old, n_old = median(lambda: con.execute(f"SELECT count(*) FROM ({OLD_VIEW_ALL_UNITS})", [codes]
                                                  ).fetchone()[0], 1)
    table.rows[-1]["baseline"] = (f"old query alone (window view, every unit's values of the plan's indicators, "
                                  f"counted, not even read into pandas): {t_old:.1f} s, {n_old:,} rows")


def measure_pages(db: Path, repeat: int, table: Table) -> None:
    """Every page through AppTest with an empty cache, signed in as the demo leader (lanhdao)."""
    from streamlit.testing.v1 import AppTest

    from kpi import ui
    from tests.app.signin import session_token

    os.environ["CHITIEU_DB"] = str(db)
    empty = Path(tempfile.mkdtemp()) / "empty.py"
    empty.write_text("import streamlit as st\nst.title('x')\n", encoding="utf-8")
    base, _ = median(lambda: AppTest.from_file(str(empty)).run(), repeat)
    table.add("baseline: empty Streamlit script (AppTest)", base, "")
    token = session_token("vanphong", db)   # the secretariat sees every page but Tài khoản

    def page_run(page: str | None):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["auth_token"] = token
        if page is None:
            ui.clear_cache()
            t0 = time.perf_counter()
            at.run()
        else:
            at.run()
            ui.clear_cache()
            t0 = time.perf_counter()
            at.switch_page(page).run()
        elapsed = time.perf_counter() - t0
        assert not at.exception, [e.value for e in at.exception]
        return elapsed

    for page in (None, "pages/chi_tieu.py", "pages/don_vi.py", "pages/ke_hoach.py", "pages/nhap_so_lieu.py",
                 "pages/xuat_bao_cao.py", "pages/nhat_ky.py"):
        t = statistics.median(page_run(page) for _ in range(repeat))
        table.add(f"page {page or 'Tổng quan (app.py)'}, empty cache (AppTest)", t, "≤ 1,5 s", ok=t <= 1.5,
                  note=f"{t / base:.0f}× the empty script")


OLD_VIEW_ALL_UNITS = """
    SELECT o.* FROM live_observations o WHERE list_contains(?, o.indicator)
    QUALIFY row_number() OVER (PARTITION BY o.indicator, o.unit, o.period
        ORDER BY CASE o.status WHEN 'official' THEN 3 WHEN 'preliminary' THEN 2 ELSE 1 END DESC,
                 o.revision DESC, o.id DESC) = 1"""
OLD_UPLOADS = """
    SELECT u.id, (SELECT count(*) FROM observations o WHERE o.upload_id = u.id),
           (SELECT count(*) FROM (SELECT o.upload_id FROM live_observations o QUALIFY row_number() OVER (
                PARTITION BY o.indicator, o.unit, o.period
                ORDER BY CASE o.status WHEN 'official' THEN 3 WHEN 'preliminary' THEN 2 ELSE 1 END DESC,
                         o.revision DESC, o.id DESC) = 1) c WHERE c.upload_id = u.id)
    FROM uploads u ORDER BY u.id DESC LIMIT 200"""


def list_uploads_cli(db: Path):
    return run_cli(["uploads", "--limit", "50", "--json"], db)


def deadline_day(db: Path, table: Table, work: Path, n: int = 50) -> None:
    """50 returns sent at once from 50 threads (the app runs each session in a thread of one process)."""
    from etl.intake import load_bytes, read_catalog
    from kpi.permissions import LOCAL_ADMIN
    from kpi.store import StoreBusy, connect

    catalog = read_catalog(db)
    districts = ["094", "095", "096", "097", "098", "099", "100", "101", "102", "103"]
    quarters = ["2022Q1", "2022Q2", "2022Q3", "2022Q4", "2021Q4"]
    files = [filled_return(db, u, q, 0.3 + i / 1000, catalog)
             for i, (u, q) in enumerate((u, q) for u in districts for q in quarters)][:n]
    results: list = [None] * len(files)
    start = threading.Barrier(len(files))

    def send(i):
        name, data = files[i]
        start.wait()
        t0 = time.perf_counter()
        try:
            s = load_bytes(name, data, actor=LOCAL_ADMIN, db=db, plan=PLAN, catalog=catalog)
            results[i] = ("landed" if s.ok and s.upload_id else "refused", time.perf_counter() - t0, s.upload_id,
                          "; ".join(s.lines_vi()[-2:]))
        except StoreBusy as e:
            results[i] = ("try again", time.perf_counter() - t0, None, str(e))
        except Exception as e:  # what a page would show as a traceback: counted, named
            import traceback
            results[i] = ("error", time.perf_counter() - t0, None, f"{type(e).__name__}: {str(e)[:200]}")
            if os.environ.get("BENCH_TRACE"):
                traceback.print_exc()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    kinds = {k: sum(1 for r in results if r[0] == k) for k in ("landed", "try again", "refused", "error")}
    landed = [r[2] for r in results if r[0] == "landed"]
    with connect(db) as con:
        present = con.execute(f"SELECT count(*) FROM uploads WHERE id IN ({','.join(map(str, landed)) or 'NULL'})"
                              ).fetchone()[0]
    errors = sorted({r[3] for r in results if r[0] == "error"})[:3]
    table.add(f"deadline day: {len(files)} returns from {len(files)} threads at once", wall,
              "all land or 'try again'",
              ok=kinds["error"] == 0 and kinds["refused"] == 0 and present == len(landed),
              note=f"{kinds}; {present}/{len(landed)} landed uploads in the store; "
                   f"{len(landed) / wall:.1f} returns/s" + (f"; errors: {errors}" if errors else ""))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=None, help="about this many values (default: the full shape)")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: load, pages, deadline")
    args = ap.parse_args(argv)
    log = (lambda *a: print(*a, file=sys.stderr, flush=True))
    info = build(args.db, args.rows, log=log)
    log(f"store: {info}")
    if args.build_only:
        if args.json:
            print(json.dumps({"store": info}, ensure_ascii=False))
        return 0
    work = Path(tempfile.mkdtemp(prefix="national-bench-"))
    demo_db = work / "demo.duckdb"
    from etl.cli import main as etl
    assert _quiet(etl, ["--db", str(demo_db), "init"]) == 0 and _quiet(etl, ["--db", str(demo_db), "demo"]) == 0
    table = Table()
    if "load" not in args.skip:
        measure(args.db, demo_db, args.repeat, table, work)
    if "pages" not in args.skip:
        measure_pages(args.db, args.repeat, table)
    if "deadline" not in args.skip:
        deadline_day(args.db, table, work)
    info = shape(args.db)
    if args.json:
        print(json.dumps({"store": info, "repeat": args.repeat, "measures": table.rows}, ensure_ascii=False,
                         default=str, indent=1))
    else:
        print(f"store: {info['values']:,} values ({info['current']:,} current), {info['units_with_values']} units, "
              f"{info['indicators_with_values']} indicators, {info['file_mb']} MB; medians of {args.repeat}")
        table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
