"""Plotly figure builders: one function per kind of chart, used by the pages and the exports.

Every figure gets the same explicit template and fonts (Streamlit changes
Plotly's default template on import, so we never rely on the default), and
Vietnamese number separators (``1.234,5``).

>>> fig = status_bar({"achieved": 3, "on_track": 2, "no_data": 1})
>>> fig.layout.separators
',.'
"""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go

from kpi.catalog import Indicator, Target
from kpi.fmt import fmt_number, fmt_value
from kpi.periods import Period
from kpi.kinds import KINDS
from kpi.progress import MILESTONE_STATUSES, STATUSES, Assessment, Point, current_series

FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
INK = "#1F2933"
GRID = "#E4E7EB"
ACTUAL = "#0072B2"       # Okabe-Ito blue: reads in colour and in grey print
PATH = "#6B7280"
PROJECTION = "#D55E00"
TARGET = "#000000"
BENCH = "#CC79A7"


def plain(s) -> str:
    """Text from data as Plotly shows it literally: Plotly reads ``<b>``, ``<a href>``… in labels as markup.

    >>> plain("<b>x</b> & y")
    '&lt;b&gt;x&lt;/b&gt; &amp; y'
    """
    return html.escape(str(s), quote=False)


def base_layout(title: str = "", *, height: int = 380, source: str = "") -> dict:
    """The layout every chart shares. ``source`` goes under the plot ("Nguồn: …"). Both are escaped (``plain``)."""
    title, source = plain(title) if title else title, plain(source) if source else source
    layout = dict(
        template="plotly_white",
        font=dict(family=FONT, size=13, color=INK),
        separators=",.",
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)) if title else None,
        height=height,
        margin=dict(l=60, r=20, t=60 if title else 20, b=130 if source else 70),
        legend=dict(orientation="h", yanchor="top", y=-0.16, x=0, font=dict(size=12)),   # below the year labels
        hoverlabel=dict(font=dict(family=FONT)),
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if source:
        # below the legend: anchored at the plot's bottom, shifted down to the figure's bottom edge
        bottom = layout["margin"]["b"]
        layout["annotations"] = [dict(text=source, xref="paper", yref="paper", x=0, y=0, yshift=-bottom + 6,
                                      xanchor="left", yanchor="bottom", showarrow=False,
                                      font=dict(size=11, color="#52606D"))]
        layout["legend"]["y"] = -0.18
    return layout


def _figure(title: str, source: str = "", height: int = 380) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**base_layout(title, height=height, source=source))
    fig.update_xaxes(gridcolor=GRID, zeroline=False)
    fig.update_yaxes(gridcolor=GRID, zeroline=False)
    return fig


def status_label(status: str) -> str:
    s = STATUSES.get(status) or MILESTONE_STATUSES[status]
    return f"{s['symbol']} {s['label']}"


# --- counts ----------------------------------------------------------------


def status_bar(counts: dict[str, int], title: str = "", source: str = "") -> go.Figure:
    """Targets by status: one horizontal bar per status, colour plus symbol and label."""
    order = [s for s in STATUSES if s in counts] + [s for s in MILESTONE_STATUSES if s in counts]
    order = [s for s in order if counts.get(s)] or order
    fig = _figure(title, source, height=max(220, 44 * len(order) + 90))
    for s in order:
        meta = STATUSES.get(s) or MILESTONE_STATUSES[s]
        fig.add_trace(go.Bar(
            y=[status_label(s)], x=[counts.get(s, 0)], orientation="h", name=meta["label"],
            marker=dict(color=meta["color"], line=dict(color=INK, width=1)),
            text=[str(counts.get(s, 0))], textposition="outside", cliponaxis=False,
            hovertemplate=f"{meta['label']}: %{{x}}<extra></extra>", showlegend=False))
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(title="Số chỉ tiêu", rangemode="tozero", dtick=max(1, math.ceil(max(counts.values() or [1]) / 6)))
    return fig


def category_bar(items: list[tuple[str, int, str]], title: str = "", source: str = "") -> go.Figure:
    """Counts by category, one horizontal bar each: ``[(label, count, colour), …]`` in the order given.

    For documents that name statuses in their own words (the signed report: "Đạt, vượt", "Khó hoàn thành").
    """
    fig = _figure(title, source, height=max(220, 44 * len(items) + 90))
    for label, n, colour in items:
        fig.add_trace(go.Bar(
            y=[plain(label)], x=[n], orientation="h", name=plain(label),
            marker=dict(color=colour, line=dict(color=INK, width=1)),
            text=[fmt_number(n, 0)], textposition="outside", cliponaxis=False,
            hovertemplate=f"{plain(label)}: %{{x}}<extra></extra>", showlegend=False))
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    fig.update_yaxes(automargin=True)      # long labels ("Chưa đủ số liệu đánh giá") whole, not cut at the edge
    top = max([n for _, n, _ in items] or [1])
    fig.update_xaxes(title="Số chỉ tiêu", rangemode="tozero", dtick=max(1, math.ceil(top / 6)))
    return fig


