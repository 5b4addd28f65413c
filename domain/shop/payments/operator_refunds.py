"""An operator refunds a paid order: the money goes back and so does everything the order earned.

Telegram sends no update when a payment is refunded, so the refund starts here: the operator's command
marks the payment refund-due in one transaction with the points reversal and the group-buy bookkeeping;
the bot then refunds Stars through the API (a failed call is retried by the refund job), and other
currencies stay refund-due for the brand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.actors import Actor
from domain.drops import lifecycle as drop_lifecycle
from domain.errors import DomainError
from domain.groupbuys import closing
from domain.member_registry import can_message
from domain.ports import UnitOfWork
from domain.shop import after_paid
from domain.shop.errors import ShopError
from domain.shop.orders import Order, OrderStatus, Payment, PaymentStatus


@dataclass(frozen=True, slots=True)
class Refund:
    order: Order
    payments: tuple[Payment, ...]  # now refund-due

    @property
    def star_payments(self) -> tuple[Payment, ...]:
        return tuple(p for p in self.payments if p.amount.is_stars)


async def refund_order(uow: UnitOfWork, now: datetime, actor: Actor, order_id: int, operators: Sequence[int]) -> Refund:
    """`operators` are who hears of it (a drop's report when its brand has no staff), not who may act."""
    actor.require_operator(refusal=ShopError.REFUND_NOT_ALLOWED)
    order = await uow.orders.get(order_id)
    if order is None:
        raise DomainError(ShopError.REFUND_UNKNOWN_ORDER, number=order_id)
    if order.status in (OrderStatus.REFUND_DUE, OrderStatus.REFUNDED):
        raise DomainError(ShopError.REFUND_ALREADY_DONE, number=order_id)
    if order.status is not OrderStatus.PAID or not await uow.orders.transition(
        order.id, (OrderStatus.PAID,), OrderStatus.REFUND_DUE
    ):
        raise DomainError(ShopError.REFUND_NOT_PAID, number=order_id)
    due: list[Payment] = []
    for payment in await uow.payments.for_order(order.id):
        if await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE):
            refreshed = await uow.payments.get_by_charge(payment.telegram_charge_id)
            due.append(refreshed or payment)
    await closing.participant_refunded(uow, now, order.id)
    await drop_lifecycle.order_refunded(uow, now, order.id, order.total.amount, operators)
    await after_paid.order_refunded(uow, now, order.id)
    if await can_message(uow, order.user_id):
        await uow.outbox.enqueue(after_paid.refunded_notice(order), now)
    current = await uow.orders.get(order.id)
    assert current is not None
    return Refund(current, tuple(due))
