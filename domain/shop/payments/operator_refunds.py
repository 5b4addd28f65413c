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
from domain.shop.orders import KEPT_PAID, Order, OrderStatus, Payment
from domain.shop.payments.recording import payments_due_back


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
    if order.free:  # a membership's box: nothing was charged for it (its brand cancels it before it ships)
        raise DomainError(ShopError.REFUND_NOT_PAID, number=order_id)
    done = await money_goes_back(uow, now, order, tuple(KEPT_PAID), operators)
    if done is None:
        raise DomainError(ShopError.REFUND_NOT_PAID, number=order_id)
    if await can_message(uow, order.user_id):
        await uow.outbox.enqueue(after_paid.refunded_notice(order), now)
    return done


async def money_goes_back(
    uow: UnitOfWork, now: datetime, order: Order, from_statuses: Sequence[OrderStatus], operators: Sequence[int]
) -> Refund | None:
    """Move the order from one of `from_statuses` to refund-due, with its captured payments, and take back what
    it earned; None when the order was not in one of those statuses (another call moved it first). The
    payments job refunds Stars; other currencies go on the operators' refund list. The caller tells the member."""
    if order.status not in from_statuses or not await uow.orders.transition(
        order.id, tuple(from_statuses), OrderStatus.REFUND_DUE
    ):
        return None
    # Closed: its shipping address (if any) is erased after the retention time (domain/shop/addresses.py).
    await uow.orders.advance(order.id, (OrderStatus.REFUND_DUE,), OrderStatus.REFUND_DUE, {"closed_at": now})
    await uow.addresses.close(order.id, now)
    due: list[Payment] = []
    for payment in await payments_due_back(uow, order.id):
        refreshed = await uow.payments.get_by_charge(payment.telegram_charge_id)
        due.append(refreshed or payment)
    await closing.participant_refunded(uow, now, order.id)
    await drop_lifecycle.order_refunded(uow, now, order.id, order.total.amount, operators)
    await after_paid.order_refunded(uow, now, order.id)
    if order.free and not due:  # nothing was charged (a membership's box): nothing waits on the refund list
        await uow.orders.transition(order.id, (OrderStatus.REFUND_DUE,), OrderStatus.REFUNDED)
    current = await uow.orders.get(order.id)
    assert current is not None
    return Refund(current, tuple(due))
