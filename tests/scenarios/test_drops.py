"""Limited drops, told as stories: brands schedule, opted-in groups get the announcement on time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import (
    allow_brand_directly,
    drop_state,
    make_staff,
    moderator_sets_brand,
    outbox_drained,
    press_buy,
    reconcile,
    schedule,
    texts,
    travel_to,
)
from tests.scenarios.harness import Shop, running_shop


async def test_a_drop_opens_at_its_time_in_every_opted_in_group_and_nowhere_else(shop: Shop) -> None:
    tea_moderator, silk_moderator = shop.member("Lin"), shop.member("Ana")
    tea = await shop.group_with_bot("Tea Lovers", admin=tea_moderator)
    pottery = await shop.group_with_bot("Pottery Circle")
    silk = await shop.group_with_bot("Silk Road Fans", admin=silk_moderator)
    answer = await moderator_sets_brand(shop, tea, tea_moderator, "Celadon Studio", allow=True)
    assert "may announce drops here" in answer.text
    await moderator_sets_brand(shop, silk, silk_moderator, "Celadon Studio", allow=True)
    await moderator_sets_brand(shop, silk, silk_moderator, "Celadon Studio", allow=False)  # changed their mind
    drop = await schedule(shop, quantity=5, starts_in=timedelta(hours=30))

    await travel_to(shop, drop.starts_at - timedelta(hours=24))
    await outbox_drained(shop)
    teaser = shop.fake.last(tea)
    assert "Coming soon: Celadon tea set" in teaser.content
    fan = shop.member("Fan")
    await shop.say(fan, None, "/start")
    answer = await shop.press(fan, teaser, text="Remind me")
    assert "remind you" in answer.text

    await travel_to(shop, drop.starts_at - timedelta(minutes=1))
    await outbox_drained(shop)
    assert (await drop_state(shop, drop.id)).status.value == "scheduled"
    assert not any("Drop: Celadon" in t for t in texts(shop, tea))

    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop)
    assert (await drop_state(shop, drop.id)).status.value == "open"
    announcement = shop.fake.last(tea)
    assert "Drop: Celadon tea set" in announcement.content and "5 of 5 left" in announcement.content
    assert any("is live now" in t for t in texts(shop, fan))
    assert not any("Celadon" in t for t in texts(shop, pottery))  # never opted in
    assert not any("Celadon" in t for t in texts(shop, silk))  # blocked the brand


async def test_a_restart_while_a_drop_is_open_closes_it_on_time_and_doubles_nothing(
    framework: str, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, url, str(STARS_CATALOG)) as shop:
        moderator, brand_person, early, late = (
            shop.member("Lin"),
            shop.member("Bo"),
            shop.member("Ai"),
            shop.member("Ke"),
        )
        await shop.say(brand_person, None, "/start")
        await make_staff(shop, "Celadon Studio", brand_person)
        group = await shop.group_with_bot("Tea Lovers", admin=moderator)
        await moderator_sets_brand(shop, group, moderator, "Celadon Studio", allow=True)
        drop = await schedule(shop, quantity=5, starts_in=timedelta(hours=2), lasts=timedelta(hours=1))
        await travel_to(shop, drop.starts_at - timedelta(minutes=30))
        await travel_to(shop, drop.starts_at)
        await outbox_drained(shop)
        announcement = shop.fake.last(group)
        assert (await shop.pay(early, await press_buy(shop, early, announcement, drop.id, group))).accepted
        held_invoice = await press_buy(shop, late, announcement, drop.id, group)
        checkout = await shop.fake.pre_checkout(late, held_invoice)  # paying, when the process stops
        await shop.fake.wait_for(lambda _calls: shop.fake.queries[checkout.query_id].answered, timeout=10)
        payload, amount = held_invoice.invoice.payload, held_invoice.invoice.total_amount
        first_fake = shop.fake
        last_moment = shop.clock.now()
        async with shop.uow() as uow:
            timers = await uow.session.execute(text("SELECT id FROM drop_scheduler_jobs"))
            assert f"drop:{drop.id}:close" in {row[0] for row in timers}  # the persistent job store

    async with running_shop(framework, url) as again:
        again.clock.set(last_moment + timedelta(minutes=1))
        again.fake.user(brand_person.id, brand_person.first_name).start_bot()
        same_group = again.fake.group(group.id, group.title)
        again.fake.user(late.id, late.first_name)
        paid = await again.fake.successful_payment(again.fake.users[late.id], same_group, payload, "XTR", amount)
        await again.settle(paid)
        await again.fake.redeliver(paid.update_id)  # Telegram delivers it again after the restart
        await again.fake.settle(0.5)
        await reconcile(again)
        assert (await drop_state(again, drop.id)).status.value == "open"

        await travel_to(again, drop.ends_at - timedelta(seconds=5))
        assert (await drop_state(again, drop.id)).status.value == "open"
        await travel_to(again, drop.ends_at)
        await outbox_drained(again)
        state = await drop_state(again, drop.id)
        assert state.status.value == "closed"
        assert (state.sold, state.claimed) == (2, 2)
        receipts = [m for m in again.fake.sent(same_group) if "Payment received" in m.content]
        assert len(receipts) == 1  # the redelivered payment changed nothing
        (report,) = [m for m in again.fake.sent(brand_person.id) if "Drop report" in m.content]
        assert "Units sold: 2 of 5" in report.content
        second_run_group = [m.content for m in again.fake.sent(same_group)]
    first_run_group = [m.content for m in first_fake.sent(group)]
    assert sum("Drop: Celadon tea set" in t for t in first_run_group + second_run_group) == 1
    assert sum("Coming soon" in t for t in first_run_group + second_run_group) == 1


async def test_announcements_to_many_groups_survive_a_429_burst_and_respect_retry_after(shop: Shop) -> None:
    groups = [await shop.group_with_bot(f"Circle {i}") for i in range(25)]
    for group in groups:
        await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=50, starts_in=timedelta(minutes=30))
    shop.fake.flood_limit(per_chat_per_second=1, per_group_per_minute=20, global_per_second=30)
    shop.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, count=3)

    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop, timeout=60)

    for group in groups:
        assert sum("Drop: Celadon tea set" in t for t in texts(shop, group)) == 1
    assert shop.fake.flood_violations == []  # nothing went out before its retry_after
    assert len(shop.fake.injected_failures) == 3


async def test_buy_pressed_many_times_holds_once_and_the_limit_spans_all_payments(shop: Shop) -> None:
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=10, starts_in=timedelta(minutes=5), limit=2)
    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop)
    announcement = shop.fake.last(group)
    mei = shop.member("Mei")

    invoices = [await press_buy(shop, mei, announcement, drop.id, group) for _ in range(3)]
    assert len({i.invoice.payload for i in invoices}) == 1  # one order however often Buy is pressed
    # Two pay forms of the same order confirmed at once: one hold, one sale; a second charge (if Telegram
    # took one) is refunded.
    results = await asyncio.gather(shop.pay(mei, invoices[0]), shop.pay(mei, invoices[2]))
    state = await drop_state(shop, drop.id)
    assert (state.sold, state.claimed) == (1, 1)
    assert len(shop.fake.refunds) == sum(r.accepted for r in results) - 1

    another = await press_buy(shop, mei, announcement, drop.id, group)
    assert another.invoice.payload != invoices[0].invoice.payload
    assert (await shop.pay(mei, another)).accepted
    refused = await press_buy(shop, mei, announcement, drop.id, group)
    assert "limit of 2 per member" in refused.text
    state = await drop_state(shop, drop.id)
    assert (state.sold, state.claimed) == (2, 2)

    await travel_to(shop, drop.ends_at)
    late = await press_buy(shop, shop.member("Jun"), announcement, drop.id, group)
    assert "has ended" in late.text


async def test_only_a_moderator_checked_with_telegram_can_choose_brands(shop: Shop) -> None:
    moderator, member = shop.member("Lin"), shop.member("Troll")
    group = await shop.group_with_bot("Tea Lovers", admin=moderator)
    (refusal,) = await shop.say(member, group, "/brands")
    assert "Only this group's moderators" in refusal.content
    (menu,) = await shop.say(moderator, group, "/brands")
    answer = await shop.press(member, menu, text="⛔ Celadon Studio")  # a member presses the moderator's menu
    assert "Only this group's moderators" in answer.text
    async with shop.uow() as uow:
        assert await uow.brand_optins.for_chat(group.id) == {}
