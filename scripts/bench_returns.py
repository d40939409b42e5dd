"""Time the quarterly return on a big form: template, read + validate, dry run and load from the command line.

    .venv/bin/python scripts/bench_returns.py [ROWS]      # default 2000 indicators

Builds a throwaway catalogue of ROWS flow indicators in a temporary folder
(nothing under data/ is touched), writes the province's template, fills every
value cell (one in three as Vietnamese text, "1.250"), and prints the medians
of three runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def catalogue(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    lines = ["indicators:"]
    for i in range(n):
        lines += [f"  ind_{i:04d}:", f"    name: Chỉ tiêu thử số {i}", "    unit: lao động", "    direction: up",
                  "    temporal: flow", "    area: Xã hội", "    aggregation: sum", "    decimals: 0", "    min: 0"]
    (folder / "indicators.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = ["plan:", "  id: bench_2021_2025", "  title: Kế hoạch để đo thời gian đọc biểu",
            "  short_title: Đo thời gian", "  doc_number: 1/KH-UBND", "  doc_date: 2021-01-01",
            "  issuer: UBND tỉnh Điện Biên", '  scope_unit: "11"', "  period: [2021, 2025]", "  source: none.txt",
            "targets:"]
    plan += [f'  - {{id: t{i}, indicator: ind_{i:04d}, kind: yearly, cmp: ">=", value: 100, '
             f'quote: "chỉ tiêu thử để đo thời gian"}}' for i in range(n)]
    (folder / "bench_2021_2025.yaml").write_text("\n".join(plan) + "\n", encoding="utf-8")


def etl(db: Path, *args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=dict(os.environ, CHITIEU_DB=str(db)),
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def median3(fn) -> float:
    return statistics.median(fn() for _ in range(3))


def main(n: int) -> None:
    from etl import returns
    from etl.intake import read_catalog

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        catalogue(tmp / "targets", n)
        db = tmp / "bench.duckdb"
        etl(db, "init", "--targets", str(tmp / "targets"))
        form = tmp / "form.xlsx"
        t_template = median3(lambda: etl(db, "template", "--plan", "bench_2021_2025", "--unit", "11",
                                         "--period", "2025Q2", "-o", str(form)))
        wb = openpyxl.load_workbook(form)
        ws = wb["Biểu 01"]
        for r in range(11, ws.max_row + 1):
            if str(ws.cell(r, 2).value or "").startswith("ind_"):
                ws.cell(r, 6, 100)
                ws.cell(r, 7, "1.250" if r % 3 == 0 else 1250)
                ws.cell(r, 8, 5000)
        wb.save(form)
        data = form.read_bytes()
        cat = read_catalog(db)
        rf = None

        def read():
            nonlocal rf
            t = time.perf_counter()
            rf = returns.read_return(form.name, data, *cat)
            return time.perf_counter() - t

        t_read = median3(read)
        t_dry = median3(lambda: etl(db, "load", str(form), "--dry-run", "--json"))
        t_load = etl(db, "load", str(form), "--json")
        print(f"{n} indicator rows, {len(rf.checked.rows)} values, {len(rf.checked.errors)} errors, "
              f"{len(rf.checked.warnings)} warnings; file {len(data) / 1024:.0f} KB")
        print(f"template (CLI, incl. start-up) {t_template:.2f} s")
        print(f"read + validate (in process)   {t_read:.2f} s")
        print(f"load --dry-run (CLI)           {t_dry:.2f} s")
        print(f"load (CLI, writes)             {t_load:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
