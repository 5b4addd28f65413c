from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, func, select, update

from domain.money import Money
from domain.shop.orders import NewPayment, Payment, PaymentStatus
from storage.repositories._base import SqlRepository, rowcount
from storage.tables import payments


def _payment(row: RowMapping) -> Payment:
    return Payment(
        id=row["id"],
        order_id=row["order_id"],
        user_id=row["user_id"],
        telegram_charge_id=row["telegram_charge_id"],
        provider_charge_id=row["provider_charge_id"],
        amount=Money(int(row["amount"]), row["currency"]),
        status=PaymentStatus(row["status"]),
        received_at=row["received_at"],
        refunded_at=row["refunded_at"],
        refund_reason=row["refund_reason"],
        refund_attempts=int(row["refund_attempts"] or 0),
        escalated_at=row["escalated_at"],
        refunded_by=row["refunded_by"],
    )


class SqlPaymentRepository(SqlRepository):
    async def add_if_new(self, payment: NewPayment) -> Payment | None:
        """INSERT ... ON CONFLICT (telegram_charge_id) DO NOTHING RETURNING ...: None if already recorded.

        Safe under concurrent duplicates: on PostgreSQL the second insert waits for the first transaction
        and then does nothing; on SQLite writers are serialised by BEGIN IMMEDIATE.
        """
        statement = (
            self._insert(payments)
            .values(
                order_id=payment.order_id,
                user_id=payment.user_id,
                telegram_charge_id=payment.telegram_charge_id,
                provider_charge_id=payment.provider_charge_id,
                amount=payment.amount.amount,
                currency=payment.amount.currency,
                status=PaymentStatus.CAPTURED.value,
                received_at=payment.received_at,
                refunded_at=None,
            )
            .on_conflict_do_nothing(index_elements=[payments.c.telegram_charge_id])
            .returning(payments)
        )
        row = (await self._session.execute(statement)).mappings().first()
        return _payment(row) if row is not None else None

    async def get_by_charge(self, telegram_charge_id: str) -> Payment | None:
        query = select(payments).where(payments.c.telegram_charge_id == telegram_charge_id)
        row = (await self._session.execute(query)).mappings().first()
        return _payment(row) if row is not None else None

    async def for_order(self, order_id: int) -> Sequence[Payment]:
        query = select(payments).where(payments.c.order_id == order_id).order_by(payments.c.id)
        return [_payment(row) for row in (await self._session.execute(query)).mappings()]

    async def set_status(
        self,
        payment_id: int,
        from_status: PaymentStatus,
        to_status: PaymentStatus,
        at: datetime | None = None,
        reason: str | None = None,
        by: int | None = None,
    ) -> bool:
        """Conditional status change; `at` is stored as refunded_at when moving to REFUNDED, `reason` as
        the refund's reason when moving to REFUND_DUE, `by` as the operator who refunded by hand."""
        values: dict[str, Any] = {"status": to_status.value}
        if to_status is PaymentStatus.REFUNDED and at is not None:
            values["refunded_at"] = at
        if reason is not None:
            values["refund_reason"] = reason
        if by is not None:
            values["refunded_by"] = by
        statement = (
            update(payments).where(payments.c.id == payment_id, payments.c.status == from_status.value).values(values)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def with_status(self, status: PaymentStatus, limit: int) -> Sequence[Payment]:
        """Oldest first (by id)."""
        if limit <= 0:
            return []
        query = select(payments).where(payments.c.status == status.value).order_by(payments.c.id).limit(limit)
        return [_payment(row) for row in (await self._session.execute(query)).mappings()]

    async def get(self, payment_id: int) -> Payment | None:
        row = (await self._session.execute(select(payments).where(payments.c.id == payment_id))).mappings().first()
        return _payment(row) if row is not None else None

    async def refund_refused(self, payment_id: int) -> int:
        """Count one refusal of a refund; returns the refusals so far."""
        statement = (
            update(payments)
            .where(payments.c.id == payment_id)
            .values(refund_attempts=payments.c.refund_attempts + 1)
            .returning(payments.c.refund_attempts)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def escalate(self, payment_id: int, at: datetime) -> bool:
        """Mark a refund as handed to the operators; True the first time only."""
        statement = (
            update(payments)
            .where(
                payments.c.id == payment_id,
                payments.c.status == PaymentStatus.REFUND_DUE.value,
                payments.c.escalated_at.is_(None),
            )
            .values(escalated_at=at)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def refunds_owed(self, limit: int) -> Sequence[Payment]:
        """REFUND_DUE payments, oldest first."""
        return await self.with_status(PaymentStatus.REFUND_DUE, limit)

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, payments.c.user_id, payments.c.refunded_by)

    async def refunds_due_to(self, user_id: int) -> int:
        query = select(func.count()).where(
            payments.c.user_id == user_id, payments.c.status == PaymentStatus.REFUND_DUE.value
        )
        return int((await self._session.execute(query)).scalar_one())
