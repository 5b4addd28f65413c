"""Physical goods (issue 12): a member in a group buys prints and a tea set, and Telegram's payment form asks
where to send them. Shipping is offered by country, free over the threshold, and refused where the shop does
not ship; the order keeps the shipping paid and the country only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from domain.shop.orders import OrderStatus
from tests.scenarios.harness import Shop, running_shop

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"  # EUR goods, Stars downloads
PROVIDER_TOKEN = "284685063:TEST:circlecart"
ZONES = "DE FR NL=4.90; US CA=14.00"


@pytest.fixture
async def shipping_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework,
        url,
        str(EXAMPLE_CATALOG),
        payment_provider_token=PROVIDER_TOKEN,
        shipping_zones=ZONES,
        shipping_free_over="60",
    ) as shop:
        yield shop


async def _buy(shop: Shop, user: Any, group: Any, words: str, title: str) -> Any:
    """Find the product in the group, open its card, press Buy; returns the invoice the bot sent."""
    (found,) = await shop.say(user, group, f"/find {words}")
    button = next(text for text in found.button_texts if title in text)
    await shop.press(user, found, text=button)
    card = shop.fake.last(group)
    buy = next(text for text in card.button_texts if text.startswith("Buy"))
    await shop.press(user, card, text=buy)
    return shop.fake.last(group)


async def test_mei_has_the_lotus_print_shipped_to_berlin_after_brazil_is_refused_and_the_tea_set_ships_free(
    shipping_shop: Shop,
) -> None:
    shop = shipping_shop
    group = await shop.group_with_bot()
    mei = shop.member("Mei")

    invoice = await _buy(shop, mei, group, "lotus pond art print", "Lotus pond art print")
    params = invoice.invoice.params
    assert params["provider_token"] == PROVIDER_TOKEN
    assert invoice.invoice.currency == "EUR" and invoice.invoice.total_amount == 2200
    assert params["need_name"] and params["need_phone_number"] and params["need_shipping_address"]
    assert params["is_flexible"]

    # Brazil is not a country the shop ships to: the payment form says so, and nothing is paid.
    refused = await shop.pay(mei, invoice, shipping_address={"country_code": "BR"})
    assert not refused.accepted and refused.answered
    assert refused.error_message is not None and "does not ship to BR" in refused.error_message

    # Berlin: standard shipping for Germany's zone is added to the print's price.
    paid = await shop.pay(mei, invoice, shipping_address={"country_code": "DE", "city": "Berlin"})
    assert paid.accepted, paid.error_message
    assert [(o["title"], o["prices"][0]["amount"]) for o in paid.shipping_options] == [("Standard shipping", 490)]
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID
    assert (order.shipping, order.ship_country, order.total.amount) == (490, "DE", 2690)

    # The tea set costs more than the free-shipping threshold: it ships free, even across the ocean.
    invoice = await _buy(shop, mei, group, "celadon tea set", "Celadon tea set")
    paid = await shop.pay(mei, invoice, shipping_address={"country_code": "US"})
    assert paid.accepted, paid.error_message
    assert [(o["title"], o["prices"][0]["amount"]) for o in paid.shipping_options] == [("Free shipping", 0)]
    tea = next(order for order in await shop.orders_of(mei) if order.lines[0].title == "Celadon tea set")
    assert tea.status is OrderStatus.PAID and (tea.shipping, tea.ship_country) == (0, "US")
    shop.fake.assert_no_errors()
