"""Physical goods sold through drops and group buys (issue 12): the same invoice as the shop's (the provider,
the currency, name, phone and address asked, flexible) and the same shipping answers by country; a physical
product priced in Stars cannot be put into a drop or a group buy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.drops.errors import DropError
from domain.errors import DomainError
from domain.money import Money
from domain.shop.orders import OrderStatus
from domain.shop.products import NewProduct
from tests.scenarios.drops_steps import allow_brand_directly, outbox_drained, press_buy, schedule, travel_to
from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.rewards_steps import card, link_code

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"  # EUR goods
PROVIDER_TOKEN = "284685063:TEST:circlecart"
OPERATOR_ID = 4242


@pytest.fixture
async def shipping_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework,
        url,
        str(EXAMPLE_CATALOG),
        payment_provider_token=PROVIDER_TOKEN,
        shipping_zones="DE FR NL=4.90; US CA=14.00",
        shipping_free_over="60",
        owner_ids=(OPERATOR_ID,),
    ) as shop:
        yield shop


def _asks_for_the_address(invoice: Any) -> None:
    params = invoice.invoice.params
    assert params["provider_token"] == PROVIDER_TOKEN and invoice.invoice.currency == "EUR"
    assert params["need_name"] and params["need_phone_number"] and params["need_shipping_address"]
    assert params["is_flexible"]


async def test_a_drop_of_tea_cups_asks_where_to_ship_and_prices_shipping_like_the_shop(shipping_shop: Shop) -> None:
    shop = shipping_shop
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, sku="TEA-CUP-PAIR", price=1500, quantity=5, starts_in=timedelta(hours=2))
    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop)
    announcement = shop.fake.last(group)
    assert "Drop:" in announcement.content

    mei = shop.member("Mei")
    invoice = await press_buy(shop, mei, announcement, drop.id, group)
    _asks_for_the_address(invoice)
    assert invoice.invoice.total_amount == 1500  # the drop price; shipping is added in the form

    refused = await shop.pay(mei, invoice, shipping_address={"country_code": "BR"})
    assert not refused.accepted and "does not ship to BR" in (refused.error_message or "")
    paid = await shop.pay(mei, invoice, shipping_address={"country_code": "NL", "city": "Utrecht"})
    assert paid.accepted, paid.error_message
    assert [(o["title"], o["prices"][0]["amount"]) for o in paid.shipping_options] == [("Standard shipping", 490)]
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID
    assert (order.shipping, order.ship_country, order.total.amount) == (490, "NL", 1990)
    shop.fake.assert_no_errors()


async def test_a_group_buy_of_the_tea_set_ships_each_member_to_their_own_country(shipping_shop: Shop) -> None:
    shop = shipping_shop
    operator = shop.fake.user(OPERATOR_ID, "Op")
    (answer,) = await shop.say(operator, None, "/groupprice TEA-SET-01 55 2")
    assert "Celadon tea set:" in answer.content and "each in a group of 2" in answer.content
    group = await shop.group_with_bot("Tea Lovers")
    mei, jun = shop.member("Mei"), shop.member("Jun")
    for member in (mei, jun):
        await shop.say(member, None, "/help")

    (menu,) = await shop.say(mei, group, "/groupbuy")
    await shop.press(mei, menu, text=next(t for t in menu.button_texts if t.startswith("Celadon tea set")))
    invoice = shop.fake.last(group)
    _asks_for_the_address(invoice)
    assert invoice.invoice.total_amount == 5500
    refused = await shop.pay(mei, invoice, shipping_address={"country_code": "JP"})
    assert not refused.accepted and "does not ship to JP" in (refused.error_message or "")
    started = await shop.pay(mei, invoice, shipping_address={"country_code": "DE"})
    assert started.accepted, started.error_message
    assert [o["prices"][0]["amount"] for o in started.shipping_options] == [490]  # 55.00 is under the 60 threshold

    code = link_code(card(shop, group))
    (summary,) = await shop.say(jun, None, f"/start g_{code}")
    await shop.press(jun, summary, text=next(t for t in summary.button_texts if t.startswith("Join")))
    invoice = shop.fake.last(jun)
    _asks_for_the_address(invoice)
    joined = await shop.pay(jun, invoice, shipping_address={"country_code": "CA", "city": "Toronto"})
    assert joined.accepted, joined.error_message
    assert [o["prices"][0]["amount"] for o in joined.shipping_options] == [1400]
    orders = [(await shop.orders_of(member))[0] for member in (mei, jun)]
    assert [o.status for o in orders] == [OrderStatus.PAID, OrderStatus.PAID]  # the group filled
    assert (orders[0].ship_country, orders[0].total) == ("DE", Money(5990, "EUR"))
    assert (orders[1].ship_country, orders[1].total) == ("CA", Money(6900, "EUR"))
    shop.fake.assert_no_errors()


async def test_a_physical_product_priced_in_stars_goes_into_no_drop_and_no_group_buy(shipping_shop: Shop) -> None:
    shop = shipping_shop
    async with shop.uow() as uow:  # a product from before the kinds of goods: physical, priced in Stars
        brand = await uow.brands.get_by_name("Celadon Studio")
        await uow.products.add(
            NewProduct("OLD-VASE", "Old vase", "", Money(300, "XTR"), 5, brand_id=brand.id, kind="physical")
        )
        await uow.commit()
    operator = shop.fake.user(OPERATOR_ID, "Op")
    (answer,) = await shop.say(operator, None, "/groupprice OLD-VASE 200 3")
    assert "is a physical product" in answer.content and "payment provider" in answer.content
    with pytest.raises(DomainError) as refused:
        await schedule(shop, sku="OLD-VASE", price=250, quantity=2)
    assert refused.value.code is DropError.PHYSICAL_IN_STARS
