from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from domain.members import Member
from storage.database import Database, ReadOnlyViolation, async_url
from tests.storage.builders import add_product
from tests.support.databases import postgres_admin_dsn


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///shop.db", "sqlite+aiosqlite:///shop.db"),
        ("sqlite:////var/lib/shop.db", "sqlite+aiosqlite:////var/lib/shop.db"),
        ("sqlite+aiosqlite:///shop.db", "sqlite+aiosqlite:///shop.db"),
        ("postgresql://u:p@db:5432/shop", "postgresql+asyncpg://u:p@db:5432/shop"),
        ("postgres://u:p@db/shop", "postgresql+asyncpg://u:p@db/shop"),
        ("postgresql+psycopg2://u@db/shop", "postgresql+asyncpg://u@db/shop"),
        ("postgresql+asyncpg://u@db/shop?ssl=require", "postgresql+asyncpg://u@db/shop?ssl=require"),
    ],
)
def test_urls_are_rewritten_to_the_async_driver(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://u@db/shop", "oracle://x"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        async_url(url)


async def test_connect_fails_fast_when_the_server_is_down() -> None:
    with pytest.raises((OSError, OperationalError)):
        await Database.connect("postgresql://postgres@127.0.0.1:1/nothing_listens_here")


async def test_plain_sqlite_url_works_end_to_end(sqlite_url: str) -> None:
    plain = sqlite_url.replace("sqlite+aiosqlite", "sqlite")
    async with await Database.connect(plain) as database:
        assert database.dialect == "sqlite"
        product = await add_product(database)
        async with database.uow() as uow:
            assert await uow.products.get(product.id) == product


async def test_sqlite_connections_are_tuned_for_concurrent_writers(sqlite_database: Database) -> None:
    async with sqlite_database.engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
    assert journal == "wal"
    # On the event loop a call never waits for a lock: it fails at once and waits in aiosqlite's thread.
    assert busy == 0
    assert foreign_keys == 1


async def test_a_write_waits_for_another_process_lock_without_stopping_the_event_loop(
    sqlite_database: Database, sqlite_url: str
) -> None:
    path = async_url(sqlite_url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)  # stands for another process: its own connection
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def write() -> None:
        async with sqlite_database.uow() as uow:
            await uow.members.save(Member(id=7, first_name="Waits", created_at=datetime(2025, 1, 1, tzinfo=UTC)))
            await uow.commit()

    writing = asyncio.create_task(write())
    for _ in range(50):  # the loop keeps running other tasks while the write waits for the lock
        await asyncio.sleep(0)
        ticks += 1
    assert not writing.done()
    other.execute("COMMIT")
    other.close()
    await writing
    assert ticks == 50
    async with sqlite_database.reader() as uow:
        member = await uow.members.get(7)
    assert member is not None and member.first_name == "Waits"


async def test_a_reader_refuses_to_write(database: Database) -> None:
    async with database.reader() as uow:
        with pytest.raises(ReadOnlyViolation):
            await uow.members.save(Member(id=8, first_name="No", created_at=datetime(2025, 1, 1, tzinfo=UTC)))


async def test_a_reader_refuses_a_write_hidden_in_a_common_table_expression(database: Database) -> None:
    async with database.reader() as uow:
        with pytest.raises(ReadOnlyViolation):
            await uow.session.execute(text("WITH gone AS (DELETE FROM members RETURNING id) SELECT count(*) FROM gone"))


async def test_a_postgres_reader_runs_each_statement_on_its_own(postgres_database: Database) -> None:
    # No BEGIN and no ROLLBACK around a read: between statements the server holds no transaction open.
    async with postgres_database.reader() as uow:
        await uow.session.execute(text("SELECT 1"))
        backend = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with postgres_database.uow() as other:
            state = (
                await other.session.execute(
                    text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend}
                )
            ).scalar_one()
    assert state == "idle"  # inside a transaction it would be "idle in transaction"


async def test_a_reader_does_not_queue_behind_a_writer(database: Database) -> None:
    product = await add_product(database)
    async with database.uow() as writer:
        await writer.members.save(Member(id=9, first_name="Uncommitted", created_at=datetime(2025, 1, 1, tzinfo=UTC)))
        # The writer holds the write lock (and, on SQLite, the writer gate): a reader still reads at once,
        # and sees only what was committed.
        async with database.reader() as reader:
            assert await reader.products.get(product.id) == product
            assert await reader.members.get(9) is None
        await writer.commit()


async def test_naive_datetimes_are_refused(database: Database) -> None:
    async with database.uow() as uow:
        with pytest.raises(Exception, match="naive datetime"):
            await uow.members.save(Member(id=1, first_name="N", created_at=datetime(2025, 1, 1)))


async def test_a_pooled_connection_the_server_closed_is_replaced_without_a_ping(postgres_url: str) -> None:
    # No pool_pre_ping on PostgreSQL (three round trips per checkout on asyncpg): the checkout asks asyncpg
    # whether the server closed the connection, which costs none.
    database = await Database.connect(postgres_url, pool_size=1, max_overflow=0)
    try:
        async with database.uow() as uow:
            pid = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            pooled = (await uow.session.get_raw_connection()).driver_connection
        assert pooled is not None
        admin = await asyncpg.connect(postgres_admin_dsn())
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        for _ in range(1000):  # until asyncpg has read the server's goodbye (a condition, not a deadline)
            if pooled.is_closed():
                break
            await asyncio.sleep(0.005)
        assert pooled.is_closed()
        async with database.uow() as uow:
            assert (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await database.dispose()
