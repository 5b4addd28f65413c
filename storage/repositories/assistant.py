"""The assistant's daily usage (conditional increments, so no limit is ever passed) and handed-over requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from domain.assistant.ports import DigestGroup, Handover, KeptMessage
from storage.assistant_tables import assistant_handovers, assistant_usage, digest_groups, digest_messages
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

    async def forget_member(self, user_id: int) -> None:
        if user_id != SHOP:
            await self._session.execute(delete(assistant_usage).where(assistant_usage.c.subject == user_id))


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

    async def forget_member(self, user_id: int) -> None:
        await self._session.execute(delete(assistant_handovers).where(assistant_handovers.c.member_id == user_id))


def _group(row: Any) -> DigestGroup:
    return DigestGroup(row.chat_id, row.enabled, row.moderator_id, row.changed_at, row.last_digest_day)


class SqlDigestRepository(SqlRepository):
    async def get(self, chat_id: int) -> DigestGroup | None:
        row = (await self._session.execute(select(digest_groups).where(digest_groups.c.chat_id == chat_id))).first()
        return _group(row) if row is not None else None

    async def switch(self, chat_id: int, enabled: bool, moderator_id: int, now: datetime, day: date) -> DigestGroup:
        values = {"enabled": enabled, "moderator_id": moderator_id, "changed_at": now, "last_digest_day": day}
        statement = (
            self._insert(digest_groups)
            .values(chat_id=chat_id, **values)
            .on_conflict_do_update(index_elements=[digest_groups.c.chat_id], set_=values)
        )
        await self._session.execute(statement)
        return DigestGroup(chat_id, enabled, moderator_id, now, day)

    async def keep(self, message: KeptMessage) -> bool:
        statement = (
            self._insert(digest_messages)
            .values(
                chat_id=message.chat_id,
                message_id=message.message_id,
                user_id=message.user_id,
                reply_to=message.reply_to,
                text=message.text[:4096],
                sent_at=message.sent_at,
            )
            .on_conflict_do_nothing(index_elements=[digest_messages.c.chat_id, digest_messages.c.message_id])
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def forget_group(self, chat_id: int) -> int:
        return rowcount(
            await self._session.execute(delete(digest_messages).where(digest_messages.c.chat_id == chat_id))
        )

    async def prune(self, before: datetime) -> int:
        return rowcount(await self._session.execute(delete(digest_messages).where(digest_messages.c.sent_at < before)))

    async def due(self, day: date) -> Sequence[DigestGroup]:
        rows = await self._session.execute(
            select(digest_groups)
            .where(
                digest_groups.c.enabled.is_(True),
                or_(digest_groups.c.last_digest_day.is_(None), digest_groups.c.last_digest_day < day),
            )
            .order_by(digest_groups.c.chat_id)
        )
        return [_group(r) for r in rows]

    async def mark_digested(self, chat_id: int, day: date) -> bool:
        statement = (
            update(digest_groups)
            .where(
                digest_groups.c.chat_id == chat_id,
                or_(digest_groups.c.last_digest_day.is_(None), digest_groups.c.last_digest_day < day),
            )
            .values(last_digest_day=day)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def messages(self, chat_id: int, since: datetime) -> Sequence[KeptMessage]:
        rows = await self._session.execute(
            select(digest_messages)
            .where(digest_messages.c.chat_id == chat_id, digest_messages.c.sent_at >= since)
            .order_by(digest_messages.c.sent_at, digest_messages.c.message_id)
        )
        return [KeptMessage(r.chat_id, r.message_id, r.user_id, r.text, r.sent_at, r.reply_to) for r in rows]

    async def forget_member(self, user_id: int) -> None:
        await self._session.execute(delete(digest_messages).where(digest_messages.c.user_id == user_id))
        # A digest addressed to them goes to nobody now: it is off until an admin turns it on again.
        await self._session.execute(
            update(digest_groups).where(digest_groups.c.moderator_id == user_id).values(enabled=False, moderator_id=0)
        )
