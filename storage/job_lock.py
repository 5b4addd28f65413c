"""The lock that decides which process runs the jobs and the outbox sender.

On PostgreSQL it is a session advisory lock held on one dedicated connection: the server releases it
when that connection closes or dies, so a crashed leader cannot keep it. On SQLite the database is a
file on one machine, served by one process, so that process always holds it. Both satisfy
`jobs.leader.JobLock`, the port the leader election uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# pg_advisory_lock takes a bigint: this one spells "ccjobs" so that it does not collide by accident.
JOBS_LOCK_KEY = int.from_bytes(b"ccjobs", "big")
CHECK_TIMEOUT = 10.0  # seconds a lock check or release may take before the connection counts as lost


class SoleProcessLock:
    """SQLite: the one process serving the file runs the jobs."""

    async def try_acquire(self) -> bool:
        return True

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryJobLock:
    def __init__(self, engine: AsyncEngine, key: int = JOBS_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        if self._connection is not None:
            return await self.held()
        connection = await self._engine.connect()
        try:
            # Autocommit: holding the lock must not hold a transaction open for the life of the process.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})).scalar()
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            # Bounded: on a half-open connection the server may already have freed the lock for another.
            async with asyncio.timeout(CHECK_TIMEOUT):
                await self._connection.execute(text("SELECT 1"))
        except (Exception, TimeoutError) as error:
            log.error("the jobs lock's connection failed (%r): this process no longer holds the lock", error)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except (Exception, TimeoutError) as error:
            log.warning("could not release the jobs lock cleanly (%r); dropping its connection frees it", error)
        await self._drop()

    async def _drop(self) -> None:
        """Throw the lock's connection away rather than return it to the pool, where it might still hold
        the lock for a later borrower and keep every process from leading."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            await connection.invalidate()
        with contextlib.suppress(Exception):
            await connection.close()
