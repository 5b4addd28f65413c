"""The shared database fixtures behave as promised (tests/support/databases.py)."""

from __future__ import annotations

import pytest

from storage.database import Database
from storage.migrate import current_async, head
from tests.storage.builders import add_product
from tests.support import databases
from tests.support.databases import _PostgresPool, check_postgres, postgres_unavailable


async def test_every_database_starts_empty_at_head(database: Database, database_url: str) -> None:
    assert await current_async(database_url) == head()
    async with database.uow() as uow:
        assert await uow.products.count_active() == 0


@pytest.mark.postgres
async def test_a_reused_postgres_database_is_as_good_as_new(_postgres_pool: _PostgresPool) -> None:
    name = await _postgres_pool.acquire()
    url = databases.postgres_database_url(name)
    async with await Database.connect(url) as database:
        first = await add_product(database)
    await _postgres_pool.release(name)

    again = await _postgres_pool.acquire()
    try:
        assert again == name
        async with await Database.connect(url) as database:
            async with database.uow() as uow:
                assert await uow.products.list_all() == []
            assert (await add_product(database)).id == first.id  # identities restarted
    finally:
        await _postgres_pool.release(again)


async def test_unreachable_postgres_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(databases.POSTGRES_URL_ENV, "postgresql://postgres@127.0.0.1:1/postgres")
    monkeypatch.delenv("CI", raising=False)
    reason = await check_postgres()
    assert reason is not None
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL not reachable"):
        postgres_unavailable(reason)


async def test_unreachable_postgres_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(databases.POSTGRES_URL_ENV, "postgresql://postgres@127.0.0.1:1/postgres")
    monkeypatch.setenv("CI", "true")
    reason = await check_postgres()
    assert reason is not None
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        postgres_unavailable(reason)
