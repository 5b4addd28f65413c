from __future__ import annotations

import pytest

from domain.members import Member
from domain.ports import UnitOfWork, UnitOfWorkFactory
from storage.database import Database
from tests.storage.builders import add_product


async def test_committed_work_is_kept(database: Database) -> None:
    async with database.uow() as uow:
        await uow.members.save(Member(id=1, first_name="Kept"))
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.members.get(1) is not None


async def test_leaving_without_commit_rolls_back(database: Database) -> None:
    async with database.uow() as uow:
        await uow.members.save(Member(id=1, first_name="Forgotten"))
    async with database.uow() as uow:
        assert await uow.members.get(1) is None


async def test_an_exception_rolls_back_and_propagates(database: Database) -> None:
    product = await add_product(database, stock=3)
    with pytest.raises(RuntimeError, match="boom"):
        async with database.uow() as uow:
            assert await uow.products.claim_stock(product.id, 3)
            raise RuntimeError("boom")
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None and stored.stock == 3


async def test_explicit_rollback_discards_work(database: Database) -> None:
    async with database.uow() as uow:
        await uow.members.save(Member(id=1, first_name="Undone"))
        await uow.rollback()
        await uow.members.save(Member(id=2, first_name="Kept"))
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.members.get(1) is None
        assert await uow.members.get(2) is not None


async def test_work_after_commit_needs_another_commit(database: Database) -> None:
    async with database.uow() as uow:
        await uow.members.save(Member(id=1, first_name="First"))
        await uow.commit()
        await uow.members.save(Member(id=2, first_name="Second"))
    async with database.uow() as uow:
        assert await uow.members.get(1) is not None
        assert await uow.members.get(2) is None


async def test_uncommitted_work_is_invisible_to_another_unit_of_work(database: Database) -> None:
    # PostgreSQL only: on SQLite a second writer would wait for the first (BEGIN IMMEDIATE), and a reader
    # starts with BEGIN IMMEDIATE as well, so the two cannot overlap in one task.
    if database.dialect == "sqlite":
        pytest.skip("SQLite serialises transactions; the overlap cannot happen in one task")
    async with database.uow() as writer:
        await writer.members.save(Member(id=1, first_name="Pending"))
        async with database.uow() as reader:
            assert await reader.members.get(1) is None
        await writer.commit()


async def test_a_unit_of_work_cannot_be_entered_twice_at_once(database: Database) -> None:
    uow = database.uow()
    async with uow:
        with pytest.raises(RuntimeError):
            await uow.__aenter__()


async def test_a_unit_of_work_can_be_reused_after_leaving(database: Database) -> None:
    uow = database.uow()
    async with uow:
        await uow.members.save(Member(id=1, first_name="Once"))
        await uow.commit()
    async with uow:
        assert await uow.members.get(1) is not None


async def test_using_a_closed_unit_of_work_is_an_error(database: Database) -> None:
    uow = database.uow()
    with pytest.raises(RuntimeError):
        await uow.commit()


async def test_database_uow_is_a_unit_of_work_factory(database: Database) -> None:
    factory: UnitOfWorkFactory = database.uow
    uow: UnitOfWork = factory()
    async with uow as entered:
        assert entered is uow
        assert await entered.members.get(1) is None
