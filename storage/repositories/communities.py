from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import RowMapping, select

from domain.communities import Community
from storage.repositories._base import SqlRepository, in_chunks
from storage.tables import communities


def _community(row: RowMapping) -> Community:
    return Community(
        chat_id=row["chat_id"],
        title=row["title"],
        active=row["active"],
        joined_at=row["joined_at"],
        left_at=row["left_at"],
        language=row["language"],
    )


class SqlCommunityRepository(SqlRepository):
    async def get(self, chat_id: int) -> Community | None:
        query = select(communities).where(communities.c.chat_id == chat_id)
        row = (await self._session.execute(query)).mappings().first()
        return _community(row) if row is not None else None

    async def get_many(self, chat_ids: Collection[int]) -> dict[int, Community]:
        found: dict[int, Community] = {}
        for chunk in in_chunks(chat_ids):
            query = select(communities).where(communities.c.chat_id.in_(chunk))
            found |= {row["chat_id"]: _community(row) for row in (await self._session.execute(query)).mappings()}
        return found

    async def save(self, community: Community) -> None:
        """Insert or update by chat_id (every field is overwritten)."""
        values = {
            "chat_id": community.chat_id,
            "title": community.title,
            "active": community.active,
            "joined_at": community.joined_at,
            "left_at": community.left_at,
            "language": community.language,
        }
        statement = self._insert(communities).values(values)
        updates = {name: statement.excluded[name] for name in values if name != "chat_id"}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[communities.c.chat_id], set_=updates)
        )

    async def list_active(self) -> Sequence[Community]:
        query = select(communities).where(communities.c.active.is_(True)).order_by(communities.c.chat_id)
        return [_community(row) for row in (await self._session.execute(query)).mappings()]
