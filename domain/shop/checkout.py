"""From Buy to a held unit: the order behind an invoice and the pre-checkout check.

Stock is held at pre-checkout, not at Buy: pressing Buy costs nothing, and Telegram asks us to confirm
within 10 seconds right before it charges, which is the moment the unit must be reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.drops import shelf
from domain.drops.buying import order_id_from as drop_order_id
from domain.errors import DomainError
from domain.groupbuys.model import participant_id_from_payload
from domain.member_registry import can_message
from domain.memberships import perks
from domain.money import Money
from domain.notices import Notice, NoticeParams
from domain.points import holds as points_holds
from domain.points.errors import PointsError
from domain.points.holds import PointsDiscount
from domain.ports import UnitOfWork
from domain.shop import digital
from domain.shop.errors import ShopError
from domain.shop.orders import (
    HOLD_TTL,
    HoldStatus,
    NewOrder,
    Order,
    OrderLine,
    OrderStatus,
    StockHold,
    order_id_from_payload,
)
from domain.shop.products import Product
from domain.shop.shipping import ShippingOption, ShippingRules
from domain.shop.shipping import option_price as shipping_option_price
from domain.shop.shipping import options as shipping_options_for

MAX_QUANTITY = 10
POINTS_RETURNED = "points.returned"  # notice kind: a lapsed hold gave the member's points back


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
    points_discount: PointsDiscount | None = None,
) -> Checkout:
    """The member pressed Buy: an order for the invoice. Repeated presses reuse the open order.

    Telegram Stars need nothing configured; any other currency needs a payment provider
    (`fiat_payments`), or the member could open an invoice nobody can pay. A `points_discount` (from
    `domain.points.checkout`) takes money off the order; its points are spent at pre-checkout.
    """
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(ShopError.ORDER_BAD_QUANTITY, max=MAX_QUANTITY)
    product = await uow.products.get(product_id)
    if product is None or not product.active:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    if not product.price.is_stars and not fiat_payments:
        raise DomainError(ShopError.CURRENCY_UNAVAILABLE, currency=product.price.currency)
    await shelf.refuse_if_in_drop(uow, now, product.id, product.title)  # Buy on its card goes through the drop
    if product.stock < quantity:
        raise DomainError(ShopError.PRODUCT_SOLD_OUT, title=product.title)
    price = await perks.unit_price(uow, now, user_id, product)  # the member price, if they are one
    discount, points = _points_discount(points_discount, price * quantity)
    existing = await uow.orders.find_open(user_id, product_id, chat_id)
    if (
        existing is not None
        and existing.lines[0].quantity == quantity
        and existing.lines[0].unit_price == price
        and (existing.discount, existing.points_to_spend) == (discount, points)
    ):
        return Checkout(existing, product)
    line = OrderLine(product.id, product.sku, product.title, quantity, price)
    order = await uow.orders.add(NewOrder(user_id, chat_id, community_id, (line,), now, discount, points))
    return Checkout(order, product)


def _points_discount(points_discount: PointsDiscount | None, subtotal: Money) -> tuple[int, int]:
    """(discount, points) for the order; a discount must leave something to pay, in the order's currency."""
    if points_discount is None:
        return 0, 0
    discount = points_discount.discount
    if discount.currency != subtotal.currency or not 0 < discount.amount < subtotal.amount:
        raise DomainError(PointsError.NO_OFFER)
    if points_discount.points <= 0:
        raise DomainError(PointsError.BAD_AMOUNT)
    return discount.amount, points_discount.points


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
        raise DomainError(ShopError.ORDER_NOT_YOURS)
    if order.status is OrderStatus.PAID:
        raise DomainError(ShopError.ORDER_ALREADY_PAID)
    if order.status in (OrderStatus.REFUND_DUE, OrderStatus.REFUNDED):
        raise DomainError(ShopError.ORDER_REFUNDED)
    if order.status not in (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED):
        raise DomainError(ShopError.ORDER_CLOSED)
    line = order.lines[0]
    product = await uow.products.get(line.product_id)
    if product is None or not product.active:
        await uow.orders.transition(order.id, (OrderStatus.PENDING, OrderStatus.EXPIRED), OrderStatus.CANCELLED)
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    price = await perks.unit_price(uow, now, order.user_id, product)
    if price != line.unit_price:
        await _cancel(uow, now, order)
        raise DomainError(ShopError.PRODUCT_PRICE_CHANGED, title=product.title, price=price.display())
    if amount != order.total:
        raise DomainError(ShopError.ORDER_AMOUNT_MISMATCH)
    await digital.require_codes(uow, product, line.quantity)  # a digital product whose codes ran out

    hold = await uow.holds.active_for_order(order.id)
    expires_at = now + HOLD_TTL
    if hold is not None and await uow.holds.extend(hold.id, expires_at):
        return hold  # its points were spent with it
    # An invoice from before the product's drop began: the drop sells it now, at its price and limit.
    await shelf.refuse_if_in_drop(uow, now, product.id, product.title)
    # The points are checked before the stock is claimed: the caller commits a refusal, and a refusal must
    # leave neither points spent nor a unit claimed.
    if order.points_to_spend and not await points_holds.has_enough(uow.points, now, payer_id, order.points_to_spend):
        raise DomainError(PointsError.NO_LONGER_ENOUGH, points=order.points_to_spend)
    if not await uow.products.claim_stock(product.id, line.quantity):
        raise DomainError(ShopError.PRODUCT_SOLD_OUT, title=product.title)
    hold = await uow.holds.add(order.id, product.id, line.quantity, expires_at)
    try:
        await points_holds.spend_for_hold(uow.points, now, order, hold.id)
    except DomainError:
        await _release(uow, now, hold)  # cannot happen while the account is locked; never keep the unit if it does
        raise
    await uow.orders.transition(order.id, (OrderStatus.PENDING, OrderStatus.EXPIRED), OrderStatus.HELD)
    return hold


