"""The assistant's daily usage (conditional increments, so no limit is ever passed) and handed-over requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update

from domain.assistant.ports import Handover
from storage.assistant_tables import assistant_handovers, assistant_usage
from storage.repositories._base import SqlRepository, rowcount

SHOP = 0  # the subject of the shop's own daily row (member ids are positive)


class SqlAssistantUsageRepository(SqlRepository):
    async def _ensure(self, day: date, subject: int) -> None:
        statement = (
            self._insert(assistant_usage)
            .values(day=day, subject=subject, requests=0, tokens=0)
            .on_conflict_do_nothing(index_elements=[assistant_usage.c.day, assistant_usage.c.subject])
        )
        await self._session.execute(statement)

    async def take_request(self, day: date, member_id: int, member_limit: int, token_budget: int) -> bool:
        await self._ensure(day, SHOP)
        await self._ensure(day, member_id)
        shop_tokens = (
            select(assistant_usage.c.tokens)
            .where(assistant_usage.c.day == day, assistant_usage.c.subject == SHOP)
            .scalar_subquery()
        )
        statement = (
            update(assistant_usage)
            .where(
                assistant_usage.c.day == day,
                assistant_usage.c.subject == member_id,
                assistant_usage.c.requests < member_limit,
                shop_tokens < token_budget,
            )
            .values(requests=assistant_usage.c.requests + 1)
        )
        taken = rowcount(await self._session.execute(statement)) == 1
        if taken:
            await self._session.execute(
                update(assistant_usage)
                .where(assistant_usage.c.day == day, assistant_usage.c.subject == SHOP)
                .values(requests=assistant_usage.c.requests + 1)
            )
        return taken

    async def add_tokens(self, day: date, member_id: int, tokens: int) -> None:
        for subject in (SHOP, member_id):
            await self._ensure(day, subject)
            await self._session.execute(
                update(assistant_usage)
                .where(assistant_usage.c.day == day, assistant_usage.c.subject == subject)
                .values(tokens=assistant_usage.c.tokens + tokens)
            )

    async def tokens_used(self, day: date) -> int:
        result = await self._session.execute(
            select(func.coalesce(func.sum(assistant_usage.c.tokens), 0)).where(
                assistant_usage.c.day == day, assistant_usage.c.subject == SHOP
            )
        )
        return int(result.scalar_one())


class SqlHandoverRepository(SqlRepository):
    async def add(self, member_id: int, chat_id: int, text: str, now: datetime) -> Handover:
        result = await self._session.execute(
            assistant_handovers.insert()
            .values(member_id=member_id, chat_id=chat_id, text=text, created_at=now)
            .returning(assistant_handovers.c.id)
        )
        return Handover(int(result.scalar_one()), member_id, chat_id, text, now)

    async def recent(self, limit: int) -> Sequence[Handover]:
        rows = await self._session.execute(
            select(assistant_handovers).order_by(assistant_handovers.c.id.desc()).limit(limit)
        )
        return [Handover(r.id, r.member_id, r.chat_id, r.text, r.created_at) for r in rows]
