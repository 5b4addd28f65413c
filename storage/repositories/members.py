from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Executable, RowMapping, bindparam, delete, func, select

from domain.members import Member
from storage.repositories._base import SqlRepository, in_chunks
from storage.tables import members

# Built once: a member is looked up on nearly every update, and building the statement cost as much as running it.
_BY_ID = select(members).where(members.c.id == bindparam("user_id"))


def _member(row: RowMapping) -> Member:
    return Member(
        id=row["id"],
        first_name=row["first_name"],
        username=row["username"],
        telegram_language=row["telegram_language"],
        chosen_language=row["chosen_language"],
        started_bot=row["started_bot"],
        blocked_bot=row["blocked_bot"],
        created_at=row["created_at"],
    )


class SqlMemberRepository(SqlRepository):
    async def get(self, user_id: int) -> Member | None:
        row = (await self._session.execute(_BY_ID, {"user_id": user_id})).mappings().first()
        return _member(row) if row is not None else None

    async def get_many(self, user_ids: Collection[int]) -> dict[int, Member]:
        found: dict[int, Member] = {}
        for chunk in in_chunks(user_ids):
            query = select(members).where(members.c.id.in_(chunk))
            found |= {row["id"]: _member(row) for row in (await self._session.execute(query)).mappings()}
        return found

    async def save(self, member: Member) -> None:
        """Insert or update by id. A `created_at` of None keeps the one already stored."""
        values = {
            "id": member.id,
            "first_name": member.first_name,
            "username": member.username,
            "telegram_language": member.telegram_language,
            "chosen_language": member.chosen_language,
            "started_bot": member.started_bot,
            "blocked_bot": member.blocked_bot,
            "created_at": member.created_at,
        }
        await self._session.execute(self._upsert(), values)

    def _upsert(self) -> Executable:
        # Built once per dialect: every member's first update saves them, and constructing an
        # ON CONFLICT statement (with its EXCLUDED alias) costs more CPU than running it.
        statement = _UPSERTS.get(self._dialect)
        if statement is None:
            insert = self._insert(members)
            updates: dict[str, Any] = {c.name: insert.excluded[c.name] for c in members.columns if c.name != "id"}
            updates["created_at"] = func.coalesce(insert.excluded.created_at, members.c.created_at)
            statement = _UPSERTS[self._dialect] = insert.on_conflict_do_update(
                index_elements=[members.c.id], set_=updates
            )
        return statement

    async def forget_member(self, user_id: int) -> None:
        await self._session.execute(delete(members).where(members.c.id == user_id))


_UPSERTS: dict[str, Executable] = {}
