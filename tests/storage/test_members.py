from __future__ import annotations

from datetime import timedelta, timezone

from domain.members import Member
from storage.database import Database
from tests.storage.builders import NOW


async def test_unknown_member_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.members.get(42) is None


async def test_saved_member_reads_back_equal(database: Database) -> None:
    member = Member(
        id=7_000_000_001,  # Telegram ids no longer fit in 32 bits
        first_name="Mei",
        username="mei_tea",
        telegram_language="zh-hans",
        chosen_language="en",
        started_bot=True,
        blocked_bot=False,
        created_at=NOW,
    )
    async with database.uow() as uow:
        await uow.members.save(member)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.members.get(member.id) == member


async def test_saving_again_updates_the_profile(database: Database) -> None:
    member = Member(id=5, first_name="Ann", created_at=NOW)
    async with database.uow() as uow:
        await uow.members.save(member)
        await uow.commit()
    changed = member.with_profile("Anna", "anna", "de")
    async with database.uow() as uow:
        await uow.members.save(changed)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.members.get(5) == changed


async def test_saving_without_created_at_keeps_the_first_one(database: Database) -> None:
    async with database.uow() as uow:
        await uow.members.save(Member(id=5, first_name="Ann", created_at=NOW))
        await uow.commit()
    async with database.uow() as uow:
        await uow.members.save(Member(id=5, first_name="Ann", blocked_bot=True))
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.members.get(5)
    assert stored is not None
    assert stored.blocked_bot is True
    assert stored.created_at == NOW


async def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(database: Database) -> None:
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    async with database.uow() as uow:
        await uow.members.save(Member(id=9, first_name="Ken", created_at=tokyo))
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.members.get(9)
    assert stored is not None and stored.created_at is not None
    assert stored.created_at == NOW
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_many_members_read_back_in_one_call_past_the_chunk_size(database: Database) -> None:
    saved = [Member(id=7_000_000_000 + i, first_name=f"M{i}", created_at=NOW) for i in range(0, 1200, 2)]
    async with database.uow() as uow:
        for member in saved:
            await uow.members.save(member)
        await uow.commit()
    async with database.uow() as uow:
        found = await uow.members.get_many([7_000_000_000 + i for i in range(1200)])
        assert await uow.members.get_many([]) == {}
    assert found == {m.id: m for m in saved}  # the missing ids are simply absent
