"""What the units registry and the obligations cost, against baselines in the same run.

    .venv/bin/python bench/bench_units.py [--repeat 5]

Builds two databases in a temporary folder: the registry as ``etl init`` stores it
(communes of the provinces the plans cover) and with ``--all-communes`` (all 13.356),
then times, as medians:

- ``kpi.repo.units_by_code`` on each (every page reads it): the cost of storing all communes;
- building the registry from the CSV files (``kpi.units.build_units``), all provinces;
- ``kpi.obligations.obligation_rows`` for Điện Biên 2025Q2 on the demo data, beside the
  fixed-rule baseline it replaced (``kpi.reporting.reporting_table`` for the same quarter);
- ``kpi.obligations.rows_through`` (every quarter of the plan: what the Đơn vị page computes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from etl.cli import main as etl
    from kpi import repo
    from kpi.obligations import obligation_rows, rows_through
    from kpi.periods import Period
    from kpi.reporting import reporting_table, uploads_for_reporting
    from kpi.store import connect
    from kpi.units import build_units

    with tempfile.TemporaryDirectory() as tmp:
        plan_db, all_db = Path(tmp) / "plans.duckdb", Path(tmp) / "all.duckdb"
        for db, extra in ((plan_db, []), (all_db, ["--all-communes"])):
            assert etl(["--db", str(db), "init", *extra]) == 0
        assert etl(["--db", str(plan_db), "demo"]) == 0
        print(f"{'what':<62} {'median (s)':>10}")
        for label, db in (("units_by_code, communes of the plans' provinces", plan_db),
                          ("units_by_code, all communes (init --all-communes)", all_db)):
            with connect(db) as con:
                n = len(repo.units_by_code(con))
                t = median_time(lambda: repo.units_by_code(con), args.repeat)
            print(f"{label + f' ({n} units)':<62} {t:>10.3f}")
        t = median_time(lambda: build_units(), max(1, args.repeat // 2))
        print(f"{'build_units() from the CSV files, all provinces':<62} {t:>10.3f}")
        with connect(plan_db) as con:
            cat = repo.catalog_from_db(con)
            plan = cat.plans["dienbien_2021_2025"]
            q = Period.parse("2025Q2")
            units = repo.units_by_code(con)
            subunits = sorted(c for c, u in units.items() if u.get("parent") == "11")

            def baseline():
                reporting_table(plan, units, uploads_for_reporting(con), subunits, q)

            t0 = median_time(baseline, args.repeat)
            t1 = median_time(lambda: obligation_rows(con, plan.id, q, catalog=cat), args.repeat)
            t2 = median_time(lambda: rows_through(con, plan, Period.parse("2025Q3"), catalog=cat), args.repeat)
        print(f"{'baseline: reporting_table (fixed 15 days), up to 2025Q2':<62} {t0:>10.3f}")
        print(f"{'obligation_rows, Điện Biên 2025Q2 (every obligation)':<62} {t1:>10.3f}")
        print(f"{'rows_through, Điện Biên 2021Q1-2025Q3 (the Đơn vị page)':<62} {t2:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
