"""The referral reward: held while the referee's first paid order can still be refunded, then paid once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.member_registry import can_message
from domain.notices import Notice
from domain.points import accounts
from domain.points.ledger import Entry, Reason
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork
from domain.referrals.model import Referral, ReferralStatus
from domain.shop.orders import KEPT_PAID, Order


@dataclass(frozen=True, slots=True)
class Released:
    referral: Referral
    entry: Entry | None  # None when the daily cap left nothing to credit


async def on_first_payment(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, order: Order) -> bool:
    """The referee paid an order: if it is their first since they came through a link, hold the reward."""
    referral = await uow.referrals.get(order.user_id)
    if referral is None or referral.status is not ReferralStatus.ATTRIBUTED:
        return False
    return await uow.referrals.mark_pending(order.user_id, order.id, now + policy.referral_hold)


async def void_for_order(uow: UnitOfWork, order_id: int) -> bool:
    """The order behind a held reward was refunded: the reward is gone for good."""
    referral = await uow.referrals.pending_for_order(order_id)
    if referral is None:
        return False
    return await uow.referrals.transition(referral.referee_id, ReferralStatus.PENDING, ReferralStatus.VOIDED)


async def release_due(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, batch: int = 100) -> list[Released]:
    """Pay held rewards whose order is past the refund window; void those whose order did not stay paid."""
    released: list[Released] = []
    for referral in await uow.referrals.due(now, batch):
        order = await uow.orders.get(referral.order_id) if referral.order_id is not None else None
        if order is None or order.status not in KEPT_PAID:  # shipped or delivered is still paid
            await uow.referrals.transition(referral.referee_id, ReferralStatus.PENDING, ReferralStatus.VOIDED)
            continue
        if not await uow.referrals.transition(referral.referee_id, ReferralStatus.PENDING, ReferralStatus.REWARDED):
            continue
        entry = await accounts.earn(
            uow.points,
            now,
            policy,
            referral.referrer_id,
            Reason.REFERRAL,
            f"referee:{referral.referee_id}",
            policy.referral_points,
            order_id=order.id,
        )
        if entry is not None and await can_message(uow, referral.referrer_id):
            referee = await uow.members.get(referral.referee_id)
            await uow.outbox.enqueue(
                Notice(
                    key=f"referral:{referral.referee_id}:rewarded",
                    chat_id=referral.referrer_id,
                    kind="referral.rewarded",
                    params={"points": entry.delta, "name": referee.first_name if referee else ""},
                    language_of=referral.referrer_id,
                ),
                now,
            )
        released.append(Released(referral, entry))
    return released
