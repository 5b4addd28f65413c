"""Sending a member's payment answer from the handler that settled it, without ever sending it twice.

The answer is queued, in the transaction that settles the payment, due only after the reply grace: it is
born leased to the handler that settled it, which sends it at once and marks it sent. An answer queued
elsewhere (a refund's) is leased first in a short transaction of its own. The outbox sends it only if the
handler could not: a failed send hands it back at once, and a handler that died leaves a lease that
lapses at the end of the grace. No transaction is held open across the send, so a slow
Telegram never holds a database connection (or SQLite's one write lock). See bots/core/shop/payments.py.
"""

from __future__ import annotations

from datetime import datetime

from domain.notices import NoticeStatus, OutboxEntry
from domain.ports import UnitOfWork


async def take(uow: UnitOfWork, key: str, lease_until: datetime) -> OutboxEntry | None:
    """The answer under `key`, leased to this handler until `lease_until`; None if there is none to send
    (nothing was queued, or it was sent or taken already)."""
    return await uow.outbox.take_for_sending(key, lease_until)


async def delivered(uow: UnitOfWork, entry: OutboxEntry, now: datetime, message_id: int | None) -> None:
    await uow.outbox.mark_sent(entry.id, now, message_id)


async def delivered_as_queued(uow: UnitOfWork, key: str, now: datetime, message_id: int | None) -> bool:
    """Mark the answer under `key`, sent by the handler that queued it, sent; False if the outbox took it
    first (the handler outlived the grace), and then it may go twice."""
    return await uow.outbox.mark_sent_if_untouched(key, now, message_id)


async def hand_back(uow: UnitOfWork, key: str, now: datetime, error: str) -> None:
    """The handler could not send it: the outbox sends it now, not after the grace."""
    entry = await uow.outbox.get_by_key(key)
    if entry is not None and entry.status is NoticeStatus.PENDING:
        await uow.outbox.retry_later(entry.id, now, error)
