"""Migrations build the schema from empty on both backends, and it matches the SQLModel tables."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (the tables are registered on SQLModel.metadata)
from domain.money import Money
from storage.database import Database
from storage.migrate import (
    current,
    current_async,
    downgrade_async,
    head,
    include_object,
    upgrade,
    upgrade_async,
)
from tests.storage.builders import add_product

APP_TABLES = {
    "members",
    "communities",
    "brands",
    "products",
    "orders",
    "order_lines",
    "stock_holds",
    "payments",
    "outbox",
}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"include_object": include_object, "compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


def _all_differences(connection: Connection) -> list[Any]:
    """Without the filter: what differs must be exactly the search objects made outside the metadata."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def _run(url: str, function: Any) -> Any:
    async with await Database.connect(url) as database, database.engine.connect() as connection:
        return await connection.run_sync(function)


async def test_an_empty_database_has_no_revision(empty_database_url: str) -> None:
    assert await current_async(empty_database_url) is None


async def test_upgrade_from_empty_to_head(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)

    assert await current_async(empty_database_url) == head()
    tables = set(await _run(empty_database_url, lambda c: inspect(c).get_table_names()))
    assert APP_TABLES <= tables


async def test_migrated_schema_matches_the_sqlmodel_tables(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)

    assert await _run(empty_database_url, _differences) == []


async def test_only_the_search_objects_live_outside_the_metadata(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)

    differences = await _run(empty_database_url, _all_differences)
    described = sorted(_describe(diff) for diff in differences)
    if empty_database_url.startswith("sqlite"):
        assert described and all(d.startswith("remove_table products_fts") for d in described), described
    else:
        assert described == ["remove_column products.search_vector", "remove_index ix_products_search_vector"]


def _describe(diff: Any) -> str:
    if isinstance(diff, list):  # column/type modifications come grouped
        return "; ".join(_describe(d) for d in diff)
    kind = diff[0]
    if kind == "remove_table":
        return f"remove_table {diff[1].name}"
    if kind == "remove_column":
        return f"remove_column {diff[2]}.{diff[3].name}"
    if kind == "remove_index":
        return f"remove_index {diff[1].name}"
    return repr(diff)


async def test_upgrading_twice_changes_nothing(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)
    await upgrade_async(empty_database_url)
    assert await current_async(empty_database_url) == head()


async def test_downgrade_to_base_and_back(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)
    await downgrade_async(empty_database_url, "base")
    assert await current_async(empty_database_url) is None
    leftover = set(await _run(empty_database_url, lambda c: inspect(c).get_table_names()))
    assert not leftover & APP_TABLES
    assert not {name for name in leftover if name.startswith("products_fts")}

    await upgrade_async(empty_database_url)
    assert await current_async(empty_database_url) == head()


async def test_search_works_on_a_freshly_migrated_database(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url)
    async with await Database.connect(empty_database_url) as database:
        await add_product(database, title="Celadon teapot")
        async with database.uow() as uow:
            assert [p.title for p in await uow.products.search("tea", 5)] == ["Celadon teapot"]


async def test_sync_helpers_work_from_inside_a_running_event_loop(empty_database_url: str) -> None:
    upgrade(empty_database_url)  # blocks this loop briefly, but must not fail with "loop already running"
    assert current(empty_database_url) == head()


def test_sync_helpers_work_without_an_event_loop(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/plain.db"
    assert current(url) is None
    upgrade(url)
    assert current(url) == head()


async def test_sqlite_fts_triggers_exist(sqlite_database: Database) -> None:
    async with sqlite_database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        triggers = {row[0] for row in rows}
    assert triggers == {"products_fts_after_insert", "products_fts_after_delete", "products_fts_after_update"}


async def test_migrations_run_concurrently_with_other_tasks(empty_database_url: str) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    try:
        await upgrade_async(empty_database_url)
    finally:
        task.cancel()
    assert ticks > 1  # the event loop kept running while Alembic worked in its thread


async def test_upgrade_step_by_step_from_the_first_revision(empty_database_url: str) -> None:
    await upgrade_async(empty_database_url, "0001")
    assert await current_async(empty_database_url) == "0001"
    async with await Database.connect(empty_database_url) as database, database.uow() as uow:
        # The columns of revision 0001 only: today's repository writes columns that came later.
        await uow.session.execute(
            text(
                "INSERT INTO products (sku, title, description, price_amount, currency, stock, tags, active)"
                " VALUES ('OLD-1', 'Made before the upgrade', '', 250, 'XTR', 10, '[]', true)"
            )
        )
        await uow.commit()

    await upgrade_async(empty_database_url)

    assert await current_async(empty_database_url) == head()
    assert await _run(empty_database_url, _differences) == []
    async with await Database.connect(empty_database_url) as database, database.uow() as uow:
        kept = await uow.products.get_by_sku("OLD-1")
    assert kept is not None and kept.title == "Made before the upgrade" and kept.price == Money(250, "XTR")
    assert (kept.stock, kept.held, kept.counted) == (10, 0, 10)  # 0011: nothing held, counted from the shelf
