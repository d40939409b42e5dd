"""End to end in headless Chromium against a real `streamlit run` on 127.0.0.1."""

import pytest

from tests.browser.server import launch_browser, sign_in, streamlit_server, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_db):
    with streamlit_server(db=demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as b:
        yield b


def _send_for_check(page, quarter: str, path) -> None:
    """On the upload page: pick the quarter, send the file, wait for the check (dry run) summary."""
    page.locator("[data-testid='stSelectbox']").filter(has_text="Quý").first.click()
    page.get_by_role("option", name=quarter).click()
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput'][accept*='.xlsx']").set_input_files(str(path))
    page.get_by_text("Kết quả kiểm tra (chưa ghi)").wait_for(timeout=30_000)
    wait_idle(page)


def _nav_labels(page) -> list[str]:
    return [x.strip().split("\n")[-1] for x in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def test_first_visit_straight_to_a_page_url(demo_db, browser):
    """A fresh server, and the very first request goes to /chi_tieu: it must run through app.py.

    Not signed in yet, the URL shows the sign-in form (no "Page not found"); after signing in, the
    page that was asked for, with its target.
    """
    with streamlit_server(db=demo_db) as url:
        page = browser.new_page()
        page.goto(f"{url}/chi_tieu?target=forest_cover_2025")
        wait_idle(page)
        assert page.title() == "chitieu – Theo dõi chỉ tiêu kế hoạch"          # app.py's page config ran
        assert page.locator("h1").first.inner_text() == "Đăng nhập"
        assert _nav_labels(page) == []                                         # nothing else before signing in
        assert not page.get_by_text("Page not found").count()
        sign_in(page, "vanphong")
        assert "/chi_tieu" in page.url
        assert _nav_labels(page) == ["Tổng quan", "Chỉ tiêu", "Đơn vị", "Kế hoạch", "Nhập số liệu", "Hộp nhận",
                                     "Xuất báo cáo", "Thêm kế hoạch", "Nhật ký"]
        assert page.locator("h1").first.inner_text() == "Tỷ lệ che phủ rừng"
        assert not page.locator("[data-testid='stException']").count()
        page.close()


def test_overview_then_open_a_target(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(server)
    wait_idle(page)
    sign_in(page, "lanhdao")
    assert _nav_labels(page) == ["Tổng quan", "Chỉ tiêu", "Đơn vị", "Kế hoạch", "Xuất báo cáo"]     # a leader reads
    assert page.locator("h1").first.inner_text() == "Tổng quan"
    assert "Số liệu đến Quý III/2025" in page.content()
    # the link keeps the view: the filters are in the URL
    assert "plan=dienbien_2021_2025" in page.url and "asof=2025Q3" in page.url
    page.get_by_role("link", name="Chỉ tiêu").click()
    wait_idle(page)
    assert "/chi_tieu" in page.url and "plan=dienbien_2021_2025" in page.url
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length === 1")
    assert "Thực hiện" in page.locator(".js-plotly-plot .legend").first.text_content()
    assert not page.locator("[data-testid='stException']").count()
    page.close()


def test_upload_a_filled_return_and_see_the_summary(demo_copy, browser, tmp_path):
    """Staff: overview → a target → the upload page, send a filled return, read the summary, confirm."""
    from etl import intake
    from tests.unit.returns_kit import fill_template

    data, name = intake.template_bytes(demo_copy, "dienbien_2021_2025", "11", "2025Q3")
    path = tmp_path / name
    path.write_bytes(data)
    fill_template(path, {"new_jobs": {"quarter": 2100, "ytd": 7600}, "budget_revenue_in_province": {"ytd": 1550}})
    with streamlit_server(db=demo_copy) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(url)
        wait_idle(page)
        sign_in(page, "vanphong")
        page.get_by_role("link", name="Chỉ tiêu").click()
        wait_idle(page)
        page.get_by_role("link", name="Nhập số liệu").click()
        wait_idle(page)
        assert page.locator("h1").first.inner_text() == "Nhập số liệu"
        _send_for_check(page, "Quý III/2025", path)
        metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
        assert any(m.startswith("Lỗi") and m.strip().endswith("0") for m in metrics), metrics
        page.get_by_role("button", name="Xác nhận ghi vào cơ sở dữ liệu").click()
        page.get_by_text("Đã ghi: lần nạp số").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
        assert not page.locator("[data-testid='stException']").count()
        page.close()
    from kpi.store import connect
    with connect(demo_copy) as con:
        got = con.execute("SELECT value FROM current_observations WHERE indicator='new_jobs' AND unit='11' "
                          "AND period='2025Q3-YTD'").fetchall()
    assert got == [(7600.0,)]


def test_upload_from_the_app_while_a_cli_load_holds_the_file(demo_copy, browser, tmp_path):
    """The app's confirm waits while `python -m etl load` holds the database, then both land."""
    import os
    import subprocess
    import sys

    from etl import intake
    from kpi.store import connect
    from tests.browser.server import ROOT
    from tests.unit.returns_kit import fill_template

    def form(unit, values):
        data, name = intake.template_bytes(demo_copy, "dienbien_2021_2025", unit, "2025Q3")
        path = tmp_path / name
        path.write_bytes(data)
        return fill_template(path, values)

    app_file = form("11", {"new_jobs": {"quarter": 2100, "ytd": 7600}})
    cli_file = form("11_thanh_nua", {"new_jobs": {"quarter": 90, "ytd": 260}})
    with streamlit_server(db=demo_copy) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(f"{url}/nhap_so_lieu")
        wait_idle(page)
        sign_in(page, "vanphong")          # and back on the page the URL named
        assert page.locator("h1").first.inner_text() == "Nhập số liệu"
        _send_for_check(page, "Quý III/2025", app_file)
        # the command line starts a load that holds the file for 4 seconds inside its transaction
        cli = subprocess.Popen([sys.executable, "-m", "etl", "load", str(cli_file)], cwd=ROOT, text=True,
                               env=dict(os.environ, CHITIEU_DB=str(demo_copy), CHITIEU_TEST_SLOW_LOAD="4"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert "CHITIEU_TEST_SLOW_LOAD" in cli.stderr.readline()   # it is inside its transaction now
        page.get_by_role("button", name="Xác nhận ghi vào cơ sở dữ liệu").click()
        page.get_by_text("Đã ghi: lần nạp số").wait_for(timeout=60_000)
        assert not page.locator("[data-testid='stException']").count()
        out, err = cli.communicate(timeout=60)
        assert cli.returncode == 0, (out, err)
        page.close()
    with connect(demo_copy) as con:
        got = dict(con.execute("SELECT unit, value FROM current_observations WHERE indicator='new_jobs' "
                               "AND period='2025Q3-YTD' AND unit IN ('11', '11_thanh_nua')").fetchall())
    assert got == {"11": 7600.0, "11_thanh_nua": 260.0}
