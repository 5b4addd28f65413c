"""Sending a member's payment answer from the handler that settled it, without ever sending it twice.

The answer is queued, in the transaction that settles the payment, due only after the reply grace. The
handler then leases it in a short transaction of its own, sends it, and marks it sent; the outbox sends
it only if the handler could not: a failed send hands it back at once, and a handler that died leaves
a lease that lapses at the end of the grace. No transaction is held open across the send, so a slow
Telegram never holds a database connection (or SQLite's one write lock). See bots/core/shop/payments.py.
"""

from __future__ import annotations

from datetime import datetime

from domain.notices import OutboxEntry
from domain.ports import UnitOfWork


async def take(uow: UnitOfWork, key: str, lease_until: datetime) -> OutboxEntry | None:
    """The answer under `key`, leased to this handler until `lease_until`; None if there is none to send
    (nothing was queued, or it was sent or taken already)."""
    return await uow.outbox.take_for_sending(key, lease_until)


async def delivered(uow: UnitOfWork, entry: OutboxEntry, now: datetime, message_id: int | None) -> None:
    await uow.outbox.mark_sent(entry.id, now, message_id)


async def hand_back(uow: UnitOfWork, entry_id: int, now: datetime, error: str) -> None:
    """The handler could not send it: the outbox sends it now, not after the grace."""
    await uow.outbox.retry_later(entry_id, now, error)
