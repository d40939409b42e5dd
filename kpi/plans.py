"""The plans page: every plan with its document, targets in the plan's words, and milestones."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi import progress
from kpi.catalog import KIND_LABELS
from kpi.fmt import fmt_date
from kpi.periods import Period
from kpi.repo import mark_milestone, milestone_marks, read_catalog, units_by_code
from kpi.store import connect, db_path, open_existing
from kpi.texts import target_text, unit_label


def plans_view(path=None, as_of: str | None = None) -> list[dict]:
    """Every plan with its document, targets in the plan's words and milestones with their state."""
    today = dt.date.today()
    out = []
    with open_existing(path) as con:
        cat = read_catalog(con)
        units = units_by_code(con)
        for plan in cat.plans.values():
            marks = milestone_marks(con, plan.id)
            day = Period.parse(as_of).end_date() if as_of else today
            ms = []
            for m in plan.milestones:
                mark = marks.get(m.id)
                a = progress.assess_milestone(m, mark.done_on if mark else None, day)
                meta = progress.MILESTONE_STATUSES[a.status]
                ms.append({"id": m.id, "Trạng thái": f"{meta['symbol']} {meta['label']}", "status": a.status,
                           "Mốc": m.title, "Hạn": fmt_date(m.deadline), "Chịu trách nhiệm": m.responsible,
                           "Nhận định": a.sentence, "Ghi chú": mark.note if mark else "",
                           "Người xác nhận": mark.recorded_by if mark else "", "Căn cứ": m.quote})
            targets = [{"Mục": t.section, "Chỉ số": cat.indicators[t.indicator].name,
                        "Loại": KIND_LABELS.get(t.kind, t.kind), "Mục tiêu": target_text(t, cat.indicators[t.indicator]),
                        "Nguyên văn kế hoạch": t.quote, "Cách hiểu": t.choice} for t in plan.targets]
            out.append({"plan": plan, "reference": plan.reference(), "targets": pd.DataFrame(targets),
                        "scope_name": unit_label(units.get(plan.scope_unit), plan.scope_unit),
                        "milestones": pd.DataFrame(ms), "milestone_ids": [m.id for m in plan.milestones],
                        "milestone_titles": {m.id: m.title for m in plan.milestones}})
    return out


def set_milestone(path, plan_id: str, milestone_id: str, done_on: dt.date | None, note: str, *, actor) -> None:
    """Mark a milestone done (or not) as ``actor`` (the secretariat, an admin): PermissionDenied otherwise."""
    with connect(db_path(path)) as con:
        mark_milestone(con, plan_id, milestone_id, done_on, note, actor=actor)
