"""A shop order's payment: the order becomes paid exactly once, or the money is marked for refund.

A payment names its order by the invoice payload; a payload that names another member's order is
treated as naming none, so nobody's order is changed by someone else's (forged) payment.
"""

from __future__ import annotations

from datetime import datetime

from domain.drops import shelf
from domain.errors import ErrorCode
from domain.money import Money
from domain.points import holds as points_holds
from domain.points.errors import PointsError
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.shop.orders import (
    HoldStatus,
    Order,
    OrderStatus,
    order_id_from_payload,
)
from domain.shop.payments.outcome import PaymentOutcome
from domain.shop.payments.received import ReceivedPayment
from domain.shop.payments.recording import record_against_order


async def record_payment(uow: UnitOfWork, now: datetime, received: ReceivedPayment) -> PaymentOutcome:
    order_id = order_id_from_payload(received.payload)
    named = await uow.orders.get(order_id) if order_id is not None else None
    mine = named if named is not None and named.user_id == received.user_id else None
    return await record_against_order(
        uow, now, received, named, lambda: _deliver(uow, now, mine, received.user_id, received.amount)
    )


async def _deliver(
    uow: UnitOfWork, now: datetime, order: Order | None, payer_id: int, amount: Money
) -> ErrorCode | None:
    """Mark the order paid; return the reason it cannot be, or None on success."""
    if order is None:
        return ShopError.ORDER_UNKNOWN
    if order.user_id != payer_id:
        return ShopError.ORDER_NOT_YOURS
    if order.status is OrderStatus.PAID:
        return ShopError.ORDER_ALREADY_PAID
    if order.status not in (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED):
        return ShopError.ORDER_CLOSED
    if amount != order.total:
        return ShopError.ORDER_AMOUNT_MISMATCH
    hold = await uow.holds.active_for_order(order.id)
    if hold is not None and await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED):
        await uow.products.sell_held(hold.product_id, hold.quantity)  # the held unit leaves the shelf, sold
    else:
        # The hold lapsed before the money arrived: the unit is only ours if it is still on the shelf, and
        # a points discount only if the member still has the points (the lapse gave them back).
        line = order.lines[0]
        if await shelf.live_drop(uow, now, line.product_id) is not None:
            return ShopError.PRODUCT_IN_DROP  # the drop sells it now: a stale shop invoice buys nothing
        if order.points_to_spend and not await points_holds.has_enough(
            uow.points, now, payer_id, order.points_to_spend
        ):
            return PointsError.NO_LONGER_ENOUGH
        if not await uow.products.claim_stock(line.product_id, line.quantity):
            return ShopError.PRODUCT_SOLD_OUT
        late = await uow.holds.add(order.id, line.product_id, line.quantity, now)
        await uow.holds.transition(late.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED)
        await uow.products.sell_held(line.product_id, line.quantity)
        await points_holds.spend_for_hold(uow.points, now, order, late.id)  # enough: the account is locked
    moved = await uow.orders.transition(
        order.id, (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED), OrderStatus.PAID, paid_at=now
    )
    return None if moved else ShopError.ORDER_CLOSED
