"""Exactly one process runs the jobs and the outbox sender: the one holding the jobs lock.

Every `circlecart run` worker (and `circlecart jobs`) takes part. The first to get the lock leads: it
catches up whatever came due, starts the schedule and the sender. The others serve updates and try again
every `retry_seconds`; when the leader stops or its database connection dies, the lock frees and one of
them takes over, catching up first. The jobs are idempotent transitions, so even a brief overlap (a leader
that has not yet noticed it lost its connection) does no harm, and the outbox claims rows under lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger(__name__)

Role = Callable[[], Awaitable[None]]


class JobLock(Protocol):
    """Held by at most one process at a time (storage.job_lock implements it per database)."""

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True if this process holds it now."""

    async def held(self) -> bool:
        """Whether this process still holds it (a lost connection means it does not)."""

    async def release(self) -> None: ...


class JobsLeader:
    def __init__(self, lock: JobLock, take_over: Role, step_down: Role, retry_seconds: float = 5.0) -> None:
        self._lock = lock
        self._take_over = take_over
        self._step_down = step_down
        self.retry_seconds = retry_seconds
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try once now (so a single process has its jobs running when this returns), then keep watching."""
        await self._try_to_lead()
        self._task = asyncio.create_task(self._watch(), name="jobs-leader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.leading:
            self.leading = False
            await self._step_down()
        await self._lock.release()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                if not self.leading:
                    await self._try_to_lead()
                elif not await self._lock.held():
                    log.error("lost the jobs lock: stopping the jobs here; another process takes over")
                    self.leading = False
                    await self._step_down()
            except Exception:
                log.exception("jobs leadership check failed; trying again in %.0fs", self.retry_seconds)

    async def _try_to_lead(self) -> None:
        try:
            acquired = await self._lock.try_acquire()
        except Exception as error:
            log.warning("could not ask for the jobs lock (%s); trying again in %.0fs", error, self.retry_seconds)
            return
        if not acquired:
            log.debug("another process runs the jobs")
            return
        log.info("this process runs the jobs and the outbox sender")
        self.leading = True
        try:
            await self._take_over()
        except BaseException:
            # A failed or interrupted take-over (a stop during the catch-up) must not leave the sender running.
            self.leading = False
            with contextlib.suppress(Exception):
                await self._step_down()
            await self._lock.release()
            raise
