"""Fulfilment (issue 12): a member buys a print in a group, the museum shop ships it from its console in the
private chat, and the member follows it in /orders; returns inside and outside the window; brands see only
their own orders; addresses go after the retention time while the order history still reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from circlecart.cli import main
from domain.shop.orders import OrderStatus, PaymentStatus
from tests.scenarios.harness import Shop, running_shop

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"
PROVIDER_TOKEN = "284685063:TEST:circlecart"
OPERATOR_ID = 4242
BERLIN = {
    "country_code": "DE",
    "state": "",
    "city": "Berlin",
    "street_line1": "Torstraße 1",
    "street_line2": "",
    "post_code": "10115",
}


@pytest.fixture
async def shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework,
        url,
        str(EXAMPLE_CATALOG),
        payment_provider_token=PROVIDER_TOKEN,
        shipping_zones="DE FR NL=4.90; US CA=14.00",
        shipping_free_over="60",
        owner_ids=(OPERATOR_ID,),
        address_retention_days=30,
    ) as running:
        yield running


async def make_staff(shop: Shop, brand: str, person: Any) -> None:
    operator = shop.fake.user(OPERATOR_ID, "Op")
    (answer,) = await shop.say(operator, None, f"/brand staff {brand} {person.id}")
    assert "is now staff of" in answer.content


async def buy_and_pay(shop: Shop, member: Any, group: Any, words: str, title: str) -> Any:
    """Find the product in the group, press Buy, pay with a Berlin address; returns the paid order."""
    (found,) = await shop.say(member, group, f"/find {words}")
    await shop.press(member, found, text=next(text for text in found.button_texts if title in text))
    card = shop.fake.last(group)
    await shop.press(member, card, text=next(text for text in card.button_texts if text.startswith("Buy")))
    paid = await shop.pay(member, shop.fake.last(group), shipping_address=BERLIN)
    assert paid.accepted, paid.error_message
    orders = [order for order in await shop.orders_of(member) if order.lines[0].title == title]
    assert orders and orders[0].status is OrderStatus.PAID
    return orders[0]


async def drained(shop: Shop) -> None:
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    await shop.outbox_drained()


def notices_about(shop: Shop, member: Any, words: str) -> list[Any]:
    return [message for message in shop.fake.sent(member) if words in message.content]


async def order_now(shop: Shop, order_id: int) -> Any:
    async with shop.uow() as uow:
        return await uow.orders.get(order_id)


async def ship_from_console(shop: Shop, staff: Any, order_id: int, answer: str = "DHL JD014600003828") -> Any:
    (console,) = await shop.say(staff, None, "/ship")
    await shop.press(staff, console, text=f"Ship #{order_id}")
    (shown,) = await shop.say(staff, None, answer)
    return shown


async def test_mei_buys_a_print_in_the_group_the_shop_ships_it_and_she_sees_the_tracking_number_once(
    shop: Shop,
) -> None:
    group = await shop.group_with_bot()
    mei, ines = shop.member("Mei"), shop.member("Ines")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "City Museum Shop", ines)
    order = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")

    # The museum shop's console lists the order with its address and items.
    (console,) = await shop.say(ines, None, "/ship")
    assert f"#{order.id}" in console.content and "Lotus pond art print (A4)" in console.content
    assert "Torstraße 1" in console.content and "10115 Berlin" in console.content and "Mei" in console.content
    await shop.press(ines, console, text=f"Packed #{order.id}")
    assert (await order_now(shop, order.id)).status is OrderStatus.PACKED

    # A short dialog: the carrier and the tracking number; a bad number is asked again.
    (console,) = await shop.say(ines, None, "/ship")
    await shop.press(ines, console, text=f"Ship #{order.id}")
    assert "carrier and the tracking number" in shop.fake.last(ines).content
    (again,) = await shop.say(ines, None, "DHL ?")
    assert "tracking number has 3 to" in again.content
    (shown,) = await shop.say(ines, None, "DHL JD014600003828")
    assert "shipped" in shown.content and "JD014600003828" in shown.content
    shipped = await order_now(shop, order.id)
    assert shipped.status is OrderStatus.SHIPPED
    assert (shipped.fulfilment.carrier, shipped.fulfilment.tracking_number) == ("DHL", "JD014600003828")

    # Pressing Ship again (an old console) changes nothing and tells the member nothing twice.
    answer = await shop.press(ines, console, text=f"Ship #{order.id}")
    assert answer is not None
    (refused,) = await shop.say(ines, None, "UPS 1Z999AA10123456784")
    assert "cannot do that now" in refused.content
    await drained(shop)
    assert len(notices_about(shop, mei, "has shipped with DHL")) == 1
    assert len(notices_about(shop, mei, "is packed")) == 1
    assert "JD014600003828" in notices_about(shop, mei, "has shipped with DHL")[0].content

    (history,) = await shop.say(mei, None, "/orders")
    assert f"#{order.id}" in history.content and "shipped" in history.content
    assert "DHL tracking: JD014600003828" in history.content
    assert (await order_now(shop, order.id)).ship_country == "DE"
    shop.fake.assert_no_errors()


async def test_a_return_in_the_window_is_refunded_once_and_late_or_final_sale_returns_are_refused(
    shop: Shop,
) -> None:
    group = await shop.group_with_bot()
    mei, ines, pia = shop.member("Mei"), shop.member("Ines"), shop.member("Pia")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "City Museum Shop", ines)
    await make_staff(shop, "Plum Studio", pia)
    lotus = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")
    wave = await buy_and_pay(shop, mei, group, "great wave art print", "Great Wave art print (A3)")
    plum = await buy_and_pay(shop, mei, group, "plum blossom woodblock", "Plum blossom woodblock print")
    (card,) = await shop.say(mei, group, "/find plum blossom woodblock")
    await shop.press(mei, card, text=next(text for text in card.button_texts if "Plum" in text))
    assert "Final sale" in shop.fake.last(group).content

    for staff, order in ((ines, lotus), (ines, wave), (pia, plum)):
        await ship_from_console(shop, staff, order.id)
        (card,) = await shop.say(staff, None, f"/order {order.id}")
        await shop.press(staff, card, text=f"Delivered #{order.id}")
        assert (await order_now(shop, order.id)).status is OrderStatus.DELIVERED

    # The woodblock is final sale: no Return button, and a forged one is refused with why.
    (history,) = await shop.say(mei, None, "/orders")
    assert f"Return #{lotus.id}" in history.button_texts and f"Return #{plum.id}" not in history.button_texts
    answer = await shop.press(mei, history, data=f"1:rask:{plum.id}", forge=True)
    assert "final-sale item" in answer.text

    # Within the window: Mei asks with a reason, the museum shop approves, and refunds on receipt, once.
    shop.clock.advance(timedelta(days=3))
    await shop.press(mei, history, text=f"Return #{lotus.id}")
    assert "Why do you want to return" in shop.fake.last(mei).content
    answers = await shop.say(mei, None, "The print arrived creased")  # with the notice of it, in either order
    assert any("Your return request for order" in answer.content for answer in answers)
    await drained(shop)
    (asked,) = [m for m in shop.fake.sent(ines) if "Return requested for order" in m.content]
    assert "arrived creased" in asked.content
    await shop.press(ines, asked, text=f"Approve #{lotus.id}")
    assert (await order_now(shop, lotus.id)).status is OrderStatus.RETURN_APPROVED
    (returns,) = await shop.say(ines, None, "/returns")
    await shop.press(ines, returns, text=f"Received #{lotus.id}: refund")
    again = await shop.press(ines, returns, text=f"Received #{lotus.id}: refund")
    assert "cannot do that now" in again.text
    async with shop.uow() as uow:
        (payment,) = await uow.payments.for_order(lotus.id)
        owed = [p for p in await uow.payments.refunds_owed(100) if p.order_id == lotus.id]
    assert payment.status is PaymentStatus.REFUND_DUE and len(owed) == 1  # fiat: on the operators' refund list
    assert (await order_now(shop, lotus.id)).status is OrderStatus.REFUND_DUE
    await drained(shop)
    assert len(notices_about(shop, mei, "is approved")) == 1
    assert len([m for m in shop.fake.sent(mei) if f"Your return of order #{lotus.id} arrived" in m.content]) == 1

    # After the window: the Great Wave cannot go back, and the answer says until when it could.
    shop.clock.advance(timedelta(days=5))
    (history,) = await shop.say(mei, None, "/orders")
    assert f"Return #{wave.id}" not in history.button_texts
    answer = await shop.press(mei, history, data=f"1:rask:{wave.id}", forge=True)
    assert "return window" in answer.text and "closed on" in answer.text
    assert (await order_now(shop, wave.id)).status is OrderStatus.DELIVERED
    shop.fake.assert_no_errors()


async def test_the_brand_refuses_a_return_with_a_reason_the_member_reads(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, ines = shop.member("Mei"), shop.member("Ines")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "City Museum Shop", ines)
    order = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")
    await ship_from_console(shop, ines, order.id)  # shipped, never marked delivered: transit time counts
    shop.clock.advance(timedelta(days=8))
    await drained(shop)
    (history,) = await shop.say(mei, None, "/orders")
    await shop.press(mei, history, text=f"Return #{order.id}")
    await shop.say(mei, None, "Changed my mind")
    await drained(shop)
    (returns,) = await shop.say(ines, None, "/returns")
    await shop.press(ines, returns, text=f"Refuse #{order.id}")
    (shown,) = await shop.say(ines, None, "The print was opened and framed")
    assert "shipped" in shown.content
    await drained(shop)
    (refusal,) = notices_about(shop, mei, "was refused")
    assert "opened and framed" in refusal.content
    assert (await order_now(shop, order.id)).status is OrderStatus.SHIPPED


async def test_brand_staff_see_and_change_only_their_own_brands_orders(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, ines, pia = shop.member("Mei"), shop.member("Ines"), shop.member("Pia")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "City Museum Shop", ines)
    await make_staff(shop, "Celadon Studio", pia)
    lotus = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")
    tea = await buy_and_pay(shop, mei, group, "celadon tea set", "Celadon tea set")

    (console,) = await shop.say(pia, None, "/ship")
    assert f"#{tea.id}" in console.content and f"#{lotus.id}" not in console.content
    assert "Torstraße" in console.content  # her own order's address
    (refusal,) = await shop.say(pia, None, f"/order {lotus.id}")
    assert f"no order #{lotus.id} that you can see" in refusal.content
    for action in ("fpack", "fship", "fcancel", "fdeliver", "rapprove", "rrefuse", "rreceived"):
        answer = await shop.press(pia, console, data=f"1:{action}:{lotus.id}", forge=True)
        assert f"no order #{lotus.id} that you can see" in answer.text, action
    assert (await order_now(shop, lotus.id)).status is OrderStatus.PAID

    # The export is hers only too.
    await shop.press(pia, console, text="Export CSV")
    exported = shop.fake.document_content(shop.fake.last(pia)).decode()
    assert f"\n{tea.id}," in exported and f"\n{lotus.id}," not in exported and "Torstraße 1" in exported

    # A cancellation before shipping refunds the order; the member is told once.
    (console,) = await shop.say(ines, None, "/ship")
    await shop.press(ines, console, text=f"Cancel #{lotus.id}")
    await shop.press(ines, console, text=f"Cancel #{lotus.id}")
    assert (await order_now(shop, lotus.id)).status is OrderStatus.REFUND_DUE
    await drained(shop)
    assert len(notices_about(shop, mei, "was cancelled before shipping")) == 1


async def test_addresses_are_erased_after_the_retention_time_and_the_history_still_reads(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, ines = shop.member("Mei"), shop.member("Ines")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "City Museum Shop", ines)
    order = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")
    async with shop.uow() as uow:
        assert (await uow.addresses.for_order(order.id)).city == "Berlin"
        assert (await uow.addresses.saved_for(mei.id)).street_line1 == "Torstraße 1"
    await ship_from_console(shop, ines, order.id)
    (card,) = await shop.say(ines, None, f"/order {order.id}")
    await shop.press(ines, card, text=f"Delivered #{order.id}")
    await drained(shop)

    shop.clock.advance(timedelta(days=29))
    await shop.app.jobs.run_now("erase_addresses")  # type: ignore[union-attr]
    async with shop.uow() as uow:
        assert await uow.addresses.for_order(order.id) is not None  # not yet
    shop.clock.advance(timedelta(days=2))
    await shop.app.jobs.run_now("erase_addresses")  # type: ignore[union-attr]
    async with shop.uow() as uow:
        assert await uow.addresses.for_order(order.id) is None
        assert (await uow.orders.get(order.id)).ship_country == "DE"
    (card,) = await shop.say(ines, None, f"/order {order.id}")
    assert "Address erased; country DE" in card.content and "Torstraße" not in card.content
    (history,) = await shop.say(mei, None, "/orders")
    assert f"#{order.id}" in history.content and "delivered" in history.content
    assert "DHL tracking: JD014600003828" in history.content


async def test_the_operator_ships_from_the_command_line_and_brand_staff_there_see_only_their_brand(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", shop.app.settings.database_url)

    async def cli(*args: str) -> int:
        return await asyncio.to_thread(main, list(args), shop.clock)  # the CLI on the bot's clock

    group = await shop.group_with_bot()
    mei, pia = shop.member("Mei"), shop.member("Pia")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "Celadon Studio", pia)
    lotus = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")
    wave = await buy_and_pay(shop, mei, group, "great wave art print", "Great Wave art print (A3)")
    tea = await buy_and_pay(shop, mei, group, "celadon tea set", "Celadon tea set")
    capsys.readouterr()

    # Pia, of Celadon Studio, at a shell: her brand's order only; the museum's are not there for her.
    assert await cli("orders", "--as", str(pia.id), "list") == 0
    listed = capsys.readouterr().out
    assert f"#{tea.id}\t" in listed and f"#{lotus.id}\t" not in listed and "Torstraße 1" in listed
    assert await cli("orders", "--as", str(pia.id), "show", str(lotus.id)) == 1
    assert f"There is no order #{lotus.id} that you can see." in capsys.readouterr().err
    assert await cli("orders", "--as", str(pia.id), "ship", str(lotus.id), "DHL", "JD0146000038") == 1
    assert await cli("orders", "--as", str(pia.id), "cancel", str(lotus.id)) == 1
    assert (await order_now(shop, lotus.id)).status is OrderStatus.PAID

    # The operator exports everything to ship, then imports tracking numbers: all or nothing.
    exported = tmp_path / "to-ship.csv"
    assert await cli("orders", "export", "-o", str(exported)) == 0
    rows = exported.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("order_id,status,sku") and len(rows) == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"order_id,carrier,tracking_number\n{lotus.id},DHL,JD014600003828\n{wave.id},DHL,?\n{lotus.id},UPS,1Z9\n"
    )
    capsys.readouterr()
    assert await cli("orders", "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "line 3: A tracking number has 3 to 64" in err and f"line 4: order #{lotus.id} is listed twice" in err
    assert (await order_now(shop, lotus.id)).status is OrderStatus.PAID  # nothing was shipped
    good = tmp_path / "good.csv"
    good.write_text(f"{lotus.id},DHL,JD014600003828\n{wave.id},Deutsche Post,RR123456785DE\n")
    assert await cli("orders", "import", str(good)) == 0
    assert "2 orders marked shipped" in capsys.readouterr().out
    assert (await order_now(shop, wave.id)).fulfilment.tracking_number == "RR123456785DE"
    assert await cli("orders", "deliver", str(lotus.id)) == 0
    assert (await order_now(shop, lotus.id)).status is OrderStatus.DELIVERED
    await drained(shop)  # the bot tells Mei of what the command line did
    assert len(notices_about(shop, mei, "has shipped with Deutsche Post")) == 1
    assert len(notices_about(shop, mei, f"order #{lotus.id} (Lotus pond art print (A4)) is delivered")) == 1


async def test_the_brand_sends_a_csv_of_tracking_numbers_all_or_nothing(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei, ines, zed = shop.member("Mei"), shop.member("Ines"), shop.member("Zed")
    await shop.say(mei, None, "/start")
    await make_staff(shop, "City Museum Shop", ines)
    lotus = await buy_and_pay(shop, mei, group, "lotus pond art print", "Lotus pond art print (A4)")
    wave = await buy_and_pay(shop, mei, group, "great wave art print", "Great Wave art print (A3)")
    tea = await buy_and_pay(shop, mei, group, "celadon tea set", "Celadon tea set")  # Celadon Studio's

    async def upload(person: Any, content: str) -> list[Any]:
        before = len(shop.fake.sent(person))
        await shop.settle(await shop.fake.send_document(person, None, content.encode(), "tracking.csv"))
        return shop.fake.sent(person)[before:]

    # Another brand's order on line 3 and a malformed line 4: nothing is shipped, every problem by line.
    (refused,) = await upload(
        ines,
        f"order_id,carrier,tracking_number\n{lotus.id},DHL,JD014600003828\n{tea.id},DHL,JD014600003829\nnonsense\n",
    )
    assert "Nothing was changed" in refused.content
    assert f"line 3: There is no order #{tea.id} that you can see." in refused.content
    assert "line 4: expected order_id,carrier,tracking_number" in refused.content
    assert (await order_now(shop, lotus.id)).status is OrderStatus.PAID

    (done,) = await upload(ines, f"{lotus.id},DHL,JD014600003828\n{wave.id},Deutsche Post,RR123456785DE\n")
    assert "2 orders marked shipped" in done.content
    assert (await order_now(shop, wave.id)).fulfilment.carrier == "Deutsche Post"
    (stranger,) = await upload(zed, f"{tea.id},DHL,JD014600003829\n")
    assert "only read CSV files of tracking numbers from brand staff" in stranger.content
    assert (await order_now(shop, tea.id)).status is OrderStatus.PAID
    await drained(shop)
    assert len(notices_about(shop, mei, "has shipped with")) == 2
    shop.fake.assert_no_errors()