async def ships(uow: UnitOfWork, order: Order) -> bool:
    """The order is of a physical product paid through the provider: its invoice, whatever sells it (the
    shop, a drop, a group buy), asks for name, phone and address, with shipping options by country."""
    product = await uow.products.get(order.lines[0].product_id)
    return product is not None and product.ships and not order.goods_total.is_stars


async def _shipped_order(uow: UnitOfWork, payload: str) -> Order:
    """The order an invoice of any kind that sells goods names: the shop's (`order:N`), a drop's (`drop:N`,
    N the order) or a group-buy seat's (`gb:N`, N the participant)."""
    participant_id = participant_id_from_payload(payload)
    if participant_id is not None:
        participant = await uow.group_buys.participant(participant_id)
        order = await uow.orders.get(participant.order_id) if participant is not None else None
    else:
        order_id = order_id_from_payload(payload) or drop_order_id(payload)
        order = await uow.orders.get(order_id) if order_id is not None else None
    if order is None:
        raise DomainError(ShopError.ORDER_UNKNOWN)
    return order


async def shipping_options(
    uow: UnitOfWork, rules: ShippingRules, payer_id: int, payload: str, country: str
) -> tuple[ShippingOption, ...]:
    """The shipping options for the payer's open order to `country`; DomainError with the reason to refuse
    (not their order, no longer open, or a country the shop does not ship to). Any kind that sells goods."""
    order = await _shipped_order(uow, payload)
    if order.user_id != payer_id:
        raise DomainError(ShopError.ORDER_NOT_YOURS)
    if order.status not in (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED):
        raise DomainError(ShopError.ORDER_CLOSED)
    return shipping_options_for(rules, country, order.goods_total)


async def choose_shipping(
    uow: UnitOfWork, rules: ShippingRules, payer_id: int, payload: str, option_id: str | None, country: str | None
) -> None:
    """At pre-checkout: store the shipping the member chose on an order of a physical product, priced from the
    rules now (never from the client), so the payment's total is checked against goods and shipping. An order
    that ships needs a shipping option the rules offer for its country; one that does not ships nothing.
    The shop's orders, drops' and group buys' alike."""
    order = await _shipped_order(uow, payload)
    if order.user_id != payer_id:
        raise DomainError(ShopError.ORDER_NOT_YOURS)
    product = await uow.products.get(order.lines[0].product_id)
    if product is None or not product.ships or order.goods_total.is_stars:
        return
    if not option_id or not country:
        raise DomainError(ShopError.ORDER_AMOUNT_MISMATCH)  # a flexible invoice paid without shipping
    price = shipping_option_price(rules, option_id, country, order.goods_total)
    if price is None:
        raise DomainError(ShopError.SHIPPING_COUNTRY_UNAVAILABLE, country=country.strip().upper()[:2])
    await uow.orders.set_shipping(order.id, price.amount, country.strip().upper()[:2])


async def _order_for_payload(uow: UnitOfWork, payload: str) -> Order:
    order_id = order_id_from_payload(payload)
    order = await uow.orders.get(order_id) if order_id is not None else None
    if order is None:
        raise DomainError(ShopError.ORDER_UNKNOWN)
    return order


async def _cancel(uow: UnitOfWork, now: datetime, order: Order) -> None:
    hold = await uow.holds.active_for_order(order.id)
    if hold is not None:
        await _release(uow, now, hold)
    await uow.orders.transition(
        order.id, (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED), OrderStatus.CANCELLED
    )


async def release_expired_holds(uow: UnitOfWork, now: datetime, batch: int = 200) -> int:
    """Put the stock of lapsed holds back on the shelf. Idempotent: a hold is released by one caller only."""
    released = [h for h in await uow.holds.due(now, batch) if await _mark_released(uow, h)]
    # Every member's points before any product's stock, as pre-checkout locks them: two transactions that
    # take both never wait on each other in a cycle (a deadlock on PostgreSQL).
    for hold in released:
        returned = await points_holds.give_back_for_hold(uow.points, now, hold.id)
        if returned > 0:
            await _tell_points_returned(uow, now, hold, returned)
    for hold in released:
        await uow.products.release_stock(hold.product_id, hold.quantity)
        await uow.orders.transition(hold.order_id, (OrderStatus.HELD,), OrderStatus.EXPIRED)
    return len(released)


async def _tell_points_returned(uow: UnitOfWork, now: datetime, hold: StockHold, points: int) -> None:
    """The member opened the payment form and left: the points they were about to spend are theirs again."""
    order = await uow.orders.get(hold.order_id)
    if order is None or not await can_message(uow, order.user_id):
        return
    params: NoticeParams = {
        "points": points,
        "title": order.lines[0].title,
        "balance": await uow.points.balance(order.user_id),
    }
    notice = Notice(f"points:returned:{hold.id}", order.user_id, POINTS_RETURNED, params, language_of=order.user_id)
    await uow.outbox.enqueue(notice, now)


async def _mark_released(uow: UnitOfWork, hold: StockHold) -> bool:
    return await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.RELEASED)


async def _release(uow: UnitOfWork, now: datetime, hold: StockHold) -> bool:
    """Give back an unpaid hold's points, then its stock (in that lock order). True if this call released it."""
    if not await _mark_released(uow, hold):
        return False
    await points_holds.give_back_for_hold(uow.points, now, hold.id)
    await uow.products.release_stock(hold.product_id, hold.quantity)
    return True
