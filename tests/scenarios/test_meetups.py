"""Meetups a group's admins announce: places up to the capacity, a waiting list that fills a freed place (and
tells whoever got it), a reminder an hour before, check-in by the host's short-lived code, and attendance
points under the `event` reason within its daily cap."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.moderation.model import Meetup
from tests.scenarios.drops_steps import outbox_drained, travel_to
from tests.scenarios.harness import BOT_USERNAME, Shop
from tests.scenarios.raffle_steps import members_who_started_the_bot

CODE = re.compile(r"/checkin (\d+) (\d{6})")


async def _jobs(shop: Shop) -> None:
    await shop.app.jobs.run_now("moderation_reconcile")  # type: ignore[union-attr]
    await outbox_drained(shop)


async def _announce(shop: Shop, host: Any, group: Any, starts: datetime, rest: str) -> tuple[Meetup, Any]:
    await shop.say(host, group, f"/meetup {starts:%Y-%m-%d %H:%M} {rest}")
    await outbox_drained(shop)
    announcement = shop.fake.last(group)
    number = int(re.search(r"Meetup #(\d+)", announcement.content).group(1))  # type: ignore[union-attr]
    async with shop.uow() as uow:
        meetup = await uow.meetups.get(number)
    assert meetup is not None and meetup.starts_at == starts
    return meetup, announcement


async def _code(shop: Shop, host: Any, meetup: Meetup) -> str:
    (shown,) = await shop.say(host, None, f"/meetupcode {meetup.id}")
    found = CODE.search(shown.content)
    assert found is not None and int(found.group(1)) == meetup.id, shown.content
    return found.group(2)


async def _check_in(shop: Shop, member: Any, meetup: Meetup, code: str) -> str:
    (answer,) = await shop.say(member, None, f"/checkin {meetup.id} {code}")
    return str(answer.content)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def _points(shop: Shop, member: Any) -> int:
    async with shop.uow() as uow:
        return int(await uow.points.balance(member.id))


async def test_a_full_meetup_keeps_a_waiting_list_that_fills_a_freed_place(shop: Shop) -> None:
    ana = shop.member("Ana")
    await shop.say(ana, None, "/start")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    mei, jun, li = await members_who_started_the_bot(shop, 3)
    for member in (mei, jun, li):
        group.add_member(member)
    tomorrow = shop.clock.now().date() + timedelta(days=1)
    starts = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18, 0, tzinfo=UTC)

    (refused,) = await shop.say(mei, group, f"/meetup {starts:%Y-%m-%d %H:%M} 2 Tea tasting")
    assert "Only this group's admins can do that." in refused.content
    meetup, announcement = await _announce(shop, ana, group, starts, "2 Tea tasting at the studio")
    assert "Places: 2" in announcement.content

    assert "You are going to Tea tasting" in (await shop.press(mei, announcement, text="I'm going")).text
    assert "You are going" in (await shop.press(jun, announcement, text="I'm going")).text
    waiting = await shop.press(li, announcement, text="I'm going")
    assert "is full: you are number 1 on the waiting list" in waiting.text
    again = await shop.press(li, announcement, text="I'm going")
    assert "number 1 on the waiting list" in again.text, "answering twice changes nothing"
    stranger = shop.member("Nia")
    group.add_member(stranger)
    sent_away = await shop.press(stranger, announcement, text="I'm going")
    assert sent_away.url == f"https://t.me/{BOT_USERNAME}?start=meetups", "a reminder must be able to reach them"

    await shop.press(jun, announcement, text="Can't come")
    await outbox_drained(shop)
    assert any("A place freed up: you are going to Tea tasting" in m.content for m in shop.fake.sent(li))
    async with shop.uow() as uow:
        taken = await uow.meetups.get(meetup.id)
        going = {r.user_id for r in await uow.meetups.going(meetup.id)}
    assert taken is not None and taken.going == 2 and going == {mei.id, li.id}

    back = await shop.press(jun, announcement, text="I'm going")
    assert "number 1 on the waiting list" in back.text, "who gave their place back queues again"
    await shop.say(stranger, None, "/start")
    behind = await shop.press(stranger, announcement, text="I'm going")
    assert "number 2 on the waiting list" in behind.text
    assert "number 1 on the waiting list" in (await shop.press(jun, announcement, text="I'm going")).text

    await travel_to(shop, starts - timedelta(minutes=59))
    await _jobs(shop)
    await _jobs(shop)
    for member in (mei, li):
        reminders = [m for m in shop.fake.sent(member) if "in about an hour" in m.content]
        assert len(reminders) == 1, "reminded once"
    assert not [m for m in shop.fake.sent(jun) if "in about an hour" in m.content], "no place, no reminder"


async def test_check_in_takes_the_current_code_and_attendance_points_respect_the_daily_cap(shop: Shop) -> None:
    ana = shop.member("Ana")
    await shop.say(ana, None, "/start")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    mei, li = await members_who_started_the_bot(shop, 2)
    group.add_member(mei)
    group.add_member(li)
    tomorrow = shop.clock.now().date() + timedelta(days=1)
    first_at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18, 0, tzinfo=UTC)
    first, first_post = await _announce(shop, ana, group, first_at, "10 Tea tasting points=300")
    second, second_post = await _announce(shop, ana, group, first_at + timedelta(hours=2), "10 Ink night points=300")
    third, third_post = await _announce(shop, ana, group, first_at + timedelta(hours=4), "10 Late tea points=300")
    for member in (mei, li):
        for post in (first_post, second_post, third_post):
            await shop.press(member, post, text="I'm going")

    await travel_to(shop, first_at + timedelta(minutes=5))
    (refused,) = await shop.say(mei, None, f"/meetupcode {first.id}")
    assert "Only this group's admins can do that." in refused.content, "a member cannot make codes"
    code = await _code(shop, ana, first)
    assert "not the meetup's check-in code" in await _check_in(shop, mei, first, _wrong(code))
    assert "+300 points" in await _check_in(shop, mei, first, code)
    assert "checked in to Tea tasting already" in await _check_in(shop, mei, first, code)
    shop.clock.advance(timedelta(minutes=16))
    assert "check-in code has expired" in await _check_in(shop, li, first, code)
    fresh = await _code(shop, ana, first)
    if fresh != code:  # one in a million draws the same code again
        assert "not the meetup's check-in code" in await _check_in(shop, li, first, code), "the old code is gone"
    assert "+300 points" in await _check_in(shop, li, first, fresh)

    await travel_to(shop, second.starts_at + timedelta(minutes=5))
    assert "+200 points" in await _check_in(shop, mei, second, await _code(shop, ana, second)), "capped at 500 a day"
    await travel_to(shop, third.starts_at + timedelta(minutes=5))
    assert "cap of event points" in await _check_in(shop, mei, third, await _code(shop, ana, third))
    assert await _points(shop, mei) == 500
    assert await _points(shop, li) == 300
