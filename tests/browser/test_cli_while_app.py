"""The command line loads returns while the app is running and in use: both share one DuckDB file.

A real `streamlit run` serves the overview while `python -m etl load` writes;
the page is reloaded again and again meanwhile. The loads must succeed (the
writer waits while the app holds the file), the page must never show an
exception (the app waits while the writer holds it), and the next run of the
page shows the new figures.
"""

import os
import re
import subprocess
import sys

import openpyxl
import pytest

from etl.returns import applicable
from kpi import repo
from kpi.store import connect

from .server import ROOT, launch_browser, sign_in, streamlit_server, wait_idle

pytestmark = pytest.mark.browser
PLAN = "dienbien_2021_2025"


def _etl(db, *args, env=None):
    e = dict(os.environ, CHITIEU_DB=str(db), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, env=e, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check(db, *args):
    p = _etl(db, *args)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, (args, out, err)
    return out


def _filled_return(db, path, period, scale):
    """The province's return for ``period``, every open cell filled with plausible numbers."""
    _check(db, "template", "--plan", PLAN, "--unit", "11", "--period", period, "-o", str(path))
    with connect(db) as con:
        cat = repo.catalog_from_db(con)
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu 01"]
    for r in range(11, ws.max_row + 1):
        ind = cat.indicators.get(ws.cell(r, 2).value)
        if ind is None:
            continue
        level = (ind.max / 4 if ind.max is not None else 100.0) * scale
        flow = ind.temporal == "flow"
        ws.cell(r, 7, level * (2 if flow else 1))
        ws.cell(r, 8, level * (4 if flow else 1))
        if "quarter" in applicable(ind):
            ws.cell(r, 6, level)
    wb.save(path)
    return path


def _overview_state(page):
    page.wait_for_selector("text=Chưa có số liệu", timeout=30_000)
    text = page.inner_text("section.main, [data-testid='stMain']")
    as_of = re.search(r"Số liệu đến (Quý [IV]+/\d{4})", text)
    no_data = re.search(r"Chưa có số liệu\s+(\d+)", text)
    return (as_of.group(1) if as_of else None), (int(no_data.group(1)) if no_data else None)


def _no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:2000]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "chitieu.duckdb"
    _check(path, "init")
    (tmp_path / "first.csv").write_text("indicator,unit,period,value,status\n"
                                        "grdp_growth,11,2025Q1-YTD,6.1,preliminary\n", encoding="utf-8")
    _check(path, "load", str(tmp_path / "first.csv"))
    p = subprocess.run([sys.executable, "-m", "etl", "user", "add", "lanhdao", "--role", "viewer", "--password-stdin"],
                       cwd=ROOT, env=dict(os.environ, CHITIEU_DB=str(path)), input=f"{PASSWORD}\n", text=True,
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return path


PASSWORD = "mat-khau-lanh-dao"


def _reload(page, timeout=30_000):
    """A reload is a new session: sign in again (it waits, like any page, while the CLI holds the file)."""
    page.reload()
    wait_idle(page, timeout=timeout)
    sign_in(page, "lanhdao", PASSWORD, timeout=timeout)


def test_cli_loads_while_the_app_is_in_use(db, tmp_path):
    q2 = _filled_return(db, tmp_path / "q2.xlsx", "2025Q2", 1.0)
    q2_fixed = _filled_return(db, tmp_path / "q2_fixed.xlsx", "2025Q2", 1.1)
    with streamlit_server(db) as url, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?plan={PLAN}")
        wait_idle(page)
        sign_in(page, "lanhdao", PASSWORD)
        _no_exception(page)
        as_of0, no_data0 = _overview_state(page)
        assert as_of0 == "Quý I/2025" and no_data0 is not None

        # 1. The page reruns again and again while the CLI loads: the CLI waits its turn and succeeds.
        load = _etl(db, "load", str(q2), "--json")
        reloads = 0
        while load.poll() is None or reloads < 2:
            _reload(page)
            _no_exception(page)
            reloads += 1
        out, err = load.communicate()
        assert load.returncode == 0, err

        # 2. The CLI holds the file inside its transaction for seconds: the page waits, then renders.
        slow = _etl(db, "load", str(q2_fixed), "--json", env={"CHITIEU_TEST_SLOW_LOAD": "4"})
        line = slow.stderr.readline()
        assert "CHITIEU_TEST_SLOW_LOAD" in line, line
        _reload(page, timeout=60_000)
        _no_exception(page)
        out, err = slow.communicate(timeout=60)
        assert slow.returncode == 0, err
        assert '"changed": ' in out

        # 3. The next run shows the new figures (a fresh visit: the URL now pins the as-of quarter seen before).
        page.goto(f"{url}/?plan={PLAN}")
        wait_idle(page)
        sign_in(page, "lanhdao", PASSWORD)
        _no_exception(page)
        as_of1, no_data1 = _overview_state(page)
        page.screenshot(path=str(tmp_path / "after-load.png"), full_page=True)
    # The default as-of moves past Quý I/2025 (to Quý IV: the yearly estimate "Ước cả năm 2025" counts as
    # data for the year in kpi.assess.latest_period), and fewer targets are left without data.
    assert as_of1 != as_of0
    assert no_data1 < no_data0
    assert reloads >= 2
    listing = _check(db, "uploads", "--json")
    assert listing.count('"format": "return"') == 2
