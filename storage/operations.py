"""What an operator watches, read from the database at scrape time (circlecart/operations.py serves it).

Read-only counts: the outbox's backlog and the age of its oldest waiting notice, the payments recorded and
refunded, the refunds still owed and the stored payments not yet settled. Every process reads the same
numbers, whichever of them runs the jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.notices import NoticeStatus
from domain.shop.orders import PaymentStatus
from storage.payments_tables import payment_inbox
from storage.tables import outbox, payments


@dataclass(frozen=True, slots=True)
class OperationsSnapshot:
    outbox_pending: int
    outbox_oldest_seconds: float  # 0 when nothing waits
    payments: int  # every payment recorded, of every kind
    refunds: int  # payments refunded (by Telegram or by hand)
    refunds_due: int  # payments whose refund is still owed
    payments_unsettled: int  # stored from Telegram but not settled yet (the payments job retries them)


async def read_operations(engine: AsyncEngine, now: datetime) -> OperationsSnapshot:
    async with engine.connect() as connection:
        pending, oldest = (
            await connection.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.status == NoticeStatus.PENDING.value)
            )
        ).one()
        counted = select(payments.c.status, func.count()).group_by(payments.c.status)
        by_status: dict[str, int] = {str(k): int(n) for k, n in await connection.execute(counted)}
        unsettled = (
            await connection.execute(
                select(func.count()).select_from(payment_inbox).where(payment_inbox.c.settled_at.is_(None))
            )
        ).scalar_one()
    if isinstance(oldest, str):  # SQLite hands an aggregate of a datetime column back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return OperationsSnapshot(
        outbox_pending=int(pending),
        outbox_oldest_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        payments=sum(by_status.values()),
        refunds=int(by_status.get(PaymentStatus.REFUNDED.value, 0)),
        refunds_due=int(by_status.get(PaymentStatus.REFUND_DUE.value, 0)),
        payments_unsettled=int(unsettled),
    )