# --- one target ------------------------------------------------------------


def target_chart(target: Target, indicator: Indicator, series: list[Point], assessment: Assessment,
                 as_of: Period, benchmark: list[Point] | None = None, title: str | None = None,
                 source: str = "") -> go.Figure:
    """Actual values against the planned path, the projection at the current trend and the target.

    The shape follows the kind: per-year kinds (yearly, range, step, relative,
    avg_growth of a rate) are bars per year against the target line or band;
    level kinds are a line against the path from the baseline to the target;
    a sum over the period is the running total against the pro-rata path.
    """
    ind = indicator
    unit = ind.unit
    title = title if title is not None else ind.name
    fig = _figure(title, source)
    years = current_series(series, ind, as_of)
    # "~" drops trailing zeros: whole-number indicators never get ticks that round to duplicates (1, 2, 2, 3)
    fig.update_yaxes(title=plain(unit), tickformat=",.2~f")
    per_year = KINDS[target.kind].chart == "per_year" if target.kind in KINDS else False
    per_year = per_year or (target.kind == "avg_growth" and ind.temporal == "rate")
    if target.kind == "sum":
        _sum_chart(fig, target, ind, years, assessment)
    elif per_year:
        _per_year_chart(fig, target, ind, years, assessment, as_of, benchmark)
    else:
        _level_chart(fig, target, ind, years, assessment)
    x0 = min([target.start - 1] + [v.year for v in years])
    fig.update_xaxes(range=[x0 - 0.5, target.end + 0.5], dtick=1, tickformat="d", title=None)
    return fig


def _hover(unit: str, decimals: int) -> str:
    return "%{customdata}<br>%{y:,." + str(min(decimals, 2)) + "f} " + plain(unit) + "<extra></extra>"


def _actual_traces(fig, ind, years) -> None:
    d = ind.decimals
    final = [v for v in years if not v.provisional]
    prov = [v for v in years if v.provisional]
    if final:
        fig.add_trace(go.Scatter(
            x=[v.time for v in final], y=[v.value for v in final], mode="lines+markers", name="Thực hiện",
            line=dict(color=ACTUAL, width=3), marker=dict(size=9, symbol="circle"),
            customdata=[v.period.label() for v in final], hovertemplate=_hover(ind.unit, d)))
    if prov:
        fig.add_trace(go.Scatter(
            x=[v.time for v in prov], y=[v.value for v in prov], mode="markers", name="Lũy kế / tạm tính",
            marker=dict(size=11, symbol="circle-open", color=ACTUAL, line=dict(width=2)),
            customdata=[v.period.label() for v in prov], hovertemplate=_hover(ind.unit, d)))


def _path_trace(fig, xs, ys, name="Lộ trình kế hoạch") -> None:
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name,
                             line=dict(color=PATH, width=2, dash="dash"), hoverinfo="skip"))


def _projection_trace(fig, ind, x0, y0, x1, y1) -> None:
    fig.add_trace(go.Scatter(
        x=[x0, x1], y=[y0, y1], mode="lines+markers", name="Dự báo theo xu hướng",
        line=dict(color=PROJECTION, width=2, dash="dot"), marker=dict(size=[0, 9], symbol="diamond"),
        customdata=["", f"Dự báo {int(x1)}"], hovertemplate=_hover(ind.unit, ind.decimals)))


def _level_chart(fig, target, ind, years, a: Assessment) -> None:
    """Levels over time. For avg_growth of a level and for change, the assessment's numbers are
    rates or changes a year, so the path and the projection are rebuilt here as levels."""
    _actual_traces(fig, ind, years)
    b, by = a.baseline_value, a.baseline_year
    if target.kind in ("avg_growth", "change"):
        if b is None or by is None or target.value is None:
            return
        xs = list(range(by, target.end + 1))
        if target.kind == "avg_growth":
            step = lambda v0, n, r: v0 * (1 + r / 100) ** n  # noqa: E731
        else:
            step = lambda v0, n, r: v0 + r * n  # noqa: E731
        ys = [step(b, x - by, target.value) for x in xs]
        _path_trace(fig, xs, ys, f"Lộ trình kế hoạch ({fmt_value(target.value, a.pace_unit or ind.unit, 2)})")
        if years and a.latest_value is not None and not years[-1].year >= target.end:
            last = years[-1]
            _projection_trace(fig, ind, last.time, last.value, target.end,
                              step(last.value, target.end - last.time, a.latest_value))
        _target_marker(fig, target, ind, ys[-1])
        return
    tv = a.target_value
    if b is not None and by is not None and tv is not None:
        _path_trace(fig, [by, target.end], [b, tv])
    if a.projection is not None and years:
        last = years[-1]
        _projection_trace(fig, ind, last.time, last.value, target.end, a.projection)
    if tv is not None:
        _target_marker(fig, target, ind, tv)
        if target.kind == "share":
            tol = target.tolerance or 1.0
            fig.add_hrect(y0=tv - tol, y1=tv + tol, fillcolor="#999999", opacity=0.15, line_width=0)


