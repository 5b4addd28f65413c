"""What a paid order delivers and earns, and what its refund takes back: the one use case every kind of sale
reaches once its order is paid (a shop order and a drop purchase through `after_payment` as their payment
settles, a group buy's seats through `order_paid` when the group fills).

A digital order's content is delivered first (`domain.shop.digital`): queued in the outbox in this same
transaction, so it goes out exactly once. A paid order that cannot be delivered (its pool of codes ran dry)
earns nothing: it is refund-due with its payments, and the payment's outcome becomes a refund.

The order payment path calls `order_paid` inside the transaction that marks the order paid, so the points
exist exactly when the payment does; a replayed payment update never reaches it (the payment is a
duplicate) and, if it did, every entry is keyed by the order and would not be recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.drops import lifecycle as drop_lifecycle
from domain.errors import ErrorCode
from domain.member_registry import can_message
from domain.memberships import perks
from domain.notices import Notice
from domain.points import accounts
from domain.points.ledger import Entry, Reason
from domain.points.policy import RewardsPolicy, points_for
from domain.ports import UnitOfWork
from domain.referrals import rewards as referral_rewards
from domain.shop import digital
from domain.shop.orders import Order, OrderStatus
from domain.shop.payments.outcome import PaymentOutcome, PaymentResult
from domain.shop.payments.recording import payments_due_back


@dataclass(frozen=True, slots=True)
class PaidRewards:
    earned: Entry | None
    referral_held: bool
    undeliverable: ErrorCode | None = None  # why the paid order could not be delivered (it is refund-due now)


async def after_payment(
    uow: UnitOfWork, now: datetime, policy: RewardsPolicy, outcome: PaymentOutcome
) -> PaymentOutcome:
    """The order payment path's one call: delivery and rewards for a payment that made an order paid. The
    outcome as it stands after: a refund when the paid order cannot be delivered."""
    if outcome.result is not PaymentResult.PAID:
        return outcome
    paid = await order_paid(uow, now, policy, outcome.order)
    if paid.undeliverable is None:
        return outcome
    payment = await uow.payments.get_by_charge(outcome.payment.telegram_charge_id)
    order = await uow.orders.get(outcome.order.id) if outcome.order is not None else None
    return replace(
        outcome, result=PaymentResult.REFUND, payment=payment or outcome.payment, order=order, reason=paid.undeliverable
    )


async def order_paid(
    uow: UnitOfWork,
    now: datetime,
    policy: RewardsPolicy,
    order: Order | None,
    multiplier_percent: int | None = None,
) -> PaidRewards:
    """Deliver a digital order's content, then credit the purchase points (times the membership multiplier,
    a percent) and hold a referral reward. A paid order that cannot be delivered is made refund-due instead
    (`undeliverable` says why) and earns nothing.

    Without an explicit multiplier the member's memberships supply it (100 for a member without one).
    """
    if order is None or order.status is not OrderStatus.PAID:
        return PaidRewards(None, False)
    undeliverable = await digital.deliver(uow, now, order)
    if undeliverable is not None:
        await _refund_undeliverable(uow, now, order, undeliverable)
        return PaidRewards(None, False, undeliverable)
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


async def _refund_undeliverable(uow: UnitOfWork, now: datetime, order: Order, reason: ErrorCode) -> None:
    """A paid order nothing can be delivered for: its money goes back (the Stars refund is made by the bot,
    from the payment's outcome or the refund job; other currencies are listed for the operators)."""
    await uow.orders.transition(order.id, (OrderStatus.PAID,), OrderStatus.REFUND_DUE)
    await payments_due_back(uow, order.id, reason=reason)
    await drop_lifecycle.order_refunded(uow, now, order.id, order.total.amount, ())


def refunded_notice(order: Order) -> Notice:
    """The member is told the shop refunded their order (by the bot for Stars, by a person otherwise)."""
    total = order.total
    return Notice(
        key=f"order:{order.id}:refunded",
        chat_id=order.user_id,
        kind="order.refunded_by_shop",
        params={"order": order.id, "amount": total.display(), "by_bot": 1 if total.is_stars else 0},
        language_of=order.user_id,
    )


async def order_refunded(uow: UnitOfWork, now: datetime, order_id: int) -> list[Entry]:
    """The order's money is going back: reverse every points entry it caused and void a held referral."""
    await referral_rewards.void_for_order(uow, order_id)
    return await accounts.reverse_order(uow.points, now, order_id)
