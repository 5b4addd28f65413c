"""Sending a member's payment answer from the handler that settled it, without ever sending it twice.

The answer's outbox row is taken (marked sent) and the message sent in one transaction, committed the
moment Telegram has the message; a failed send rolls the mark back. See bots/core/shop/payments.py.
"""

from __future__ import annotations

from datetime import datetime

from domain.notices import OutboxEntry
from domain.ports import UnitOfWork


async def take(uow: UnitOfWork, key: str, now: datetime) -> OutboxEntry | None:
    """The pending answer under `key`, marked sent in this transaction; None if there is none to send."""
    return await uow.outbox.take_for_sending(key, now)


async def delivered(uow: UnitOfWork, entry: OutboxEntry, now: datetime, message_id: int | None) -> None:
    await uow.outbox.mark_sent(entry.id, now, message_id)


async def hand_back(uow: UnitOfWork, entry_id: int, now: datetime, error: str) -> None:
    """The handler could not send it: the outbox sends it now, not after the grace."""
    await uow.outbox.retry_later(entry_id, now, error)
