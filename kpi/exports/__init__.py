"""Exports for reports: charts as PNG and SVG, tables as Excel, the quarter's report as Word.

    from kpi import exports
    data = exports.report_data(db, "dienbien_2021_2025", "2025Q2")
    bundle = exports.build(data, exports.report_charts(data))      # one browser for every chart
    bundle.docx, bundle.xlsx, bundle.zip                           # bytes, ready to save or download

The pieces are in ``data`` (what a report is made of), ``images`` (kaleido),
``excel`` (openpyxl) and ``word`` (python-docx). Charts are always the
``kpi.charts`` builders' figures: nothing is drawn here.
"""

from kpi.exports.bundle import Bundle, build
from kpi.exports.data import (ExportError, ReportData, chart, chart_choices, parse_quarter, report_charts, report_data,
                              unit_level)
from kpi.exports.excel import scorecard_xlsx, table_xlsx
from kpi.exports.images import RenderError, chart_renderer, to_png, to_svg
from kpi.exports.word import Letterhead, letterhead_for, report_docx

__all__ = ["Bundle", "ExportError", "Letterhead", "RenderError", "ReportData", "build", "chart", "chart_choices",
           "chart_renderer", "letterhead_for", "parse_quarter", "report_charts", "report_data", "report_docx",
           "scorecard_xlsx", "table_xlsx", "to_png", "to_svg", "unit_level"]
