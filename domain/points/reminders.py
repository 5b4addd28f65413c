"""Telling members, once per lot, that points are about to lapse."""

from __future__ import annotations

from datetime import datetime

from domain.member_registry import can_message
from domain.notices import Notice
from domain.points import ledger
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork


async def remind_expiring(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, user_id: int) -> int:
    """Queue one reminder for the member's lots lapsing within the reminder window; returns points mentioned.

    Each lot is marked reminded (insert-if-new), so running late or twice reminds once.
    """
    lots = ledger.expiring_between(await uow.points.entries(user_id), now, now + policy.reminder_window)
    fresh = [lot for lot in lots if await uow.points.mark_reminded(lot.entry_id, now)]
    points = sum(lot.remaining for lot in fresh)
    if points <= 0 or not await can_message(uow, user_id):
        return 0
    first = min(fresh, key=lambda lot: lot.expires_at)
    await uow.outbox.enqueue(
        Notice(
            key=f"points:expiring:{user_id}:{first.entry_id}",
            chat_id=user_id,
            kind="points.expiring",
            params={"points": points, "date": first.expires_at.strftime("%Y-%m-%d")},
            language_of=user_id,
        ),
        now,
    )
    return points
