"""Take the README's screenshot (docs/overview.png) of a running demo: log in, wait for the
charts, capture the overview. Uses Debian's chromium through Playwright (no browser download).

Usage: python scripts/screenshot_overview.py [http://127.0.0.1:8000] [docs/overview.png]
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/overview.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.fill("input[name=name]", "demo")
        page.fill("input[name=password]", "demo-yuqing")
        page.click("form[action='/login'] button")
        page.wait_for_selector("#c-hours[data-drawn] canvas")
        for _ in range(30):                      # the trends panel fills once its background job is done
            if "正在统计" not in page.inner_text("main"):
                break
            page.wait_for_timeout(1000)
            page.reload()
            page.wait_for_selector("#c-hours[data-drawn] canvas")
        page.wait_for_timeout(1500)             # chart animations
        page.screenshot(path=out, full_page=False)
        browser.close()
    print(out)


if __name__ == "__main__":
    main()
