"""The sandbox as a newcomer meets it: `./dev run` with no token, then the web chat in headless Chromium.

The sandbox is started through the README's command, on each framework, on a free port with its own data
folder. Playwright drives Debian's chromium (`/usr/bin/chromium`; `.ci/run` installs it): a member buys in
the group and finds the order; the group admin allows a brand; a second member starts a group buy that a
third joins through its link; in a browser that speaks Chinese, the receipt comes in Chinese. Every wait is
on a condition with a generous timeout, never a sleep.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WAIT = 30_000  # ms: generous, for a loaded 2-core CI machine

if not CHROMIUM.exists():  # pragma: no cover - .ci/run installs it; say so rather than skip silently in CI
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing: .ci/run installs it with apt-get install chromium")
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Running:
    def __init__(self, framework: str, data: Path) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
        env.update(
            CIRCLECART_SANDBOX_PORT=str(self.port),
            CIRCLECART_SANDBOX_DIR=str(data),
            CIRCLECART_FRAMEWORK=framework,
            CIRCLECART_BEACON_URL="http://127.0.0.1:9",  # no test reaches the internet
        )
        self.lines: list[str] = []
        self.announced = threading.Event()
        self.process = subprocess.Popen(
            [str(ROOT / "dev"), "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if f"open http://127.0.0.1:{self.port}/" in line:
                self.announced.set()
        self.announced.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture(params=["aiogram", "ptb"])
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Running]:
    running = Running(str(request.param), tmp_path / "sandbox")
    try:
        assert running.announced.wait(180), "the sandbox did not start within 180 s:\n" + "\n".join(running.lines)
        assert running.process.poll() is None, "the sandbox exited:\n" + "\n".join(running.lines)
        yield running
    finally:
        running.stop()
    assert not [line for line in running.lines if "Traceback" in line], "\n".join(running.lines)


def _other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent by a UDP connect
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_sandbox_plays_the_shop_in_a_browser(sandbox: Running) -> None:
    lines = "\n".join(sandbox.lines)
    assert re.search(r"no CIRCLECART_BOT_TOKEN is set, so this is the sandbox.*open http://127\.0\.0\.1:\d+/", lines)
    _only_loopback(sandbox)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            english = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860})
            page = english.new_page()
            _shop_as_members_and_admin(page, sandbox)
            english.close()

            chinese = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
            page = chinese.new_page()
            _buy_in_chinese(page, sandbox)
            chinese.close()
        finally:
            browser.close()


def _only_loopback(sandbox: Running) -> None:
    other = _other_address()
    if other is not None:
        with pytest.raises(OSError), socket.create_connection((other, sandbox.port), timeout=5):
            pass
    # What the bot was told to call: the local server, with the sandbox's made-up token.
    with urllib.request.urlopen(sandbox.url + "sandbox/api/world?me=101", timeout=10) as answer:
        assert answer.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(sandbox.url.replace("127.0.0.1", "localhost") + "bot1:forged/getMe", timeout=10)
    assert refused.value.code == 401  # a token other than the sandbox's own is nobody here


def _as(page: Page, person: str, chat: str) -> None:
    page.get_by_test_id(f"person-{person}").click()
    page.get_by_test_id(f"chat-{chat}").click()
    expected = "circlecart" if chat == "bot" else chat
    expect(page.get_by_test_id("chat-title")).to_contain_text(expected, timeout=WAIT)


def _say(page: Page, text: str) -> None:
    box = page.get_by_test_id("input")
    box.fill(text)
    box.press("Enter")


def _answer(page: Page, say: str, answer: str) -> Locator:
    """Send `say` here and return the bot's new message containing `answer` (not an older one like it)."""
    before = page.get_by_test_id("message").filter(has_text=answer).count()
    _say(page, say)
    expect(page.get_by_test_id("message").filter(has_text=answer)).to_have_count(before + 1, timeout=WAIT)
    return page.get_by_test_id("message").filter(has_text=answer).last


def _last_message_with(page: Page, text: str) -> Locator:
    found = page.get_by_test_id("message").filter(has_text=text).last
    expect(found).to_be_visible(timeout=WAIT)
    return found


