"""The core shopping loop, played by members in groups and private chats on both frameworks."""

from __future__ import annotations

from dataclasses import replace

from domain.money import Money
from domain.shop.orders import OrderStatus
from tests.scenarios.harness import BOT_USERNAME, Shop


async def test_bot_added_to_group_registers_the_community_and_says_how_to_shop(shop: Shop) -> None:
    group = await shop.group_with_bot("Celadon Friends")
    welcome = shop.fake.last(group)
    assert welcome is not None and "/shop" in welcome.text
    async with shop.uow() as uow:
        community = await uow.communities.get(group.id)
    assert community is not None and community.active and community.title == "Celadon Friends"

    owner = shop.member("Lin")
    await shop.settle(await shop.fake.remove_bot_from_group(group, owner))
    async with shop.uow() as uow:
        community = await uow.communities.get(group.id)
    assert community is not None and not community.active


async def test_member_browses_the_catalog_page_by_page_in_the_group(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    (page,) = await shop.say(mei, group, "/shop")
    assert "page 1 of 2" in page.text
    first_titles = [t for t in page.button_texts if "·" in t and "/" not in t]
    assert len(first_titles) == 5

    await shop.press(mei, page, text="Next ▶")
    edited = shop.fake.message(group, page.message_id)
    assert edited is not None and edited.edited and "page 2 of 2" in edited.text
    assert not set(edited.button_texts) & set(first_titles)
    assert "Calligraphy brush set" not in " ".join(edited.button_texts)  # inactive products are hidden

    await shop.press(mei, edited, text="◀ Previous")
    assert "page 1 of 2" in shop.fake.message(group, page.message_id).text


async def test_member_searches_with_shop_words_and_find(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    (found,) = await shop.say(mei, group, "/shop celadon")
    assert "Celadon tea set" in " ".join(found.button_texts)
    (found,) = await shop.say(mei, group, f"/find@{BOT_USERNAME} tea")  # prefix: finds "teapot" and "tea set"
    assert "Celadon tea set" in " ".join(found.button_texts)
    (nothing,) = await shop.say(mei, group, "/find zeppelin")
    assert "Nothing found" in nothing.text
    (ask,) = await shop.say(mei, group, "/find")
    assert "/find" in ask.text


async def test_product_card_shows_photo_price_stock_and_buy(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    (found,) = await shop.say(mei, group, "/find celadon tea set")
    await shop.press(mei, found, text=next(t for t in found.button_texts if t.startswith("Celadon tea set")))
    card = shop.fake.last(group)
    product = await shop.product("TEA-SET-01")
    assert card.photo, "the card is a photo with a caption"
    assert product.title in card.caption and "250 ⭐" in card.caption and f"In stock: {product.stock}" in card.caption
    assert "Buy · 250 ⭐" in card.button_texts
    assert "Members of" not in card.caption  # no membership plan lowers this price


async def test_member_pays_in_the_group_gets_a_receipt_and_sees_the_order(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    stock_before = (await shop.product("TEA-SET-01")).stock
    card = await _card(shop, mei, group, "celadon tea set")

    answer = await shop.press(mei, card, text="Buy · 250 ⭐")
    assert answer is not None and "Pay" in (answer.text or "")
    invoice = shop.fake.last(group)
    assert invoice.data["invoice"]["currency"] == "XTR" and invoice.data["invoice"]["total_amount"] == 250
    assert "Mei" in invoice.data["invoice"]["description"]

    paid = await shop.pay(mei, invoice)
    assert paid.accepted, paid.error_message
    receipt = shop.fake.last(group)
    assert "Payment received" in receipt.text and paid.charge_id in receipt.text
    assert (await shop.product("TEA-SET-01")).stock == stock_before - 1

    (history,) = await shop.say(mei, None, "/orders")
    assert "Celadon tea set" in history.text and "paid" in history.text
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID and order.community_id == group.id
    shop.fake.assert_no_errors()


async def test_pressing_buy_again_reuses_the_open_order(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    card = await _card(shop, mei, group, "crane pin")
    for _ in range(3):
        await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    assert len(await shop.orders_of(mei)) == 1


async def test_someone_else_cannot_pay_a_members_invoice(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun = shop.member("Mei"), shop.member("Jun")
    card = await _card(shop, mei, group, "crane pin")
    await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    paid = await shop.pay(jun, shop.fake.last(group))
    assert not paid.accepted and "another member" in paid.error_message


async def test_sold_out_at_pre_checkout_is_refused_with_a_clear_message(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, jun = shop.member("Mei"), shop.member("Jun")
    await _set_stock(shop, "WOODBLOCK-PLUM", 1)
    card = await _card(shop, mei, group, "woodblock")
    buy = next(t for t in card.button_texts if t.startswith("Buy"))
    await shop.press(mei, card, text=buy)
    mei_invoice = shop.fake.last(group)
    await shop.press(jun, card, text=buy)
    jun_invoice = shop.fake.last(group)

    assert (await shop.pay(jun, jun_invoice)).accepted
    async with shop.uow() as uow:  # a title with markup characters stays as it is in plain-text answers
        plum = await uow.products.get_by_sku("WOODBLOCK-PLUM")
        await uow.products.update(replace(plum, title="Plum & <Crane>"))
        await uow.commit()
    refused = await shop.pay(mei, mei_invoice)
    assert not refused.accepted and refused.error_message == "Sorry, Plum & <Crane> is sold out."
    assert (await shop.product("WOODBLOCK-PLUM")).stock == 0


async def test_price_changed_at_pre_checkout_is_refused_and_the_invoice_cancelled(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    card = await _card(shop, mei, group, "crane pin")
    await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    invoice = shop.fake.last(group)
    async with shop.uow() as uow:
        pin = await uow.products.get_by_sku("PIN-CRANE")
        await uow.products.update(replace(pin, price=Money(40, "XTR")))
        await uow.commit()

    refused = await shop.pay(mei, invoice)
    assert not refused.accepted and "40 ⭐" in refused.error_message
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.CANCELLED
    assert (await shop.product("PIN-CRANE")).stock == pin.stock


async def test_a_duplicate_successful_payment_update_creates_one_order(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    card = await _card(shop, mei, group, "crane pin")
    await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    paid = await shop.pay(mei, shop.fake.last(group))
    stock_after = (await shop.product("PIN-CRANE")).stock
    receipts = [m for m in shop.fake.sent(group) if "Payment received" in m.content]

    shop.tracker.forget(paid.update_id)
    await shop.fake.redeliver(paid.update_id)
    await shop.settle(paid.update_id)

    assert len(await shop.orders_of(mei)) == 1
    assert (await shop.product("PIN-CRANE")).stock == stock_after
    assert [m for m in shop.fake.sent(group) if "Payment received" in m.content] == receipts
    async with shop.uow() as uow:
        assert len(await uow.payments.for_order((await shop.orders_of(mei))[0].id)) == 1


async def test_payment_after_the_hold_lapsed_and_stock_ran_out_is_refunded(shop: Shop) -> None:
    from datetime import timedelta

    from jobs.holds import release_holds

    group = await shop.group_with_bot()
    mei, jun = shop.member("Mei"), shop.member("Jun")
    await _set_stock(shop, "WOODBLOCK-PLUM", 1)
    card = await _card(shop, mei, group, "woodblock")
    buy = next(t for t in card.button_texts if t.startswith("Buy"))
    await shop.press(mei, card, text=buy)
    mei_invoice = shop.fake.last(group)
    pre = await shop.fake.pre_checkout(mei, mei_invoice)
    await shop.settle(pre)
    assert shop.fake.pre_checkout_answer(pre.query_id).ok

    shop.clock.advance(timedelta(minutes=20))  # Mei's payment form stays open; her hold lapses
    assert await release_holds(shop.uow, shop.clock) == 1
    await shop.press(jun, card, text=buy)
    assert (await shop.pay(jun, shop.fake.last(group))).accepted

    record = mei_invoice.invoice
    late = await shop.fake.successful_payment(mei, group, record.payload, record.currency, record.total_amount)
    await shop.settle(late)
    notice = shop.fake.last(group)
    assert "refunded" in notice.text
    assert [r.charge_id for r in shop.fake.refunds] == [
        late.message.data["successful_payment"]["telegram_payment_charge_id"]
    ]
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.REFUNDED


async def test_unpaid_holds_expire_and_release_stock(shop: Shop) -> None:
    from datetime import timedelta

    from jobs.holds import release_holds

    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    before = (await shop.product("PIN-CRANE")).stock
    card = await _card(shop, mei, group, "crane pin")
    await shop.press(mei, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    pre = await shop.fake.pre_checkout(mei, shop.fake.last(group))
    await shop.settle(pre)
    assert (await shop.product("PIN-CRANE")).stock == before - 1
    assert await release_holds(shop.uow, shop.clock) == 0  # not yet due
    shop.clock.advance(timedelta(minutes=16))
    assert await release_holds(shop.uow, shop.clock) == 1
    assert await release_holds(shop.uow, shop.clock) == 0  # idempotent
    assert (await shop.product("PIN-CRANE")).stock == before
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.EXPIRED


async def _card(shop: Shop, user, group, words: str):  # type: ignore[no-untyped-def]
    (found,) = await shop.say(user, group, f"/find {words}")
    assert found.button_texts, found.text
    await shop.press(user, found, text=found.button_texts[0])
    return shop.fake.last(group)


async def _set_stock(shop: Shop, sku: str, stock: int) -> None:
    async with shop.uow() as uow:
        product = await uow.products.get_by_sku(sku)
        await uow.products.recount(product.id, stock)
        await uow.commit()
