"""Recording the money against an order, exactly once per charge, for every kind that sells through orders
(shop orders, drops, group buys): the kind says only how to look up its order and how to deliver it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from domain.errors import ErrorCode
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.shop.orders import NewPayment, Order, OrderStatus, Payment, PaymentStatus
from domain.shop.payments.outcome import PaymentOutcome, PaymentResult
from domain.shop.payments.received import ReceivedPayment

# Marks the order paid (stock, holds, points); returns why it cannot be, or None when it is delivered.
Deliver = Callable[[], Awaitable[ErrorCode | None]]


async def record_against_order(
    uow: UnitOfWork, now: datetime, received: ReceivedPayment, named: Order | None, deliver: Deliver
) -> PaymentOutcome:
    """`named`: the order the payload names. Another member's order is treated as naming none (the money
    goes back as ShopError.ORDER_NOT_YOURS), so nobody's order is changed by someone else's payment."""
    order = named if named is not None and named.user_id == received.user_id else None
    telegram_charge_id = received.telegram_charge_id
    payment = await uow.payments.add_if_new(
        NewPayment(
            order.id if order else None,
            received.user_id,
            telegram_charge_id,
            received.provider_charge_id,
            received.amount,
            now,
        )
    )
    if payment is None:  # Telegram delivered this charge before: change nothing
        recorded = await uow.payments.get_by_charge(telegram_charge_id)
        assert recorded is not None  # add_if_new refused it because it exists
        current = await uow.orders.get(recorded.order_id) if recorded.order_id is not None else None
        return PaymentOutcome(PaymentResult.DUPLICATE, recorded, current)
    reason = ShopError.ORDER_NOT_YOURS if named is not None and order is None else await deliver()
    if reason is None:
        assert order is not None
        return PaymentOutcome(PaymentResult.PAID, payment, await uow.orders.get(order.id))

    await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE, reason=reason)
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


async def payments_due_back(uow: UnitOfWork, order_id: int, reason: ErrorCode | None = None) -> list[Payment]:
    """The order's captured payments become refund-due, each by one conditional change: those this call moved
    (as they were before it), so a second call, or a racing one, moves and returns nothing."""
    moved: list[Payment] = []
    for payment in await uow.payments.for_order(order_id):
        if await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE, reason=reason):
            moved.append(payment)
    return moved
