"""What a quarter's report is made of, read from the store in one short connection.

    data = report_data("data/chitieu.duckdb", "dienbien_2021_2025", "2025Q2")
    data.as_of.label(), len(data.rows), data.attention[0].status   # ('Quý II/2025', 77, 'regressing')

Charts are built on demand by ``chart(data, key)`` with the builders of
``kpi.charts`` (never drawn here); ``chart_choices(data)`` lists the keys.
"""

from __future__ import annotations

import collections
import dataclasses
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from kpi import charts, comparison, periods
from kpi.assess import PlanReport, assess_plan
from kpi.catalog import Catalog, CatalogError, Indicator, Milestone, Plan, Target
from kpi.fmt import fmt_value
from kpi.periods import Period, PeriodError
from kpi.progress import MILESTONE_STATUSES, NEEDS_ACTION, STATUSES, Assessment, MilestoneAssessment, Point
from kpi.obligations import rows_through
from kpi.reporting import obligations_table, reporting_table, uploads_for_reporting
from kpi.repo import current_values, plan_units, read_catalog, series_points, units_by_code
from kpi.store import connect, db_path
from kpi.texts import latest_text, source_line, target_text, unit_label
from kpi.units import LAST_OLD_DAY

# Worst first: the order of section III of the report.
ATTENTION = NEEDS_ACTION


class ExportError(ValueError):
    """A plan, quarter or unit that cannot be reported on; the message is in Vietnamese."""


@dataclasses.dataclass(frozen=True)
class TargetRow:
    """One target as the report and the scorecard show it."""

    target: Target
    indicator: Indicator
    assessment: Assessment
    twin: bool = False      # another target of the plan follows the same indicator

    @property
    def name(self) -> str:
        """The indicator's name, told apart from a twin's: ``Tỷ lệ hộ nghèo, mức thay đổi bình quân mỗi năm``."""
        if not self.twin:
            return self.indicator.name
        t = self.target
        what = {"change": "mức thay đổi bình quân mỗi năm", "avg_growth": "tốc độ tăng bình quân",
                "yearly": "mỗi năm", "sum": f"tổng {t.start}–{t.end}"}.get(t.kind, f"đến năm {t.end}")
        return f"{self.indicator.name}, {what}"

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def status_text(self) -> str:
        meta = STATUSES[self.status]
        return f"{meta['symbol']} {meta['label']}"

    @property
    def status_cell_text(self) -> str:
        """The status as a report's cell shows it: "(tạm tính)" under it when the verdict is provisional."""
        return self.status_text + ("\n(tạm tính)" if self.assessment.provisional else "")

    @property
    def latest_text(self) -> str:
        return latest_text(self.assessment, self.target, self.indicator)

    @property
    def latest_unit(self) -> str:
        """The unit of ``assessment.latest_value`` (an average rate for avg_growth, a change for change)."""
        a, t, ind = self.assessment, self.target, self.indicator
        if t.kind == "avg_growth":
            return "%/năm"
        if t.kind == "change":
            return f"{a.pace_unit.replace('/năm', '') or ind.unit}/năm"
        return ind.unit

    @property
    def latest_decimals(self) -> int:
        return 2 if self.target.kind in ("avg_growth", "change") else self.indicator.decimals

    @property
    def period_text(self) -> str:
        p = self.assessment.latest_period
        return p.label() if p else "–"

    @property
    def target_text(self) -> str:
        return target_text(self.target, self.indicator)

    @property
    def pace_decimals(self) -> int:
        unit = self.assessment.pace_unit
        return 2 if unit.startswith(("%", "điểm")) else min(self.indicator.decimals, 2)

    @property
    def pace_text(self) -> str:
        a = self.assessment
        if a.pace_needed is None:
            return "–"
        return fmt_value(a.pace_needed, a.pace_unit, self.pace_decimals)

@dataclasses.dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    assessment: MilestoneAssessment

    @property
    def status_text(self) -> str:
        meta = MILESTONE_STATUSES[self.assessment.status]
        return f"{meta['symbol']} {meta['label']}"


