"""The same holds with PostgreSQL stopped for 20 s during payments, on both frameworks.

Telegram has taken the members' Stars and delivers each successful_payment once, while the database is
gone. The bot must hold on to every one of them until the database is back, then record each charge
exactly once (or refund it) and give each member one receipt: nothing paid is lost, nothing is doubled.

The bot reaches PostgreSQL through a TCP proxy the test cuts and restores (tests.support.tcp_proxy), so
the outage is the bot's alone: the server keeps running for the test's own fixtures.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from domain.shop.orders import OrderStatus, PaymentStatus
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.rewards_steps import OPERATOR_ID, eventually, operator, said
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres  # CI starts PostgreSQL; without it locally the fixture skips

OUTAGE_SECONDS = 20.0  # how long the database is away: the length of the outage, not a wait for the bot
RECOVERY_SECONDS = 120.0  # the handler retries for RETRY_FOR (120 s); a generous bound, not a timing claim
MEMBERS = 8
SKU = "PIN-CRANE"  # 35 ⭐, 150 in stock: enough for every member


@asynccontextmanager
async def shop_behind_proxy(framework: str, postgres_url: str) -> AsyncIterator[tuple[Shop, TcpProxy]]:
    """The example shop on a fresh PostgreSQL database that the bot reaches only through a proxy."""
    direct = make_url(postgres_url)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
    await proxy.start()
    try:
        url = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        async with running_shop(framework, url, str(STARS_CATALOG), owner_ids=(OPERATOR_ID,)) as shop:
            try:
                yield shop, proxy
            finally:
                proxy.restore()  # a test that failed mid-outage must not leave the shutdown without a database
    finally:
        await proxy.stop()


async def stars_invoice(shop: Shop, member: Any) -> Any:
    (card,) = await shop.say(member, None, f"/start p_{SKU}")
    await shop.press(member, card, text="Buy · 35 ⭐")
    invoice = shop.fake.last(member)
    assert invoice is not None and invoice.invoice is not None, invoice
    return invoice


async def payments_of(shop: Shop, member: Any) -> list[Any]:
    async with shop.uow() as uow:
        found = []
        for order in await uow.orders.list_for_user(member.id, 50):
            found += list(await uow.payments.for_order(order.id))
    return found


async def run_job(shop: Shop, name: str) -> None:
    # The jobs run where the jobs lock is held; the outage cost the bot that lock until it took it again.
    await eventually(lambda: shop.app.jobs is not None, timeout=RECOVERY_SECONDS)
    assert shop.app.jobs is not None
    await shop.app.jobs.run_now(name)


async def test_payments_made_while_postgresql_is_stopped_for_20s_are_recorded_once_and_answered_once(
    framework: str, postgres_url: str
) -> None:
    async with shop_behind_proxy(framework, postgres_url) as (shop, proxy):
        await shop.say(operator(shop), None, "/start")
        members = [shop.member(f"Member{n}") for n in range(MEMBERS)]
        invoices = [await stars_invoice(shop, member) for member in members]
        for member, invoice in zip(members, invoices, strict=True):
            checked = await shop.settle(await shop.fake.pre_checkout(member, invoice))
            answer = shop.fake.queries[checked.query_id].answer
            assert answer is not None and answer.ok, answer
        stock_held = (await shop.product(SKU)).stock

        proxy.cut()
        paid = [
            await shop.fake.successful_payment(
                member, None, invoice.invoice.payload, "XTR", invoice.invoice.total_amount
            )
            for member, invoice in zip(members, invoices, strict=True)
        ]
        charge_of: dict[int, str] = {}
        for member, delivered in zip(members, paid, strict=True):
            assert delivered.message is not None and delivered.update_id is not None
            charge_of[member.id] = delivered.message.data["successful_payment"]["telegram_payment_charge_id"]
        await asyncio.sleep(OUTAGE_SECONDS)
        assert proxy.refused > 0, "the bot never tried the database during the outage"
        assert all(said(shop, member, "Payment received") == [] for member in members)
        proxy.restore()

        await eventually(
            lambda: all(said(shop, member, "Payment received") for member in members), timeout=RECOVERY_SECONDS
        )
        for delivered in paid:
            assert delivered.update_id is not None
            await shop.tracker.wait(delivered.update_id, RECOVERY_SECONDS)
        # Whatever a handler left unsettled is the job's; nothing may be left, and nothing may go out twice.
        shop.clock.advance(timedelta(minutes=3))  # past the job's in-flight window and the answers' grace
        await run_job(shop, "settle_payments")
        await shop.outbox_drained()

        for member in members:
            (order,) = await shop.orders_of(member)
            assert order.status is OrderStatus.PAID, (member.first_name, order.status)
            payments = await payments_of(shop, member)
            assert [p.telegram_charge_id for p in payments] == [charge_of[member.id]]
            assert payments[0].status is PaymentStatus.CAPTURED
            assert payments[0].amount.amount == 35
            assert len(said(shop, member, "Payment received")) == 1
            assert said(shop, member, "refunded") == []
        assert shop.fake.refunds == []
        assert all(not charge.refunded for charge in shop.fake.charges.values())
        async with shop.uow() as uow:
            assert list(await uow.payment_inbox.unsettled(shop.clock.now(), 100)) == []
        assert (await shop.product(SKU)).stock == stock_held  # each held unit sold once, none taken twice
