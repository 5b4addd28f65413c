from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, func, or_, select, update

from domain.notices import Notice, NoticeParams, NoticeStatus, OutboxEntry
from storage.repositories._base import SqlRepository, rowcount
from storage.tables import members, outbox


def _params_to_text(params: NoticeParams) -> str:
    return json.dumps(dict(params), ensure_ascii=False, sort_keys=True)


def _params_from_text(text: str) -> dict[str, str | int | None]:
    value = json.loads(text) if text else {}
    if not isinstance(value, dict):
        raise ValueError(f"outbox.params holds {text!r}, not a JSON object")
    return value


def _rekeyed(key: str, user_id: int, pseudonym: int) -> str:
    """The key with each segment that is the member's id replaced (keys are `:`-separated, e.g. drop:7:remind:42)."""
    return ":".join(str(pseudonym) if part == str(user_id) else part for part in key.split(":"))


def _entry(row: RowMapping) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        notice=Notice(
            key=row["key"],
            chat_id=row["chat_id"],
            kind=row["kind"],
            params=_params_from_text(row["params"]),
            not_before=row["not_before"],
            language_of=row["language_of"],
            edit_message_id=row["edit_message_id"],
        ),
        status=NoticeStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        message_id=row["message_id"],
        last_error=row["last_error"],
    )


