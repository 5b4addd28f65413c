from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, select, update

from domain.money import Money
from domain.shop.payments.received import InboxEntry, ReceivedPayment, Source
from storage.payments_tables import payment_cursors, payment_inbox
from storage.repositories._base import SqlRepository
from storage.tables import payments


def _entry(row: RowMapping) -> InboxEntry:
    return InboxEntry(
        id=row["id"],
        payment=ReceivedPayment(
            telegram_charge_id=row["telegram_charge_id"],
            provider_charge_id=row["provider_charge_id"],
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            payload=row["payload"],
            amount=Money(int(row["amount"]), row["currency"]),
            received_at=row["received_at"],
            source=Source(row["source"]),
            subscription_expires_at=row["subscription_expires_at"],
            is_recurring=bool(row["is_recurring"]),
        ),
        settled_at=row["settled_at"],
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
    )


class SqlPaymentInboxRepository(SqlRepository):
    async def add_if_new(self, payment: ReceivedPayment) -> bool:
        """One INSERT ... ON CONFLICT DO NOTHING: no lookups, no locks beyond the row's own."""
        statement = (
            self._insert(payment_inbox)
            .values(
                telegram_charge_id=payment.telegram_charge_id,
                provider_charge_id=payment.provider_charge_id,
                user_id=payment.user_id,
                chat_id=payment.chat_id,
                message_id=payment.message_id,
                payload=payment.payload,
                amount=payment.amount.amount,
                currency=payment.amount.currency,
                subscription_expires_at=payment.subscription_expires_at,
                is_recurring=payment.is_recurring,
                source=payment.source.value,
                received_at=payment.received_at,
                settled_at=None,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=[payment_inbox.c.telegram_charge_id])
            .returning(payment_inbox.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def claim(self, telegram_charge_id: str) -> InboxEntry | None:
        query = select(payment_inbox).where(
            payment_inbox.c.telegram_charge_id == telegram_charge_id, payment_inbox.c.settled_at.is_(None)
        )
        if self._dialect == "postgresql":
            # A second settler waits here and then finds the entry settled.
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return _entry(row) if row is not None else None

    async def settle(self, entry_id: int, at: datetime) -> None:
        await self._session.execute(update(payment_inbox).where(payment_inbox.c.id == entry_id).values(settled_at=at))

    async def failed(self, telegram_charge_id: str, error: str) -> None:
        statement = (
            update(payment_inbox)
            .where(payment_inbox.c.telegram_charge_id == telegram_charge_id)
            .values(attempts=payment_inbox.c.attempts + 1, last_error=error[:1000])
        )
        await self._session.execute(statement)

    async def unsettled(self, received_before: datetime, limit: int) -> Sequence[str]:
        query = (
            select(payment_inbox.c.telegram_charge_id)
            .where(payment_inbox.c.settled_at.is_(None), payment_inbox.c.received_at <= received_before)
            .order_by(payment_inbox.c.received_at, payment_inbox.c.id)
            .limit(limit)
        )
        return list((await self._session.execute(query)).scalars())

    async def known(self, telegram_charge_ids: Sequence[str]) -> set[str]:
        if not telegram_charge_ids:
            return set()
        ids = list(telegram_charge_ids)
        inbox = select(payment_inbox.c.telegram_charge_id).where(payment_inbox.c.telegram_charge_id.in_(ids))
        recorded = select(payments.c.telegram_charge_id).where(payments.c.telegram_charge_id.in_(ids))
        return set((await self._session.execute(inbox)).scalars()) | set(
            (await self._session.execute(recorded)).scalars()
        )

    async def cursor(self, name: str) -> int:
        query = select(payment_cursors.c.position).where(payment_cursors.c.name == name)
        return int((await self._session.execute(query)).scalar_one_or_none() or 0)

    async def move_cursor(self, name: str, position: int) -> None:
        statement = (
            self._insert(payment_cursors)
            .values(name=name, position=position)
            .on_conflict_do_update(index_elements=[payment_cursors.c.name], set_={"position": position})
        )
        await self._session.execute(statement)

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, payment_inbox.c.user_id, payment_inbox.c.chat_id)