@dataclasses.dataclass
class ReportData:
    """Everything the exports of one plan, one quarter and one unit need."""

    db: Path
    catalog: Catalog
    report: PlanReport
    unit_name: str
    rows: list[TargetRow]
    series: dict[str, list[Point]]
    benchmarks: dict[str, list[Point] | None]
    milestones: list[MilestoneRow]
    reporting: dict                # reporting_table(...) up to the quarter
    units: dict[str, dict]
    units_view: dict | None = None  # comparison.units_view(...) for the unit charts; read when first needed

    @property
    def plan(self) -> Plan:
        return self.report.plan

    @property
    def as_of(self) -> Period:
        return self.report.as_of

    @property
    def unit(self) -> str:
        return self.report.unit

    @property
    def source(self) -> str:
        """The source line the charts carry: ``Nguồn: chitieu, …; số liệu đến Quý II/2025``."""
        return source_line(self.plan, self.as_of)

    @property
    def short_source(self) -> str:
        return f"Nguồn: chitieu; số liệu đến {self.as_of.as_of_label()}"

    @property
    def attention(self) -> list[TargetRow]:
        """Targets missed, regressing, off track or at risk: worst first, plan order within a status."""
        return sorted((r for r in self.rows if r.status in ATTENTION), key=lambda r: ATTENTION.index(r.status))

    def counts(self) -> dict[str, int]:
        return self.report.counts()

    def milestones_due(self) -> list[MilestoneRow]:
        """Overdue milestones, then those still pending whose deadline falls in the next quarter."""
        nxt = next_quarter(self.as_of).end_date()
        overdue = [m for m in self.milestones if m.assessment.status == "overdue"]
        soon = [m for m in self.milestones if m.assessment.status == "pending" and m.milestone.deadline <= nxt]
        return sorted(overdue, key=lambda m: m.milestone.deadline) + sorted(soon, key=lambda m: m.milestone.deadline)

    def holder(self) -> dict | None:
        """The unit that took over the plan's territory, when the quarter ends after that territory ended
        (Bến Tre's plan in Quý III/2025 is followed by Vĩnh Long): the report is headed by it (issue 11)."""
        scope = self.units.get(self.plan.scope_unit) or {}
        end, successor = scope.get("valid_to"), scope.get("successor")
        if end and successor in self.units and self.as_of.end_date() > end:
            return self.units[successor]
        return None

    def quarter_reporting(self) -> dict:
        """The quarter's returns: counts and who did not send one.

        ``counts`` is None when the quarter is not counted: ``tracked`` False means chitieu has
        not received any return yet (returns went on paper), True that no unit had to report.
        """
        label = self.as_of.label()
        counts = next((r for r in self.reporting["by_period"] if r["period"] == label), None)
        missing = self.reporting["missing"]
        if not missing.empty:
            missing = missing[missing["Kỳ"] == label].reset_index(drop=True)
        return {"counts": counts, "missing": missing, "due_days": self.reporting["due_days"],
                "tracked": bool(self.reporting["by_period"])}


def next_quarter(p: Period) -> Period:
    q = p.quarter or 4
    return Period(p.year + (q == 4), q % 4 + 1)


def parse_quarter(text: str) -> Period:
    """``2025Q2`` → the quarter; anything else → ExportError in Vietnamese."""
    try:
        return periods.parse_quarter(text)
    except PeriodError as e:     # NotAQuarter too: its message says a quarter is needed
        raise ExportError(str(e)) from None


def report_data(db, plan_id: str, period: str | Period, unit: str | None = None) -> ReportData:
    """Read the plan as of the end of ``period`` (a quarter): assessments, series, milestones, returns."""
    as_of = period if isinstance(period, Period) else parse_quarter(period)
    with connect(db_path(db)) as con:
        cat = read_catalog(con)
        try:
            plan = cat.plan(plan_id)
        except CatalogError as e:
            raise ExportError(str(e)) from None
        if not plan.start <= as_of.year <= plan.end + 1:
            raise ExportError(f"{as_of.label()} nằm ngoài thời gian của kế hoạch ({plan.start}–{plan.end})")
        units = units_by_code(con)
        unit = unit or plan.scope_unit
        if unit not in units:
            raise ExportError(f"Không có đơn vị '{unit}'")
        report = assess_plan(con, plan.id, as_of=as_of, unit=unit, catalog=cat)
        codes = sorted({t.indicator for t in plan.targets})
        # the report's own unit only: the other units' values are not read (issue 12)
        mine = current_values(con, codes, [unit]) if codes else pd.DataFrame()
        benches = {t.id: series_points(current_values(con, [t.benchmark["indicator"]], [t.benchmark["unit"]]))
                   for t in plan.targets if t.benchmark}
        # Every unit under the plan's scope is expected to report in the quarters it exists (as on the Đơn vị
        # page); reporting_table keeps, for each quarter, the units valid during it (districts until 30/06/2025).
        # Only this plan's units' returns: another province's returns say nothing about who owes one here.
        subunits = plan_units(con, plan.scope_unit)[1:]
        uploads = uploads_for_reporting(con, subunits)
        # issue 11: who owes what comes from the plan's obligations, not from a fixed rule
        obligation_rows = rows_through(con, plan, as_of, catalog=cat) if plan.obligations else None
    by_ind = {}
    if not mine.empty:
        by_ind = {code: series_points(g) for code, g in mine.groupby("indicator")}
    # a unit's row shows the target it is judged against (kpi.assess.unit_target), not the province's
    seen = collections.Counter(t.indicator for t in plan.targets)
    rows = [TargetRow(getattr(report.unit_targets.get(t.id), "target", None) or t, cat.indicators[t.indicator], a,
                      twin=seen[t.indicator] > 1)
            for t, a in zip(plan.targets, report.targets)]
    by_mid = {m.id: m for m in plan.milestones}
    milestones = [MilestoneRow(by_mid[ma.milestone_id], ma) for ma in report.milestones]
    if obligation_rows is not None:
        reporting = obligations_table(obligation_rows)
    else:
        reporting = reporting_table(plan, units, uploads, subunits, as_of)
    return ReportData(
        db=db_path(db), catalog=cat, report=report, unit_name=unit_label(units.get(unit), unit), rows=rows,
        series={t.id: by_ind.get(t.indicator, []) for t in plan.targets},
        benchmarks={t.id: benches.get(t.id) for t in plan.targets}, milestones=milestones,
        reporting=reporting, units=units)


