"""kill -9 while 40 members pay, then a restart: every charge is recorded exactly once or refunded, and
every member who was charged gets exactly one answer.

The bot runs as `circlecart run` in its own process, as an operator starts it, against the fake Bot API
server in this one; SIGKILL gives it no chance to finish anything. Updates it had fetched but not finished
are either handed out again by Telegram (not yet confirmed) or lost (confirmed); a lost payment update is
found by the reconciler in Telegram's own record of the bot's Stars.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

from circlecart.catalog_io import import_file
from circlecart.sandbox.bot_api.server import FakeTelegram
from domain.notices import NoticeStatus
from domain.shop.orders import OrderStatus, PaymentStatus
from storage.database import Database
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME

PAYERS = 40
SKU, TITLE, PRICE = "PRINT-LOTUS-A4", "Lotus pond art print (A4)", 300  # 40 in stock
KILL_AFTER_PAYMENTS = 12  # successful payments Telegram has charged when the process dies


async def start_bot(fake: FakeTelegram, framework: str, database_url: str, cwd: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    env.update(
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_TELEGRAM_API_URL=fake.base_url,
        CIRCLECART_DATABASE_URL=database_url,
        CIRCLECART_RECONCILE_SECONDS="2",
        CIRCLECART_RECONCILE_AFTER_SECONDS="5",
        CIRCLECART_REPLY_GRACE_SECONDS="5",
        CIRCLECART_BEACON_URL=os.environ.get("CIRCLECART_BEACON_URL", "http://127.0.0.1:9"),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "circlecart.cli",
        "run",
        "--framework",
        framework,
        env=env,
        cwd=cwd,
        stderr=asyncio.subprocess.PIPE,
    )


async def answers_on_record(fake: FakeTelegram, members: list[Any], database_file: Path) -> None:
    """Wait until every receipt Telegram holds is marked sent in the bot's database (read with plain
    sqlite3: the bot may hold its write lock across a hanging call, and a read needs none)."""
    delivered = {
        word
        for m in members
        for text in answers_to(fake, m)
        for word in text.split()
        if word.startswith("stx")  # the charge id a receipt quotes
    }
    pending: list[str] = []
    for _ in range(200):
        with contextlib.closing(sqlite3.connect(database_file, timeout=5)) as database:
            sent = {
                key
                for (key,) in database.execute(
                    "SELECT key FROM outbox WHERE status = ? AND key LIKE 'pay:%'", (NoticeStatus.SENT.value,)
                )
            }
        pending = [charge for charge in delivered if f"pay:{charge}" not in sent]
        if not pending:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"answers Telegram took are not recorded as sent: {pending}")


async def open_invoice(fake: FakeTelegram, member: Any) -> Any:
    await fake.send_message(member, None, f"/start p_{SKU}")
    (card,) = await fake.wait_for_sent(member, 1, timeout=30)
    await fake.press_button(member, card, text=f"Buy · {PRICE} ⭐")
    await fake.wait_for(lambda _: fake.last(member).invoice is not None, timeout=30)
    return fake.last(member)


async def nothing_left_to_send(database_file: Path) -> None:
    """Until the bot's outbox holds no pending notice and every stored payment is settled."""
    for _ in range(600):
        with contextlib.closing(sqlite3.connect(database_file, timeout=5)) as database:
            pending = database.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
            unsettled = database.execute("SELECT count(*) FROM payment_inbox WHERE settled_at IS NULL").fetchone()[0]
        if pending == 0 and unsettled == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot still has {pending} notices to send and {unsettled} payments to settle")


def charged_to(fake: FakeTelegram, member: Any) -> list[Any]:
    return [c for c in fake.charges.values() if c.user_id == member.id]


def answers_to(fake: FakeTelegram, member: Any) -> list[str]:
    return [m.content for m in fake.sent(member) if "Payment received" in m.content or "refunded" in m.content]


async def test_kill_9_while_40_members_pay_loses_no_charge_and_answers_each_once(
    framework: str, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await import_file(database_url, STARS_CATALOG)
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    bot = await start_bot(fake, framework, database_url, tmp_path)
    try:
        await fake.wait_for(lambda _: fake.commands("all_private_chats"), timeout=60)
        members = [fake.user(7000 + i, f"Payer{i}") for i in range(PAYERS)]
        invoices = await asyncio.gather(*(open_invoice(fake, member) for member in members))

        paying = [asyncio.create_task(fake.pay(m, inv, timeout=11)) for m, inv in zip(members, invoices, strict=True)]

        def in_the_thick_of_it(_: object) -> bool:
            receipts = sum(len(answers_to(fake, m)) for m in members)
            return len(fake.charges) >= KILL_AFTER_PAYMENTS and receipts >= 3

        await fake.wait_for(in_the_thick_of_it, timeout=60)
        # Telegram goes out of reach, and the process dies with calls hanging. Before the kill, wait until
        # every answer Telegram already took is on record as sent: the instant between Telegram taking a
        # message and the commit is the one window no design can close (no idempotency key for messages).
        fake.freeze()
        await answers_on_record(fake, members, tmp_path / "shop.db")
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        fake.thaw()
        # The forms still open go on: some members are charged while no bot runs at all.
        bot = await start_bot(fake, framework, database_url, tmp_path)
        await asyncio.gather(*paying)
        # Whoever's form failed while the bot was away tries again, as a member would.
        retry = [(m, inv) for m, inv in zip(members, invoices, strict=True) if not charged_to(fake, m)]
        await asyncio.gather(*(fake.pay(m, inv, timeout=30) for m, inv in retry))
        charged = {c.charge_id: c for c in fake.charges.values()}
        assert len(charged) > KILL_AFTER_PAYMENTS

        def settled(_: object) -> bool:
            payers = {c.user_id for c in charged.values()}
            return all(len(answers_to(fake, m)) >= 1 for m in members if m.id in payers)

        await fake.wait_for(settled, timeout=180)
        await nothing_left_to_send(tmp_path / "shop.db")  # a second answer, were there one, would be out
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), timeout=60)
        await fake.stop()
    assert bot.returncode == 0, stderr.decode()[-3000:]

    database = await Database.connect(database_url)
    try:
        async with database.uow() as uow:
            for charge in charged.values():
                payment = await uow.payments.get_by_charge(charge.charge_id)
                assert payment is not None, f"charge {charge.charge_id} of {charge.user_id} was lost"
                refunded = any(r.charge_id == charge.charge_id for r in fake.refunds)
                if payment.status is PaymentStatus.CAPTURED:
                    assert payment.order_id is not None and not refunded
                    order = await uow.orders.get(payment.order_id)
                    assert order is not None and order.status is OrderStatus.PAID
                else:
                    assert payment.status is PaymentStatus.REFUNDED and refunded
            paid_orders = [
                o for m in members for o in await uow.orders.list_for_user(m.id, 5) if o.status is OrderStatus.PAID
            ]
            assert len(paid_orders) == len([c for c in charged.values() if not c.refunded])
            assert not await uow.payment_inbox.unsettled(database_far_future(), 100)
    finally:
        await database.dispose()
    for member in members:
        said = answers_to(fake, member)
        charges = [c for c in charged.values() if c.user_id == member.id]
        assert len(said) == len(charges), f"{member.first_name}: {said}"
    assert len(fake.refunds) == len({r.charge_id for r in fake.refunds})


def database_far_future() -> Any:
    from datetime import UTC, datetime

    return datetime(9999, 1, 1, tzinfo=UTC)
