"""Database fixtures for the whole suite: the same tests on SQLite and PostgreSQL, schemas made by migrations.

Fixtures (load with ``pytest_plugins = ["tests.support.databases"]`` in the root conftest, or import them):

- ``database_url``: URL (async driver) of a fresh database migrated to head, parametrized over
  ``sqlite`` (a temp file) and ``postgres`` (a uniquely named database, marked ``postgres``; see below).
- ``database``: a connected ``storage.database.Database`` on ``database_url``; disposed at teardown.
- ``sqlite_url`` / ``postgres_url`` and ``sqlite_database`` / ``postgres_database``: the same for one backend
  (mark a test using the postgres ones with ``@pytest.mark.postgres`` yourself).
- ``empty_database_url``: like ``database_url`` but not migrated (for migration tests).
- ``postgres_admin_url`` (session): the admin URL, checked reachable.

PostgreSQL is found at env ``CIRCLECART_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``). When it cannot be reached the tests that need it are
skipped, except when env ``CI`` is ``true``: then they fail, because CI must run them.

Migrating takes longer than copying, so each backend is migrated once per session into a template (a file
copied per test on SQLite; ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL). CREATE/DROP DATABASE are slow
(they checkpoint), so a PostgreSQL test database is emptied after its test (TRUNCATE ... RESTART IDENTITY)
and reused by a later one; every test still starts on an empty, migrated database of its own.

Outside fixtures, ``fresh_database(backend, directory, migrate=True)`` is an async context manager giving
the URL of a new database (migrated from scratch unless ``migrate=False``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.database import Database
from storage.migrate import upgrade, upgrade_async

__all__ = [  # `from tests.support.databases import *` must bring the private template fixtures too
    "BACKENDS",
    "POSTGRES_URL_ENV",
    "_postgres_pool",
    "_postgres_template",
    "_sqlite_template",
    "check_postgres",
    "database",
    "database_url",
    "empty_database_url",
    "fresh_database",
    "postgres_admin_url",
    "postgres_database",
    "postgres_database_url",
    "postgres_unavailable",
    "postgres_url",
    "sqlite_database",
    "sqlite_database_url",
    "sqlite_url",
]

POSTGRES_URL_ENV = "CIRCLECART_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgres")

T = TypeVar("T")

BACKEND_PARAMS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


# --------------------------------------------------------------------------------------------- plain helpers


def postgres_admin_dsn() -> str:
    """The admin URL as asyncpg wants it (plain postgresql://, whatever driver the env var names)."""
    return _dsn(os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_ADMIN_URL)


def postgres_database_url(name: str) -> str:
    """The app URL (asyncpg driver) of database `name` on the admin URL's server."""
    url = make_url(postgres_admin_dsn()).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


def sqlite_database_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def unique_name(prefix: str = "circlecart_test") -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:12]}"


def postgres_unavailable(reason: str) -> NoReturn:
    """Skip (locally) or fail (in CI, where env CI=true) a test that needs PostgreSQL."""
    message = f"PostgreSQL not reachable at {POSTGRES_URL_ENV} ({postgres_admin_dsn()}): {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " -- CI must run the PostgreSQL tests", pytrace=False)
    pytest.skip(message)


async def _admin_connection() -> asyncpg.Connection:
    return await asyncpg.connect(postgres_admin_dsn(), timeout=5)


async def check_postgres() -> str | None:
    """None when the admin URL answers, else why not."""
    try:
        connection = await _admin_connection()
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


async def create_postgres_database(name: str, template: str | None = None) -> str:
    connection = await _admin_connection()
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await connection.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await connection.close()
    return postgres_database_url(name)


async def drop_postgres_database(name: str) -> None:
    connection = await _admin_connection()
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_database(backend: str, directory: Path, *, migrate: bool = True) -> AsyncIterator[str]:
    """URL of a new database on `backend` ('sqlite' or 'postgres'), migrated to head unless migrate=False.

    SQLite files go in `directory`; a PostgreSQL database is dropped on exit. Skips/fails like the fixtures
    when PostgreSQL is unreachable.
    """
    if backend == "sqlite":
        path = directory / f"{unique_name('circlecart')}.db"
        url = sqlite_database_url(path)
        if migrate:
            await upgrade_async(url)
        yield url
        return
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")
    reason = await check_postgres()
    if reason is not None:
        postgres_unavailable(reason)
    name = unique_name()
    url = await create_postgres_database(name)
    try:
        if migrate:
            await upgrade_async(url)
        yield url
    finally:
        await drop_postgres_database(name)


