"""Several processes on one PostgreSQL database: exactly one runs the jobs, and another takes over.

The leader is `circlecart run` (polling the fake server); the standby is `circlecart jobs` on the same
database and bot (it takes no updates, so the two do not compete for getUpdates).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import asyncpg

from circlecart.app import CircleCart
from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import allow_brand_directly, make_staff, outbox_drained, schedule, texts
from tests.scenarios.harness import running_shop
from tests.support.databases import _dsn

RETRY = 0.2


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.05)


async def _kill_jobs_lock_connection(database_url: str) -> int:
    """What a leader's crash (or a network cut) looks like to PostgreSQL: the lock's backend goes away."""
    connection = await asyncpg.connect(_dsn(database_url))
    try:
        return int(
            await connection.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
                " WHERE locktype = 'advisory'"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
    finally:
        await connection.close()


async def test_one_process_runs_the_jobs_and_another_takes_over_when_it_dies(postgres_url: str) -> None:
    async with running_shop("aiogram", postgres_url, str(STARS_CATALOG), jobs_lock_retry_seconds=RETRY) as shop:
        leader = shop.app
        standby = CircleCart(leader.settings, clock=shop.clock, receive_updates=False)
        await standby.start()
        stopped = False
        try:
            assert leader.leader is not None and leader.leader.leading and leader.jobs is not None
            assert standby.leader is not None and not standby.leader.leading
            assert standby.jobs is None and standby.sender is None  # nothing runs twice

            staff = shop.member("Bo")
            await make_staff(shop, "Celadon Studio", staff)
            group = await shop.group_with_bot("Tea Lovers")
            await allow_brand_directly(shop, group.id, "Celadon Studio")
            drop = await schedule(shop, quantity=3, starts_in=timedelta(hours=2))

            assert await _kill_jobs_lock_connection(postgres_url) == 1
            await _until(lambda: standby.jobs is not None)
            await _until(lambda: leader.jobs is None)  # the old leader noticed and stepped down
            assert standby.leader.leading and not leader.leader.leading

            # The new leader's schedule opens the drop and its sender posts the announcement.
            shop.clock.set(drop.starts_at)
            assert standby.jobs is not None
            await standby.jobs.run_now("drops_reconcile")
            await outbox_drained(shop)
            assert sum("Drop: Celadon tea set" in t for t in texts(shop, group)) == 1

            stopped = True
            await standby.stop()  # a clean stop frees the lock at once: the first process leads again
            await _until(lambda: leader.jobs is not None)
            assert leader.leader.leading
        finally:
            if not stopped:
                await standby.stop()
