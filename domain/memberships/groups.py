"""Members-only groups: who is let in through a join request, and the message for who is not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.memberships import lifecycle
from domain.memberships.lifecycle import Membership
from domain.memberships.plans import Plan
from domain.memberships.store import mutate
from domain.notices import NoticeParams

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class JoinDecision:
    plans: tuple[Plan, ...]  # the plans this group belongs to
    membership: Membership | None  # the membership that lets them in, if any

    @property
    def approve(self) -> bool:
        return self.membership is not None


async def decide_join(uow: UnitOfWork, now: datetime, chat_id: int, user_id: int) -> JoinDecision | None:
    """None when the group is no plan's members-only group (not ours to decide). Otherwise the seat is taken
    before Telegram is asked to approve, so nobody the bot let in is ever unknown to the removal job."""
    plans = tuple(await uow.plans.for_group(chat_id))
    if not plans:
        return None
    for plan in plans:
        membership = await uow.memberships.get_for(user_id, plan.id)
        if membership is None or not membership.has_perks(now):
            continue

        def seat(current: Membership) -> tuple[Membership, None]:
            return lifecycle.admit(current, chat_id, now), None

        admitted, _, _ = await mutate(uow, membership.id, seat)
        return JoinDecision(plans, admitted)
    return JoinDecision(plans, None)


def declined_params(decision: JoinDecision) -> NoticeParams:
    """What the declined requester is told: the plan and its price, with a way to join."""
    plan = decision.plans[0]
    terms = plan.current.terms
    return {
        "plan": plan.name,
        "plan_id": plan.id,
        "amount": terms.price.amount,
        "currency": terms.price.currency,
        "period_days": terms.period_days,
    }
