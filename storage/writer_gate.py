"""SQLite admits one writing transaction at a time. Units of work queue for it here, in order.

Without this, concurrent transactions wait inside SQLite's busy handler, which sleeps and polls: under a
rush (hundreds of members paying at once) the waits grow long and unfair, and a pre-checkout query can
miss Telegram's 10-second answer window. A FIFO asyncio lock in the process hands the write lock over
without polling. It is re-entrant per task, so a unit of work opened inside another one cannot deadlock.
Other processes (and the scheduler's job-store thread) still meet SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import asyncio


class WriterGate:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner = task
        self._depth = 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()
