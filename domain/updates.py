"""Each Telegram update is handled once, however often it is delivered.

Telegram delivers updates at least once: after a crash, a restart before the polling offset was confirmed, or
a webhook answer that came too late, the same update (same `update_id`) comes again. Before a handler has any
effect the bot claims the update with an insert-if-absent keyed by (bot id, update_id); a second delivery
finds it claimed and does nothing, sends nothing. Payments are exempt: a `successful_payment` is made durable
and processed idempotently by its own path, and a pre-checkout query must be answered on every delivery.

The claim comes before the effects, so an update whose handler was cut short by a crash is not run again:
the member sends the command again. Money never depends on this (see the payment path).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

# Telegram keeps an unconfirmed update for 24 hours; two days covers any redelivery with room to spare.
KEEP_PROCESSED_UPDATES = timedelta(days=2)


class ProcessedUpdateRepository(Protocol):
    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        """Record the update as taken unless it already is; True if this call recorded it."""

    async def prune(self, before: datetime) -> int:
        """Forget updates claimed before `before`; how many were forgotten."""


async def claim_update(uow: UnitOfWork, bot_id: int, update_id: int, now: datetime) -> bool:
    """True the first time (bot_id, update_id) is seen: the caller handles the update. False: a redelivery."""
    return await uow.processed_updates.claim(bot_id, update_id, now)


async def forget_old_updates(uow: UnitOfWork, now: datetime) -> int:
    return await uow.processed_updates.prune(now - KEEP_PROCESSED_UPDATES)
