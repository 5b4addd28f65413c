"""The payment kinds, told apart by the invoice payload's prefix, each settled by its own domain rules.

Every kind reports the same `Settled`: what happened to the money, why if it goes back, and the member's
one answer. A payload no kind owns is settled as a shop order that does not exist: recorded and refunded
(unless the bot is embedded in a host bot, which keeps such payments for itself; see bots/core/runtime).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.drops import buying
from domain.errors import ErrorCode
from domain.groupbuys import flow
from domain.groupbuys.model import PAYLOAD_KIND as GROUP_BUY
from domain.memberships import joining
from domain.memberships.errors import MembershipError
from domain.memberships.joining import PAYLOAD_KIND as MEMBERSHIP
from domain.notices import Notice
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork
from domain.shop import after_paid
from domain.shop.errors import ShopError
from domain.shop.orders import PAYLOAD_PREFIX, Payment
from domain.shop.payments import answers, shop_orders
from domain.shop.payments.outcome import PaymentOutcome, PaymentResult
from domain.shop.payments.received import ReceivedPayment
from domain.votes import preorders
from domain.votes.model import PAYLOAD_KIND as PREORDER

ORDER = PAYLOAD_PREFIX.rstrip(":")
DROP = buying.PAYLOAD_PREFIX.rstrip(":")
KINDS = (ORDER, DROP, MEMBERSHIP, GROUP_BUY, PREORDER)


@dataclass(frozen=True, slots=True)
class Settled:
    result: PaymentResult
    payment: Payment
    reason: ErrorCode | None  # why the money goes back
    title: str  # what was bought, for the refund notice
    answer: Notice | None  # the member's answer when the money stays; refunds are answered by the refund
    group_buy_to_post: int | None = None  # the first seat of a group buy: its progress card goes up now


def kind_of(payload: str) -> str | None:
    """The kind a payload belongs to, or None for a payload circlecart never issued."""
    name, separator, _ = payload.partition(":")
    return name if separator and name in KINDS else None


def owns(payload: str) -> bool:
    return kind_of(payload) is not None


async def settle_kind(
    uow: UnitOfWork, now: datetime, policy: RewardsPolicy, received: ReceivedPayment, grace: datetime | None
) -> Settled:
    kind = kind_of(received.payload)
    if kind == MEMBERSHIP:
        return await _membership(uow, now, received)
    if kind == GROUP_BUY:
        return await _group_buy(uow, now, policy, received, grace)
    if kind == PREORDER:
        # Paid now, counted at the pay-by deadline: rewards follow when the pre-order stands.
        preordered = await preorders.record_payment(uow, now, received)
        await _keep_address(uow, now, preordered, received)
        return _order_settled(preordered, received, grace)
    record = buying.record_payment if kind == DROP else shop_orders.record_payment
    recorded = await record(uow, now, received)
    await _keep_address(uow, now, recorded, received)
    # Digital delivery, points and the referrer's reward, for a drop purchase as for any paid order; a paid
    # order that cannot be delivered comes back as a refund.
    outcome = await after_paid.after_payment(uow, now, policy, recorded)
    return _order_settled(outcome, received, grace)


async def _keep_address(uow: UnitOfWork, now: datetime, outcome: PaymentOutcome, received: ReceivedPayment) -> None:
    """Where a paid order of physical goods goes (a shop order, a drop's, a pre-order's or a group-buy seat):
    kept apart from the order, for its brand and the operator (domain/shop/addresses.py)."""
    if outcome.result is PaymentResult.PAID and outcome.order is not None and received.shipping is not None:
        await uow.addresses.store(outcome.order.id, received.user_id, received.shipping, now)


def _order_settled(outcome: PaymentOutcome, received: ReceivedPayment, grace: datetime | None) -> Settled:
    title = outcome.order.lines[0].title if outcome.order is not None else ""
    answer = None
    if outcome.result is PaymentResult.PAID and outcome.order is not None:
        answer = answers.receipt(received, outcome.order, grace)
    return Settled(outcome.result, outcome.payment, outcome.reason, title, answer)


async def _membership(uow: UnitOfWork, now: datetime, received: ReceivedPayment) -> Settled:
    outcome = await joining.record_payment(uow, now, received)
    # A membership answers with its own notices (welcome, invite link, renewal), queued by joining.
    reason = outcome.reason or (MembershipError.PLAN_UNKNOWN if outcome.result is PaymentResult.REFUND else None)
    return Settled(outcome.result, outcome.payment, reason, "", None)


async def _group_buy(
    uow: UnitOfWork, now: datetime, policy: RewardsPolicy, received: ReceivedPayment, grace: datetime | None
) -> Settled:
    joined = await flow.record_group_payment(uow, now, policy, received)
    outcome = joined.payment
    group_buy = joined.group_buy
    title = group_buy.title if group_buy is not None else ""
    if joined.outcome is flow.Joined.DUPLICATE:
        return Settled(PaymentResult.DUPLICATE, outcome.payment, None, title, None)
    if joined.outcome is flow.Joined.REFUND or group_buy is None:
        return Settled(PaymentResult.REFUND, outcome.payment, joined.reason or ShopError.ORDER_CLOSED, title, None)
    await _keep_address(uow, now, outcome, received)
    answer = answers.seated(received, group_buy, grace)
    return Settled(PaymentResult.PAID, outcome.payment, None, title, answer, group_buy.id if joined.first else None)
