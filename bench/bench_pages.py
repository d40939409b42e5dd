"""How long the pages take on the demo data, against a baseline in the same run.

    .venv/bin/python bench/bench_pages.py [--repeat 5]

Builds a fresh demo database in a temporary folder, then times, as medians:

- baseline: an AppTest run of a one-line Streamlit script (the framework's own cost);
- each page through AppTest with an empty cache (what the first visitor waits for),
  and again with a warm cache (every later visit until the data changes);
- the core call behind each page without Streamlit (kpi.overview, kpi.detail, kpi.comparison).

AppTest runs the script in this process without a browser, so the figures
are the server side of a page view; the browser adds its own rendering.
"""

from __future__ import annotations

import argparse
import os
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
    from streamlit.testing.v1 import AppTest

    from etl.cli import main as etl
    from kpi import comparison, detail, overview

    tmp = Path(tempfile.mkdtemp())
    db = tmp / "bench.duckdb"
    assert etl(["--db", str(db), "init"]) == 0 and etl(["--db", str(db), "demo"]) == 0
    os.environ["CHITIEU_DB"] = str(db)
    empty = tmp / "empty.py"
    empty.write_text("import streamlit as st\nst.title('x')\n", encoding="utf-8")

    from tests.app.signin import session_token

    token = session_token("lanhdao", db)   # a leader, signed in (a demo account)

    def apptest(page: str | None, warm: bool):
        def run():
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.session_state["auth_token"] = token
            if not warm:
                from kpi import ui
                ui.clear_cache()
            at.run()
            if page:
                at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
        return run

    rows = []
    base = median_time(lambda: AppTest.from_file(str(empty)).run(), args.repeat)
    rows.append(("baseline: empty Streamlit script (AppTest)", base))
    plan = "dienbien_2021_2025"
    rows.append(("overview.overview (core, no Streamlit)", median_time(lambda: overview.overview(db, plan), args.repeat)))
    rows.append(("detail.target_detail", median_time(lambda: detail.target_detail(db, plan, "poor_household_rate_2025"),
                                                     args.repeat)))
    rows.append(("comparison.units_view", median_time(lambda: comparison.units_view(db, plan), args.repeat)))
    rows.append(("Tổng quan page, empty cache", median_time(apptest(None, warm=False), args.repeat)))
    rows.append(("Tổng quan page, warm cache", median_time(apptest(None, warm=True), args.repeat)))
    for page in ("pages/chi_tieu.py", "pages/don_vi.py", "pages/ke_hoach.py"):
        # the overview runs first in these (AppTest starts on the default page): subtract it
        rows.append((f"overview + {page}, warm cache", median_time(apptest(page, warm=True), args.repeat)))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  median (s)  × baseline")
    for name, t in rows:
        print(f"{name:<{width}}  {t:10.3f}  {t / base:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
