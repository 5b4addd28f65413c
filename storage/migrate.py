"""Run the Alembic migrations without an alembic.ini, from a source tree or an installed package.

    from storage.migrate import upgrade, upgrade_async, current
    upgrade("sqlite:///circlecart.db")            # sync code (CLI)
    await upgrade_async("postgresql://...")       # inside a running event loop

The Config is built in code, with ``script_location`` pointing at ``storage/migrations`` next to this file.
Alembic's env.py runs its own event loop (``asyncio.run``), so when called from a thread that already runs a
loop the work is done in a worker thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from storage.database import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions that use it: every command of the CLI imports this module, `circlecart
# run` among them, and the bot's process would hold Alembic (and Mako) for its life only to check, at start, a
# revision it reads without Alembic (storage.schema_version).

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Full-text search objects the migrations create by hand, outside SQLModel.metadata: SQLite's FTS5 table
# (and the shadow tables FTS5 makes for it) and PostgreSQL's generated tsvector column and its GIN index.
SEARCH_TABLE_PREFIX = "products_fts"
SEARCH_COLUMN = "search_vector"
SEARCH_INDEX = "ix_products_search_vector"

T = TypeVar("T")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic autogenerate filter: leave out the full-text search objects made outside the metadata."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    if type_ == "column" and name == SEARCH_COLUMN:
        return False
    return not (type_ == "index" and name == SEARCH_INDEX)


def alembic_config(url: str | None = None) -> Config:
    """A programmatic Alembic Config for these migrations; `url` is handed to env.py (no ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.attributes["url"] = url
    return config


def head() -> str:
    """The newest revision in the migration scripts."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - there is always an initial revision
        raise RuntimeError("no migrations found")
    return revision


def is_known(revision: str) -> bool:
    """Whether `revision` is one of these migrations (a database migrated by a newer release is not)."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _outside_event_loop(function: Callable[[], T]) -> T:
    """Call `function` here, or in a worker thread when this thread is running an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="alembic") as pool:
        return pool.submit(function).result()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision` (blocks; see upgrade_async inside an event loop)."""
    from alembic import command

    _outside_event_loop(lambda: command.upgrade(alembic_config(url), revision))


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    _outside_event_loop(lambda: command.downgrade(alembic_config(url), revision))


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Migrate without blocking the running event loop (Alembic runs in a worker thread)."""
    await asyncio.to_thread(upgrade, url, revision)


async def downgrade_async(url: str, revision: str) -> None:
    await asyncio.to_thread(downgrade, url, revision)


def _revision_of(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_async(url: str) -> str | None:
    """The revision the database is at; None for an empty (never migrated) database."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_revision_of)
    finally:
        await engine.dispose()


def current(url: str) -> str | None:
    """The revision the database is at; None for an empty (never migrated) database."""
    return _outside_event_loop(lambda: asyncio.run(current_async(url)))
