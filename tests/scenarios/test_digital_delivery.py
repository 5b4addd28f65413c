"""Digital goods (issue 12): a file, a link or a unique code is delivered once, right after payment, in the
buyer's private chat. The brand uploads its pool of codes in the private chat; two buyers paying at the same
moment never get the same code, a payment the pool cannot serve is refunded, and /orders sends the same
content again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from circlecart.catalog_io import import_file
from circlecart.cli import main
from domain.shop.orders import OrderStatus
from tests.scenarios.harness import Shop, running_shop
from tests.support.clock import FakeClock

OPERATOR_ID = 777
CATALOG = """
products:
  - sku: NIGHT-MARKET-TICKET
    title: Night market ticket
    description: Entry to the lantern night market, one person.
    price: 40
    currency: XTR
    stock: 50
    brand: Lantern Press
    kind: digital
    content: pool
  - sku: GLAZE-GUIDE
    title: Glaze guide (online)
    description: The studio's glaze recipes, to read online.
    price: 25
    currency: XTR
    stock: 50
    brand: Lantern Press
    kind: digital
    content: https://example.org/downloads/glaze-guide
"""


@pytest.fixture
async def digital_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    async with running_shop(framework, url, str(catalog), owner_ids=(OPERATOR_ID,), codes_low_at=1) as shop:
        yield shop


async def _invoice(shop: Shop, user: Any, chat: Any, words: str, title: str) -> Any:
    """Find the product, open its card, press Buy; returns the invoice the bot sent."""
    (found,) = await shop.say(user, chat, f"/find {words}")
    button = next(text for text in found.button_texts if title in text)
    await shop.press(user, found, text=button)
    where = chat if chat is not None else user
    card = shop.fake.last(where)
    await shop.press(user, card, text=next(text for text in card.button_texts if text.startswith("Buy")))
    return shop.fake.last(where)


async def _upload(shop: Shop, user: Any, filename: str, content: str, caption: str) -> list[Any]:
    before = len(shop.fake.sent(user))
    await shop.settle(await shop.fake.send_document(user, None, filename, content.encode(), caption))
    return shop.fake.sent(user)[before:]


async def _staff(shop: Shop) -> tuple[Any, Any]:
    operator = shop.fake.user(OPERATOR_ID, "Op")
    staff = shop.member("Bo")
    (answer,) = await shop.say(operator, None, f"/brand staff Lantern Press {staff.id}")
    assert "is now staff of Lantern Press" in answer.content
    return operator, staff


async def test_a_ticket_code_is_delivered_once_after_payment_and_sent_again_from_orders(digital_shop: Shop) -> None:
    shop = digital_shop
    _, staff = await _staff(shop)
    stranger = shop.member("Zed")

    # Someone who is not the brand's staff cannot fill its pool.
    (refused,) = await _upload(shop, stranger, "codes.txt", "FAKE-1\n", "NIGHT-MARKET-TICKET")
    assert "not staff" in refused.content
    # A file with a code twice is refused whole, by line.
    (bad,) = await _upload(shop, staff, "codes.txt", "LN-001\nLN-002\nLN-001\n", "NIGHT-MARKET-TICKET")
    assert "were not added" in bad.content and "line 3" in bad.content and "also on line 1" in bad.content
    (added,) = await _upload(shop, staff, "codes.txt", "LN-001\nLN-002\n\nLN-003\n", "NIGHT-MARKET-TICKET")
    assert "Added 3 codes to NIGHT-MARKET-TICKET: 3 codes left" in added.content
    # Codes already in the pool are refused too.
    (again,) = await _upload(shop, staff, "more.txt", "LN-004\nLN-002\n", "NIGHT-MARKET-TICKET")
    assert "line 2" in again.content and "already in the pool" in again.content
    (count,) = await shop.say(staff, None, "/codes NIGHT-MARKET-TICKET")
    assert "3 codes left, 0 given out" in count.content

    mei = shop.member("Mei")
    await shop.say(mei, None, "/start")
    group = await shop.group_with_bot()
    invoice = await _invoice(shop, mei, group, "night market ticket", "Night market ticket")
    before = len(shop.fake.sent(mei))
    paid = await shop.pay(mei, invoice)
    assert paid.accepted, paid.error_message
    await shop.outbox_drained()
    delivered = [m for m in shop.fake.sent(mei)[before:] if "LN-" in m.content]
    assert [m.content.count("LN-001") for m in delivered] == [1]  # the first code, once, in the private chat
    assert not any("LN-001" in m.content for m in shop.fake.sent(group))  # never in the group

    # Telegram delivers the payment again: nothing is sent again, no second code is taken.
    sent = len(shop.fake.sent(mei))
    await shop.fake.redeliver(paid.update_id)
    await shop.settle(paid.update_id)
    await shop.outbox_drained()
    assert len(shop.fake.sent(mei)) == sent
    (count,) = await shop.say(staff, None, "/codes NIGHT-MARKET-TICKET")
    assert "2 codes left, 1 given out" in count.content

    # /orders sends the same code again, to its buyer only.
    (history,) = await shop.say(mei, None, "/orders")
    (order,) = await shop.orders_of(mei)
    resend = f"Send again · #{order.id}"
    assert resend in history.button_texts
    await shop.press(mei, history, text=resend)
    assert "LN-001" in shop.fake.last(mei).content and "LN-002" not in shop.fake.last(mei).content
    forged = shop.fake.last(mei)
    answer = await shop.press(stranger, history, data=next(b["callback_data"] for b in _buttons(history)), forge=True)
    assert answer is not None and "not one of your orders" in (answer.text or "")
    assert shop.fake.last(mei) is forged and not any("LN-001" in m.content for m in shop.fake.sent(stranger))

    # A link is delivered as a link.
    invoice = await _invoice(shop, mei, None, "glaze guide", "Glaze guide")
    assert (await shop.pay(mei, invoice)).accepted
    await shop.outbox_drained()
    assert any("https://example.org/downloads/glaze-guide" in m.content for m in shop.fake.sent(mei))
    shop.fake.assert_no_errors()


def _buttons(message: Any) -> list[dict[str, Any]]:
    markup = message.data.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def test_three_buyers_paying_at_once_for_two_codes_two_get_different_codes_and_one_is_refunded(
    digital_shop: Shop,
) -> None:
    shop = digital_shop
    _, staff = await _staff(shop)
    (added,) = await _upload(shop, staff, "codes.txt", "LN-101\nLN-102\n", "NIGHT-MARKET-TICKET")
    assert "Added 2 codes" in added.content
    buyers = [shop.member(name) for name in ("Ann", "Ben", "Cai")]
    invoices = []
    for buyer in buyers:
        await shop.say(buyer, None, "/start")
        invoices.append(await _invoice(shop, buyer, None, "night market ticket", "Night market ticket"))

    # All three payment forms pass pre-checkout while two codes are left; then the three payments land at once.
    for buyer, invoice in zip(buyers, invoices, strict=True):
        checked = await shop.settle(await shop.fake.pre_checkout(buyer, invoice))
        answer = shop.fake.pre_checkout_answer(checked.query_id)
        assert answer is not None and answer.ok, answer
    payments = await asyncio.gather(
        *(
            shop.fake.successful_payment(b, None, i.invoice.payload, i.invoice.currency, i.invoice.total_amount)
            for b, i in zip(buyers, invoices, strict=True)
        )
    )
    for payment in payments:
        await shop.settle(payment)
    await shop.outbox_drained()

    got = {b.first_name: [m.content for m in shop.fake.sent(b) if "LN-1" in m.content] for b in buyers}
    codes = sorted(text.split("LN-")[1][:3] for texts in got.values() for text in texts)
    assert codes == ["101", "102"]  # two different codes, each to one buyer, once
    (left_out,) = [b for b in buyers if not got[b.first_name]]
    told = shop.fake.sent(left_out)[-1].content
    assert "ran out" in told and "refund" in told.lower()
    orders = {b.first_name: (await shop.orders_of(b))[0] for b in buyers}
    assert orders[left_out.first_name].status is OrderStatus.REFUNDED  # Stars go back at once
    assert len(shop.fake.calls_to("refundStarPayment")) == 1
    # The brand hears the pool ran dry, and (after the job) that it is low.
    assert any("ran out" in m.content for m in shop.fake.sent(staff))
    assert shop.app.jobs is not None
    await shop.app.jobs.run_now("warn_low_code_pools")
    await shop.outbox_drained()
    assert [m.content.count("running low: 0 left") for m in shop.fake.sent(staff) if "running low" in m.content] == [1]
    await shop.app.jobs.run_now("warn_low_code_pools")  # once per fall below the threshold
    await shop.outbox_drained()
    assert len([m for m in shop.fake.sent(staff) if "running low" in m.content]) == 1

    # Now that the pool is empty, the payment form refuses before any money is taken.
    dee = shop.member("Dee")
    await shop.say(dee, None, "/start")
    refused = await shop.pay(dee, await _invoice(shop, dee, None, "night market ticket", "Night market ticket"))
    assert not refused.accepted and "sold out" in (refused.error_message or "")

    # Filled up above the threshold, the pool warns again the next time it falls to it.
    (added,) = await _upload(shop, staff, "more.txt", "LN-201\nLN-202\n", "NIGHT-MARKET-TICKET")
    assert "Added 2 codes" in added.content
    paid = await shop.pay(dee, await _invoice(shop, dee, None, "night market ticket", "Night market ticket"))
    assert paid.accepted, paid.error_message
    await shop.app.jobs.run_now("warn_low_code_pools")
    await shop.outbox_drained()
    assert [m.content for m in shop.fake.sent(staff) if "running low" in m.content][1:] == [
        "The codes of Night market ticket (NIGHT-MARKET-TICKET) are running low: 1 left. Send more as a text "
        "file of one code per line, with NIGHT-MARKET-TICKET as its caption."
    ]
    shop.fake.assert_no_errors()


async def test_the_operator_fills_and_counts_a_pool_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    await import_file(url, catalog)
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", url)
    codes = tmp_path / "codes.txt"
    codes.write_text("K-1\nK-2\nK-1\n", encoding="utf-8")

    def cli(*args: str) -> int:
        return main(list(args), clock)

    assert await asyncio.to_thread(cli, "codes", "import", "NIGHT-MARKET-TICKET", str(codes)) == 1
    assert "line 3: code 'K-1' is also on line 1" in capsys.readouterr().err
    codes.write_text("K-1\nK-2\n", encoding="utf-8")
    assert await asyncio.to_thread(cli, "codes", "import", "NIGHT-MARKET-TICKET", str(codes)) == 0
    assert "added 2 codes to NIGHT-MARKET-TICKET: 2 left" in capsys.readouterr().out
    assert await asyncio.to_thread(cli, "codes", "count", "NIGHT-MARKET-TICKET") == 0
    assert "NIGHT-MARKET-TICKET: 2 left, 0 given out" in capsys.readouterr().out
    assert await asyncio.to_thread(cli, "codes", "count", "GLAZE-GUIDE") == 1
    assert "not_a_pool" in capsys.readouterr().err


async def test_a_file_product_is_sent_as_the_document_itself_once_and_again_on_request(
    digital_shop: Shop, tmp_path: Path
) -> None:
    shop = digital_shop
    # The brand sent the bot its PDF once; the catalog names it by the file_id Telegram gave it.
    stored = shop.fake.keep_document("glaze-recipes.pdf", b"%PDF-1.7 celadon, tenmoku, shino")
    catalog = tmp_path / "files.yaml"
    catalog.write_text(
        "products:\n"
        "  - sku: GLAZE-BOOK\n"
        "    title: Glaze recipe book (PDF)\n"
        "    price: 60\n"
        "    currency: XTR\n"
        "    stock: 100\n"
        "    kind: digital\n"
        f"    content: {stored['file_id']}\n",
        encoding="utf-8",
    )
    await import_file(shop.app.settings.database_url, catalog)  # `circlecart catalog import` beside the bot

    mei = shop.member("Mei")
    await shop.say(mei, None, "/start")
    invoice = await _invoice(shop, mei, None, "glaze recipe book", "Glaze recipe book")
    paid = await shop.pay(mei, invoice)
    assert paid.accepted, paid.error_message
    await shop.outbox_drained()
    documents = [m for m in shop.fake.sent(mei) if m.data.get("document")]
    assert len(documents) == 1
    assert shop.fake.document_content(documents[0]) == b"%PDF-1.7 celadon, tenmoku, shino"
    assert "Glaze recipe book (PDF)" in documents[0].content

    await shop.fake.redeliver(paid.update_id)  # Telegram delivers the payment again
    await shop.settle(paid.update_id)
    await shop.outbox_drained()
    assert len([m for m in shop.fake.sent(mei) if m.data.get("document")]) == 1

    (history,) = await shop.say(mei, None, "/orders")
    await shop.press(mei, history, text=next(t for t in history.button_texts if t.startswith("Send again")))
    again = shop.fake.last(mei)
    assert again.data["document"]["file_id"] == stored["file_id"]
    shop.fake.assert_no_errors()


async def test_a_ticket_whose_payment_update_was_lost_is_delivered_once_by_the_reconciler(digital_shop: Shop) -> None:
    shop = digital_shop
    _, staff = await _staff(shop)
    await _upload(shop, staff, "codes.txt", "LN-301\nLN-302\n", "NIGHT-MARKET-TICKET")
    mei = shop.member("Mei")
    await shop.say(mei, None, "/start")
    invoice = await _invoice(shop, mei, None, "night market ticket", "Night market ticket")
    await shop.settle(await shop.fake.pre_checkout(mei, invoice))
    # Telegram takes the Stars, but the successful_payment update never reaches the bot.
    record = invoice.invoice
    await shop.fake.successful_payment(mei, None, record.payload, "XTR", record.total_amount, deliver=False)
    shop.clock.advance(timedelta(minutes=3))
    assert shop.app.jobs is not None
    for _ in range(2):  # a second pass finds nothing new and sends nothing again
        await shop.app.jobs.run_now("reconcile_star_payments")
        await shop.app.jobs.run_now("settle_payments")
        await shop.outbox_drained()
    assert [m.content.count("LN-301") for m in shop.fake.sent(mei) if "LN-3" in m.content] == [1]
    (count,) = await shop.say(staff, None, "/codes NIGHT-MARKET-TICKET")
    assert "1 codes left, 1 given out" in count.content
