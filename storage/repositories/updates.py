"""Processed updates: an insert-if-absent claim per (bot id, update_id), and pruning of old claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, delete

from storage.repositories._base import SqlRepository, rowcount
from storage.tables import processed_updates

# One per dialect, built once: every update is claimed, and building an ON CONFLICT insert cost more than running it.
_CLAIMS: dict[str, Executable] = {}


class SqlProcessedUpdateRepository(SqlRepository):
    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        statement = _CLAIMS.get(self._dialect)
        if statement is None:
            statement = _CLAIMS[self._dialect] = self._insert(processed_updates).on_conflict_do_nothing(
                index_elements=[processed_updates.c.bot_id, processed_updates.c.update_id]
            )
        values = {"bot_id": bot_id, "update_id": update_id, "received_at": now}
        return rowcount(await self._session.execute(statement, values)) == 1

    async def prune(self, before: datetime) -> int:
        statement = delete(processed_updates).where(processed_updates.c.received_at < before)
        return rowcount(await self._session.execute(statement))
