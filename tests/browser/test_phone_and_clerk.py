"""What users do, in Chromium at a desk's 1440 px and a phone's 390 px, with screenshots to look at.

- a clerk of Xã Tuần Giáo sends the Quý IV/2025 return (a quarter the province has not reached),
  follows the link the page gives and sees that quarter and that figure;
- a leader on a phone reads the overview (cards two per row, targets as a list) and filters it by
  a status card; the units page shows a ranked list instead of the heatmap.

Screenshots go to ``$CHITIEU_SHOTS`` (default: the test's temporary folder).
"""

import os
from pathlib import Path

import pytest

from tests.browser.server import launch_browser, sign_in, streamlit_server, wait_idle

pytestmark = pytest.mark.browser

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as b:
        yield b


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CHITIEU_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _no_exception(page) -> None:
    assert not page.locator("[data-testid='stException']").count()


def _nav(page, title: str) -> None:
    """Open a page from the menu (on a phone the menu is folded away: open it first)."""
    link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first
    box = link.bounding_box() if link.is_visible() else None
    folded = box is None or box["x"] + box["width"] <= 0
    if folded:
        page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button").first.click()
        link.wait_for(state="visible", timeout=10_000)
        page.wait_for_timeout(500)
    link.click()
    wait_idle(page)
    if folded:                      # fold the menu away again, as a phone user would
        close = page.locator("[data-testid='stSidebarCollapseButton'] button").first
        if close.count() and close.is_visible():
            close.click()
            page.wait_for_timeout(500)


def test_a_clerk_sends_a_return_and_then_sees_it(demo_copy, browser, tmp_path, shots):
    from etl import intake
    from tests.unit.returns_kit import fill_template

    data, name = intake.template_bytes(demo_copy, "dienbien_2021_2025", "11_tuan_giao", "2025Q4")
    files = {}
    for size, ytd in (("1440", 412), ("390", 415)):         # on the phone, a corrected figure: a new revision
        files[size] = tmp_path / size / name
        files[size].parent.mkdir()
        files[size].write_bytes(data)
        fill_template(files[size], {"new_jobs": {"quarter": 95, "ytd": ytd}})
    with streamlit_server(db=demo_copy) as url:
        for size, viewport, ytd in (("1440", DESK, "412"), ("390", PHONE, "415")):
            path = files[size]
            page = browser.new_page(viewport=viewport)
            page.goto(url)
            sign_in(page, "tuangiao")
            _nav(page, "Nhập số liệu")
            up = page.locator("[data-testid='stSelectbox']")
            up.filter(has_text="Đơn vị báo cáo").first.click()
            page.get_by_role("option", name="Xã Tuần Giáo").click()
            wait_idle(page)
            up.filter(has_text="Quý").last.click()
            page.get_by_role("option", name="Quý IV/2025").click()
            wait_idle(page)
            # the uploader speaks Vietnamese and states the loaders' limit
            assert "tối đa 20 MB" in page.evaluate(
                "() => getComputedStyle(document.querySelector('[data-testid=stFileUploaderDropzoneInstructions] > div'),"
                " '::after').content")
            page.locator("[data-testid='stFileUploaderDropzoneInput'][accept*='.xlsx']").set_input_files(str(path))
            page.get_by_text("Kết quả kiểm tra (chưa ghi)").wait_for(timeout=30_000)
            wait_idle(page)
            page.get_by_role("button", name="Xác nhận ghi vào cơ sở dữ liệu").click()
            page.get_by_text("Đã ghi: lần nạp số").wait_for(timeout=30_000)
            wait_idle(page)
            page.screenshot(path=str(shots / f"clerk-sent-{size}.png"), full_page=True)
            page.get_by_role("link", name="Xem số liệu vừa gửi: Xã Tuần Giáo, Quý IV/2025").click()
            wait_idle(page)
            # the unit's overview at the quarter just sent: not quietly moved back to the province's Q3
            assert page.locator("h1").first.inner_text() == "Tổng quan"             # the default page: "/"
            assert "asof=2025Q4" in page.url and "unit=11_tuan_giao" in page.url
            caption = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
            assert "Đơn vị: Xã Tuần Giáo" in caption and "Số liệu đến Quý IV/2025" in caption
            page.screenshot(path=str(shots / f"clerk-overview-{size}.png"), full_page=True)
            # and the target page's headline shows that figure
            page.get_by_role("link", name="Số lao động được tạo việc làm mới", exact=True).first.click()
            wait_idle(page)
            metric = page.locator("[data-testid='stMetric']").first.inner_text()
            assert ytd in metric, metric
            page.screenshot(path=str(shots / f"clerk-target-{size}.png"), full_page=True)
            _no_exception(page)
            page.close()


def test_a_leader_filters_by_a_status_card_on_a_phone(demo_db, browser, shots):
    with streamlit_server(db=demo_db) as url:
        page = browser.new_page(viewport=PHONE, device_scale_factor=2)
        page.goto(url)
        sign_in(page, "lanhdao")
        assert page.locator("h1").first.inner_text() == "Tổng quan"
        page.screenshot(path=str(shots / "leader-overview-390.png"), full_page=True)
        first = page.locator(".st-key-ov_status_achieved [data-testid^='stBaseButton']:visible").first.bounding_box()
        second = page.locator(".st-key-ov_status_on_track [data-testid^='stBaseButton']:visible").first.bounding_box()
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"]     # two cards per row
        assert first["width"] < 200
        rows = page.locator("div[class*='st-key-trow_']:visible")
        assert rows.count() == 77
        rows.nth(3).scroll_into_view_if_needed()
        box = rows.nth(3).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 392                    # no column off screen
        page.locator(".st-key-ov_status_at_risk [data-testid^='stBaseButton']:visible").click()
        wait_idle(page)
        n = page.locator("div[class*='st-key-trow_']").count()
        heading = page.get_by_role("heading", name="Cần đẩy nhanh").first.inner_text()
        assert 0 < n < 77 and heading.endswith(f"({n})")
        page.screenshot(path=str(shots / "leader-filtered-390.png"), full_page=True)
        page.locator("div[class*='st-key-trow_']").nth(1).scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "leader-filtered-list-390.png"))
        _nav(page, "Đơn vị")
        assert page.locator(".st-key-units_narrow").is_visible() and not page.locator(".st-key-units_wide").is_visible()
        page.screenshot(path=str(shots / "leader-units-390.png"), full_page=True)
        _no_exception(page)
        page.close()
        desk = browser.new_page(viewport=DESK)
        desk.goto(url)
        sign_in(desk, "lanhdao")
        desk.locator(".st-key-ov_status_at_risk [data-testid^='stBaseButton']:visible").click()
        wait_idle(desk)
        assert desk.locator("div[class*='st-key-trow_']").count() == n
        assert not desk.get_by_role("button", name="Deploy").count()                 # no framework chrome
        desk.screenshot(path=str(shots / "leader-filtered-1440.png"), full_page=True)
        _nav(desk, "Đơn vị")
        assert desk.locator(".st-key-units_wide").is_visible() and not desk.locator(".st-key-units_narrow").is_visible()
        desk.screenshot(path=str(shots / "leader-units-1440.png"), full_page=True)
        _no_exception(desk)
        desk.close()
