"""Shared fixtures: a small catalogue on disk and a real temporary DuckDB file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kpi import accounts
from kpi.catalog import load_catalog
from kpi.store import connect

# argon2id at its real cost (64 MiB, about 0,16 s a hash) would make every fixture that creates an
# account slow; tests/unit/test_auth.py checks the real parameters on kpi.auth's own default.
REAL_HASHER = accounts.HASHER
accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MINI_INDICATORS = """
indicators:
  grdp_growth:
    name: Tốc độ tăng trưởng GRDP
    unit: "%"
    direction: up
    temporal: rate
    area: Kinh tế
    decimals: 2
  poverty_rate:
    name: Tỷ lệ hộ nghèo đa chiều
    unit: "%"
    direction: down
    temporal: stock
    area: Xã hội
    aggregation: weighted_mean
    weight: population
    min: 0
    max: 100
    breaks:
      - {year: 2021, note: Chuẩn nghèo đa chiều 2021-2025}
  population:
    name: Dân số trung bình
    unit: người
    direction: neither
    temporal: stock
    area: Xã hội
    aggregation: sum
    decimals: 0
    min: 0
  new_jobs:
    name: Số lao động được tạo việc làm mới
    unit: lao động
    direction: up
    temporal: flow
    area: Xã hội
    aggregation: sum
    decimals: 0
    min: 0
"""

MINI_PLAN = """
plan:
  id: mini_2021_2025
  title: Kế hoạch thử nghiệm giai đoạn 2021-2025
  short_title: Thử nghiệm
  doc_number: 383/KH-UBND
  doc_date: 2021-02-09
  issuer: UBND tỉnh Điện Biên
  scope_unit: "11"
  period: [2021, 2025]
  baseline_year: 2020
  source: 002_fd90cf8112a35a61.txt
targets:
  - id: grdp_growth_avg
    section: "1.1"
    indicator: grdp_growth
    kind: avg_growth
    cmp: ">="
    value: 7.16
    quote: "Tốc độ tăng trưởng GRDP bình quân đạt 7,16%/năm"
  - id: poverty_2025
    section: "1.2"
    indicator: poverty_rate
    kind: level_max
    cmp: "<"
    value: 16
    baseline: {year: 2020, value: 29.93}
    quote: "Giảm tỷ lệ hộ nghèo tiếp cận đa chiều từ 29,93% năm 2020 xuống còn dưới 16% năm 2025"
  - id: jobs_yearly
    section: "1.2"
    indicator: new_jobs
    kind: yearly
    cmp: ">="
    value: 9000
    quote: "tạo việc làm mới cho 9.000 lao động/năm"
milestones:
  - id: mid_term_review
    title: Sơ kết kế hoạch
    deadline: 2023-12-31
    responsible: Sở Nội vụ
    quote: "Thời gian sơ kết kế hoạch phát động phong trào thi đua: năm 2023"
"""


def write_catalog(directory: Path, indicators: str = MINI_INDICATORS, plans: dict | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "indicators.yaml").write_text(textwrap.dedent(indicators), encoding="utf-8")
    for name, text in (plans if plans is not None else {"mini_2021_2025": MINI_PLAN}).items():
        (directory / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


@pytest.fixture
def mini_catalog_dir(tmp_path) -> Path:
    return write_catalog(tmp_path / "targets")


@pytest.fixture
def mini_catalog(mini_catalog_dir):
    return load_catalog(mini_catalog_dir)


@pytest.fixture
def db_file(tmp_path, monkeypatch) -> Path:
    """A fresh database file path; CHITIEU_DB points at it for the CLI."""
    path = tmp_path / "chitieu.duckdb"
    monkeypatch.setenv("CHITIEU_DB", str(path))
    return path


@pytest.fixture(scope="session")
def mini_db_template(tmp_path_factory) -> Path:
    """``init`` with the small catalogue and the real unit list, run once per test session."""
    from etl.cli import main

    folder = tmp_path_factory.mktemp("mini")
    path = folder / "chitieu.duckdb"
    assert main(["--db", str(path), "init", "--targets", str(write_catalog(folder / "targets"))]) == 0
    return path


@pytest.fixture
def mini_db(db_file, mini_catalog_dir, mini_db_template):
    """A database initialised with the small catalogue and the real unit list: a copy of the session's
    template file (``init`` for every test was a third of the suite's time)."""
    import shutil

    for src in (mini_db_template, mini_db_template.with_name(mini_db_template.name + ".wal")):
        if src.exists():
            shutil.copy(src, db_file.with_name(db_file.name + src.name[len(mini_db_template.name):]))
    return db_file


@pytest.fixture
def con(mini_db):
    with connect(mini_db) as c:
        yield c


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A database with the real catalogue and the demo data (built once per test run)."""
    from etl.cli import main

    path = tmp_path_factory.mktemp("demo") / "chitieu.duckdb"
    assert main(["--db", str(path), "init"]) == 0
    assert main(["--db", str(path), "demo"]) == 0
    return path


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo database (for tests that write), set as CHITIEU_DB."""
    import shutil

    path = tmp_path / "chitieu.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("CHITIEU_DB", str(path))
    return path

