from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, RowMapping, delete, exists, func, select, update

from domain.points.ledger import Entry, NewEntry, Reason
from storage.repositories._base import SqlRepository
from storage.rewards_tables import points_accounts, points_entries, points_reminders


def _entry(row: RowMapping) -> Entry:
    return Entry(
        id=row["id"],
        user_id=row["user_id"],
        delta=int(row["delta"]),
        reason=Reason(row["reason"]),
        reference=row["reference"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        order_id=row["order_id"],
        lot_id=row["lot_id"],
        shortfall=int(row["shortfall"]),
    )


def _not_expired() -> ColumnElement[bool]:
    """No EXPIRE entry has closed this lot (the outer points_entries row) yet."""
    closing = points_entries.alias("closing")
    return ~exists().where(closing.c.reason == Reason.EXPIRE.value, closing.c.lot_id == points_entries.c.id)


class SqlPointsRepository(SqlRepository):
    async def lock(self, user_id: int) -> int:
        """Upsert the account row, then lock it (FOR UPDATE on PostgreSQL; SQLite already holds the write lock)."""
        await self._ensure_account(user_id)
        query = select(points_accounts.c.balance).where(points_accounts.c.user_id == user_id)
        if self._dialect == "postgresql":
            query = query.with_for_update()
        return int((await self._session.execute(query)).scalar_one())

    async def append(self, entry: NewEntry) -> Entry | None:
        """INSERT ... ON CONFLICT (reason, reference) DO NOTHING, then the balance moves by the entry's delta.

        The CHECK on points_accounts.balance refuses a debit the balance cannot cover (IntegrityError).
        """
        await self._ensure_account(entry.user_id)
        statement = (
            self._insert(points_entries)
            .values(
                user_id=entry.user_id,
                delta=entry.delta,
                reason=entry.reason.value,
                reference=entry.reference,
                created_at=entry.created_at,
                expires_at=entry.expires_at,
                order_id=entry.order_id,
                lot_id=entry.lot_id,
                shortfall=entry.shortfall,
            )
            .on_conflict_do_nothing(index_elements=[points_entries.c.reason, points_entries.c.reference])
            .returning(points_entries)
        )
        row = (await self._session.execute(statement)).mappings().first()
        if row is None:
            return None
        if entry.delta:
            await self._session.execute(
                update(points_accounts)
                .where(points_accounts.c.user_id == entry.user_id)
                .values(balance=points_accounts.c.balance + entry.delta)
            )
        return _entry(row)

    async def get(self, reason: Reason, reference: str) -> Entry | None:
        query = select(points_entries).where(
            points_entries.c.reason == reason.value, points_entries.c.reference == reference
        )
        row = (await self._session.execute(query)).mappings().first()
        return _entry(row) if row is not None else None

    async def entries(self, user_id: int) -> Sequence[Entry]:
        query = select(points_entries).where(points_entries.c.user_id == user_id).order_by(points_entries.c.id)
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def recent(self, user_id: int, limit: int) -> Sequence[Entry]:
        if limit <= 0:
            return []
        query = (
            select(points_entries)
            .where(points_entries.c.user_id == user_id, points_entries.c.delta != 0)
            .order_by(points_entries.c.id.desc())
            .limit(limit)
        )
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def balance(self, user_id: int) -> int:
        query = select(points_accounts.c.balance).where(points_accounts.c.user_id == user_id)
        value = (await self._session.execute(query)).scalar_one_or_none()
        return int(value or 0)

    async def earned_between(self, user_id: int, reason: Reason, start: datetime, end: datetime) -> int:
        query = select(func.coalesce(func.sum(points_entries.c.delta), 0)).where(
            points_entries.c.user_id == user_id,
            points_entries.c.reason == reason.value,
            points_entries.c.delta > 0,
            points_entries.c.created_at >= start,
            points_entries.c.created_at < end,
        )
        return int((await self._session.execute(query)).scalar_one())

    async def for_order(self, order_id: int) -> Sequence[Entry]:
        query = select(points_entries).where(points_entries.c.order_id == order_id).order_by(points_entries.c.id)
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def users_with_lots_due(self, now: datetime, limit: int) -> Sequence[int]:
        if limit <= 0:
            return []
        query = (
            select(points_entries.c.user_id)
            .where(
                points_entries.c.delta > 0,
                points_entries.c.expires_at <= now,
                _not_expired(),
            )
            .group_by(points_entries.c.user_id)
            .order_by(func.min(points_entries.c.expires_at))
            .limit(limit)
        )
        return [int(user_id) for user_id in (await self._session.execute(query)).scalars()]

    async def users_with_lots_expiring(self, start: datetime, end: datetime, limit: int) -> Sequence[int]:
        if limit <= 0:
            return []
        reminded = exists().where(points_reminders.c.lot_id == points_entries.c.id)
        query = (
            select(points_entries.c.user_id)
            .where(
                points_entries.c.delta > 0,
                points_entries.c.expires_at > start,
                points_entries.c.expires_at <= end,
                _not_expired(),
                ~reminded,
            )
            .group_by(points_entries.c.user_id)
            .order_by(func.min(points_entries.c.expires_at))
            .limit(limit)
        )
        return [int(user_id) for user_id in (await self._session.execute(query)).scalars()]

    async def mark_reminded(self, lot_id: int, at: datetime) -> bool:
        statement = (
            self._insert(points_reminders)
            .values(lot_id=lot_id, reminded_at=at)
            .on_conflict_do_nothing(index_elements=[points_reminders.c.lot_id])
            .returning(points_reminders.c.lot_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def _ensure_account(self, user_id: int) -> None:
        statement = (
            self._insert(points_accounts)
            .values(user_id=user_id, balance=0)
            .on_conflict_do_nothing(index_elements=[points_accounts.c.user_id])
        )
        await self._session.execute(statement)

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        lots = select(points_entries.c.id).where(points_entries.c.user_id == user_id)
        await self._session.execute(delete(points_reminders).where(points_reminders.c.lot_id.in_(lots)))
        await self._rekey(user_id, pseudonym, points_accounts.c.user_id, points_entries.c.user_id)