class SqlOutboxRepository(SqlRepository):
    async def enqueue(self, notice: Notice, now: datetime) -> bool:
        """INSERT ... ON CONFLICT (key) DO NOTHING; due at `not_before`, or now. True if stored."""
        statement = (
            self._insert(outbox)
            .values(
                key=notice.key,
                chat_id=notice.chat_id,
                kind=notice.kind,
                params=_params_to_text(notice.params),
                not_before=notice.not_before,
                language_of=notice.language_of,
                edit_message_id=notice.edit_message_id,
                status=NoticeStatus.PENDING.value,
                attempts=0,
                next_attempt_at=notice.not_before if notice.not_before is not None else now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[outbox.c.key])
            .returning(outbox.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> Sequence[OutboxEntry]:
        """PENDING entries due by `now`, oldest first, leased by moving next_attempt_at to `lease_until`.

        PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint entries. SQLite:
        the transaction began with BEGIN IMMEDIATE, so senders are serialised. The lease is part of the
        transaction: commit promptly, before sending. A sender that crashes leaves entries due at the lease end.
        """
        if limit <= 0:
            return []
        due = (
            select(outbox.c.id)
            .where(outbox.c.status == NoticeStatus.PENDING.value, outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list((await self._session.execute(due)).scalars())
        if not ids:
            return []
        statement = update(outbox).where(outbox.c.id.in_(ids)).values(next_attempt_at=lease_until).returning(outbox)
        leased = {row["id"]: _entry(row) for row in (await self._session.execute(statement)).mappings()}
        return [leased[entry_id] for entry_id in ids if entry_id in leased]

    async def mark_sent(self, entry_id: int, at: datetime, message_id: int | None) -> None:
        await self._update(entry_id, status=NoticeStatus.SENT.value, sent_at=at, message_id=message_id)

    async def take_for_sending(self, key: str, lease_until: datetime) -> OutboxEntry | None:
        """Lease a PENDING entry that is still waiting out the delay it was queued with, untouched by any
        sender (its next attempt is still its `not_before`); None if there is none. Commit, then send."""
        statement = (
            update(outbox)
            .where(
                outbox.c.key == key,
                outbox.c.status == NoticeStatus.PENDING.value,
                outbox.c.next_attempt_at == outbox.c.not_before,
            )
            .values(next_attempt_at=lease_until)
            .returning(outbox)
        )
        row = (await self._session.execute(statement)).mappings().first()
        return _entry(row) if row is not None else None

    async def mark_sent_if_untouched(self, key: str, at: datetime, message_id: int | None) -> bool:
        statement = (
            update(outbox)
            .where(
                outbox.c.key == key,
                outbox.c.status == NoticeStatus.PENDING.value,
                outbox.c.next_attempt_at == outbox.c.not_before,
            )
            .values(status=NoticeStatus.SENT.value, sent_at=at, message_id=message_id)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def retry_later(self, entry_id: int, at: datetime, error: str, count: bool = True) -> None:
        """Make the entry due again at `at` (ending its lease; it stays PENDING); `count` adds an attempt."""
        values: dict[str, Any] = {"next_attempt_at": at, "last_error": error}
        if count:
            values["attempts"] = outbox.c.attempts + 1
        await self._update(entry_id, **values)

    async def give_up(self, entry_id: int, status: NoticeStatus, error: str) -> None:
        await self._update(entry_id, status=status.value, last_error=error)

    async def get_by_key(self, key: str) -> OutboxEntry | None:
        row = (await self._session.execute(select(outbox).where(outbox.c.key == key))).mappings().first()
        return _entry(row) if row is not None else None

    async def supersede(self, entry_id: int) -> bool:
        statement = (
            update(outbox)
            .where(outbox.c.id == entry_id, outbox.c.status == NoticeStatus.PENDING.value)
            .values(status=NoticeStatus.SUPERSEDED.value)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def with_key_prefix(self, prefix: str) -> Sequence[OutboxEntry]:
        query = select(outbox).where(outbox.c.key.startswith(prefix, autoescape=True)).order_by(outbox.c.id)
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def count_pending(self) -> int:
        query = select(func.count()).select_from(outbox).where(outbox.c.status == NoticeStatus.PENDING.value)
        return int((await self._session.execute(query)).scalar_one())

    async def count_announcements_sent(self, chat_id: int, since: datetime, until: datetime) -> int:
        query = (
            select(func.count())
            .select_from(outbox)
            .where(
                outbox.c.chat_id == chat_id,
                outbox.c.status == NoticeStatus.SENT.value,
                outbox.c.edit_message_id.is_(None),
                ~outbox.c.key.startswith("pay:", autoescape=True),
                outbox.c.sent_at >= since,
                outbox.c.sent_at < until,
            )
        )
        return int((await self._session.execute(query)).scalar_one())

    async def _update(self, entry_id: int, **values: Any) -> None:
        await self._session.execute(update(outbox).where(outbox.c.id == entry_id).values(values))

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        names = await self._names_of(user_id)  # before the profile is deleted (it is forgotten last)
        theirs = or_(outbox.c.chat_id == user_id, outbox.c.language_of == user_id)
        query = select(outbox.c.id, outbox.c.key, outbox.c.chat_id, outbox.c.language_of, outbox.c.status)
        for row in (await self._session.execute(query.where(theirs))).mappings().all():
            values: dict[str, Any] = {
                "key": _rekeyed(row["key"], user_id, pseudonym),
                "params": "{}",
                "last_error": None,
            }
            if row["chat_id"] == user_id:
                values["chat_id"] = pseudonym
            if row["language_of"] == user_id:
                values["language_of"] = pseudonym
            if row["status"] == NoticeStatus.PENDING.value:
                values["status"] = NoticeStatus.SUPERSEDED.value
            await self._session.execute(update(outbox).where(outbox.c.id == row["id"]).values(values))
        for name in names:
            quoting = select(outbox.c.id, outbox.c.params).where(outbox.c.params.contains(name, autoescape=True))
            for row in (await self._session.execute(quoting)).mappings().all():
                params = {
                    key: value.replace(name, "—") if isinstance(value, str) else value
                    for key, value in _params_from_text(row["params"]).items()
                }
                await self._session.execute(
                    update(outbox).where(outbox.c.id == row["id"]).values(params=_params_to_text(params))
                )

    async def _names_of(self, user_id: int) -> list[str]:
        row = (
            await self._session.execute(select(members.c.first_name, members.c.username).where(members.c.id == user_id))
        ).first()
        if row is None:
            return []
        # Longest first, so that "@mei_li" goes before "mei_li"; a one-letter name identifies nobody.
        return sorted(
            {name for name in (row.first_name, row.username) if name and len(name) > 1}, key=len, reverse=True
        )
