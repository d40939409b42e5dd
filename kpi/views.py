"""What the pages show, computed without Streamlit (so tests can call it)."""

from __future__ import annotations

from kpi import progress
from kpi.assess import assess_plan
from kpi.repo import catalog_from_db
from kpi.store import connect, db_path, scalar


class NoDatabase(RuntimeError):
    """The database is missing or has no catalogue yet."""


def plan_summaries(path=None) -> list[dict]:
    """One row per plan: reference, as-of and the count of targets by status."""
    p = db_path(path)
    if not p.exists():
        raise NoDatabase(f"Chưa có cơ sở dữ liệu {p}. Chạy: make db (hoặc python -m etl init && python -m etl demo)")
    with connect(p) as con:
        if not scalar(con, "SELECT count(*) FROM plans"):
            raise NoDatabase("Cơ sở dữ liệu chưa có danh mục chỉ tiêu. Chạy: python -m etl init")
        cat = catalog_from_db(con)
        reports = [assess_plan(con, plan_id, catalog=cat) for plan_id in cat.plans]
    out = []
    for r in reports:
        counts = r.counts() if r.plan.targets else {}
        cards = [dict(status=s, count=n, **progress.STATUSES[s]) for s, n in counts.items()]
        mc = r.milestone_counts()
        cards += [dict(status=s, count=n, **progress.MILESTONE_STATUSES[s]) for s, n in mc.items()
                  if r.plan.milestones]
        out.append(dict(id=r.plan.id, short_title=r.plan.short_title, reference=r.plan.reference(),
                        as_of_label=r.as_of.as_of_label(), cards=cards))
    return out
