"""A real `streamlit run` and Debian's chromium through Playwright, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHITIEU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: str | os.PathLike | None = None, env: dict | None = None, timeout: float = 60):
    """Start the app on a free loopback port; yield its URL; stop it by its own PID."""
    port = free_port()
    e = dict(os.environ)
    if db:
        e["CHITIEU_DB"] = str(db)
    e.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit stopped: {proc.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("streamlit did not become healthy")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def launch_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the run: a heading, no running status, no skeleton, twice in a row."""
    js = """() => !!document.querySelector('[data-testid="stException"]') || !!document.querySelector('[data-testid="stHeading"]')
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-testid="stSkeleton"]')"""
    page.wait_for_function(js, timeout=timeout)
    page.wait_for_timeout(600)
    page.wait_for_function(js, timeout=timeout)
    page.wait_for_timeout(400)


def sign_in(page, username: str = "vanphong", password: str = "minhhoa2025", timeout: float = 60_000) -> None:
    """Fill the sign-in form (the demo accounts' password by default) and wait for the first page after it."""
    page.locator("[data-testid='stHeading']").filter(has_text="Đăng nhập").first.wait_for(timeout=timeout)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_function("() => { const h = document.querySelector('h1'); return h && h.innerText !== 'Đăng nhập'; }",
                           timeout=timeout)
    wait_idle(page, timeout=timeout)
