"""Stock can never be sold twice: holds, sales, drops, catalog imports and refunds compose.

Told as stories on both frameworks (and, where the database decides, on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from circlecart.catalog_io import export_text, import_file
from domain.shop.orders import OrderStatus
from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import (
    allow_brand_directly,
    drop_state,
    make_staff,
    outbox_drained,
    press_buy,
    schedule,
    travel_to,
)
from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.rewards_steps import OPERATOR_ID, operator

LAST_VASE = """\
products:
  - sku: VASE-LAST
    title: Last celadon vase
    description: The only one the studio made in this glaze.
    price: 900
    currency: XTR
    stock: 1
    tags: [ceramics]
    brand: Celadon Studio
    kind: service
"""  # a service so that Stars may sell it (Telegram's rule): this test is about stock, not shipping


async def _card(shop: Shop, member: Any, group: Any, words: str) -> Any:
    (found,) = await shop.say(member, group, f"/find {words}")
    assert found.button_texts, found.text
    await shop.press(member, found, text=found.button_texts[0])
    return shop.fake.last(group)


async def _invoice_for(shop: Shop, member: Any, card: Any, group: Any) -> Any:
    await shop.press(member, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    invoice = shop.fake.last(group)
    assert invoice.invoice is not None, invoice.content
    return invoice


async def test_reimport_during_a_hold_never_sells_the_unit_twice(
    framework: str, database_url: str, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(LAST_VASE, encoding="utf-8")
    async with running_shop(framework, database_url, str(catalog)) as shop:
        group = await shop.group_with_bot("Celadon Friends")
        mei, jun = shop.member("Mei"), shop.member("Jun")
        card = await _card(shop, mei, group, "celadon vase")
        mei_invoice = await _invoice_for(shop, mei, card, group)
        jun_invoice = await _invoice_for(shop, jun, card, group)  # both have an invoice for the one vase

        paying = await shop.fake.pre_checkout(mei, mei_invoice)  # Mei's payment form holds the vase
        await shop.settle(paying)
        assert shop.fake.pre_checkout_answer(paying.query_id).ok

        report = await import_file(database_url, catalog)  # meanwhile the studio imports its catalog again
        assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
        catalog.write_text(LAST_VASE.replace("The only one", "The single one"), encoding="utf-8")
        report = await import_file(database_url, catalog)  # and again, with a description edited
        assert report.updated == 1
        assert (await shop.product("VASE-LAST")).stock == 0  # the held vase is not for sale again

        refused = await shop.pay(jun, jun_invoice)
        assert not refused.accepted and refused.error_message == "Sorry, Last celadon vase is sold out."

        record = mei_invoice.invoice
        paid = await shop.fake.successful_payment(mei, group, record.payload, record.currency, record.total_amount)
        await shop.settle(paid)
        assert "Payment received" in shop.fake.last(group).text

        await import_file(database_url, catalog)  # the same file once more, after the sale
        vase = await shop.product("VASE-LAST")
        assert (vase.stock, vase.held, vase.shelf) == (0, 0, 0)
        late = shop.member("Ke")
        await shop.press(late, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
        assert shop.fake.last(group).invoice is None  # sold out at Buy: no invoice
        paid_orders = [o for m in (mei, jun, late) for o in await shop.orders_of(m) if o.status is OrderStatus.PAID]
        assert [o.user_id for o in paid_orders] == [mei.id]

        catalog.write_text(LAST_VASE.replace("stock: 1", "stock: 3"), encoding="utf-8")
        await import_file(database_url, catalog)  # two more vases came out of the kiln
        assert (await shop.product("VASE-LAST")).stock == 2
        assert "stock: 3" in await export_text(database_url, "yaml")  # the count as imported, for the next edit


@asynccontextmanager
async def _shop_with_operator(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, url, str(STARS_CATALOG), owner_ids=(OPERATOR_ID,)) as shop:
        yield shop


async def _tea_set_drop(shop: Shop, units: int) -> tuple[Any, Any, Any]:
    """Celadon Studio's first-come drop of `units` tea sets at 200 (the shop sells them at 250), scheduled in
    Tea Lovers; returns (the brand's person, the group, the drop)."""
    brand_person = shop.member("Bo")
    await shop.say(brand_person, None, "/start")
    await make_staff(shop, "Celadon Studio", brand_person)
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=units, price=200, starts_in=timedelta(hours=2), lasts=timedelta(hours=1))
    return brand_person, group, drop


