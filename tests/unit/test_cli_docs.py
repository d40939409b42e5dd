"""Every command of `python -m etl` and the test hook are documented in the README."""

import argparse
from pathlib import Path

from etl.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [name for name in sub.choices if f"python -m etl {name}" not in README]
    assert missing == []