def _target_marker(fig, target, ind, tv) -> None:
    fig.add_trace(go.Scatter(
        x=[target.end], y=[tv], mode="markers+text", name=f"Mục tiêu {target.end}",
        marker=dict(size=16, symbol="star", color=TARGET),
        text=[fmt_value(tv, ind.unit, ind.decimals)], textposition="top center", cliponaxis=False,
        hovertemplate=f"Mục tiêu {target.end}: {fmt_value(tv, ind.unit, ind.decimals)}<extra></extra>"))


def _per_year_chart(fig, target, ind, years, a: Assessment, as_of: Period, benchmark) -> None:
    d = ind.decimals
    shown = [v for v in years if target.start - 1 <= v.year <= target.end]
    colours = [("#9CC3E6" if v.provisional else ACTUAL) for v in shown]
    fig.add_trace(go.Bar(
        x=[v.year for v in shown], y=[v.value for v in shown], name="Thực hiện",
        marker=dict(color=colours, line=dict(color=INK, width=1),
                    pattern=dict(shape=["/" if v.provisional else "" for v in shown])),
        customdata=[v.period.label() for v in shown], hovertemplate=_hover(ind.unit, d),
        text=[fmt_number(v.value, d) for v in shown], textposition="outside", cliponaxis=False))
    x_span = [target.start - 0.5, target.end + 0.5]
    if target.kind == "range":
        fig.add_trace(go.Scatter(
            x=x_span + x_span[::-1], y=[target.low, target.low, target.high, target.high], fill="toself",
            fillcolor="rgba(0,158,115,0.15)", line=dict(width=0), name=(
                f"Khoảng mục tiêu {fmt_number(target.low, d)}–{fmt_number(target.high, d)} {ind.unit}"),
            hoverinfo="skip"))
    elif target.kind == "relative" and benchmark is not None:
        bench_years = current_series(benchmark, ind, as_of)
        fig.add_trace(go.Scatter(
            x=[v.year for v in bench_years], y=[v.value for v in bench_years], mode="lines+markers",
            name=f"Mức chuẩn ({target.benchmark['unit']})", line=dict(color=BENCH, width=2),
            marker=dict(symbol="square", size=8),
            customdata=[v.period.label() for v in bench_years], hovertemplate=_hover(ind.unit, d)))
    elif target.value is not None:
        fig.add_trace(go.Scatter(
            x=x_span, y=[target.value, target.value], mode="lines",
            name=f"Mục tiêu {fmt_value(target.value, ind.unit, d)}/năm" if target.kind != "step"
            else f"Mục tiêu {target.end}: {fmt_value(target.value, ind.unit, d)}",
            line=dict(color=TARGET, width=2, dash="dash"), hoverinfo="skip"))
    if target.kind == "avg_growth" and shown:
        # the running geometric mean, which is what the target is about
        acc, pts = 1.0, []
        for i, v in enumerate([v for v in shown if v.year >= target.start], start=1):
            acc *= 1 + v.value / 100
            pts.append((v.year, (acc ** (1 / i) - 1) * 100))
        if pts:
            fig.add_trace(go.Scatter(
                x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name="Bình quân từ đầu kỳ",
                line=dict(color=PROJECTION, width=2), marker=dict(symbol="diamond", size=8),
                hovertemplate="Bình quân đến %{x}: %{y:,.2f} " + plain(ind.unit) + "<extra></extra>"))


