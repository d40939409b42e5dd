"""Everything for one quarter in one go: the Word report, the scorecard and the chosen charts.

Each chart is drawn once (one browser for the batch): the Word file reuses
the PNGs that also go in the zip.
"""

from __future__ import annotations

import dataclasses
import time

from kpi.exports.data import ReportData, chart, chart_choices, file_stem, report_charts
from kpi.exports.excel import scorecard_xlsx
from kpi.exports.images import PRINT_SCALE, chart_renderer, to_png, to_svg, zip_files
from kpi.exports.word import Letterhead, report_docx


@dataclasses.dataclass
class Bundle:
    docx: bytes
    xlsx: bytes
    zip: bytes
    files: list[str]                 # names inside the zip
    blobs: dict[str, bytes]          # the zip's files by name (PNG and SVG of each chosen chart)
    names: dict[str, str]            # "docx" / "xlsx" / "zip" → a file name to save as
    seconds: dict[str, float]        # time spent: "charts", "docx", "xlsx"
    images: int                      # images drawn (PNG and SVG)


def file_names(data: ReportData) -> dict[str, str]:
    tag = f"{data.plan.id}_{data.as_of}"
    if data.unit != data.plan.scope_unit:
        tag += f"_{data.unit}"
    return {"docx": f"bao-cao_{tag}.docx", "xlsx": f"bang-chi-tieu_{tag}.xlsx", "zip": f"bieu-do_{tag}.zip"}


def build(data: ReportData, chart_keys: list[str], letterhead: Letterhead | None = None, progress=None,
          scale: float = PRINT_SCALE) -> Bundle:
    """Draw the charts (``chart_keys`` as PNG and SVG for the zip, the report's own as PNG), then write the files.

    ``progress(done, total, text)`` is called before each image and each file, and once at the end.
    """
    labels = chart_choices(data)
    wanted = list(dict.fromkeys(chart_keys))
    for_word = report_charts(data)
    figures = {k: chart(data, k) for k in dict.fromkeys(wanted + for_word)}
    figures = {k: f for k, f in figures.items() if f is not None}
    jobs = [(k, "png") for k in figures] + [(k, "svg") for k in wanted if k in figures]
    total = len(jobs) + 2
    step = 0

    def tick(text: str) -> None:
        nonlocal step
        if progress:
            progress(step, total, text)
        step += 1

    t0 = time.perf_counter()
    png, svg = {}, {}
    with chart_renderer():
        for i, (k, fmt) in enumerate(jobs, start=1):
            tick(f"Đang vẽ biểu đồ {i}/{len(jobs)} ({fmt.upper()}): {labels.get(k, k)}")
            if fmt == "png":
                png[k] = to_png(figures[k], scale)
            else:
                svg[k] = to_svg(figures[k])
    t1 = time.perf_counter()
    tick("Đang soạn báo cáo Word")
    docx = report_docx(data, letterhead, images={k: png[k] for k in for_word if k in png})
    t2 = time.perf_counter()
    tick("Đang ghi bảng Excel")
    xlsx = scorecard_xlsx(data)
    t3 = time.perf_counter()
    files = {}
    for i, k in enumerate([k for k in wanted if k in figures], start=1):
        stem = file_stem(k, i)
        files[f"{stem}.png"] = png[k]
        files[f"{stem}.svg"] = svg[k]
    if progress:
        progress(total, total, "Xong")
    return Bundle(docx=docx, xlsx=xlsx, zip=zip_files(files), files=list(files), blobs=files, names=file_names(data),
                  seconds={"charts": t1 - t0, "docx": t2 - t1, "xlsx": t3 - t2}, images=len(jobs))
