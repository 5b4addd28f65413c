"""The payment pipeline as members and operators live it: nothing paid is lost, nothing is answered twice.

A payment is stored before anything is decided, settled once, and answered once, whichever way it
arrives: as an update, as a replay of one, or found by the reconciler in Telegram's own record.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from circlecart.cli import main
from domain.shop.orders import OrderStatus, PaymentStatus
from tests.scenarios.drops_steps import open_rush_drop, press_buy
from tests.scenarios.harness import Shop
from tests.scenarios.rewards_steps import eventually, operator, rewards_shop, said


async def run_job(shop: Shop, name: str) -> None:
    await eventually(lambda: shop.app.jobs is not None)
    assert shop.app.jobs is not None
    await shop.app.jobs.run_now(name)


async def stars_invoice(shop: Shop, member: Any) -> Any:
    (card,) = await shop.say(member, None, "/start p_PIN-CRANE")
    await shop.press(member, card, text="Buy · 35 ⭐")
    return shop.fake.last(member)


async def payments_of(shop: Shop, member: Any) -> list[Any]:
    async with shop.uow() as uow:
        found = []
        for order in await uow.orders.list_for_user(member.id, 50):
            found += list(await uow.payments.for_order(order.id))
    return found


async def test_a_charge_whose_update_was_lost_is_found_by_the_reconciler_and_recorded_once(
    framework: str, tmp_path: Path
) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        await shop.say(operator(shop), None, "/start")
        mei = shop.member("Mei")
        invoice = await stars_invoice(shop, mei)
        await shop.settle(await shop.fake.pre_checkout(mei, invoice))
        record = invoice.invoice
        # Telegram takes the money, but the successful_payment update never reaches the bot.
        await shop.fake.successful_payment(mei, None, record.payload, "XTR", record.total_amount, deliver=False)
        await run_job(shop, "reconcile_star_payments")
        assert said(shop, mei, "Payment received") == []  # too young: its update may still be on the way

        shop.clock.advance(timedelta(minutes=3))
        for _ in range(2):  # a second pass finds nothing new
            await run_job(shop, "reconcile_star_payments")
            await run_job(shop, "settle_payments")
            await shop.outbox_drained()
        (order,) = await shop.orders_of(mei)
        assert order.status is OrderStatus.PAID
        assert len(await payments_of(shop, mei)) == 1
        assert len(said(shop, mei, "Payment received")) == 1
        assert len(said(shop, operator(shop), "had not recorded")) == 1
        assert shop.fake.refunds == []


async def test_a_lost_charge_for_nothing_deliverable_is_refunded_once(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        await shop.say(operator(shop), None, "/start")
        mei = shop.member("Mei")
        await shop.say(mei, None, "/start")
        await shop.fake.successful_payment(mei, None, "order:987654", "XTR", 35, deliver=False)
        shop.clock.advance(timedelta(minutes=3))
        for _ in range(2):
            await run_job(shop, "reconcile_star_payments")
            await shop.outbox_drained()
        assert len(shop.fake.refunds) == 1
        assert len(said(shop, mei, "has been refunded")) == 1
        assert len(said(shop, operator(shop), "had not recorded")) == 1


async def test_a_replayed_payment_is_recorded_once_and_answered_once(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        mei = shop.member("Mei")
        paid = await shop.pay(mei, await stars_invoice(shop, mei))
        assert paid.accepted
        await shop.fake.redeliver(paid.update_id)  # the same update again
        record = shop.fake.charges[paid.charge_id]
        again = await shop.fake.successful_payment(  # or a new update carrying the same charge
            mei, None, record.payload, "XTR", record.total_amount, charge_id=paid.charge_id
        )
        await shop.settle(again)
        await run_job(shop, "settle_payments")
        await shop.outbox_drained()
        assert len(said(shop, mei, "Payment received")) == 1
        assert len(await payments_of(shop, mei)) == 1
        assert shop.fake.refunds == []


async def test_a_forged_payment_naming_another_members_order_changes_nothing_of_theirs(
    framework: str, tmp_path: Path
) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        li, mei = shop.member("Li"), shop.member("Mei")
        li_invoice = await stars_invoice(shop, li)
        await shop.settle(await shop.fake.pre_checkout(li, li_invoice))
        (before,) = await shop.orders_of(li)
        await shop.say(mei, None, "/start")
        forged = await shop.fake.successful_payment(mei, None, li_invoice.invoice.payload, "XTR", 35)
        await shop.settle(forged)
        (after,) = await shop.orders_of(li)
        assert after.status is before.status
        async with shop.uow() as uow:
            assert list(await uow.payments.for_order(after.id)) == []
        assert [r.user_id for r in shop.fake.refunds] == [mei.id]
        assert "another member" in shop.fake.last(mei).text
        # Li can still pay for Li's own order.
        assert (await shop.pay(li, li_invoice)).accepted
        (paid,) = await shop.orders_of(li)
        assert paid.status is OrderStatus.PAID


async def test_a_failed_pre_checkout_answer_is_retried_within_telegrams_window(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        mei = shop.member("Mei")
        invoice = await stars_invoice(shop, mei)
        shop.fake.fail_next("answerPreCheckoutQuery", 502, "Bad Gateway")
        shop.fake.fail_next("answerPreCheckoutQuery", 429, "Too Many Requests: retry after 1", retry_after=1)
        paid = await shop.pay(mei, invoice)
        assert paid.accepted
        assert len(said(shop, mei, "Payment received")) == 1


async def test_stars_refunds_telegram_keeps_refusing_go_to_the_operators(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        await shop.say(operator(shop), None, "/start")
        mei = shop.member("Mei")
        await shop.say(mei, None, "/start")
        shop.fake.fail_next("refundStarPayment", 400, "Bad Request: REFUND_FAILED", count=10)
        stray = await shop.fake.successful_payment(mei, None, "order:987654", "XTR", 35)
        await shop.settle(stray)
        assert "is being refunded" in shop.fake.last(mei).text
        for _ in range(4):
            await run_job(shop, "retry_star_refunds")
        await shop.outbox_drained()
        refused = [c for c in shop.fake.calls if c.method == "refundStarPayment"]
        assert len(refused) == 3  # three refusals, then it is the operators' to do
        (owed,) = said(shop, operator(shop), "Refund owed")
        assert "Telegram refused the refund" in owed.content
        listing = await shop.say(operator(shop), None, "/refunds")
        assert "35 ⭐" in listing[-1].content


async def test_operators_see_fiat_refunds_owed_and_mark_them_done(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path, payment_provider_token="284685063:TEST:circlecart") as shop:
        boss = operator(shop)
        await shop.say(boss, None, "/start")
        mei = shop.member("Mei")
        await shop.say(mei, None, "/start")
        stray = await shop.fake.successful_payment(mei, None, "order:987654", "USD", 1999)
        await shop.settle(stray)
        assert "will be refunded; the shop has been told" in shop.fake.last(mei).text
        await shop.outbox_drained()
        assert said(shop, boss, "Refund owed")
        (listing,) = await shop.say(boss, None, "/refunds")
        assert "$19.99" in listing.content
        number = listing.content.split("#")[1].split(":")[0]
        (stranger_try,) = await shop.say(mei, None, f"/refunded {number}")
        assert "operators" in stranger_try.content
        (stranger_look,) = await shop.say(mei, None, "/refunds")  # it names members and what they paid
        assert "operators" in stranger_look.content and "$19.99" not in stranger_look.content
        (done,) = await shop.say(boss, None, f"/refunded {number}")
        assert "marked done" in done.content
        await shop.outbox_drained()
        assert said(shop, mei, "has been refunded")
        async with shop.uow() as uow:
            (payment,) = await uow.payments.with_status(PaymentStatus.REFUNDED, 10)
        assert payment.refunded_by == boss.id
        (listing,) = await shop.say(boss, None, "/refunds")
        assert "No refunds are owed" in listing.content
        (again,) = await shop.say(boss, None, f"/refunded {number}")
        assert "No refund" in again.content


async def test_the_reconciler_leaves_no_charge_unsettled_when_run_beside_the_handler(
    framework: str, tmp_path: Path
) -> None:
    """Both at once, on the same charge: still one record, one receipt."""
    async with rewards_shop(framework, tmp_path, reconcile_after_seconds=0) as shop:
        mei = shop.member("Mei")
        invoice = await stars_invoice(shop, mei)
        paid, _ = await asyncio.gather(shop.pay(mei, invoice), run_job(shop, "reconcile_star_payments"))
        assert paid.accepted
        await run_job(shop, "reconcile_star_payments")
        await shop.outbox_drained()
        assert len(await payments_of(shop, mei)) == 1
        assert len(said(shop, mei, "Payment received")) == 1


async def test_a_drop_purchase_earns_points_like_any_paid_order(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        opened = await open_rush_drop(shop, 5, price=200)
        mei = shop.member("Mei")
        await shop.say(mei, None, "/start")
        invoice = await press_buy(shop, mei, opened.announcement, opened.drop.id, opened.group)
        assert (await shop.pay(mei, invoice)).accepted
        await shop.outbox_drained()
        async with shop.uow() as uow:
            assert await uow.points.balance(mei.id) == 200  # one point per star paid, as for a shop order
        assert len(said(shop, opened.group, "Payment received")) == 1  # the receipt answers in the group


async def test_an_operator_marks_a_refund_done_from_the_command_line(
    framework: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with rewards_shop(framework, tmp_path, payment_provider_token="284685063:TEST:circlecart") as shop:
        monkeypatch.setenv("CIRCLECART_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
        monkeypatch.setenv("CIRCLECART_OWNER_IDS", str(operator(shop).id))
        mei = shop.member("Mei")
        await shop.say(mei, None, "/start")
        await shop.settle(await shop.fake.successful_payment(mei, None, "order:987654", "USD", 1999))
        capsys.readouterr()

        async def cli(*args: str) -> tuple[int, str]:
            code = await asyncio.to_thread(main, list(args), shop.clock)
            captured = capsys.readouterr()
            return code, captured.out + captured.err

        code, listing = await cli("refunds", "list")
        assert code == 0 and "$19.99" in listing and f"member {mei.id}" in listing
        number = listing.split("#")[1].split()[0]
        assert await cli("refunds", "done", number) == (
            0,
            f"refund #{number} of $19.99 is recorded as done by 999; the member is told\n",
        )
        code, again = await cli("refunds", "done", number)
        assert code == 1 and f"No refund #{number} is owed" in again
        assert (await cli("refunds", "list"))[1] == "no refunds are owed\n"
        if shop.app.sender is not None:
            shop.app.sender.wake()
        await shop.outbox_drained()
        assert said(shop, mei, "has been refunded")
