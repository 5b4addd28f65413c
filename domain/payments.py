"""Turning a successful payment into a paid order, exactly once, or into a refund when nothing can be delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.checkout import STARS
from domain.drops import shelf
from domain.money import Money
from domain.orders import (
    HoldStatus,
    NewPayment,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    order_id_from_payload,
)
from domain.points import holds as points_holds
from domain.ports import UnitOfWork


class PaymentResult(StrEnum):
    PAID = "paid"
    DUPLICATE = "duplicate"  # Telegram redelivered an update we already recorded: change nothing
    REFUND = "refund"  # money came in for something we cannot deliver


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    result: PaymentResult
    payment: Payment
    order: Order | None
    reason: str | None = None  # a DomainError-style code explaining a refund

    @property
    def refundable_by_bot(self) -> bool:
        """Stars payments are refunded by the bot itself; other providers need a person at the brand."""
        return self.result is PaymentResult.REFUND and self.payment.amount.currency == STARS


async def record_payment(
    uow: UnitOfWork,
    now: datetime,
    payer_id: int,
    payload: str,
    amount: Money,
    telegram_charge_id: str,
    provider_charge_id: str | None,
) -> PaymentOutcome:
    order_id = order_id_from_payload(payload)
    order = await uow.orders.get(order_id) if order_id is not None else None
    payment = await uow.payments.add_if_new(
        NewPayment(
            order_id=order.id if order else None,
            user_id=payer_id,
            telegram_charge_id=telegram_charge_id,
            provider_charge_id=provider_charge_id,
            amount=amount,
            received_at=now,
        )
    )
    if payment is None:
        recorded = await uow.payments.get_by_charge(telegram_charge_id)
        assert recorded is not None  # add_if_new refused it because it exists
        current = await uow.orders.get(recorded.order_id) if recorded.order_id is not None else None
        return PaymentOutcome(PaymentResult.DUPLICATE, recorded, current)

    reason = await _deliver(uow, now, order, payer_id, amount)
    if reason is None:
        delivered = await uow.orders.get(order.id) if order else None
        return PaymentOutcome(PaymentResult.PAID, payment, delivered)

    await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE)
    if order is not None and order.status is not OrderStatus.PAID:
        await uow.orders.transition(
            order.id,
            (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED, OrderStatus.CANCELLED),
            OrderStatus.REFUND_DUE,
        )
    refreshed = await uow.payments.get_by_charge(telegram_charge_id)
    assert refreshed is not None
    current = await uow.orders.get(order.id) if order else None
    return PaymentOutcome(PaymentResult.REFUND, refreshed, current, reason)


async def _deliver(uow: UnitOfWork, now: datetime, order: Order | None, payer_id: int, amount: Money) -> str | None:
    """Mark the order paid; return the reason it cannot be, or None on success."""
    if order is None:
        return "order.unknown"
    if order.user_id != payer_id:
        return "order.not_yours"
    if order.status is OrderStatus.PAID:
        return "order.already_paid"
    if order.status not in (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED):
        return "order.closed"
    if amount != order.total:
        return "order.amount_mismatch"
    hold = await uow.holds.active_for_order(order.id)
    if hold is not None and await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED):
        await uow.products.sell_held(hold.product_id, hold.quantity)  # the held unit leaves the shelf, sold
    else:
        # The hold lapsed before the money arrived: the unit is only ours if it is still on the shelf, and
        # a points discount only if the member still has the points (the lapse gave them back).
        line = order.lines[0]
        if await shelf.live_drop(uow, now, line.product_id) is not None:
            return "product.in_drop"  # the drop sells it now: a stale shop invoice buys nothing
        if order.points_to_spend and not await points_holds.has_enough(
            uow.points, now, payer_id, order.points_to_spend
        ):
            return "points.no_longer_enough"
        if not await uow.products.claim_stock(line.product_id, line.quantity):
            return "product.sold_out"
        late = await uow.holds.add(order.id, line.product_id, line.quantity, now)
        await uow.holds.transition(late.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED)
        await uow.products.sell_held(line.product_id, line.quantity)
        await points_holds.spend_for_hold(uow.points, now, order, late.id)  # enough: the account is locked
    moved = await uow.orders.transition(
        order.id, (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED), OrderStatus.PAID, paid_at=now
    )
    return None if moved else "order.closed"


async def complete_refund(uow: UnitOfWork, now: datetime, payment: Payment) -> bool:
    """Record that the money went back. True if this call recorded it."""
    moved = await uow.payments.set_status(payment.id, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED, at=now)
    if moved and payment.order_id is not None:
        await uow.orders.transition(payment.order_id, (OrderStatus.REFUND_DUE,), OrderStatus.REFUNDED)
    return moved


async def star_refunds_due(uow: UnitOfWork, limit: int = 100) -> tuple[Payment, ...]:
    """Stars payments whose refund has not gone through yet (e.g. the API was down): a job retries them."""
    due = await uow.payments.with_status(PaymentStatus.REFUND_DUE, limit)
    return tuple(p for p in due if p.amount.currency == STARS)
