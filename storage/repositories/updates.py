"""Processed updates: an insert-if-absent claim per (bot id, update_id), and pruning of old claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from storage.repositories._base import SqlRepository, rowcount
from storage.tables import processed_updates


class SqlProcessedUpdateRepository(SqlRepository):
    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        statement = (
            self._insert(processed_updates)
            .values(bot_id=bot_id, update_id=update_id, received_at=now)
            .on_conflict_do_nothing(index_elements=[processed_updates.c.bot_id, processed_updates.c.update_id])
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def prune(self, before: datetime) -> int:
        statement = delete(processed_updates).where(processed_updates.c.received_at < before)
        return rowcount(await self._session.execute(statement))