def _invoices(page: Page) -> Locator:
    return page.get_by_test_id("message").filter(has=page.get_by_test_id("invoice"))


def _press_for_invoice(page: Page, button: Locator) -> None:
    """Press a button that makes the bot send an invoice into this chat, and pay that invoice."""
    before = _invoices(page).count()
    button.click()
    expect(_invoices(page)).to_have_count(before + 1, timeout=WAIT)
    _pay_invoice(page, _invoices(page).last)


def _pay_invoice(page: Page, invoice: Locator) -> None:
    invoice.locator("[data-pay]").first.click()
    sheet = page.get_by_test_id("payment-sheet")
    expect(sheet).to_be_visible(timeout=WAIT)
    # A physical good's form asks for shipping details (the sandbox ships to a German address).
    for field, value in (("Name", "Mei Lin"), ("Phone", "+49 30 1234567"), ("Address", "Unter den Linden 1, Berlin")):
        box = sheet.get_by_role("textbox", name=field)
        if box.count():
            box.fill(value)
    page.get_by_test_id("pay-now").click()
    expect(sheet).to_be_hidden(timeout=WAIT)


def _shop_as_members_and_admin(page: Page, sandbox: Running) -> None:
    page.goto(sandbox.url)
    # A member buys in the group: /shop, a card, Buy, pay.
    _as(page, "Mei", "Tea Circle")
    _answer(page, "/shop", "Shop · page 1").get_by_role("button", name=re.compile("Stoneware museum mug")).click()
    card = _last_message_with(page, "Wheel-thrown stoneware")
    _press_for_invoice(page, card.get_by_role("button", name=re.compile(r"^Buy · \$19\.99")))
    # A physical good: the sheet sends a German address, and shipping there (4.90) is added.
    # The receipt where she paid, then the order in /orders (in her private chat with the bot).
    _last_message_with(page, "Paid: $24.89")
    _as(page, "Mei", "bot")
    _say(page, "/orders")
    expect(page.get_by_test_id("message").filter(has_text="Stoneware museum mug").last).to_be_visible(timeout=WAIT)

    # The group admin allows a brand's drops in the group.
    _as(page, "Ana", "Tea Circle")
    menu = _answer(page, "/brands", "Brands in this group")
    menu.get_by_role("button", name="⛔ Celadon Studio").click()
    expect(menu.get_by_role("button", name="✅ Celadon Studio")).to_be_visible(timeout=WAIT)

    # A second member starts a group buy; a third joins through its link.
    _as(page, "Jun", "Tea Circle")
    offers = _answer(page, "/groupbuy", "Celadon tea set")
    _press_for_invoice(page, offers.get_by_role("button", name=re.compile("^Celadon tea set")))
    progress = page.get_by_test_id("message").filter(has_text="Led by Jun").last
    expect(progress).to_contain_text("Joined: 1 of 3", timeout=WAIT)

    _as(page, "Li", "Tea Circle")
    page.get_by_test_id("message").filter(has_text="Led by Jun").last.get_by_role(
        "button", name=re.compile("Join|Share|link", re.IGNORECASE)
    ).first.click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("circlecart", timeout=WAIT)
    summary = _last_message_with(page, "Celadon tea set")
    _press_for_invoice(page, summary.get_by_role("button", name=re.compile(r"^Join · ")))
    _last_message_with(page, "2 of 3 joined")
    _as(page, "Li", "Tea Circle")
    expect(page.get_by_test_id("message").filter(has_text="Led by Jun").last).to_contain_text(
        "Joined: 2 of 3", timeout=WAIT
    )


def _buy_in_chinese(page: Page, sandbox: Running) -> None:
    page.goto(sandbox.url)
    expect(page.get_by_test_id("lang")).to_have_text("EN", timeout=WAIT)
    _as(page, "Mei", "Tea Circle")
    products = _answer(page, "/shop", "1/").get_by_role("button", name=re.compile("Lotus pond phone wallpapers"))
    products.first.click()
    card = page.get_by_test_id("message").filter(has=page.get_by_role("button", name=re.compile("^购买 · "))).last
    expect(card).to_be_visible(timeout=WAIT)
    _press_for_invoice(page, card.get_by_role("button", name=re.compile("^购买 · ")))
    _last_message_with(page, "实付：")
