"""Everything for one quarter in one go: the Word report, the leader's brief, the scorecard and the chosen charts.

Each chart is drawn once (one browser for the batch): the
Word files reuse the PNGs that also go in the zip. The report's own charts
(counts, targets) are drawn in the signed document's form (office wording, no
software name), in the zip too.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import time

from kpi.exports.data import UNIT_CHARTS, ReportData, chart, file_stem, report_charts
from kpi.exports.excel import scorecard_xlsx
from kpi.exports.images import PRINT_SCALE, chart_renderer, compact_png, render_pngs, to_svg, zip_files
from kpi.exports.texts import ReportTexts
from kpi.exports.word import Letterhead, office_chart, report_docx


@dataclasses.dataclass
class Bundle:
    docx: bytes
    brief: bytes
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
    return {"docx": f"bao-cao_{tag}.docx", "brief": f"tom-tat_{tag}.docx", "xlsx": f"bang-chi-tieu_{tag}.xlsx", "zip": f"bieu-do_{tag}.zip"}


def _label(data: ReportData, key: str) -> str:
    """A chart's name for the progress line (without reading the units' data, as ``chart_choices`` does)."""
    if key == "status":
        return "Chỉ tiêu theo kết quả đánh giá"
    if key in UNIT_CHARTS:
        return UNIT_CHARTS[key][1]
    row = next((r for r in data.rows if f"target:{r.target.id}" == key), None)
    return row.name if row else key


def build(data: ReportData, chart_keys: list[str], letterhead: Letterhead | None = None, progress=None,
          scale: float = PRINT_SCALE, texts: ReportTexts | None = None, brief_only: bool = False) -> Bundle:
    """Draw the charts (``chart_keys`` as PNG and SVG for the zip, the report's own as PNG), then write the files.

    ``progress(done, total, text)`` is called as images and files are done, and once at the end.
    ``brief_only``: only the leader's brief (``docx`` left empty), with its own four charts at most.
    """
    labels = {k: _label(data, k) for k in chart_keys}
    wanted = list(dict.fromkeys(chart_keys))
    for_word = report_charts(data, brief=brief_only)
    figures = {k: office_chart(data, k) if k == "status" or k.startswith("target:") else chart(data, k)
               for k in dict.fromkeys(wanted + for_word)}
    figures = {k: f for k, f in figures.items() if f is not None}
    svg_keys = [k for k in wanted if k in figures]
    total = len(figures) + len(svg_keys) + 3

    def tick(done: int, text: str) -> None:
        if progress:
            progress(done, total, text)

    t0 = time.perf_counter()
    png = render_pngs(figures, scale=scale,
                      progress=lambda i, n, k: tick(i, f"Đang vẽ biểu đồ {i + 1}/{n}: {labels.get(k) or _label(data, k)}"
                                                    if k else ""))
    svg = {}
    # the Word files' 256-colour copies are made on another thread while the browser draws the SVGs
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        compact = {k: pool.submit(compact_png, png[k]) for k in for_word if k in png}
        with chart_renderer() if svg_keys else contextlib.nullcontext():
            for i, k in enumerate(svg_keys, start=1):
                tick(len(figures) + i - 1, f"Đang ghi SVG {i}/{len(svg_keys)}: {labels.get(k, k)}")
                svg[k] = to_svg(figures[k])
        images = {k: f.result() for k, f in compact.items()}
    t1 = time.perf_counter()
    step = len(figures) + len(svg_keys)
    tick(step, "Đang soạn báo cáo Word")
    docx = b"" if brief_only else report_docx(data, letterhead, images=images, texts=texts)
    t2 = time.perf_counter()
    tick(step + 1, "Đang soạn bản tóm tắt")
    brief = report_docx(data, letterhead, images=images, texts=texts, brief=True)
    t3 = time.perf_counter()
    tick(step + 2, "Đang ghi bảng Excel")
    xlsx = scorecard_xlsx(data)
    t4 = time.perf_counter()
    files = {}
    for i, k in enumerate(svg_keys, start=1):
        stem = file_stem(k, i)
        files[f"{stem}.png"] = png[k]
        files[f"{stem}.svg"] = svg[k]
    if progress:
        progress(total, total, "Xong")
    return Bundle(docx=docx, brief=brief, xlsx=xlsx, zip=zip_files(files), files=list(files), blobs=files,
                  names=file_names(data),
                  seconds={"charts": t1 - t0, "docx": t2 - t1, "brief": t3 - t2, "xlsx": t4 - t3},
                  images=len(figures) + len(svg_keys))
