"""Group buys (拼团): started in a group, shared by link, filled or cancelled at the deadline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.groupbuys.model import GroupBuyStatus
from domain.money import Money
from domain.shop.orders import OrderStatus, PaymentStatus
from tests.scenarios.harness import Shop
from tests.scenarios.rewards_steps import (
    balance,
    card,
    eventually,
    join_group_buy,
    link_code,
    offer_group_price,
    operator,
    rewards_shop,
    said,
    start_group_buy,
)


@pytest.fixture
async def shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    async with rewards_shop(framework, tmp_path) as s:
        await offer_group_price(s, "TEA-SET-01", 200, 3)
        yield s


async def _members(shop: Shop, *names: str) -> list[object]:
    people = [shop.member(name) for name in names]
    for person in people:
        await shop.say(person, None, "/help")  # a private chat exists, so the bot may write first
    return people


async def test_a_three_person_group_buy_fills_from_a_shared_link(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun, li = await _members(shop, "Mei", "Jun", "Li")
    stock = (await shop.product("TEA-SET-01")).stock

    started = await start_group_buy(shop, mei, group, "Celadon tea set")
    assert started.accepted, started.error_message
    progress = card(shop, group)
    assert "Joined: 1 of 3" in progress.text and "Led by Mei" in progress.text
    code = link_code(progress)

    assert (await join_group_buy(shop, jun, code)).accepted
    assert "2 of 3 joined" in shop.fake.last(jun).text
    await eventually(lambda: "Joined: 2 of 3" in card(shop, group).text)

    # Nobody joins twice.
    (again,) = await shop.say(jun, None, f"/start g_{code}")
    answer = await shop.press(jun, again, text=next(t for t in again.button_texts if t.startswith("Join")))
    assert "already in the group buy" in answer.text

    filled = await join_group_buy(shop, li, code)
    assert filled.accepted
    assert "complete" in shop.fake.last(li).text

    orders = [order for m in (mei, jun, li) for order in await shop.orders_of(m)]
    assert [o.status for o in orders] == [OrderStatus.PAID] * 3
    assert all(o.total == Money(200, "XTR") for o in orders)
    assert (await shop.product("TEA-SET-01")).stock == stock - 3
    for member in (mei, jun):
        await eventually(lambda m=member: bool(said(shop, m, "is complete! Your order")))
    await eventually(lambda: "Complete! Every order is confirmed." in card(shop, group).text)
    await eventually(lambda: bool(said(shop, group, "is complete: Mei, Jun, Li")))
    # Each paid order earns its points when the group fills; the starter also earns for leading it.
    policy = shop.app.core.services.settings.rewards  # type: ignore[union-attr]
    assert await balance(shop, jun) == 200
    assert await balance(shop, mei) == 200 + policy.group_buy_leader_points
    async with shop.uow() as uow:
        (group_buy,) = [g for g in [await uow.group_buys.get_by_code(code)] if g]
    assert group_buy.status is GroupBuyStatus.FILLED and group_buy.paid_count == 3
    shop.fake.assert_no_errors()


async def test_a_short_group_buy_is_cancelled_and_refunded_at_its_deadline(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun = await _members(shop, "Mei", "Jun")
    stock = (await shop.product("TEA-SET-01")).stock
    assert (await start_group_buy(shop, mei, group, "Celadon tea set")).accepted
    code = link_code(card(shop, group))
    assert (await join_group_buy(shop, jun, code)).accepted
    assert (await shop.product("TEA-SET-01")).stock == stock - 2

    await shop.app.jobs.run_now("close_group_buys")  # type: ignore[union-attr]
    assert shop.fake.refunds == []  # not due yet
    shop.clock.advance(timedelta(hours=24, minutes=1))
    await shop.app.jobs.run_now("close_group_buys")  # type: ignore[union-attr]
    await shop.app.jobs.run_now("close_group_buys")  # type: ignore[union-attr]  # twice: harmless

    assert sorted(r.user_id for r in shop.fake.refunds) == sorted([mei.id, jun.id])  # type: ignore[attr-defined]
    assert (await shop.product("TEA-SET-01")).stock == stock
    for member in (mei, jun):
        (order,) = await shop.orders_of(member)
        assert order.status is OrderStatus.REFUNDED
        async with shop.uow() as uow:
            (payment,) = await uow.payments.for_order(order.id)
        assert payment.status is PaymentStatus.REFUNDED
        await eventually(lambda m=member: bool(said(shop, m, "has been refunded")))
    await eventually(lambda: "Cancelled" in card(shop, group).text)
    await eventually(lambda: bool(said(shop, group, "ended with 2 of 3")))
    assert await balance(shop, mei) == 0 and await balance(shop, jun) == 0

    # The link now says it has ended.
    (late,) = await shop.say(shop.member("Wen"), None, f"/start g_{code}")
    assert "Cancelled" in late.text and not late.button_texts


async def test_replayed_payment_and_join_updates_change_nothing(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun = await _members(shop, "Mei", "Jun")
    assert (await start_group_buy(shop, mei, group, "Celadon tea set")).accepted
    paid = await join_group_buy(shop, jun, link_code(card(shop, group)))
    stock = (await shop.product("TEA-SET-01")).stock
    orders = await shop.orders_of(jun)

    shop.tracker.forget(paid.update_id)
    await shop.fake.redeliver(paid.update_id)
    await shop.settle(paid.update_id)

    assert await shop.orders_of(jun) == orders
    assert (await shop.product("TEA-SET-01")).stock == stock
    async with shop.uow() as uow:
        assert len(await uow.payments.for_order(orders[0].id)) == 1
        (group_buy,) = [g for g in [await uow.group_buys.get(1)] if g]
    assert group_buy.paid_count == 2


async def test_if_the_starter_is_refunded_the_next_joiner_leads(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun = await _members(shop, "Mei", "Jun")
    assert (await start_group_buy(shop, mei, group, "Celadon tea set")).accepted
    code = link_code(card(shop, group))
    assert (await join_group_buy(shop, jun, code)).accepted
    (order,) = await shop.orders_of(mei)

    (done,) = await shop.say(operator(shop), None, f"/refund {order.id}")
    assert "is refunded" in done.text
    await eventually(lambda: "Led by Jun" in card(shop, group).text and "Joined: 1 of 3" in card(shop, group).text)
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.REFUNDED


async def test_a_payment_that_lands_after_the_group_filled_is_refunded(shop: Shop) -> None:
    await offer_group_price(shop, "PIN-CRANE", 30, 2)
    group = await shop.group_with_bot()
    mei, jun, li, wen = await _members(shop, "Mei", "Jun", "Li", "Wen")
    stock = (await shop.product("PIN-CRANE")).stock
    assert (await start_group_buy(shop, mei, group, "Crane")).accepted
    code = link_code(card(shop, group))
    # Jun, Li and Wen all open an invoice while one seat is left; Jun's form is already past pre-checkout.
    invoices = {}
    for member in (jun, li, wen):
        (summary,) = await shop.say(member, None, f"/start g_{code}")
        await shop.press(member, summary, text=next(t for t in summary.button_texts if t.startswith("Join")))
        invoices[member.id] = shop.fake.last(member)  # type: ignore[attr-defined]
    pre = await shop.fake.pre_checkout(jun, invoices[jun.id])  # type: ignore[attr-defined]
    await shop.settle(pre)
    assert (await shop.pay(li, invoices[li.id])).accepted  # type: ignore[attr-defined]

    refused = await shop.pay(wen, invoices[wen.id])  # type: ignore[attr-defined]
    assert not refused.accepted and "already full" in refused.error_message
    record = invoices[jun.id].invoice  # type: ignore[attr-defined]
    late = await shop.fake.successful_payment(jun, None, record.payload, record.currency, record.total_amount)
    await shop.settle(late)
    assert "already full" in shop.fake.last(jun).text and "refunded" in shop.fake.last(jun).text
    assert [r.user_id for r in shop.fake.refunds] == [jun.id]  # type: ignore[attr-defined]
    (order,) = await shop.orders_of(jun)
    assert order.status is OrderStatus.REFUNDED
    assert (await shop.product("PIN-CRANE")).stock == stock - 2


async def test_forged_and_unknown_group_buy_links_get_a_clear_answer(shop: Shop) -> None:
    mei = shop.member("Mei")
    (answer,) = await shop.say(mei, None, "/start g_nosuchcode")
    assert "does not exist" in answer.text
    await shop.say(mei, None, "/help")
    reply = await shop.press(mei, shop.fake.last(mei), data="1:gbjoin:99999", forge=True)
    assert "does not exist" in reply.text


async def test_operators_set_and_withdraw_group_prices(shop: Shop) -> None:
    boss, mei = operator(shop), shop.member("Mei")
    (done,) = await shop.say(boss, None, "/groupprice PRINT-LOTUS-A4 250 4 48")
    assert "250 ⭐ each in a group of 4" in done.text
    (menu,) = await shop.say(mei, None, "/groupbuy")
    assert any(t.startswith("Lotus pond") and "4 for 250 ⭐" in t for t in menu.button_texts), menu.button_texts

    for words, answer in [
        ("/groupprice PRINT-LOTUS-A4 300 4", "lower than the price of 300 ⭐"),
        ("/groupprice PRINT-LOTUS-A4 2.5 4", "not a price in XTR"),
        ("/groupprice PRINT-LOTUS-A4 250 1", "2 to 50 members"),
        ("/groupprice NOPE 250 4", "no product NOPE"),
        ("/groupprice PRINT-LOTUS-A4", "/groupprice SKU PRICE SIZE"),
    ]:
        (reply,) = await shop.say(boss, None, words)
        assert answer in reply.text, (words, reply.text)
    (refused,) = await shop.say(mei, None, "/groupprice PRINT-LOTUS-A4 100 2")
    assert "Only the shop's operators" in refused.text

    (off,) = await shop.say(boss, None, "/groupprice PRINT-LOTUS-A4 off")
    assert "no group price any more" in off.text
    (menu,) = await shop.say(mei, None, "/groupbuy")
    assert not any(t.startswith("Lotus pond") for t in menu.button_texts)


async def test_a_short_fiat_group_buy_is_marked_refund_due_and_members_told(framework: str, tmp_path: Path) -> None:
    from domain.money import parse_major
    from domain.shop.products import NewProduct

    # The mug is a physical product paid in dollars: its invoice asks where to ship it, $5.00 to the US.
    token = "284685063:TEST:circlecart"
    async with rewards_shop(framework, tmp_path, payment_provider_token=token, shipping_zones="US=5.00") as fiat:
        async with fiat.uow() as uow:
            await uow.products.add(NewProduct("MUG-USD", "Museum mug", "Mug.", parse_major("19.99", "USD"), 5))
            await uow.commit()
        await offer_group_price(fiat, "MUG-USD", 1500, 3)
        group = await fiat.group_with_bot()
        mei, jun = await _members(fiat, "Mei", "Jun")
        address = {"country_code": "US"}
        assert (await start_group_buy(fiat, mei, group, "Museum mug", shipping_address=address)).accepted
        assert (await join_group_buy(fiat, jun, link_code(card(fiat, group)), shipping_address=address)).accepted

        fiat.clock.advance(timedelta(hours=25))
        await fiat.app.jobs.run_now("close_group_buys")  # type: ignore[union-attr]

        assert fiat.fake.refunds == []  # only Stars can be refunded by the bot
        for member in (mei, jun):
            (order,) = await fiat.orders_of(member)
            assert order.status is OrderStatus.REFUND_DUE
            async with fiat.uow() as uow:
                (payment,) = await uow.payments.for_order(order.id)
            assert payment.status is PaymentStatus.REFUND_DUE
            await eventually(lambda m=member: bool(said(fiat, m, "$20.00 will be refunded")))  # with the shipping
        assert (await fiat.product("MUG-USD")).stock == 5
