"""The repository stands alone: nothing in it reads a path outside the clone.

A user's clone has no sibling folders; a test, page or doc that names one
works only on the machine that wrote it.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("tests", "kpi", "etl", "docs", "pages", "bench", "scripts", "targets")
# Built from parts so that this file does not match itself.
OUTSIDE = [re.compile(p) for p in (
    r"\.\./" + "shared",                      # the workplace's shared folder
    r"(?<![\w.])/" + r"(work|home|root|Users)/",   # absolute machine paths
    r"parents\[(?:[3-9])\]",                  # climbing above the repository from tests/unit
)]


def _files():
    for folder in FOLDERS:
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and p.suffix in {".py", ".md", ".yaml", ".yml", ".json", ".toml", ".sh", ".txt"} \
                    and "sources" not in p.parts:
                yield p


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_names_no_path_outside_the_repository(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    hits = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            for rx in OUTSIDE if rx.search(line)]
    assert not hits, f"{path.relative_to(ROOT)} names a path outside the repository: {hits[:3]}"


def test_every_plan_source_is_in_the_repository():
    import yaml
    for f in sorted((ROOT / "targets").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        if "plan" not in doc:
            continue
        src = ROOT / "targets" / doc["plan"]["source"]
        assert src.is_file(), f"{f.name}: plan.source {doc['plan']['source']} is not a file under targets/"
