"""The start-up check of the schema's migration, read without Alembic, agrees with Alembic everywhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.database import Database
from storage.migrate import alembic_config, current_async, upgrade_async
from storage.schema_version import database_revision, revisions

ROOT = Path(__file__).resolve().parents[2]


def test_the_migrations_known_and_the_newest_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert revisions().head == scripts.get_current_head()
    assert revisions().known == {script.revision for script in scripts.walk_revisions()}


async def _revision(url: str) -> str | None:
    database = await Database.connect(url)
    try:
        async with database.engine.connect() as connection:
            return await database_revision(connection)
    finally:
        await database.dispose()


async def test_the_databases_revision_is_alembics_when_empty_midway_and_at_the_newest(
    empty_database_url: str,
) -> None:
    assert await _revision(empty_database_url) is None
    scripts = ScriptDirectory.from_config(alembic_config())
    midway = scripts.get_revision(revisions().head).down_revision
    assert isinstance(midway, str)
    await upgrade_async(empty_database_url, midway)
    assert await _revision(empty_database_url) == midway == await current_async(empty_database_url)
    await upgrade_async(empty_database_url)
    assert await _revision(empty_database_url) == revisions().head == await current_async(empty_database_url)


def test_the_bots_process_imports_neither_alembic_nor_httpxs_command_line() -> None:
    """What `circlecart run` loads for its whole life: the command line with every command, the app and both
    adapters (the start-up check of the schema included)."""
    probe = (
        "import contextlib, io, sys, circlecart.app, circlecart.cli, bots.aiogram.runner, bots.ptb.runner\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    circlecart.cli.main(['--help'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'mako', 'rich', 'pygments', 'click'}))"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
