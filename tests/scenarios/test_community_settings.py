"""Community settings: only the group's current admins, as Telegram says right now, change them; quiet hours
and a daily cap hold the group's announcements back until they may go out, without dropping any."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.notices import NoticeStatus
from tests.scenarios.drops_steps import allow_brand_directly, outbox_entry, schedule, travel_to
from tests.scenarios.harness import Shop

REFUSED = "Only this group's admins can do that."


def _button(menu: Any, starts: str) -> str:
    return next(text for text in menu.button_texts if starts in text)


async def test_only_the_groups_current_admins_change_its_settings(shop: Shop) -> None:
    ana, mei, bob, carl = shop.member("Ana"), shop.member("Mei"), shop.member("Bob"), shop.member("Carl")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    other = await shop.group_with_bot("Pin Collectors", admin=bob)
    for person in (mei, bob, carl):
        group.add_member(person)
    group.set_admin(carl)

    (refused,) = await shop.say(mei, group, "/settings")
    assert REFUSED in refused.content and not refused.buttons, "a member who is not an admin"
    (refused,) = await shop.say(bob, group, "/settings")
    assert REFUSED in refused.content and not refused.buttons, "an admin of another group"
    (own,) = await shop.say(bob, other, "/settings")
    assert "Settings of this group" in own.content, "Bob is an admin there"

    (carls_menu,) = await shop.say(carl, group, "/settings")
    assert "Settings of this group" in carls_menu.content
    group.add_member(carl)  # demoted: Telegram says member now
    answer = await shop.press(carl, carls_menu, text=_button(carls_menu, "Shop"))
    assert answer.text == REFUSED and answer.show_alert, "a former admin's old menu does nothing"
    (refused,) = await shop.say(carl, group, "/settings")
    assert REFUSED in refused.content

    (menu,) = await shop.say(ana, group, "/settings")
    answer = await shop.press(mei, menu, text=_button(menu, "Shop"))
    assert answer.text == REFUSED, "the admin's menu does nothing in a member's hands"
    forged = shop.app.core.table.codec.encode("mshop", 0)  # type: ignore[union-attr]
    answer = await shop.press(bob, menu, data=forged, forge=True)
    assert answer.text == REFUSED, "nor a forged button from another group's admin"
    answer = await shop.press(mei, menu, data="mfeat:nonsense", forge=True)
    assert answer.show_alert and "no longer valid" in answer.text
    codec = shop.app.core.table.codec  # type: ignore[union-attr]
    for data in (codec.encode("mfeat", "nonsense", 1), codec.encode("mlang", "xx")):
        answer = await shop.press(mei, menu, data=data, forge=True)
        assert answer.text == REFUSED, "a forged name from a member is refused as a member's, before it is read"
    answer = await shop.press(ana, menu, data=codec.encode("mfeat", "nonsense", 1), forge=True)
    assert answer.text == "There is no feature nonsense."

    async with shop.uow() as uow:
        assert await uow.community_settings.get(group.id) is None, "nothing was changed by anyone refused"

    answer = await shop.press(ana, menu, text=_button(menu, "Shop"))
    assert answer.text == "Saved."
    assert "⛔" in _button(shop.fake.message(group, menu.message_id), "Shop")
    (closed,) = await shop.say(mei, group, "/shop")
    assert "turned the shop off here" in closed.content
    (private,) = await shop.say(mei, None, "/shop")
    assert "turned the shop off" not in private.content, "the private chat's shop is not the group's to close"

    (saved,) = await shop.say(ana, group, "/settings notice Pay only through the bot. Ask Ana if unsure.")
    assert "Pay only through the bot. Ask Ana if unsure." in saved.content
    (offers,) = await shop.say(mei, group, "/groupbuy")
    assert offers.content.startswith("⚠️ Pay only through the bot. Ask Ana if unsure."), "the group's own notice"
    (invite,) = await shop.say(mei, None, "/invite")
    assert "group buys and referral rewards are run by the shop" in invite.content, "the default text in private"

    await shop.press(ana, shop.fake.message(group, menu.message_id), text=_button(menu, "Group buys"))
    (off,) = await shop.say(mei, group, "/groupbuy")
    assert "turned groupbuys off here" in off.content


def _held(shop: Shop, group: Any, since: int) -> list[Any]:
    return shop.fake.sent(group)[since:]


async def test_quiet_hours_hold_announcements_back_until_they_end(shop: Shop) -> None:
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    day = shop.clock.now().date()
    shop.clock.set(datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC))
    (saved,) = await shop.say(ana, group, "/settings quiet 22 8")
    assert "Quiet hours: 22:00–8:00 (UTC)" in saved.content
    before = len(shop.fake.sent(group))

    drop = await schedule(shop, starts_in=timedelta(hours=3), lasts=timedelta(hours=12))  # opens at midnight
    await travel_to(shop, drop.starts_at)
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    announcement_key = f"drop:{drop.id}:open:{group.id}"
    morning = datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC) + timedelta(days=1)
    entry = await _wait_for(shop, announcement_key, lambda e: e.next_attempt_at == morning)
    assert entry.status is NoticeStatus.PENDING and entry.next_attempt_at == morning, "held until quiet hours end"
    assert entry.attempts == 0
    assert not [m for m in _held(shop, group, before) if "Celadon tea set" in m.content], "nothing posted at night"

    await travel_to(shop, morning)
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    entry = await _wait_for(shop, announcement_key, lambda e: e.status is NoticeStatus.SENT)
    posted = [m for m in _held(shop, group, before) if "Celadon tea set" in m.content]
    assert posted, "the announcement went out when quiet hours ended, not dropped"
    assert entry.sent_at is not None and entry.sent_at >= morning


async def test_a_daily_cap_moves_the_rest_of_the_days_announcements_to_the_next_day(shop: Shop) -> None:
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    await shop.say(ana, group, "/settings cap 1")
    day = shop.clock.now().date()
    shop.clock.set(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC))

    first = await schedule(shop, starts_in=timedelta(minutes=20), lasts=timedelta(hours=1))
    second = await schedule(shop, sku="TEA-CUP-PAIR", starts_in=timedelta(minutes=30), lasts=timedelta(hours=1))
    await travel_to(shop, second.starts_at)
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    keys = [f"drop:{d.id}:open:{group.id}" for d in (first, second)]
    sent = await _wait_for(shop, keys[0], lambda e: e.status is NoticeStatus.SENT)
    tomorrow = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    held = await _wait_for(shop, keys[1], lambda e: e.next_attempt_at == tomorrow)
    assert held.status is NoticeStatus.PENDING and sent.sent_at is not None

    await travel_to(shop, tomorrow + timedelta(minutes=1))
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    await _wait_for(shop, keys[1], lambda e: e.status is NoticeStatus.SENT)


async def _wait_for(shop: Shop, key: str, condition: Any, rounds: int = 300) -> Any:
    """The outbox entry under `key` once `condition` holds (the sender works in the background)."""
    import asyncio

    entry = None
    for _ in range(rounds):
        entry = await outbox_entry(shop, key)
        if entry is not None and condition(entry):
            return entry
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox entry {key}: {entry}")


async def test_a_group_that_turned_drops_off_gets_no_drop_announcements(shop: Shop) -> None:
    ana = shop.member("Ana")
    quiet = await shop.group_with_bot("No Drops Here", admin=ana)
    busy = await shop.group_with_bot("Drops Welcome", admin=ana)
    for group in (quiet, busy):
        await allow_brand_directly(shop, group.id, "Celadon Studio")
    (menu,) = await shop.say(ana, quiet, "/settings")
    await shop.press(ana, menu, text=_button(menu, "Drops"))

    drop = await schedule(shop, starts_in=timedelta(minutes=20), lasts=timedelta(hours=1))
    await travel_to(shop, drop.starts_at)
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    await _wait_for(shop, f"drop:{drop.id}:open:{busy.id}", lambda e: e.status is NoticeStatus.SENT)
    assert await outbox_entry(shop, f"drop:{drop.id}:open:{quiet.id}") is None
    assert not [m for m in shop.fake.sent(quiet) if "Celadon tea set" in m.content]


async def test_the_groups_language_is_the_language_of_its_announcements(shop: Shop) -> None:
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    (menu,) = await shop.say(ana, group, "/settings")
    await shop.press(ana, menu, text="zh")
    assert "• zh" in shop.fake.message(group, menu.message_id).button_texts
    starts = shop.clock.now() + timedelta(days=2)
    await shop.say(ana, group, f"/meetup {starts:%Y-%m-%d} 18:00 5 Tea tasting")
    await shop.outbox_drained()
    announcement = shop.fake.last(group)
    assert "聚会 #" in announcement.content and "Tea tasting" in announcement.content
    assert "我会去" in announcement.button_texts
