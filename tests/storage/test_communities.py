from __future__ import annotations

from dataclasses import replace
from datetime import UTC

from domain.communities import Community
from storage.database import Database
from tests.storage.builders import NOW, later


def community(chat_id: int = -1001, **fields: object) -> Community:
    base = Community(chat_id=chat_id, title="Tea lovers", active=True, joined_at=NOW)
    return replace(base, **fields)  # type: ignore[arg-type]


async def test_saved_community_reads_back_equal_with_aware_utc_times(database: Database) -> None:
    saved = community(-1009876543210, language="zh", left_at=later(60), active=False)
    async with database.uow() as uow:
        await uow.communities.save(saved)
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.communities.get(saved.chat_id)
    assert stored == saved
    assert stored is not None and stored.joined_at.tzinfo is UTC


async def test_unknown_community_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.communities.get(-1) is None


async def test_saving_again_overwrites(database: Database) -> None:
    async with database.uow() as uow:
        await uow.communities.save(community(-5))
        await uow.commit()
    left = community(-5, title="Tea lovers (old)", active=False, left_at=later(3600))
    async with database.uow() as uow:
        await uow.communities.save(left)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.communities.get(-5) == left


async def test_list_active_leaves_out_groups_the_bot_left(database: Database) -> None:
    async with database.uow() as uow:
        await uow.communities.save(community(-3))
        await uow.communities.save(community(-2, active=False, left_at=later(1)))
        await uow.communities.save(community(-1))
        await uow.commit()
    async with database.uow() as uow:
        assert [c.chat_id for c in await uow.communities.list_active()] == [-3, -1]


async def test_many_communities_read_back_in_one_call(database: Database) -> None:
    saved = [community(-1001 - i, language="zh") for i in range(3)]
    async with database.uow() as uow:
        for item in saved:
            await uow.communities.save(item)
        await uow.commit()
    async with database.uow() as uow:
        found = await uow.communities.get_many([-1001, -1003, -5])
    assert found == {-1001: saved[0], -1003: saved[2]}
