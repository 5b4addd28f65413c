"""Shops that configure a payment provider sell in fiat currencies; Stars keep working beside them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.money import parse_major
from domain.shop.orders import OrderStatus, PaymentStatus
from domain.shop.products import NewProduct
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import Shop, running_shop

PROVIDER_TOKEN = "284685063:TEST:circlecart"


async def _add_usd_product(shop: Shop, stock: int = 3) -> None:
    async with shop.uow() as uow:
        await uow.products.add(
            NewProduct("MUG-USD", "Museum mug", "Stoneware mug.", parse_major("19.99", "USD"), stock, ("mug",))
        )
        await uow.commit()


@pytest.fixture
async def fiat_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework,
        url,
        str(STARS_CATALOG),
        payment_provider_token=PROVIDER_TOKEN,
        shipping_zones="US=5",
        shipping_free_over="10",
    ) as shop:
        await _add_usd_product(shop)
        yield shop


async def test_member_pays_in_dollars_through_the_configured_provider(fiat_shop: Shop) -> None:
    shop = fiat_shop
    mei = shop.member("Mei")
    (card,) = await shop.say(mei, None, "/start p_MUG-USD")
    assert "$19.99" in card.content
    await shop.press(mei, card, text="Buy · $19.99")
    invoice = shop.fake.last(mei)
    assert invoice.invoice.params["provider_token"] == PROVIDER_TOKEN
    assert invoice.invoice.currency == "USD" and invoice.invoice.total_amount == 1999
    paid = await shop.pay(mei, invoice, shipping_address={"country_code": "US"})  # a mug ships (free over $10)
    assert paid.accepted
    await shop.outbox_drained()  # the "points earned" notice must not land among the later replies
    assert any("Paid: $19.99" in m.content for m in shop.fake.sent(mei))

    # Stars products in the same shop still go without a provider token.
    (pin,) = await shop.say(mei, None, "/start p_PIN-CRANE")
    await shop.press(mei, pin, text="Buy · 35 ⭐")
    assert (
        "provider_token" not in shop.fake.last(mei).invoice.params
        or not shop.fake.last(mei).invoice.params["provider_token"]
    )


async def test_an_undeliverable_fiat_payment_is_marked_refund_due_and_the_member_told(
    fiat_shop: Shop,
) -> None:
    shop = fiat_shop
    mei = shop.member("Mei")
    (card,) = await shop.say(mei, None, "/start p_MUG-USD")
    await shop.press(mei, card, text="Buy · $19.99")
    record = shop.fake.last(mei).invoice
    async with shop.uow() as uow:  # sold out elsewhere before Mei's payment lands, with no hold
        assert await uow.products.claim_stock((await uow.products.get_by_sku("MUG-USD")).id, 3)
        await uow.commit()
    late = await shop.fake.successful_payment(mei, None, record.payload, "USD", 1999)
    await shop.settle(late)
    assert "will be refunded" in shop.fake.last(mei).text
    assert shop.fake.refunds == []  # only Stars can be refunded by the bot
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.REFUND_DUE
    async with shop.uow() as uow:
        (payment,) = await uow.payments.for_order(order.id)
    assert payment.status is PaymentStatus.REFUND_DUE


async def test_a_fiat_product_without_a_provider_cannot_be_bought(shop: Shop) -> None:
    await _add_usd_product(shop)
    mei = shop.member("Mei")
    (card,) = await shop.say(mei, None, "/start p_MUG-USD")
    answer = await shop.press(mei, card, text="Buy · $19.99")
    assert answer.show_alert and "USD" in answer.text
    assert shop.fake.last(mei).invoice is None
