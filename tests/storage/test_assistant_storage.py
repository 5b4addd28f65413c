"""The assistant's stored limits and the digest's kept messages, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.actors import Actor
from domain.assistant import digest
from domain.assistant.ports import KeptMessage
from storage.database import Database
from tests.storage.builders import NOW

DAY = NOW.date()
MEMBER = 7_000_000_001  # beyond 32 bits
GROUP = -1_001_234_567_890


async def _take(database: Database, member: int, limit: int = 3, budget: int = 1000) -> bool:
    async with database.uow() as uow:
        taken = await uow.assistant_usage.take_request(DAY, member, limit, budget)
        await uow.commit()
    return taken


async def test_a_members_daily_requests_stop_at_the_limit_even_when_asked_at_once(database: Database) -> None:
    results = await asyncio.gather(*(_take(database, MEMBER) for _ in range(8)))
    assert sum(results) == 3
    assert await _take(database, MEMBER + 1)  # another member has their own count
    async with database.uow() as uow:
        assert not await uow.assistant_usage.take_request(DAY + timedelta(days=1), MEMBER, 0, 1000)
        assert await uow.assistant_usage.take_request(DAY + timedelta(days=1), MEMBER, 3, 1000)  # a new day


async def test_the_shops_token_budget_stops_everyone(database: Database) -> None:
    assert await _take(database, MEMBER)
    async with database.uow() as uow:
        await uow.assistant_usage.add_tokens(DAY, MEMBER, 1000)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.assistant_usage.tokens_used(DAY) == 1000
    assert not await _take(database, MEMBER + 5)


async def test_kept_messages_are_kept_only_while_on_and_pruned_by_age(database: Database) -> None:
    admin = Actor(1, admin_of=frozenset({GROUP}))
    message = KeptMessage(GROUP, 10, 2, "is the tea set back?", NOW)
    async with database.uow() as uow:
        assert not await digest.keep(uow, message)  # off by default
        await digest.switch(uow, NOW, GROUP, admin, True)
        assert await digest.keep(uow, message)
        assert not await digest.keep(uow, message)  # a redelivery keeps nothing new
        await digest.keep(uow, KeptMessage(GROUP, 11, 3, "newer", NOW + timedelta(hours=30)))
        await uow.commit()
    async with database.uow() as uow:
        assert await digest.forget_old_messages(uow, NOW + timedelta(hours=49), timedelta(hours=48)) == 1
        await uow.commit()
        assert [m.text for m in await uow.digests.messages(GROUP, NOW - timedelta(days=1))] == ["newer"]
        assert await uow.digests.mark_digested(GROUP, DAY + timedelta(days=1))
        assert not await uow.digests.mark_digested(GROUP, DAY + timedelta(days=1))


async def test_forgetting_a_member_deletes_what_the_assistant_and_the_digest_hold_of_them(database: Database) -> None:
    admin = Actor(MEMBER, admin_of=frozenset({GROUP}))
    async with database.uow() as uow:
        await uow.assistant_usage.take_request(DAY, MEMBER, 5, 1000)
        await uow.assistant_usage.add_tokens(DAY, MEMBER, 40)
        await uow.handovers.add(MEMBER, MEMBER, "my teapot is cracked", NOW)
        await uow.handovers.add(MEMBER + 1, MEMBER + 1, "someone else's", NOW)
        await digest.switch(uow, NOW, GROUP, admin, True)
        await digest.keep(uow, KeptMessage(GROUP, 1, MEMBER, "mine", NOW))
        await digest.keep(uow, KeptMessage(GROUP, 2, MEMBER + 1, "theirs", NOW))
        await uow.commit()
    async with database.uow() as uow:
        await uow.assistant_usage.forget_member(MEMBER)
        await uow.handovers.forget_member(MEMBER)
        await uow.digests.forget_member(MEMBER)
        await uow.commit()
    async with database.uow() as uow:
        assert [h.text for h in await uow.handovers.recent(10)] == ["someone else's"]
        assert [m.text for m in await uow.digests.messages(GROUP, NOW - timedelta(days=1))] == ["theirs"]
        assert not await digest.is_on(uow, GROUP)  # its moderator is gone: nobody to send it to
        assert await uow.assistant_usage.tokens_used(DAY) == 40  # the shop's total stays
        assert await uow.assistant_usage.take_request(DAY, MEMBER, 1, 1000)  # their count started again
