"""End to end in headless Chromium against a real `streamlit run` on 127.0.0.1."""

import pytest

from tests.browser.server import launch_browser, streamlit_server, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_db):
    with streamlit_server(db=demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as b:
        yield b


def _nav_labels(page) -> list[str]:
    return [x.strip().split("\n")[-1] for x in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def test_first_visit_straight_to_a_page_url(demo_db, browser):
    """A fresh server, and the very first request goes to /chi_tieu: it must run through app.py."""
    with streamlit_server(db=demo_db) as url:
        page = browser.new_page()
        page.goto(f"{url}/chi_tieu?target=forest_cover_2025")
        wait_idle(page)
        assert page.title() == "chitieu – Theo dõi chỉ tiêu kế hoạch"          # app.py's page config ran
        assert _nav_labels(page) == ["Tổng quan", "Chỉ tiêu", "Đơn vị", "Kế hoạch", "Nhập số liệu"]
        assert page.locator("h1").first.inner_text() == "Tỷ lệ che phủ rừng"
        assert not page.locator("[data-testid='stException']").count()
        page.close()


def test_overview_then_open_a_target(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(server)
    wait_idle(page)
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
