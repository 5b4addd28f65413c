"""Membership boxes (issue 12, item 6): a member of a plan with a monthly box pays, confirms where it goes in a
private chat, and the brand sees the box in its /ship console. Played through the fake Bot API on both
frameworks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from domain.shop.orders import OrderStatus
from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.memberships_steps import add_plan, follow_the_shop_clock, outbox_drained, subscribe

OPERATOR = 777
EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"  # EUR physical goods


@pytest.fixture
async def box_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    token = "284685063:TEST:cc"
    async with running_shop(
        framework, url, str(EXAMPLE_CATALOG), payment_provider_token=token, owner_ids=(OPERATOR,)
    ) as shop:
        yield shop


async def test_mei_pays_for_a_tea_box_plan_gives_her_address_and_celadon_sees_the_box_to_ship(box_shop: Shop) -> None:
    shop = box_shop
    follow_the_shop_clock(shop)
    cel = shop.member("Cel")
    await add_plan(shop, cel, None, "100 XTR Tea Box box=TEA-SET-01", brand="Celadon Studio")
    (offer,) = await shop.say(shop.member("Ana"), None, "/membership")
    assert "· a box of TEA-SET-01 shipped to you every paid period" in offer.text, offer.text
    (refused,) = await shop.say(cel, None, "/plan add 100 XTR Other Box box=PRINT-WAVE-A3 brand=Celadon_Studio")
    assert "not a product of Celadon Studio" in refused.text  # a brand's box is one of its own products

    mei, jun = shop.member("Mei"), shop.member("Jun")
    await subscribe(shop, mei)
    await outbox_drained(shop)
    assert shop.app.jobs is not None
    await shop.app.jobs.run_now("membership_boxes")
    await shop.app.jobs.run_now("membership_boxes")  # the job firing twice makes one box
    await outbox_drained(shop)
    ask = shop.fake.last(mei)
    assert "no address on file" in ask.content and "Celadon tea set" in ask.content
    (order,) = [o for o in await shop.orders_of(mei)]
    assert order.status is OrderStatus.PENDING and order.total.amount == 0

    # Not shipped before Mei confirms where it goes.
    (console,) = await shop.say(cel, None, "/ship")
    assert f"#{order.id}" not in console.content

    # Jun forges Mei's Confirm button: refused, nothing moves.
    codec = shop.app.core.table.codec  # type: ignore[union-attr]
    answer = await shop.press(jun, ask, data=codec.encode("bxok", 1), forge=True)
    assert "no such membership box" in answer.text
    assert (await shop.orders_of(mei))[0].status is OrderStatus.PENDING

    await shop.press(mei, ask, text="Change address")
    assert "Name, phone, street, city, postcode, country code" in shop.fake.last(mei).content
    (bad,) = await shop.say(mei, None, "Mei Lin, Berlin")
    assert "could not be read" in bad.content
    (done,) = await shop.say(mei, None, "Mei Lin, +49 30 1234567, Torstraße 1, Berlin, 10115, de")
    assert "will be shipped to that address" in done.content
    assert (await shop.orders_of(mei))[0].status is OrderStatus.PAID

    (console,) = await shop.say(cel, None, "/ship")
    assert f"#{order.id}" in console.content and "Celadon tea set" in console.content
    assert "Torstraße 1" in console.content and "Mei Lin" in console.content
    shop.fake.assert_no_errors()


async def _confirmed_box(shop: Shop) -> tuple[Any, Any, Any]:
    """Celadon's Tea Box plan; Mei pays for it and confirms where her box goes: the box order is PAID."""
    follow_the_shop_clock(shop)
    cel, mei = shop.member("Cel"), shop.member("Mei")
    await add_plan(shop, cel, None, "100 XTR Tea Box box=TEA-SET-01", brand="Celadon Studio")
    await subscribe(shop, mei)
    await outbox_drained(shop)
    assert shop.app.jobs is not None
    await shop.app.jobs.run_now("membership_boxes")
    await outbox_drained(shop)
    await shop.press(mei, shop.fake.last(mei), text="Change address")
    await shop.say(mei, None, "Mei Lin, +49 30 1234567, Torstraße 1, Berlin, 10115, de")
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID and order.total.amount == 0
    return cel, mei, order


async def test_celadon_cancels_a_box_before_it_ships_and_nothing_waits_on_a_refund(box_shop: Shop) -> None:
    shop = box_shop
    cel, mei, order = await _confirmed_box(shop)
    (console,) = await shop.say(cel, None, "/ship")
    answer = await shop.press(cel, console, text=f"Cancel #{order.id}")
    assert "nothing was charged" in answer.text and "refunded" not in answer.text
    (cancelled,) = await shop.orders_of(mei)
    assert cancelled.status is OrderStatus.CANCELLED  # not refund-due: there is no money to send back
    await outbox_drained(shop)
    told = shop.fake.last(mei).content
    assert f"order #{order.id}" in told and "Nothing was charged for it" in told and "refunded" not in told
    (console,) = await shop.say(cel, None, "/ship")
    assert f"#{order.id}" not in console.content
    shop.fake.assert_no_errors()


async def test_a_shipped_box_offers_no_return_and_a_forged_return_is_refused(box_shop: Shop) -> None:
    shop = box_shop
    cel, mei, order = await _confirmed_box(shop)
    (console,) = await shop.say(cel, None, "/ship")
    await shop.press(cel, console, text=f"Ship #{order.id}")
    (shipped,) = await shop.say(cel, None, "DHL JD014600003828")
    assert "shipped" in shipped.content
    (history,) = await shop.say(mei, None, "/orders")
    assert f"#{order.id}" in history.content and f"Return #{order.id}" not in " ".join(history.button_texts)

    codec = shop.app.core.table.codec  # type: ignore[union-attr]
    answer = await shop.press(mei, history, data=codec.encode("rask", order.id), forge=True)
    assert "included in your membership" in answer.text
    (refused,) = await shop.say(shop.fake.user(OPERATOR, "Olga"), None, f"/refund {order.id}")
    assert "not paid, so there is nothing to refund" in refused.content
    (still,) = await shop.orders_of(mei)
    assert still.status is OrderStatus.SHIPPED

    (card,) = await shop.say(cel, None, f"/order {order.id}")
    pressed = await shop.press(cel, card, text=f"Delivered #{order.id}")
    assert "delivered" in pressed.text, pressed.text
    await outbox_drained(shop)
    (delivered,) = [
        m.content for m in shop.fake.sent(mei) if f"order #{order.id}" in m.content and "delivered" in m.content
    ]
    assert "Something wrong? Tell me" in delivered and "return" not in delivered
    shop.fake.assert_no_errors()
