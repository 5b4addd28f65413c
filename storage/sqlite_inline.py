"""An aiosqlite connection that runs each SQLite call on the event loop, and waits for a lock off it.

aiosqlite hands every call (BEGIN, each statement, each fetch, COMMIT) to a worker thread and back. A
SQLite statement on a small indexed table takes a few microseconds; the hand-over costs 100-150 µs of
queueing, waking and GIL switching each way, so a unit of work of four calls spent three quarters of its
time travelling between threads (bench/README.md, "SQLite on the event loop"). Here a call runs inline.

What must not run inline is waiting. In-process writers queue in the `WriterGate`, and readers never wait
under WAL, so a call blocks only when another process (a CLI import, the scheduler's job-store thread) holds
the write lock. The connection is opened with a busy timeout of 0: such a call fails at once with
SQLITE_BUSY without having done anything, and is then run again in aiosqlite's thread under the usual busy
timeout, so the event loop keeps serving everyone else while this one waits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite

# SQLITE_BUSY and SQLITE_LOCKED, also as extended codes (the low byte names the primary code).
_WAIT_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def _must_wait(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _WAIT_CODES
    return "locked" in str(error)


class InlineConnection(aiosqlite.Connection):
    """`aiosqlite.Connection` whose calls run on the caller's thread unless they have to wait for a lock."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout_ms: int) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._busy_timeout_ms = busy_timeout_ms
        self._thread.daemon = True  # as SQLAlchemy's aiosqlite dialect does: never hold up interpreter exit

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if not _must_wait(error):
                raise
        # Nothing was done (SQLite refused before starting): do it again where waiting blocks nobody.
        return await super()._execute(self._waiting, partial(fn, *args, **kwargs))  # type: ignore[no-untyped-call]

    def _waiting(self, call: Callable[[], Any]) -> Any:
        connection = self._conn
        connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        try:
            return call()
        finally:
            connection.execute("PRAGMA busy_timeout = 0")


def inline_creator(database: str, busy_timeout_ms: int) -> Callable[[], Any]:
    """`async_creator` for SQLAlchemy's aiosqlite dialect: a connection to the file `database`."""

    async def connect() -> InlineConnection:
        # check_same_thread=False: a call that has to wait runs in aiosqlite's thread, the rest on the loop's.
        connector = partial(sqlite3.connect, database, check_same_thread=False, timeout=0)
        connection = InlineConnection(connector, busy_timeout_ms)
        await connection
        return connection

    return connect
