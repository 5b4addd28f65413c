"""Processed updates: one claim per (bot, update_id), atomic under concurrent deliveries, pruned after days."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from domain.updates import KEEP_PROCESSED_UPDATES, claim_update, forget_old_updates
from storage.database import Database
from tests.storage.builders import NOW

BIG_BOT = 7_123_456_789  # bot and update ids beyond 32 bits
BIG_UPDATE = 5_000_000_001


async def _claim(database: Database, bot_id: int, update_id: int, now: datetime = NOW) -> bool:
    async with database.uow() as uow:
        claimed = await claim_update(uow, bot_id, update_id, now)
        await uow.commit()
    return claimed


async def test_an_update_is_claimed_once_per_bot(database: Database) -> None:
    assert await _claim(database, BIG_BOT, BIG_UPDATE)
    assert not await _claim(database, BIG_BOT, BIG_UPDATE)
    assert await _claim(database, BIG_BOT + 1, BIG_UPDATE)  # another bot's update_ids are its own
    assert await _claim(database, BIG_BOT, BIG_UPDATE + 1)


async def test_a_claim_rolled_back_is_no_claim(database: Database) -> None:
    async with database.uow() as uow:
        assert await claim_update(uow, 1, 10, NOW)  # no commit: the delivery failed before it was recorded
    assert await _claim(database, 1, 10)


async def test_concurrent_deliveries_of_one_update_have_one_winner(database: Database) -> None:
    results = await asyncio.gather(*(_claim(database, 1, 77) for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]


async def test_old_claims_are_pruned_and_recent_ones_kept(database: Database) -> None:
    await _claim(database, 1, 1, NOW)
    await _claim(database, 1, 2, NOW + timedelta(days=1))
    async with database.uow() as uow:
        assert await forget_old_updates(uow, NOW + KEEP_PROCESSED_UPDATES + timedelta(minutes=1)) == 1
        await uow.commit()
    assert await _claim(database, 1, 1)
    assert not await _claim(database, 1, 2)