class _PostgresPool:
    """Migrated databases cloned from the session's template, each used by one test at a time.

    CREATE and DROP DATABASE cost a few hundred milliseconds each (they checkpoint and sync the disk), so a
    database a test is done with is emptied instead (TRUNCATE every table but alembic_version, RESTART
    IDENTITY) and handed to a later test: to the test it is indistinguishable from a new one. A database
    whose revision changed, or that cannot be emptied within the lock timeout (a test left a transaction
    open), is dropped rather than reused. Everything is dropped at the end of the session.
    """

    def __init__(self, template: str) -> None:
        self._template = template
        self._free: list[str] = []
        self._created: set[str] = set()
        self._revision: str | None = None

    async def acquire(self) -> str:
        if self._free:
            return self._free.pop()
        name = unique_name()
        await create_postgres_database(name, template=self._template)
        self._created.add(name)
        return name

    async def release(self, name: str) -> None:
        try:
            await self._empty(name)
        except (OSError, TimeoutError, asyncpg.PostgresError, _NotReusable):
            self._created.discard(name)
            await drop_postgres_database(name)
        else:
            self._free.append(name)

    async def _empty(self, name: str) -> None:
        connection = await asyncpg.connect(_dsn(postgres_database_url(name)), timeout=5)
        try:
            await connection.execute("SET lock_timeout = '5s'")
            revision = await connection.fetchval("SELECT version_num FROM alembic_version")
            if self._revision is None:
                self._revision = revision
            if revision != self._revision:
                raise _NotReusable(f"{name} is at revision {revision}, not {self._revision}")
            tables = await connection.fetch(
                "SELECT quote_ident(tablename) AS t FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
            if tables:
                names = ", ".join(row["t"] for row in tables)
                await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()

    async def close(self) -> None:
        for name in sorted(self._created):
            await drop_postgres_database(name)
        self._created.clear()
        self._free.clear()


class _NotReusable(Exception):
    pass


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, in a worker thread if this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# ------------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    reason = _run(check_postgres())
    if reason is not None:
        postgres_unavailable(reason)
    return postgres_admin_dsn()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("circlecart-template") / "template.db"
    upgrade(sqlite_database_url(path))
    return path


@pytest.fixture(scope="session")
def _postgres_template(postgres_admin_url: str) -> Iterator[str]:
    name = unique_name("circlecart_template")
    url = _run(create_postgres_database(name))
    try:
        upgrade(url)
        yield name
    finally:
        _run(drop_postgres_database(name))


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite file migrated to head (copied from the session's migrated template)."""
    path = tmp_path / "circlecart.db"
    shutil.copyfile(_sqlite_template, path)
    return sqlite_database_url(path)


@pytest.fixture(scope="session")
def _postgres_pool(_postgres_template: str) -> Iterator[_PostgresPool]:
    pool = _PostgresPool(_postgres_template)
    try:
        yield pool
    finally:
        _run(pool.close())


@pytest.fixture
async def postgres_url(_postgres_pool: _PostgresPool) -> AsyncIterator[str]:
    """A PostgreSQL database migrated to head, empty, used by this test alone; dropped or emptied after."""
    name = await _postgres_pool.acquire()
    try:
        yield postgres_database_url(name)
    finally:
        await _postgres_pool.release(name)


@pytest.fixture(params=BACKEND_PARAMS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database migrated to head, on each backend in turn."""
    url: str = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    return url


@pytest.fixture(params=BACKEND_PARAMS)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database with nothing in it (not migrated), on each backend in turn."""
    async with fresh_database(request.param, tmp_path, migrate=False) as url:
        yield url


@asynccontextmanager
async def _connected(url: str) -> AsyncIterator[Database]:
    database = await Database.connect(url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A connected Database on a fresh migrated database, on each backend in turn."""
    async with _connected(database_url) as connected:
        yield connected


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    async with _connected(sqlite_url) as connected:
        yield connected


@pytest.fixture
async def postgres_database(postgres_url: str) -> AsyncIterator[Database]:
    async with _connected(postgres_url) as connected:
        yield connected
