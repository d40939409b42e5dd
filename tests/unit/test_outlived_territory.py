"""A plan that outlives its territory: Bến Tre's 2024-2025 plan after the province joined Vĩnh Long (01/07/2025)."""

from __future__ import annotations

import pytest

from etl.cli import main
from kpi.assess import assess_plan
from kpi.catalog import load_catalog
from kpi.store import connect

PLAN = load_catalog().plans["bentre_2024_2025"]
# a flow the plan targets in 2025 (a quarter-alone figure exists only for flows)
FLOW = next(t.indicator for t in PLAN.targets
            if t.end == 2025 and t.kind == "step" and load_catalog().indicators[t.indicator].temporal == "flow")


@pytest.fixture
def db(db_file):
    assert main(["init"]) == 0
    return db_file


def bulk(tmp_path, rows, name="f.csv"):
    p = tmp_path / name
    p.write_text("indicator,unit,period,value\n" + "".join(f"{FLOW},{u},{per},{v}\n" for u, per, v in rows),
                 encoding="utf-8")
    return str(p)


@pytest.mark.parametrize("period", ["2025Q3", "2025Q3-YTD", "2025Q4", "2025"])
def test_every_kind_of_period_loads_under_the_old_code_with_a_note(db, tmp_path, capsys, period):
    assert main(["load", bulk(tmp_path, [("83", period, 120)])]) == 0
    out = capsys.readouterr().out
    assert "Cảnh báo" in out and "Số liệu tính theo địa giới cũ của Bến Tre (mã 83, hết hiệu lực từ 01/07/2025, " \
                                 "nay thuộc 86)" in out
    with connect(db) as con:
        note = con.execute("SELECT note FROM observations WHERE unit = '83' AND period = ?", [period]).fetchall()
    assert note and "địa giới cũ" in note[0][0]


@pytest.mark.parametrize("unit, period", [("83", "2026"), ("83", "2026Q1"), ("829", "2025Q3")])
def test_beyond_the_plan_or_a_unit_no_plan_follows_is_still_refused(db, tmp_path, capsys, unit, period):
    assert main(["load", bulk(tmp_path, [(unit, period, 5)])]) == 1
    assert "đã hết hiệu lực từ 01/07/2025" in capsys.readouterr().out


def test_before_the_merger_no_note(db, tmp_path, capsys):
    assert main(["load", bulk(tmp_path, [("83", "2025Q2", 5)])]) == 0
    assert "địa giới cũ" not in capsys.readouterr().out


def test_verdicts_use_the_figures_after_the_merger(db, tmp_path):
    assert main(["load", bulk(tmp_path, [("83", "2025Q3-YTD", 777)])]) == 0
    with connect(db) as con:
        report = assess_plan(con, PLAN.id, as_of="2025Q3")
    mine = [a for a in report.targets if PLAN.target(a.target_id).indicator == FLOW]
    assert mine and any(a.latest_value == 777 for a in mine)
    assert report.warnings == []


def test_the_successor_unit_gets_a_warning(db, capsys):
    with connect(db) as con:
        report = assess_plan(con, PLAN.id, as_of="2025Q3", unit="86")
    assert len(report.warnings) == 1 and "phủ một địa bàn rộng hơn" in report.warnings[0]
    assert main(["status", "--plan", PLAN.id, "--unit", "86", "--as-of", "2025Q3"]) == 0
    assert "Từ 01/07/2025 địa bàn này thuộc Vĩnh Long (mã 86)" in capsys.readouterr().out