async def test_shop_buy_during_a_drop_goes_through_the_drop(framework: str, tmp_path: Path) -> None:
    async with _shop_with_operator(framework, tmp_path) as shop:
        before = await shop.product("TEA-SET-01")
        _, group, drop = await _tea_set_drop(shop, units=3)
        assert (await shop.product("TEA-SET-01")).stock == before.stock - 3  # set aside: the shop cannot sell them

        mei, jun = shop.member("Mei"), shop.member("Jun")
        card = await _card(shop, jun, group, "celadon tea set")
        stale = await _invoice_for(shop, jun, card, group)  # a full-price shop invoice, before the drop
        assert stale.invoice.total_amount == 250

        await travel_to(shop, drop.starts_at)
        await outbox_drained(shop)
        await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
        invoice = shop.fake.last(group)
        assert invoice.invoice.payload.startswith("drop:") and invoice.invoice.total_amount == 200
        assert (await shop.pay(mei, invoice)).accepted
        answer = await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
        assert "limit of 1 per member" in answer.text  # the drop's limit holds on the shop's card too

        refused = await shop.pay(jun, stale)  # the old invoice, paid during the drop
        assert not refused.accepted
        assert refused.error_message.startswith("Celadon tea set is in a limited drop right now")
        shop_orders = [o for o in await shop.orders_of(jun) if o.status is OrderStatus.PAID]
        assert shop_orders == []

        await travel_to(shop, drop.ends_at)  # two units unsold: back on the shelf with the report
        state = await drop_state(shop, drop.id)
        assert (state.status.value, state.sold, state.reserved) == ("closed", 1, 0)
        after = await shop.product("TEA-SET-01")
        assert (after.stock, after.held) == (before.stock - 1, 0)
        assert (await shop.pay(jun, stale)).accepted  # after the drop, the shop sells it at its own price


async def test_refunded_drop_invoice_cannot_be_paid_again(framework: str, tmp_path: Path) -> None:
    async with _shop_with_operator(framework, tmp_path) as shop:
        _, group, drop = await _tea_set_drop(shop, units=2)
        await travel_to(shop, drop.starts_at)
        await outbox_drained(shop)
        announcement = shop.fake.last(group)
        mei = shop.member("Mei")
        invoice = await press_buy(shop, mei, announcement, drop.id, group)
        assert (await shop.pay(mei, invoice)).accepted
        (order,) = await shop.orders_of(mei)

        (done,) = await shop.say(operator(shop), None, f"/refund {order.id}")
        assert "is refunded" in done.text
        state = await drop_state(shop, drop.id)
        assert (state.sold, state.refunded, state.claimed) == (0, 1, 1)

        again = await shop.pay(mei, invoice)  # the same invoice, paid once more
        assert not again.accepted
        assert again.error_message == (
            "This order was refunded, so its invoice cannot be paid again. Press Buy for a new one."
        )
        assert await drop_state(shop, drop.id) == state  # no unit taken
        async with shop.uow() as uow:
            assert await uow.drop_claims.allowance_used(drop.id, mei.id) == 0  # nor her allowance

        fresh = await press_buy(shop, mei, announcement, drop.id, group)  # she may buy again, a new order
        assert fresh.invoice.payload != invoice.invoice.payload
        assert (await shop.pay(mei, fresh)).accepted
        state = await drop_state(shop, drop.id)
        assert (state.sold, state.claimed) == (1, 2)


async def test_operator_refund_of_drop_order_corrects_the_report(framework: str, tmp_path: Path) -> None:
    async with _shop_with_operator(framework, tmp_path) as shop:
        brand_person, group, drop = await _tea_set_drop(shop, units=3)
        await travel_to(shop, drop.starts_at)
        await outbox_drained(shop)
        announcement = shop.fake.last(group)
        mei, jun = shop.member("Mei"), shop.member("Jun")
        for member in (mei, jun):
            assert (await shop.pay(member, await press_buy(shop, member, announcement, drop.id, group))).accepted
        await travel_to(shop, drop.ends_at)
        await outbox_drained(shop)
        (report,) = [m for m in shop.fake.sent(brand_person.id) if "Drop report" in m.content]
        assert "Units sold: 2 of 3" in report.content and "Revenue: 400 ⭐" in report.content
        shelf_after_report = (await shop.product("TEA-SET-01")).stock

        (order,) = await shop.orders_of(jun)
        (done,) = await shop.say(operator(shop), None, f"/refund {order.id}")
        assert "is refunded" in done.text
        await outbox_drained(shop)

        (corrected,) = [m for m in shop.fake.sent(brand_person.id) if "Corrected drop report" in m.content]
        assert "Units sold: 1 of 3" in corrected.content
        assert "Refunded: 1" in corrected.content and "Revenue: 200 ⭐" in corrected.content
        state = await drop_state(shop, drop.id)
        assert (state.sold, state.refunded, state.revenue) == (1, 1, 200)
        assert (await shop.product("TEA-SET-01")).stock == shelf_after_report  # a refund puts nothing on sale
        (again,) = await shop.say(operator(shop), None, f"/refund {order.id}")
        assert "already refunded" in again.text
        await outbox_drained(shop)
        assert sum("Corrected drop report" in m.content for m in shop.fake.sent(brand_person.id)) == 1
