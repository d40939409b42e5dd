"""What only people can write into a quarter's report, kept per plan and quarter.

    save_texts(db, "dienbien_2021_2025", "2025Q2", {"causes": "Do thiên tai…"}, actor=actor)
    load_texts(db, "dienbien_2021_2025", "2025Q2").causes        # 'Do thiên tai…'

chitieu drafts what the data says (targets at risk, units that did not
report, overdue milestones); these texts are the rest: the causes, the
directions and solutions, the proposals, and who signs. Every save adds rows
(``report_texts``, migration 9); the newest row of a section wins, so an
earlier wording is never lost. An empty text clears a section.
"""

from __future__ import annotations

import dataclasses

from kpi import audit
from kpi.permissions import authorize
from kpi.store import connect, db_path, transaction

RIGHT = "write_report"       # the secretariat and admins

# section → what the export page's text box is labelled (Vietnamese)
SECTIONS: dict[str, str] = {
    "assessment": "Đánh giá chung (mục I, sau số liệu)",
    "causes": "Nguyên nhân của tồn tại, hạn chế (mục II.2)",
    "directions": "Phương hướng, nhiệm vụ, giải pháp (mục III, sau phần chitieu soạn)",
    "proposals": "Đề xuất, kiến nghị (mục IV)",
    "signer_name": "Họ và tên người ký",
    "signer_title": "Chức vụ người ký",
    "deputy_title": "Ký thay (KT.): chức vụ cấp phó, để trống nếu thủ trưởng ký",
}


@dataclasses.dataclass(frozen=True)
class ReportTexts:
    assessment: str = ""
    causes: str = ""
    directions: str = ""
    proposals: str = ""
    signer_name: str = ""
    signer_title: str = ""      # "GIÁM ĐỐC"; empty: the letterhead's default
    deputy_title: str = ""      # "PHÓ GIÁM ĐỐC": the deputy signs "KT. GIÁM ĐỐC"

    def paragraphs(self, section: str) -> list[str]:
        """A section's text as paragraphs (blank lines and line breaks both separate them)."""
        return [p.strip() for p in getattr(self, section).splitlines() if p.strip()]


def load_texts(db, plan_id: str, period: str) -> ReportTexts:
    """The newest text of every section for the plan and quarter (empty where nobody wrote one)."""
    with connect(db_path(db)) as con:
        rows = con.execute(
            "SELECT section, text FROM report_texts WHERE plan_id = ? AND period = ? "
            "QUALIFY row_number() OVER (PARTITION BY section ORDER BY written_at DESC, rowid DESC) = 1",
            [plan_id, str(period)]).fetchall()
    known = {k: v for k, v in rows if k in SECTIONS}
    return ReportTexts(**known)


def save_texts(db, plan_id: str, period: str, texts: dict[str, str], actor) -> list[str]:
    """Store the sections that changed, with an audit entry; returns their names.

    ``actor``: a ``kpi.permissions.Actor`` (PermissionDenied unless the secretariat or an admin).
    Unknown section names raise ValueError.
    """
    authorize(actor, RIGHT)
    unknown = set(texts) - set(SECTIONS)
    if unknown:
        raise ValueError(f"Không có mục '{', '.join(sorted(unknown))}' trong báo cáo")
    old = dataclasses.asdict(load_texts(db, plan_id, period))
    changed = [k for k, v in texts.items() if (v or "").strip() != old[k]]
    if changed:
        with connect(db_path(db)) as con, transaction(con):
            for k in changed:
                con.execute("INSERT INTO report_texts (plan_id, period, section, text, written_by) VALUES (?,?,?,?,?)",
                            [plan_id, str(period), k, (texts[k] or "").strip(), actor.username])
            audit.record(con, actor, "report_text", f"{plan_id} {period}",
                         before={k: old[k] for k in changed}, after={k: (texts[k] or "").strip() for k in changed})
    return changed
