"""Members-only groups: who is let in through a join request, and the message for who is not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.memberships import lifecycle, schedule
from domain.memberships.lifecycle import Membership, Seat
from domain.memberships.plans import Plan
from domain.memberships.store import mutate
from domain.notices import NoticeParams

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class JoinDecision:
    plans: tuple[Plan, ...]  # the plans this group belongs to, open ones first
    membership: Membership | None  # the membership that lets them in, if any

    @property
    def approve(self) -> bool:
        return self.membership is not None


async def decide_join(uow: UnitOfWork, now: datetime, chat_id: int, user_id: int) -> JoinDecision | None:
    """None when the group is no plan's members-only group (not ours to decide). Otherwise the seat is taken
    before Telegram is asked to approve, so nobody the bot let in is ever unknown to the removal job.

    Every plan that grants this group counts, closed ones too: a member who paid any of them is let in. A
    group whose plans are all closed is still ours to decide only for their members; others are left to the
    group's admins, as for any group."""
    plans = tuple(await uow.plans.for_group(chat_id, active_only=False))
    if not plans:
        return None
    plans = tuple(sorted(plans, key=lambda plan: not plan.active))  # stable: open plans first, oldest first
    granting = {plan.id for plan in plans}
    mine = [m for m in await uow.memberships.list_for_user(user_id) if m.plan_id in granting]
    entitled = [m for m in mine if m.has_perks(now)]
    if entitled:
        seated = next((m for m in entitled if m.seat is not Seat.NONE and m.seat_chat_id == chat_id), None)
        if seated is not None:
            return JoinDecision(plans, seated)  # already holds this group's seat (they left and came back)
        order = {plan.id: index for index, plan in enumerate(plans)}
        chosen = min(entitled, key=lambda m: order[m.plan_id])

        def seat(current: Membership) -> tuple[Membership, None]:
            return lifecycle.admit(current, chat_id, now), None

        admitted, _, _ = await mutate(uow, chosen.id, seat)
        # One seat per member and group: a lapsed membership still holding it hands it over.
        for other in mine:
            if other.id != admitted.id and other.seat is not Seat.NONE and other.seat_chat_id == chat_id:
                await schedule.hand_over_seat(uow, now, other, admitted)
        return JoinDecision(plans, admitted)
    if not any(plan.active for plan in plans):
        return None
    return JoinDecision(plans, None)


def declined_params(decision: JoinDecision) -> NoticeParams:
    """What the declined requester is told: an open plan granting the group and its price, with a way to join."""
    plan = decision.plans[0]
    terms = plan.current.terms
    return {
        "plan": plan.name,
        "plan_id": plan.id,
        "amount": terms.price.amount,
        "currency": terms.price.currency,
        "period_days": terms.period_days,
    }
