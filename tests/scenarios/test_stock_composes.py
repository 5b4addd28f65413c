"""Stock can never be sold twice: holds, sales, drops, catalog imports and refunds compose.

Told as stories on both frameworks (and, where the database decides, on SQLite and PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from circlecart.catalog_io import export_text, import_file
from domain.orders import OrderStatus
from tests.scenarios.harness import Shop, running_shop

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
"""


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
