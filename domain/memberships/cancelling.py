"""The member cancels: perks until the paid period ends; a Stars subscription stops renewing."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import DomainError
from domain.memberships import lifecycle
from domain.memberships import notices as mn
from domain.memberships.errors import MembershipError
from domain.memberships.lifecycle import Change, Membership
from domain.memberships.store import mutate

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


async def cancellable(uow: UnitOfWork, now: datetime, user_id: int, membership_id: int) -> Membership:
    """Check before telling Telegram to stop the subscription: it is theirs and it can be cancelled."""
    membership = await uow.memberships.get(membership_id)
    if membership is None or membership.user_id != user_id:
        raise DomainError(MembershipError.UNKNOWN)
    lifecycle.cancel(membership, now)  # raises why not
    return membership


async def cancel(uow: UnitOfWork, now: datetime, user_id: int, membership_id: int) -> Membership:
    membership = await cancellable(uow, now, user_id, membership_id)

    def step(current: Membership) -> tuple[Membership, None]:
        return lifecycle.cancel(current, now), None

    updated, _, _ = await mutate(uow, membership.id, step)
    plan = await uow.plans.get(updated.plan_id)
    assert plan is not None
    change = Change.CANCELLED if updated.status is lifecycle.MembershipStatus.CANCELLED else Change.EXPIRED
    if change is Change.EXPIRED and updated.seat is not lifecycle.Seat.NONE:
        return updated  # the removal from the group says it, once
    await uow.outbox.enqueue(mn.change_notice(plan, updated, change, str(mn.stamp(updated.period_end))), now)
    return updated
