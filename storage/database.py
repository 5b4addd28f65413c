"""Engine set-up and the `Database` handle the composition root keeps for the life of the process.

SQLite is tuned to take many concurrent writers without "database is locked":
- WAL journal, so readers never block the writer;
- ``busy_timeout``, so a connection waits for the write lock instead of failing at once;
- every transaction that may write starts with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented recipe: the
  driver's own BEGIN is switched off with ``isolation_level = None`` and SQLAlchemy's "begin" event emits
  ours). A deferred transaction that reads and then writes fails instantly under WAL with SQLITE_BUSY (the
  busy handler is not consulted for a lock upgrade) when another writer committed in between; taking the
  write lock at BEGIN serialises writers up front, where busy_timeout does apply.
- a read-only unit of work (`Database.reader`) begins deferred and takes no lock at all: under WAL it reads
  a snapshot while a writer works. It refuses any statement that is not a read.
- each call runs on the event loop, not in aiosqlite's thread (storage/sqlite_inline.py says why), and
  only a call that has to wait for another process's lock is sent to the thread.
- ``foreign_keys = ON``.
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.job_lock import AdvisoryJobLock, SoleProcessLock
from storage.sqlite_inline import inline_creator
from storage.uow import SqlUnitOfWork
from storage.writer_gate import WriterGate

SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option that marks a read-only unit of work's connection (see Database.reader).
READ_ONLY = "circlecart_read_only"
_WRITE_WORDS = re.compile(r"\b(INSERT|UPDATE|DELETE)\b")
_READ_STATEMENTS = ("SELECT", "WITH", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK")

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def async_url(url: str | URL) -> URL:
    """The URL with its async driver: sqlite:// -> sqlite+aiosqlite://, postgres(ql):// -> +asyncpg.

    Refuses in-memory SQLite: every pooled connection would see its own empty database (or, with a single
    shared connection, concurrent units of work would share one transaction). Use a file.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r} (use sqlite or postgresql)")
    parsed = parsed.set(drivername=driver)
    if driver.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise ValueError("in-memory SQLite is not supported; give a file path, e.g. sqlite:///circlecart.db")
    return parsed


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver must not emit BEGIN itself: the "begin" event below emits BEGIN IMMEDIATE instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # 0: a call that meets another process's lock fails at once and waits in aiosqlite's thread instead
        # (storage/sqlite_inline.py), under SQLITE_BUSY_TIMEOUT_MS.
        cursor.execute("PRAGMA busy_timeout = 0")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _refuse_writes_when_read_only(
    connection: Connection, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    # A read-only unit of work took no write lock: a write there could fail under load (SQLite) or slip
    # past the writer gate, so it is a programming error, caught on its first run.
    if connection.get_execution_options().get(READ_ONLY) and _writes(statement):
        raise ReadOnlyViolation(f"a read-only unit of work tried to write: {statement[:80]!r}")


def _writes(statement: str) -> bool:
    head = statement.lstrip().upper()
    if not head.startswith(_READ_STATEMENTS):
        return True
    # A common table expression may hide a write: WITH x AS (UPDATE ... RETURNING ...) SELECT ...
    return head.startswith("WITH") and _WRITE_WORDS.search(head) is not None


class ReadOnlyViolation(RuntimeError):
    """A statement that writes ran in a unit of work opened with `Database.reader()`."""


def _on_postgres_checkout(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: Any) -> None:
    # Instead of pool_pre_ping, which on asyncpg costs three round trips per checkout (SQLAlchemy wraps its
    # ";" in BEGIN ... ROLLBACK for pgbouncer): as many as the rest of a drop claim. asyncpg learns that
    # the server closed a pooled connection (restart, idle timeout, pg_terminate_backend) when its socket
    # reads EOF, with no round trip; raising here makes the pool replace the connection and try again.
    # What this misses (a peer that vanished without closing) fails that unit of work's first statement,
    # which invalidates the connection, as any disconnect does.
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_engine(url: str | URL, **engine_options: Any) -> AsyncEngine:
    """An async engine for `url` (rewritten to its async driver), with the SQLite tuning applied."""
    target = async_url(url)
    options: dict[str, Any] = {"pool_pre_ping": False}
    if target.get_backend_name() == "sqlite":
        options["async_creator"] = inline_creator(str(target.database), SQLITE_BUSY_TIMEOUT_MS)
    options.update(engine_options)
    engine = create_async_engine(target, **options)
    if engine.dialect.name == "postgresql" and not options["pool_pre_ping"]:
        event.listen(engine.sync_engine, "checkout", _on_postgres_checkout)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_writes_when_read_only)
    return engine


class Database:
    """One per process: owns the engine; `uow()` makes a fresh unit of work (a `UnitOfWorkFactory`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._autocommit = engine
        read_options: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            # Under READ COMMITTED each statement reads its own fresh snapshot, in a transaction or not: a
            # read-only transaction bought nothing but a BEGIN and a ROLLBACK, two round trips of every read.
            read_options["isolation_level"] = "AUTOCOMMIT"
            self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._readers = engine.execution_options(**read_options)
        self._gate = WriterGate() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, url: str | URL, **engine_options: Any) -> Database:
        """Build without touching the database (connections are opened lazily)."""
        return cls(create_engine(url, **engine_options))

    @classmethod
    async def connect(cls, url: str | URL, **engine_options: Any) -> Database:
        """Build and check the database answers (fails fast on a wrong URL or a server that is down)."""
        database = cls.from_url(url, **engine_options)
        try:
            await database.ping()
        except BaseException:
            await database.dispose()
            raise
        return database

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._engine.dialect.name

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, self._engine.dialect.name, self._gate)

    def reader(self) -> SqlUnitOfWork:
        """A unit of work that only reads: it takes no write lock and does not queue behind writers.

        On SQLite it begins deferred and reads one snapshot (WAL); on PostgreSQL each statement runs on its
        own (autocommit), with no BEGIN or ROLLBACK round trip. A statement that writes raises
        `ReadOnlyViolation`.
        """
        return SqlUnitOfWork(self._readers, self._engine.dialect.name, None)

    def autocommit(self) -> SqlUnitOfWork:
        """A unit of work whose statements each commit on their own, on PostgreSQL: a statement's row locks end
        with it, not one round trip later at a COMMIT (the drop's row in a rush). Only for code whose every
        write is whole on its own; `commit()` and `rollback()` then do nothing. On SQLite an ordinary unit of
        work (its writers are serialised anyway, and its COMMIT costs no round trip)."""
        return SqlUnitOfWork(self._autocommit, self._engine.dialect.name, self._gate)

    def job_lock(self) -> AdvisoryJobLock | SoleProcessLock:
        """The lock electing the one process that runs the jobs (see storage.job_lock)."""
        if self._engine.dialect.name == "postgresql":
            return AdvisoryJobLock(self._engine)
        return SoleProcessLock()

    async def dispose(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.dispose()
