"""Screenshots of every page in headless Chromium, to look at what we built.

    .venv/bin/python scripts/screenshots.py OUT_DIR [--db PATH] [--user quantri --password minhhoa2025]

Starts `streamlit run app.py` on a free port, opens the sign-in page, then each
page (signing in each time: a new browser session), waits for it to settle,
writes OUT_DIR/<page>.png, stops the server.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.server import launch_browser, sign_in, streamlit_server, wait_idle  # noqa: E402

PAGES = ["", "chi_tieu?target=poor_household_rate_2025", "don_vi", "ke_hoach", "nhap_so_lieu", "xuat_bao_cao", "nhat_ky", "tai_khoan"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--db", default=os.environ.get("CHITIEU_DB"))
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=2600)
    ap.add_argument("--user", default="quantri", help="account to sign in with (default: the demo admin)")
    ap.add_argument("--password", default="minhhoa2025")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server(db=args.db) as url, launch_browser() as browser:
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(url)
        wait_idle(page)
        page.screenshot(path=str(out / "dang_nhap.png"), full_page=True)
        print(out / "dang_nhap.png")
        for p in PAGES:
            page.goto(f"{url}/{p}")   # a new session: sign in again (a demo account that sees every page)
            wait_idle(page)
            sign_in(page, args.user, args.password)
            name = (p.split("?")[0] or "tong_quan")
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
