"""From Buy to a held unit: the order behind an invoice and the pre-checkout check.

Stock is held at pre-checkout, not at Buy: pressing Buy costs nothing, and Telegram asks us to confirm
within 10 seconds right before it charges, which is the moment the unit must be reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import DomainError
from domain.money import Money
from domain.orders import (
    HoldStatus,
    NewOrder,
    Order,
    OrderLine,
    OrderStatus,
    StockHold,
    order_id_from_payload,
)
from domain.ports import UnitOfWork
from domain.products import Product

STARS = "XTR"

# Long enough for Telegram to finish charging after pre-checkout; short enough that an abandoned
# payment form does not keep a scarce unit off the shelf.
HOLD_TTL = timedelta(minutes=15)
MAX_QUANTITY = 10


@dataclass(frozen=True, slots=True)
class Checkout:
    order: Order
    product: Product


async def start_checkout(
    uow: UnitOfWork,
    now: datetime,
    user_id: int,
    product_id: int,
    chat_id: int,
    community_id: int | None,
    quantity: int = 1,
    fiat_payments: bool = False,
) -> Checkout:
    """The member pressed Buy: an order for the invoice. Repeated presses reuse the open order.

    Telegram Stars need nothing configured; any other currency needs a payment provider
    (`fiat_payments`), or the member could open an invoice nobody can pay.
    """
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError("order.bad_quantity", max=MAX_QUANTITY)
    product = await uow.products.get(product_id)
    if product is None or not product.active:
        raise DomainError("product.not_found")
    if product.price.currency != STARS and not fiat_payments:
        raise DomainError("payment.currency_unavailable", currency=product.price.currency)
    if product.stock < quantity:
        raise DomainError("product.sold_out", title=product.title)
    existing = await uow.orders.find_open(user_id, product_id, chat_id)
    if (
        existing is not None
        and existing.lines[0].quantity == quantity
        and existing.lines[0].unit_price == product.price
    ):
        return Checkout(existing, product)
    line = OrderLine(product.id, product.sku, product.title, quantity, product.price)
    order = await uow.orders.add(NewOrder(user_id, chat_id, community_id, (line,), now))
    return Checkout(order, product)


@dataclass(frozen=True, slots=True)
class PreCheckoutDecision:
    """Accept (with the hold) or refuse (with the reason). Either way the caller commits: a refusal can
    change state too, such as cancelling an order whose price went stale."""

    hold: StockHold | None
    refusal: DomainError | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


async def decide_pre_checkout(
    uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money
) -> PreCheckoutDecision:
    try:
        hold = await accept_pre_checkout(uow, now, payer_id, payload, amount)
    except DomainError as refusal:
        return PreCheckoutDecision(None, refusal)
    return PreCheckoutDecision(hold, None)


async def accept_pre_checkout(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> StockHold:
    """Check the invoice still stands and hold its stock. Raises DomainError with the reason to refuse.

    Safe to repeat for the same order: a second pre-checkout extends the existing hold instead of
    taking more stock.
    """
    order = await _order_for_payload(uow, payload)
    if order.user_id != payer_id:
        raise DomainError("order.not_yours")
    if order.status is OrderStatus.PAID:
        raise DomainError("order.already_paid")
    if order.status not in (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED):
        raise DomainError("order.closed")
    line = order.lines[0]
    product = await uow.products.get(line.product_id)
    if product is None or not product.active:
        await uow.orders.transition(order.id, (OrderStatus.PENDING, OrderStatus.EXPIRED), OrderStatus.CANCELLED)
        raise DomainError("product.not_found")
    if product.price != line.unit_price:
        await _cancel(uow, order)
        raise DomainError("product.price_changed", title=product.title, price=product.price.display())
    if amount != order.total:
        raise DomainError("order.amount_mismatch")

    hold = await uow.holds.active_for_order(order.id)
    expires_at = now + HOLD_TTL
    if hold is not None and await uow.holds.extend(hold.id, expires_at):
        return hold
    if not await uow.products.claim_stock(product.id, line.quantity):
        raise DomainError("product.sold_out", title=product.title)
    hold = await uow.holds.add(order.id, product.id, line.quantity, expires_at)
    await uow.orders.transition(order.id, (OrderStatus.PENDING, OrderStatus.EXPIRED), OrderStatus.HELD)
    return hold


async def _order_for_payload(uow: UnitOfWork, payload: str) -> Order:
    order_id = order_id_from_payload(payload)
    order = await uow.orders.get(order_id) if order_id is not None else None
    if order is None:
        raise DomainError("order.unknown")
    return order


async def _cancel(uow: UnitOfWork, order: Order) -> None:
    hold = await uow.holds.active_for_order(order.id)
    if hold is not None and await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.RELEASED):
        await uow.products.release_stock(hold.product_id, hold.quantity)
    await uow.orders.transition(
        order.id, (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED), OrderStatus.CANCELLED
    )


async def release_expired_holds(uow: UnitOfWork, now: datetime, batch: int = 200) -> int:
    """Put the stock of lapsed holds back on the shelf. Idempotent: a hold is released by one caller only."""
    released = 0
    for hold in await uow.holds.due(now, batch):
        if await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.RELEASED):
            await uow.products.release_stock(hold.product_id, hold.quantity)
            await uow.orders.transition(hold.order_id, (OrderStatus.HELD,), OrderStatus.EXPIRED)
            released += 1
    return released
