"""Stopping `circlecart run` as an operator or a service manager does: Ctrl-C (SIGINT) or SIGTERM, in polling
and in webhook mode, on both frameworks. The process says goodbye with exit status 0 and no traceback, and
what was in flight is finished or left for the next start."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from circlecart.catalog_io import import_file
from circlecart.sandbox.bot_api.server import FakeTelegram
from domain.notices import Notice, NoticeStatus
from domain.shop.orders import OrderStatus
from storage.database import Database
from tests.cli.test_startup import free_port, until_said
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME

WEBHOOK_SECRET = "shutdown-test-secret"


async def start_run(framework: str, tmp_path: Path, fake: FakeTelegram, webhook: bool) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    env.update(
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_TELEGRAM_API_URL=fake.base_url,
        CIRCLECART_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
    )
    if webhook:
        port = free_port()
        env.update(
            CIRCLECART_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            CIRCLECART_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            CIRCLECART_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circlecart.cli", "run", "--framework", framework,
        env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def stop_with(process: asyncio.subprocess.Process, stop_signal: int = signal.SIGTERM) -> tuple[str, float]:
    """Send the signal; what the process said on stderr, and how many seconds it took to end."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    process.send_signal(stop_signal)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    return stderr.decode(), loop.time() - began


def assert_stopped_cleanly(process: asyncio.subprocess.Process, said: str, took: float) -> None:
    assert process.returncode == 0, said[-3000:]
    assert "Traceback" not in said and "Unclosed" not in said and "Task was destroyed" not in said, said[-3000:]
    assert took < 60, f"stopping took {took:.0f}s"  # well inside a service manager's patience


@pytest.mark.parametrize("mode", ["polling", "webhook"])
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
async def test_the_bot_stops_cleanly_on_ctrl_c_and_sigterm(
    framework: str, mode: str, stop_signal: signal.Signals, tmp_path: Path
) -> None:
    await import_file(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}", STARS_CATALOG)
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    process = await start_run(framework, tmp_path, fake, webhook=mode == "webhook")
    try:
        await fake.wait_for(lambda _: fake.commands("all_private_chats"), timeout=60)
        mei = fake.user(4001, "Mei")
        await fake.send_message(mei, None, "/shop")
        await fake.wait_for_sent(mei, 1, timeout=15)
    finally:
        said, took = await stop_with(process, stop_signal)
        await fake.stop()
    assert_stopped_cleanly(process, said, took)


async def test_notices_in_flight_when_telegram_hangs_are_left_for_the_next_start(
    framework: str, tmp_path: Path
) -> None:
    """Telegram stops answering while the outbox sends: SIGTERM still ends the process in good time with exit
    status 0, the notices are neither lost nor marked sent, and the next start sends each exactly once."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    mei = fake.user(4001, "Mei")
    mei.start_bot()
    keys = [f"points:{n}" for n in (1, 2, 3)]
    process = await start_run(framework, tmp_path, fake, webhook=False)
    try:
        await until_said(process, "circlecart is running")
        fake.freeze()  # from now on Telegram takes every call and never answers
        queued_at = datetime.now(UTC)  # the bot runs on the system clock
        async with Database.from_url(database_url) as database:
            async with database.uow() as uow:
                for n, key in enumerate(keys, start=1):
                    params = {"points": 10 * n, "order": n, "balance": 10 * n}
                    await uow.outbox.enqueue(Notice(key, mei.id, "points.earned", params), queued_at)
                await uow.commit()
            await until(lambda: leased(database, keys[0], queued_at), "the outbox took the notices")
    finally:
        said, took = await stop_with(process)
        fake.thaw()
    try:
        assert_stopped_cleanly(process, said, took)
        async with Database.from_url(database_url) as database, database.uow() as uow:
            for key in keys:
                entry = await uow.outbox.get_by_key(key)
                assert entry is not None and entry.status is NoticeStatus.PENDING and entry.sent_at is None
                # Due now, or after a short retry backoff if the send timed out (PTB gives up after 5 s); not
                # at the end of the sender's 60 s lease.
                soon = datetime.now(UTC) + timedelta(seconds=30)
                assert entry.next_attempt_at < soon, "a notice was left leased, not handed back"

        process = await start_run(framework, tmp_path, fake, webhook=False)  # Telegram is back
        try:
            sent = await fake.wait_for_sent(mei, 3, timeout=30)
        finally:
            said, took = await stop_with(process, signal.SIGINT)
        assert_stopped_cleanly(process, said, took)
    finally:
        await fake.stop()
    assert sorted(m.text for m in sent) == [
        f"You earned {10 * n} points for order #{n}. Balance: {10 * n}. See /points." for n in (1, 2, 3)
    ]


async def leased(database: Database, key: str, queued_at: datetime) -> bool:
    """The sender has claimed the entry: its next attempt moved to the end of a lease."""
    async with database.uow() as uow:
        entry = await uow.outbox.get_by_key(key)
    return entry is not None and entry.next_attempt_at > queued_at + timedelta(seconds=30)


async def until(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, f"not in time: {what}"
        await asyncio.sleep(0.1)


async def test_a_payment_in_flight_at_sigterm_is_recorded_and_its_receipt_left_for_the_next_start(
    framework: str, tmp_path: Path
) -> None:
    """Mei pays; while the bot settles the payment Telegram stops answering, so the receipt hangs; SIGTERM.
    The process ends in good time with exit status 0, the order is paid, and the receipt waits in the outbox."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await import_file(database_url, STARS_CATALOG)
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    process = await start_run(framework, tmp_path, fake, webhook=True)
    try:
        await until_said(process, "circlecart is running")
        mei = fake.user(4001, "Mei")
        await fake.send_message(mei, None, "/start p_PIN-CRANE")
        (card,) = await fake.wait_for_sent(mei, 1, timeout=15)
        await fake.press_button(mei, card, text="Buy · 35 ⭐")
        invoice = (await fake.wait_for(lambda _: fake.last(mei).invoice, timeout=15)) and fake.last(mei).invoice
        asked = await fake.pre_checkout(mei, invoice)
        assert await fake.queries[asked.query_id].wait_answered(15)
        fake.freeze()  # Telegram hangs from here on; the webhook still brings the payment in
        paid = await fake.successful_payment(mei, None, invoice.payload, invoice.currency, invoice.total_amount)
        charge = paid.message.data["successful_payment"]["telegram_payment_charge_id"]
        async with Database.from_url(database_url) as database:
            await until(lambda: paid_orders(database, mei.id), "the payment was settled")
    finally:
        said, took = await stop_with(process)
        fake.thaw()
        await fake.stop()
    assert_stopped_cleanly(process, said, took)
    async with Database.from_url(database_url) as database:
        assert await paid_orders(database, mei.id) == 1
        async with database.uow() as uow:
            receipt = await uow.outbox.get_by_key(f"pay:{charge}")  # the one answer to the payment
        assert receipt is not None and receipt.status is NoticeStatus.PENDING, "the receipt is for the next start"


async def paid_orders(database: Database, user_id: int) -> int:
    async with database.uow() as uow:
        orders = await uow.orders.list_for_user(user_id, 10)
    return len([o for o in orders if o.status is OrderStatus.PAID])
