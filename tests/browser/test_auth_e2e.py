"""Signing in, and names from data or file names that carry HTML or script, in headless Chromium."""

import pytest

from kpi.store import connect
from tests.browser.server import launch_browser, sign_in, streamlit_server, wait_idle

pytestmark = pytest.mark.browser

PROVINCE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">Điện Biên **đậm**'
DISTRICT = 'Huyện Tuần Giáo <b>in đậm</b><img src=x onerror="window.__xss=4">'
INDICATOR = '<img src=x onerror="window.__xss=3">Tỷ lệ che phủ rừng [bấm](javascript:window.__xss=5)'
FILE_NAME = '<img src=x onerror="window.__xss=6">.csv'


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as b:
        yield b


def _no_xss(page):
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert not page.locator("[data-testid='stException']").count()


def test_wrong_password_then_sign_in_and_out(demo_copy, browser):
    with streamlit_server(db=demo_copy) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(url)
        wait_idle(page)
        assert "Chế độ minh họa: tài khoản lanhdao" in page.inner_text("body")
        page.get_by_label("Tên đăng nhập").fill("vanphong")
        page.get_by_label("Mật khẩu").fill("khong-dung")
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.").wait_for(timeout=30_000)
        sign_in(page, "vanphong")
        assert page.locator("h1").first.inner_text() == "Tổng quan"
        assert "Văn phòng Sở Nội vụ (minh họa) (vanphong)" in page.inner_text("[data-testid='stSidebar']")
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_text("Đã đăng xuất.").wait_for(timeout=30_000)
        assert page.locator("h1").first.inner_text() == "Đăng nhập"
        page.close()


def test_html_and_script_in_names_show_as_text(demo_copy, browser, tmp_path):
    with connect(demo_copy) as con:
        con.execute("UPDATE units SET name = ? WHERE code = '11'", [PROVINCE])
        con.execute("UPDATE units SET name = ? WHERE code = '099'", [DISTRICT])
        con.execute("UPDATE indicators SET name = ? WHERE code = 'forest_cover'", [INDICATOR])
    hostile_file = tmp_path / FILE_NAME
    hostile_file.write_text("indicator,unit,period,value\nforest_cover,11,2019,36.9\n", encoding="utf-8")
    with streamlit_server(db=demo_copy) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(f"{url}/chi_tieu?target=forest_cover_2025")
        wait_idle(page)
        sign_in(page, "vanphong")
        _no_xss(page)
        assert page.locator("h1").first.inner_text() == INDICATOR              # the literal text, as written
        assert page.get_by_text('<img src=x onerror="window.__xss=2">Điện Biên **đậm**').count()
        page.get_by_role("link", name="Tổng quan").click()
        wait_idle(page)
        _no_xss(page)
        assert page.get_by_text("<script>window.__xss=1</script>", exact=False).count()
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Đơn vị").click()
        wait_idle(page)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2")
        _no_xss(page)
        ranking = page.locator(".js-plotly-plot").first.text_content()
        assert "Huyện Tuần Giáo <b>in đậm</b><img" in ranking                    # Plotly shows it, not renders it
        page.get_by_role("link", name="Nhập số liệu").click()
        wait_idle(page)
        page.locator("[data-testid='stFileUploaderDropzoneInput'][accept*='.xlsx']").set_input_files(str(hostile_file))
        page.get_by_text("Kết quả kiểm tra (chưa ghi)").wait_for(timeout=30_000)
        wait_idle(page)
        _no_xss(page)
        # the browser sends the name with '"' as %22; the rest arrives, and shows, as typed
        assert page.get_by_text("tệp <img src=x onerror=", exact=False).count()
        page.get_by_role("button", name="Xác nhận ghi vào cơ sở dữ liệu").click()
        page.get_by_text("Đã ghi: lần nạp số").wait_for(timeout=30_000)
        wait_idle(page)
        _no_xss(page)
        page.screenshot(path=str(tmp_path / "xss.png"), full_page=True)
        page.close()
