"""What a paid order earns and what its refund takes back: the one use case every kind of sale reaches once
its order is paid (a shop order and a drop purchase through `after_payment` as their payment settles, a
group buy's seats through `order_paid` when the group fills).

The order payment path calls `order_paid` inside the transaction that marks the order paid, so the points
exist exactly when the payment does; a replayed payment update never reaches it (the payment is a
duplicate) and, if it did, every entry is keyed by the order and would not be recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.member_registry import can_message
from domain.memberships import perks
from domain.notices import Notice
from domain.points import accounts
from domain.points.ledger import Entry, Reason
from domain.points.policy import RewardsPolicy, points_for
from domain.ports import UnitOfWork
from domain.referrals import rewards as referral_rewards
from domain.shop.orders import Order, OrderStatus
from domain.shop.payments.outcome import PaymentOutcome, PaymentResult


@dataclass(frozen=True, slots=True)
class PaidRewards:
    earned: Entry | None
    referral_held: bool


async def after_payment(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, outcome: PaymentOutcome) -> PaidRewards:
    """The order payment path's one call: rewards for a payment that made an order paid, nothing otherwise."""
    if outcome.result is not PaymentResult.PAID:
        return PaidRewards(None, False)
    return await order_paid(uow, now, policy, outcome.order)


async def order_paid(
    uow: UnitOfWork,
    now: datetime,
    policy: RewardsPolicy,
    order: Order | None,
    multiplier_percent: int | None = None,
) -> PaidRewards:
    """Credit the purchase points (times the membership multiplier, a percent) and hold a referral reward.

    Without an explicit multiplier the member's memberships supply it (100 for a member without one).
    """
    if order is None or order.status is not OrderStatus.PAID:
        return PaidRewards(None, False)
    if multiplier_percent is None:
        # A brand's plan multiplies points on that brand's products only: the multiplier must count on each.
        brands = set()
        for line in order.lines:
            product = await uow.products.get(line.product_id)
            brands.add(product.brand_id if product is not None else None)
        multiplier_percent = await perks.points_multiplier_percent(uow, now, order.user_id, brands)
    earned = await accounts.earn(
        uow.points,
        now,
        policy,
        order.user_id,
        Reason.PURCHASE,
        f"order:{order.id}",
        points_for(order.goods_total, policy, multiplier_percent),  # points on the goods, not shipping
        order_id=order.id,
    )
    if earned is not None and await can_message(uow, order.user_id):
        await uow.outbox.enqueue(
            Notice(
                key=f"points:earned:{earned.id}",
                chat_id=order.user_id,
                kind="points.earned",
                params={"points": earned.delta, "order": order.id, "balance": await uow.points.balance(order.user_id)},
                language_of=order.user_id,
            ),
            now,
        )
    held = await referral_rewards.on_first_payment(uow, now, policy, order)
    return PaidRewards(earned, held)


async def order_refunded(uow: UnitOfWork, now: datetime, order_id: int) -> list[Entry]:
    """The order's money is going back: reverse every points entry it caused and void a held referral."""
    await referral_rewards.void_for_order(uow, order_id)
    return await accounts.reverse_order(uow.points, now, order_id)