def _sum_chart(fig, target, ind, years, a: Assessment) -> None:
    d = ind.decimals
    inside = [v for v in years if target.start <= v.year <= target.end]
    total, xs, ys, labels = 0.0, [], [], []
    for v in inside:
        total += v.value
        xs.append(v.year - 1 + v.fraction)
        ys.append(total)
        labels.append(f"Lũy kế đến {v.period.label()}")
    fig.add_trace(go.Scatter(
        x=[target.start - 1, target.end], y=[0, target.value], mode="lines", name="Lộ trình đều theo năm",
        line=dict(color=PATH, width=2, dash="dash"), hoverinfo="skip"))
    if xs:
        fig.add_trace(go.Scatter(
            x=[target.start - 1] + xs, y=[0] + ys, mode="lines+markers", name="Lũy kế thực hiện",
            line=dict(color=ACTUAL, width=3), marker=dict(size=9),
            customdata=["Đầu kỳ"] + labels, hovertemplate=_hover(ind.unit, d)))
        if a.projection is not None:
            fig.add_trace(go.Scatter(
                x=[xs[-1], target.end], y=[ys[-1], a.projection], mode="lines", name="Dự báo theo xu hướng",
                line=dict(color=PROJECTION, width=2, dash="dot"), hoverinfo="skip"))
    _target_marker(fig, target, ind, target.value)
    fig.update_yaxes(title=f"{plain(ind.unit)}, cộng dồn")


# --- units -----------------------------------------------------------------


def unit_ranking(rows: list[dict], title: str = "", source: str = "") -> go.Figure:
    """Units ranked by the share of their targets met or on track.

    ``rows``: dicts with ``name``, ``share`` (0..1), ``good`` and ``total``.
    """
    rows = sorted(rows, key=lambda r: (r["share"], r["name"]))
    fig = _figure(title, source, height=max(260, 34 * len(rows) + 100))
    fig.add_trace(go.Bar(
        y=[plain(r["name"]) for r in rows], x=[100 * r["share"] for r in rows], orientation="h",
        marker=dict(color=ACTUAL, line=dict(color=INK, width=1)),
        text=[f"{fmt_number(100 * r['share'], 0)}% ({r['good']}/{r['total']})" for r in rows],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f}%<extra></extra>", showlegend=False))
    fig.update_xaxes(range=[0, 115], title="Tỷ lệ chỉ tiêu đã đạt hoặc đúng tiến độ (%)")
    return fig


def unit_heatmap(units: list[str], indicators: list[str], statuses: list[list[str | None]],
                 title: str = "", source: str = "") -> go.Figure:
    """Indicator × unit: each cell coloured by status with the status symbol written in it.

    ``statuses[i][j]`` is unit i's status on indicator j (None: not reported). Indicators run
    down the side, where their long names read horizontally; units run across.
    """
    order = list(STATUSES)
    pos = {s: i for i, s in enumerate(order)}
    n = len(order)
    colorscale = []
    for i, s in enumerate(order):
        colorscale += [[i / n, STATUSES[s]["color"]], [(i + 1) / n, STATUSES[s]["color"]]]
    units, indicators = [plain(u) for u in units], [plain(i) for i in indicators]
    cols = list(zip(*statuses)) if statuses else []          # one row per indicator
    z = [[(pos[s] + 0.5) / n if s else None for s in row] for row in cols]
    text = [[STATUSES[s]["symbol"] if s else "" for s in row] for row in cols]
    hover = [[f"{u}<br>{ind}<br>{STATUSES[s]['label'] if s else 'Không có số liệu'}" for u, s in zip(units, row)]
             for ind, row in zip(indicators, cols)]
    fig = _figure(title, source, height=max(360, 28 * len(indicators) + 230))
    fig.add_trace(go.Heatmap(
        z=z, x=units, y=indicators, zmin=0, zmax=1, colorscale=colorscale, showscale=False,
        text=text, texttemplate="%{text}", textfont=dict(size=13), xgap=2, ygap=2,
        customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    fig.update_xaxes(tickangle=-30, showgrid=False, side="top")
    fig.update_yaxes(autorange="reversed", showgrid=False, automargin=True)
    for s in order:  # a legend: one invisible marker per status
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=status_label(s),
                                 marker=dict(size=12, symbol="square", color=STATUSES[s]["color"],
                                             line=dict(color=INK, width=1))))
    fig.update_layout(margin=dict(t=150), legend=dict(y=-0.02, yanchor="top"))
    return fig


def reporting_bar(rows: list[dict], title: str = "", source: str = "") -> go.Figure:
    """Reporting rate per quarter: on time, late, missing (stacked, with patterns for print)."""
    fig = _figure(title, source)
    parts = [("on_time", "Đúng hạn", "#009E73", ""), ("late", "Trễ hạn", "#E69F00", "/"),
             ("missing", "Chưa nộp", "#C6C6C6", "x")]
    for key, label, colour, shape in parts:
        fig.add_trace(go.Bar(
            x=[r["period"] for r in rows], y=[r[key] for r in rows], name=label,
            marker=dict(color=colour, line=dict(color=INK, width=1), pattern=dict(shape=shape)),
            hovertemplate=label + ": %{y}<extra></extra>"))
    fig.update_layout(barmode="stack", legend=dict(y=-0.18))
    fig.update_yaxes(title="Số đơn vị", rangemode="tozero")
    return fig
