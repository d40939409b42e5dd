"""How long the quarter's Word report takes on the demo data, against the former report in the same run.

    .venv/bin/python bench/bench_report.py [--repeat 3] [--plan dienbien_2021_2025] [--period 2025Q2]

Builds a fresh demo database in a temporary folder, then times, as medians:

- baseline: what the former report drew, one chart per target needing attention plus the
  counts (28 charts on the demo data), one after the other in one browser started for it;
- the report as ``etl report`` builds it now: the browser starting while the data is read,
  the counts and the targets hard to reach or missed (11 charts), compacted while the next
  is drawn, then the document;
- the same with the browser already warm (``images.warm_up``: the export page starts it when
  it opens);
- the leader's brief (at most 4 charts);
- the browser's start alone (the fixed cost the warm-up removes).

The machine is shared: the load average is printed with the figures.
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
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--plan", default="dienbien_2021_2025")
    p.add_argument("--period", default="2025Q2")
    args = p.parse_args(argv)

    from etl.cli import main as etl
    from kpi import exports
    from kpi.exports import images, word
    from kpi.fmt import fmt_number

    tmp = Path(tempfile.mkdtemp(prefix="chitieu-bench-"))
    db = tmp / "chitieu.duckdb"
    assert etl(["--db", str(db), "init"]) == 0 and etl(["--db", str(db), "demo"]) == 0

    def baseline():
        data = exports.report_data(db, args.plan, args.period)
        keys = ["status"] + [f"target:{r.target.id}" for r in data.attention]
        figs = {k: exports.chart(data, k) for k in keys}
        with images.chart_renderer():
            for f in figs.values():
                images.to_png(f)

    def report(brief=False):
        with images.chart_renderer():
            data = exports.report_data(db, args.plan, args.period)
            imgs = word.draw_charts(data, exports.report_charts(data, brief=brief))
            word.report_docx(data, images=imgs, brief=brief)

    def browser_start():
        with images.chart_renderer():
            images.to_png(word.office_chart(exports.report_data(db, args.plan, args.period), "status"), 1)

    data = exports.report_data(db, args.plan, args.period)
    n_old = 1 + len(data.attention)
    n_new = len(exports.report_charts(data))
    rows = [(f"baseline: former report's {n_old} charts, no document", median_time(baseline, args.repeat)),
            (f"report: {n_new} charts and the document (cold browser)", median_time(report, args.repeat))]
    rows.append(("one chart, browser started for it (cold)", median_time(browser_start, args.repeat)))
    images.warm_up(idle_seconds=120)
    time.sleep(3)
    rows.append((f"report: {n_new} charts and the document (warm browser)", median_time(report, args.repeat)))
    rows.append(("brief: ≤ 4 charts and the document (warm browser)", median_time(lambda: report(True), args.repeat)))
    load = os.getloadavg()
    print(f"{args.plan} {args.period}, medians of {args.repeat}; load average {fmt_number(load[0], 2)} "
          f"(2 cores, shared)")
    for label, secs in rows:
        print(f"  {label:<62} {fmt_number(secs, 2):>7} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
