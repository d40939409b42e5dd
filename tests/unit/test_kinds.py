"""The one table of target kinds (kpi/kinds.py) and everything that must follow it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi import kinds, progress
from kpi.catalog import ALLOWED_CMP, KIND_LABELS, KINDS, REQUIRED, Indicator, Target
from kpi.texts import target_text

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_lists_the_registry_kinds():
    schema = json.loads((ROOT / "targets" / "schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["target"]["properties"]["kind"]["enum"] == list(kinds.KINDS)


def test_catalogue_names_are_read_from_the_registry():
    assert KINDS == tuple(kinds.KINDS)
    assert all(KIND_LABELS[k.id] == k.label and REQUIRED[k.id] == k.required for k in kinds.TABLE)
    assert ALLOWED_CMP == {k.id: k.cmp for k in kinds.TABLE if k.cmp}


def test_every_kind_has_a_rule_and_nothing_else_has_one():
    assert set(progress._RULES) == set(kinds.KINDS)


def test_every_kind_has_a_worked_example_in_the_method_doc():
    titles = [title for title, _ in progress.worked_examples()]
    for k in kinds.KINDS:
        assert any(t.startswith(k) for t in titles), k


@pytest.mark.parametrize("kind", list(kinds.KINDS))
def test_every_kind_has_wording_and_a_readme_row(kind):
    fields = {"cmp": ">=", "value": 10.0, "low": 10.0, "high": 12.0, "benchmark": {"indicator": "x", "unit": "VN"},
              "year": None}
    kw = {f: fields[f] for f in kinds.KINDS[kind].required if f != "year"}
    if "cmp" in kw and kinds.KINDS[kind].cmp:
        kw["cmp"] = kinds.KINDS[kind].cmp[0]
    t = Target("p", "t", "x", kind, "…", 2021, 2025, **kw)
    text = target_text(t, Indicator("x", "x", "%", "up", "Kinh tế"))
    assert text and "None" not in text
    readme = (ROOT / "targets" / "README.md").read_text(encoding="utf-8")
    assert f"| `{kind}` |" in readme


def test_flags_the_method_reads():
    assert kinds.EVERY_YEAR_KINDS == ("range", "yearly")
    assert "share" not in kinds.SCALED_KINDS and "avg_growth" not in kinds.SCALED_KINDS
