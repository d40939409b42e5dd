"""Every CHITIEU_* setting is in the one table (kpi.settings) and in the README, and nothing reads one around it."""

import re
from pathlib import Path

import pytest

from kpi import settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(settings.SETTINGS))
def test_setting_is_documented_in_the_readme(name):
    assert f"`{name}`" in README, f"{name} is not in the README's settings table"


def test_code_reads_settings_only_through_the_table():
    pattern = re.compile(r"environ(?:\.get)?\s*[\[(]\s*[\"'](CHITIEU_\w+)")
    used = {}
    for folder in ("kpi", "etl", "pages"):
        for p in (ROOT / folder).rglob("*.py"):
            for name in pattern.findall(p.read_text(encoding="utf-8")):
                used.setdefault(name, []).append(str(p.relative_to(ROOT)))
    assert used == {}, f"read kpi.settings.get(...) instead: {used}"


def test_every_setting_named_in_the_code_is_in_the_table():
    names = set()
    for folder in ("kpi", "etl", "pages"):
        for p in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"[\"'](CHITIEU_[A-Z_]+)[\"']", p.read_text(encoding="utf-8")))
    assert names <= set(settings.SETTINGS), names - set(settings.SETTINGS)


@pytest.mark.parametrize("name, raw, expected", [
    ("CHITIEU_DB_WAIT", "2,5", 2.5),
    ("CHITIEU_LOCKOUT_FAILURES", "3", 3),
    ("CHITIEU_REPORT_DUE_DAYS", "", 15),
    ("CHITIEU_TEST_SLOW_LOAD", None, None),
])
def test_get_reads_the_environment_else_the_default(name, raw, expected):
    env = {} if raw is None else {name: raw}
    assert settings.get(name, environ=env) == expected
