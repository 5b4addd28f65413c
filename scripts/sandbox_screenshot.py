"""Take the README's screenshot of the sandbox: a purchase in the group, from the running sandbox.

    ./dev run &                      # no token: the sandbox on 127.0.0.1:8765
    .venv/bin/python scripts/sandbox_screenshot.py [URL] [OUT.png]

Drives Debian's chromium (/usr/bin/chromium) with Playwright, as Mei in Tea Circle: /shop, a card, Buy, pay.
"""

from __future__ import annotations

import re
import sys

from playwright.sync_api import expect, sync_playwright

WAIT = 30_000


def main(url: str = "http://127.0.0.1:8765/", out: str = "docs/sandbox-purchase.png") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(locale="en-US", viewport={"width": 1200, "height": 820}, device_scale_factor=1)
        page.goto(url)
        page.get_by_test_id("person-Mei").click()
        page.get_by_test_id("chat-Tea Circle").click()
        messages = page.get_by_test_id("message")
        before = messages.filter(has_text="Shop · page 1").count()
        page.get_by_test_id("input").fill("/shop")
        page.get_by_test_id("input").press("Enter")
        expect(messages.filter(has_text="Shop · page 1")).to_have_count(before + 1, timeout=WAIT)
        page_one = messages.filter(has_text="Shop · page 1").last
        page_one.get_by_role("button", name=re.compile("Museum postcard")).first.click()
        card = messages.filter(has=page.get_by_role("button", name=re.compile("^Buy · "))).last
        invoices = messages.filter(has=page.get_by_test_id("invoice"))
        before = invoices.count()
        card.get_by_role("button", name=re.compile("^Buy · ")).click()
        expect(invoices).to_have_count(before + 1, timeout=WAIT)
        invoices.last.locator("[data-pay]").first.click()
        page.get_by_test_id("pay-now").click()
        expect(page.get_by_test_id("payment-sheet")).to_be_hidden(timeout=WAIT)
        expect(messages.filter(has_text="Thank you! Payment received.").last).to_be_visible(timeout=WAIT)
        page.get_by_test_id("toast").wait_for(state="hidden", timeout=WAIT)
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
