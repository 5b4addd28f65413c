"""Which migration a database is at and which this release knows, read without importing Alembic.

`circlecart run` checks this at every start, and nearly always finds the database at the newest migration:
importing Alembic (and Mako with it) only to learn that costs the bot about 8 MB of resident memory for its
whole life. So the check reads the revision ids from the migration scripts' own `revision` and
`down_revision` assignments, and the database's from Alembic's version table; `storage.migrate` (Alembic
itself) is imported only when there is something to apply. A test holds both answers equal to Alembic's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

VERSIONS_DIR = Path(__file__).resolve().parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which storage/migrations/env.py keeps


@dataclass(frozen=True)
class Revisions:
    """The migration scripts of this release: every revision id, and the newest (the one nothing follows)."""

    known: frozenset[str]
    head: str


@cache
def revisions() -> Revisions:
    parents: dict[str, set[str]] = {}
    for script in sorted(VERSIONS_DIR.glob("*.py")):
        found = _assignments(script)
        revision = found.get("revision")
        if not isinstance(revision, str):
            continue  # not a migration script (a helper module)
        down = found.get("down_revision")
        if isinstance(down, str):
            parents[revision] = {down}
        else:  # None for the first migration, a tuple where branches merge
            parents[revision] = {str(parent) for parent in down} if isinstance(down, (tuple, list)) else set()
    following = {parent for ups in parents.values() for parent in ups}
    heads = sorted(set(parents) - following)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations in {VERSIONS_DIR} have {len(heads)} heads: {heads}")
    return Revisions(frozenset(parents), heads[0])


def _assignments(script: Path) -> dict[str, object]:
    """The module-level `name = <literal>` (or `name: type = <literal>`) assignments of a script."""
    values: dict[str, object] = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            targets, value = [node.target.id], node.value
        elif isinstance(node, ast.Assign):
            targets, value = [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
        else:
            continue
        try:
            literal = ast.literal_eval(value)
        except ValueError:
            continue
        for name in targets:
            values[name] = literal
    return values


async def database_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    if not await connection.run_sync(lambda sync: inspect(sync).has_table(VERSION_TABLE)):
        return None
    rows = (await connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))).scalars().all()
    if len(rows) > 1:  # branches merged by hand: Alembic keeps one row per head
        raise RuntimeError(f"the database has {len(rows)} migration heads: {sorted(rows)}")
    return rows[0] if rows else None
