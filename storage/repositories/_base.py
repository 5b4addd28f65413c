"""What every repository shares: the session, the dialect, rowcounts and dialect-specific INSERT."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any, TypeVar

from sqlalchemy import Column, Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncConnection


class SqlRepository:
    def __init__(self, session: AsyncConnection, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that supports ON CONFLICT on this dialect."""
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        if self._dialect == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"dialect {self._dialect!r} is not supported")

    async def _rekey(self, user_id: int, pseudonym: int, *columns: Column[Any]) -> None:
        """Each column that names the member names `pseudonym` instead (forgetting a member, see domain/privacy)."""
        for column in columns:
            table = column.table
            await self._session.execute(update(table).where(column == user_id).values({column.name: pseudonym}))


T = TypeVar("T")

# Values bound in one `IN (...)` list at most: within the bound-parameter limit of any SQLite build.
IN_LIST_LIMIT = 500


def in_chunks(values: Collection[T], size: int = IN_LIST_LIMIT) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, for statements that bind each value in an `IN (...)` list."""
    wanted = list(values)
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE matched (every supported driver reports it)."""
    if not isinstance(result, CursorResult):  # pragma: no cover - UPDATE always gives a CursorResult
        raise TypeError(f"expected a CursorResult, got {type(result).__name__}")
    return result.rowcount
