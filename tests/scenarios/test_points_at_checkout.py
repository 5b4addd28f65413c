"""Members spend points at checkout as a discount, up to the configured share of the order, and get them back
whenever the order does not go through: a lapsed hold, a refund. A replay changes nothing, and a member who
spent the points elsewhere is told so before Telegram charges them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from domain.points import accounts
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy
from domain.shop.orders import OrderStatus
from tests.scenarios.harness import Shop
from tests.scenarios.rewards_steps import balance, operator, rewards_shop

NO_CAPS = RewardsPolicy(daily_caps=MappingProxyType({}))


@pytest.fixture
async def shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    async with rewards_shop(framework, tmp_path) as s:  # 100 points a star, at most 20% of an order
        yield s


async def _give_points(shop: Shop, member: Any, points: int) -> None:
    """Points from an event (earned some other way than buying)."""
    async with shop.uow() as uow:
        await accounts.earn(uow.points, shop.clock.now(), NO_CAPS, member.id, Reason.EVENT, f"gift:{member.id}", points)
        await uow.commit()


async def _card(shop: Shop, member: Any, sku: str, chat: Any = None) -> Any:
    if chat is None:
        (card,) = await shop.say(member, None, f"/start p_{sku}")
        return card
    (found,) = await shop.say(member, chat, f"/find {sku.split('-')[0].lower()}")
    product = await shop.product(sku)
    await shop.press(member, found, text=next(t for t in found.button_texts if t.startswith(product.title)))
    return shop.fake.last(chat)


def _points_button(card: Any) -> str:
    return next(t for t in card.button_texts if t.startswith("Buy with"))


async def test_a_member_pays_part_of_an_order_with_points_capped_at_the_share(shop: Shop) -> None:
    mei = shop.member("Mei")
    await _give_points(shop, mei, 6000)
    stock = (await shop.product("TEA-SET-01")).stock

    card = await _card(shop, mei, "TEA-SET-01")
    assert "Buy · 250 ⭐" in card.button_texts
    assert "Buy with 5000 points · 200 ⭐" in card.button_texts  # 20% of 250 ⭐, though 6000 points buy 60 ⭐
    await shop.press(mei, card, text="Buy with 5000 points · 200 ⭐")
    invoice = shop.fake.last(mei)
    assert invoice.invoice.total_amount == 200
    assert "50 ⭐ off for 5000 points" in invoice.data["invoice"]["description"]
    assert await balance(shop, mei) == 6000  # pressing a button spends nothing

    paid = await shop.pay(mei, invoice)
    assert paid.accepted, paid.error_message
    await shop.outbox_drained()  # the "points earned" notice must not land among the later replies
    (receipt,) = [m.content for m in shop.fake.sent(mei) if "Paid: 200 ⭐" in m.content]
    assert "Points used: 5000 (50 ⭐ off)" in receipt
    assert await balance(shop, mei) == 6000 - 5000 + 200  # the discount, then the points the 200 ⭐ earned
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID and order.total.amount == 200 and order.points_to_spend == 5000
    assert (await shop.product("TEA-SET-01")).stock == stock - 1
    (points,) = await shop.say(mei, None, "/points")
    assert "−5000 · points spent on a discount" in points.text

    # Telegram delivers the payment again: nothing changes.
    shop.tracker.forget(paid.update_id)
    await shop.fake.redeliver(paid.update_id)
    await shop.settle(paid.update_id)
    assert await balance(shop, mei) == 1200
    assert await shop.orders_of(mei) == [order]
    assert (await shop.product("TEA-SET-01")).stock == stock - 1
    shop.fake.assert_no_errors()


async def test_a_refund_gives_the_spent_points_back(shop: Shop) -> None:
    mei = shop.member("Mei")
    await _give_points(shop, mei, 5000)
    card = await _card(shop, mei, "TEA-SET-01")
    await shop.press(mei, card, text=_points_button(card))
    assert (await shop.pay(mei, shop.fake.last(mei))).accepted
    (order,) = await shop.orders_of(mei)
    assert await balance(shop, mei) == 200

    (done,) = await shop.say(operator(shop), None, f"/refund {order.id}")
    assert "is refunded" in done.text
    assert [r.user_id for r in shop.fake.refunds] == [mei.id]
    assert await balance(shop, mei) == 5000  # the 5000 spent come back, the 200 earned go
    (again,) = await shop.say(operator(shop), None, f"/refund {order.id}")
    assert "already refunded" in again.text
    assert await balance(shop, mei) == 5000


async def test_a_lapsed_hold_gives_the_points_back_once(shop: Shop) -> None:
    mei = shop.member("Mei")
    await _give_points(shop, mei, 5000)
    stock = (await shop.product("TEA-SET-01")).stock
    card = await _card(shop, mei, "TEA-SET-01")
    await shop.press(mei, card, text=_points_button(card))
    invoice = shop.fake.last(mei)
    # Mei opens the payment form (pre-checkout holds the unit and spends the points), then walks away.
    query = await shop.fake.pre_checkout(mei, invoice)
    await shop.settle(query)
    assert shop.fake.queries[query.query_id].answer.ok
    assert await balance(shop, mei) == 0
    assert (await shop.product("TEA-SET-01")).stock == stock - 1

    shop.clock.advance(timedelta(minutes=16))
    await shop.app.jobs.run_now("release_holds")  # type: ignore[union-attr]
    await shop.app.jobs.run_now("release_holds")  # type: ignore[union-attr]
    assert await balance(shop, mei) == 5000
    assert (await shop.product("TEA-SET-01")).stock == stock
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.EXPIRED
    await shop.outbox_drained()
    told = [m.content for m in shop.fake.sent(mei) if "are yours again" in m.content]
    assert told == [
        "Your payment for Celadon tea set was not completed in time, so its 5000 points are yours "
        "again. Balance: 5000. See /points."
    ]  # once, though the job ran twice

    # The money arrives after all: the unit is still there and so are the points, so the order goes through.
    late = await shop.fake.successful_payment(mei, None, invoice.invoice.payload, "XTR", 200)
    await shop.settle(late)
    assert "Payment received" in shop.fake.last(mei).text
    assert await balance(shop, mei) == 200
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID


async def test_points_spent_elsewhere_before_paying_are_refused_with_a_clear_message(shop: Shop) -> None:
    mei = shop.member("Mei")
    await _give_points(shop, mei, 5000)
    tea = await _card(shop, mei, "TEA-SET-01")
    await shop.press(mei, tea, text=_points_button(tea))
    tea_invoice = shop.fake.last(mei)
    tea_stock = (await shop.product("TEA-SET-01")).stock

    # Before paying for the tea set, Mei spends the same points on a print.
    wave = await _card(shop, mei, "PRINT-WAVE-A3")
    assert "Buy with 5000 points · 400 ⭐" in wave.button_texts
    await shop.press(mei, wave, text="Buy with 5000 points · 400 ⭐")
    assert (await shop.pay(mei, shop.fake.last(mei))).accepted
    assert await balance(shop, mei) == 400

    refused = await shop.pay(mei, tea_invoice)
    assert not refused.accepted
    assert refused.error_message == "You no longer have enough points; press Buy again."
    assert await balance(shop, mei) == 400  # nothing spent, nothing lost
    assert (await shop.product("TEA-SET-01")).stock == tea_stock  # nothing held
    assert [o.status for o in await shop.orders_of(mei)] == [OrderStatus.PAID, OrderStatus.PENDING]

    # Buy at the full price still works.
    await shop.press(mei, tea, text="Buy · 250 ⭐")
    assert shop.fake.last(mei).invoice.total_amount == 250


async def test_a_card_in_a_group_offers_the_openers_points_and_each_presser_gets_their_own(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun, kai = shop.member("Mei"), shop.member("Jun"), shop.member("Kai")
    await _give_points(shop, mei, 5000)
    await _give_points(shop, jun, 1000)

    card = await _card(shop, mei, "TEA-SET-01", group)
    assert "Buy with 5000 points · 200 ⭐" in card.button_texts

    answer = await shop.press(kai, card, text="Buy with 5000 points · 200 ⭐")  # Kai has no points
    assert answer is not None and "do not buy a discount" in (answer.text or "")
    assert await shop.orders_of(kai) == []

    await shop.press(jun, card, text="Buy with 5000 points · 200 ⭐")  # Jun's 1000 points buy 10 ⭐
    invoice = shop.fake.last(group)
    assert invoice.invoice.total_amount == 240
    paid = await shop.pay(jun, invoice)
    assert paid.accepted, paid.error_message
    assert await balance(shop, jun) == 240
    assert await balance(shop, mei) == 5000
    (order,) = await shop.orders_of(jun)
    assert order.community_id == group.id and order.points_to_spend == 1000