# --- charts ------------------------------------------------------------------------

UNIT_CHARTS = {
    "units_ranking": ("ranking_chart", "Xếp hạng đơn vị theo tỷ lệ chỉ tiêu đạt / đúng tiến độ"),
    "units_heatmap": ("heatmap", "Tiến độ theo đơn vị và chỉ số"),
    "units_reporting": ("reporting_chart", "Tình hình nộp báo cáo quý"),
}


def unit_level(as_of: Period) -> str:
    """Districts until 30/06/2025, communes after: the level whose units report in the quarter."""
    return "district" if as_of.end_date() <= LAST_OLD_DAY else "commune"


def units_view(data: ReportData) -> dict:
    """The Đơn vị page's data for the plan and quarter (its charts are the unit charts), read once."""
    if data.units_view is None:
        data.units_view = comparison.units_view(data.db, plan_id=data.plan.id, as_of=str(data.as_of),
                                           level=unit_level(data.as_of))
    return data.units_view


# The targets whose charts the report carries: missed, or hard to reach (off track, going backwards).
HARD = ("missed", "regressing", "off_track")


# Charts of single targets in the signed report: the worst ones, three pages of three. Every target is in the
# appendix table anyway; a report of twenty charts is not read (issue 15).
REPORT_TARGET_CHARTS = 9


def report_charts(data: ReportData, brief: bool = False) -> list[str]:
    """The charts the Word report carries: the counts, then each target missed or hard to reach, worst first.

    The brief carries at most four: the counts and the three worst targets.
    """
    keys = ["status"] if data.plan.targets else []
    keys += [f"target:{r.target.id}" for r in data.attention if r.status in HARD][:REPORT_TARGET_CHARTS]
    return keys[:4] if brief else keys


def chart_choices(data: ReportData) -> dict[str, str]:
    """Every chart that can be exported for this plan: key → label (Vietnamese)."""
    out = {}
    if data.plan.targets:
        out["status"] = "Chỉ tiêu theo trạng thái"
        view = units_view(data)
        out.update({k: label for k, (field, label) in UNIT_CHARTS.items() if view.get(field) is not None})
    for r in sorted(data.rows, key=lambda r: (r.status not in ATTENTION,
                                              ATTENTION.index(r.status) if r.status in ATTENTION else 0)):
        out[f"target:{r.target.id}"] = f"{r.status_text} · {r.target.section} · {r.indicator.name}"
    return out


def chart(data: ReportData, key: str) -> go.Figure | None:
    """The figure for ``key`` (see chart_choices), from the kpi.charts builders; None when there is nothing to draw."""
    if key == "status":
        return charts.status_bar(data.counts(), title="Chỉ tiêu theo trạng thái", source=data.source)
    if key.startswith("target:"):
        row = next((r for r in data.rows if r.target.id == key[7:]), None)
        if row is None:
            raise KeyError(key)
        t = row.target
        return charts.target_chart(t, row.indicator, data.series[t.id], row.assessment, data.as_of,
                                   benchmark=data.benchmarks[t.id], title=row.indicator.name, source=data.source)
    if key in UNIT_CHARTS:
        return units_view(data)[UNIT_CHARTS[key][0]]
    raise KeyError(key)


def file_stem(key: str, index: int) -> str:
    """A plain-ASCII file name for a chart: ``01_trang-thai``, ``02_chi-tieu_poverty_2025``."""
    name = {"status": "trang-thai", "units_ranking": "xep-hang-don-vi", "units_heatmap": "tien-do-don-vi",
            "units_reporting": "nop-bao-cao"}.get(key) or "chi-tieu_" + key.split(":", 1)[-1]
    return f"{index:02d}_{name}"
