"""What moderators run, on SQLite and PostgreSQL: places never beyond capacity under a crowd, a lapsed prize
passed on once however many passes race, settings and the daily-cap count read back as written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.drops import raffle
from domain.moderation import giveaways, meetups
from domain.moderation.model import (
    CommunitySettings,
    Eligibility,
    EntryStatus,
    Feature,
    GiveawayEntry,
    GiveawayStatus,
    NewGiveaway,
    NewMeetup,
    RsvpStatus,
)
from domain.notices import Notice
from storage.database import Database

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CHAT = -1001


async def _members(database: Database, count: int) -> list[int]:
    from domain.members import Member

    ids = list(range(5000, 5000 + count))
    async with database.uow() as uow:
        for user_id in ids:
            await uow.members.save(Member(id=user_id, first_name=f"M{user_id}", started_bot=True, created_at=NOW))
        await uow.commit()
    return ids


async def test_a_crowd_answering_at_once_never_takes_more_places_than_there_are(database: Database) -> None:
    people = await _members(database, 40)
    async with database.uow() as uow:
        meetup = await uow.meetups.add(NewMeetup(CHAT, "Tea", NOW + timedelta(days=1), 10, 100, 1, NOW))
        await uow.commit()

    async def answer(user_id: int) -> RsvpStatus:
        async with database.uow() as uow:
            result = await meetups.rsvp(uow, NOW, meetup.id, user_id)
            await uow.commit()
        return result.status

    statuses = await asyncio.gather(*(answer(p) for p in people))
    assert statuses.count(RsvpStatus.GOING) == 10 and statuses.count(RsvpStatus.WAITING) == 30
    async with database.uow() as uow:
        stored = await uow.meetups.get(meetup.id)
        assert stored is not None and stored.going == 10
        assert len(await uow.meetups.going(meetup.id)) == 10
        head = await uow.meetups.first_waiting(meetup.id)
        assert head is not None and head.status is RsvpStatus.WAITING

    goer = next(p for p, s in zip(people, statuses, strict=True) if s is RsvpStatus.GOING)
    async with database.uow() as uow:
        await meetups.cancel(uow, NOW, meetup.id, goer)
        await uow.commit()
    async with database.uow() as uow:
        promoted = await uow.meetups.rsvp(meetup.id, head.user_id)
        stored = await uow.meetups.get(meetup.id)
        assert promoted is not None and promoted.status is RsvpStatus.GOING
        assert stored is not None and stored.going == 10, "the freed place went to the head of the list"
        assert await uow.outbox.get_by_key(f"meetup:{meetup.id}:promoted:{promoted.id}:{head.user_id}") is not None


async def test_a_lapsed_prize_passes_on_once_however_many_passes_race(database: Database) -> None:
    people = await _members(database, 5)
    key = raffle.new_pseudonym_key()
    new = NewGiveaway(CHAT, "Pin", 1, 2, 1, Eligibility(), None, 1, NOW, raffle.new_seed(), key)
    async with database.uow() as uow:
        giveaway = await uow.giveaways.add(new, GiveawayStatus.AWAITING_BRAND)
        assert await uow.giveaways.open(giveaway.id, GiveawayStatus.AWAITING_BRAND, NOW, NOW, "c", 1, NOW)
        for user_id in people:
            assert await uow.giveaways.add_entry(
                GiveawayEntry(giveaway.id, user_id, raffle.pseudonym(key, user_id), NOW)
            )
        assert not await uow.giveaways.add_entry(GiveawayEntry(giveaway.id, people[0], "e_other", NOW)), "one each"
        assert await uow.giveaways.close(giveaway.id, 5, "d")
        await uow.commit()
    async with database.uow() as uow:
        closed = await uow.giveaways.get(giveaway.id)
        assert closed is not None and await giveaways.draw(uow, NOW, closed, None)
        await uow.commit()
    async with database.uow() as uow:
        (offered,) = [e for e in await uow.giveaways.entries(giveaway.id) if e.status is EntryStatus.OFFERED]
        assert offered.rank == 0 and offered.claim_by == NOW + timedelta(hours=1)

    later = NOW + timedelta(hours=2)

    async def one_pass() -> int:
        moved = 0
        async with database.uow() as uow:
            for entry in await uow.giveaways.lapsed_offers(later, 10):
                moved += await giveaways.pass_on(uow, later, entry) is not None
            await uow.commit()
        return moved

    assert sum(await asyncio.gather(*(one_pass() for _ in range(6)))) == 1
    async with database.uow() as uow:
        statuses = [e.status for e in await uow.giveaways.entries(giveaway.id)]
    assert statuses == [EntryStatus.LAPSED, EntryStatus.OFFERED, *[EntryStatus.ENTERED] * 3], "by draw order"


async def test_settings_and_the_days_announcements_read_back(database: Database) -> None:
    saved = CommunitySettings(
        CHAT,
        shop_enabled=False,
        disabled=frozenset({Feature.DROPS, Feature.MEETUPS}),
        quiet_start=22,
        quiet_end=8,
        timezone="Asia/Shanghai",
        daily_cap=3,
        risk_notice="Pay only here.",
        updated_by=7,
        updated_at=NOW,
    )
    async with database.uow() as uow:
        await uow.community_settings.save(saved)
        await uow.community_settings.save(saved)
        for number, (key, edit) in enumerate((("a", None), ("b", 5), ("pay:c", None), ("d", None))):
            await uow.outbox.enqueue(Notice(key, CHAT, "k", edit_message_id=edit), NOW)
            entry = await uow.outbox.get_by_key(key)
            assert entry is not None
            await uow.outbox.mark_sent(entry.id, NOW + timedelta(minutes=number), 1)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.community_settings.get(CHAT) == saved
        assert await uow.community_settings.for_chats([CHAT, CHAT, -2]) == {CHAT: saved}
        assert await uow.community_settings.for_chats([]) == {}
        counted = await uow.outbox.count_announcements_sent(CHAT, NOW, NOW + timedelta(hours=1))
        assert counted == 2, "new posts count; an edit and a payment answer do not"
        assert (
            await uow.outbox.count_announcements_sent(CHAT, NOW + timedelta(minutes=1), NOW + timedelta(hours=1)) == 1
        )
