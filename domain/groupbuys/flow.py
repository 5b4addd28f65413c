"""Starting, joining and paying for a group buy.

Each participant has an ordinary order at the group price, so stock holds, exactly-once payments and
refunds work as for any order. Stock is held per participant at pre-checkout with the same atomic claim
as a normal purchase; a seat is taken when the money arrives, with one conditional UPDATE, so a group
buy never has more paid members than its size. A payment that finds no seat is refunded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError, ErrorCode
from domain.groupbuys import closing
from domain.groupbuys.errors import GroupBuyError
from domain.groupbuys.model import (
    GroupBuy,
    GroupBuyStatus,
    NewGroupBuy,
    Participant,
    ParticipantStatus,
    participant_id_from_payload,
)
from domain.money import Money
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork
from domain.referrals.model import new_code
from domain.shop import digital
from domain.shop.errors import ShopError
from domain.shop.orders import HOLD_TTL, NewOrder, Order, OrderLine, OrderStatus, PaymentStatus, StockHold
from domain.shop.payments.outcome import PaymentOutcome, PaymentResult
from domain.shop.payments.received import ReceivedPayment
from domain.shop.payments.shop_orders import record_payment
from domain.shop.products import Product

OPEN_ORDER = (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED)


@dataclass(frozen=True, slots=True)
class Seat:
    """A member's place in a group buy and the order behind their invoice."""

    group_buy: GroupBuy
    participant: Participant
    order: Order


async def start(
    uow: UnitOfWork,
    now: datetime,
    policy: RewardsPolicy,
    user_id: int,
    name: str,
    product_id: int,
    chat_id: int,
    community_id: int | None,
    fiat_payments: bool = False,
    make_code: Callable[[], str] = new_code,
) -> Seat:
    """The member starts a group buy of a product with a group offer (or joins the one already open here)."""
    product, offer_price, size, hours = await _offer(uow, product_id, fiat_payments)
    running = await uow.group_buys.find(product_id, chat_id, (GroupBuyStatus.OPEN.value,))
    if running is not None and running.joinable(now):
        return await join(uow, now, user_id, name, running.id, fiat_payments)
    # Pressing Start again before paying reuses the member's unpaid group buy instead of making another.
    mine = await uow.group_buys.find(product_id, chat_id, (GroupBuyStatus.PENDING.value,), starter_id=user_id)
    if mine is not None and mine.deadline > now:
        return await join(uow, now, user_id, name, mine.id, fiat_payments)
    duration = policy.group_buy_duration if hours is None else timedelta(hours=hours)
    group_buy = await uow.group_buys.add(
        NewGroupBuy(
            code=make_code(),
            product_id=product.id,
            title=product.title,
            price=offer_price,
            size=size,
            chat_id=chat_id,
            community_id=community_id,
            starter_id=user_id,
            deadline=now + duration,
            created_at=now,
        )
    )
    return await _new_seat(uow, now, group_buy, user_id, name)


async def join(
    uow: UnitOfWork, now: datetime, user_id: int, name: str, group_buy_id: int, fiat_payments: bool = False
) -> Seat:
    """A member opened the link and pressed Join: their invoice's order. Nobody holds two seats."""
    group_buy = await uow.group_buys.get(group_buy_id)
    if group_buy is None:
        raise DomainError(GroupBuyError.UNKNOWN)
    if not group_buy.price.is_stars and not fiat_payments:
        raise DomainError(ShopError.CURRENCY_UNAVAILABLE, currency=group_buy.price.currency)
    _check_open(group_buy, now, user_id)
    existing = await uow.group_buys.participant_of(group_buy.id, user_id)
    if existing is None:
        return await _new_seat(uow, now, group_buy, user_id, name)
    if existing.status is ParticipantStatus.PAID:
        raise DomainError(GroupBuyError.ALREADY_JOINED, title=group_buy.title)
    order = await uow.orders.get(existing.order_id)
    if existing.status is ParticipantStatus.JOINED and order is not None and order.status in OPEN_ORDER:
        return Seat(group_buy, existing, order)
    # A refunded member may come back, with a fresh order.
    order = await _order(uow, now, group_buy, user_id)
    if not await uow.group_buys.rejoin(
        existing.id, order.id, (ParticipantStatus.JOINED, ParticipantStatus.REFUNDED, ParticipantStatus.DROPPED)
    ):
        raise DomainError(GroupBuyError.ALREADY_JOINED, title=group_buy.title)
    participant = await uow.group_buys.participant(existing.id)
    assert participant is not None
    return Seat(group_buy, participant, order)


def _check_open(group_buy: GroupBuy, now: datetime, user_id: int) -> None:
    if group_buy.status is GroupBuyStatus.FILLED:
        raise DomainError(GroupBuyError.FULL, title=group_buy.title)
    if group_buy.status is GroupBuyStatus.CANCELLED or group_buy.deadline <= now:
        raise DomainError(GroupBuyError.CLOSED, title=group_buy.title)
    if group_buy.status is GroupBuyStatus.PENDING and group_buy.starter_id != user_id:
        # Nobody can join before the starter paid: a group buy with no paying member is not a group buy.
        raise DomainError(GroupBuyError.NOT_STARTED, title=group_buy.title)
    if group_buy.paid_count >= group_buy.size:
        raise DomainError(GroupBuyError.FULL, title=group_buy.title)


async def _new_seat(uow: UnitOfWork, now: datetime, group_buy: GroupBuy, user_id: int, name: str) -> Seat:
    order = await _order(uow, now, group_buy, user_id)
    participant = await uow.group_buys.add_participant(group_buy.id, user_id, name[:64], order.id, now)
    if participant is None:  # a concurrent press by the same member got there first
        await uow.orders.transition(order.id, (OrderStatus.PENDING,), OrderStatus.CANCELLED)
        raise DomainError(GroupBuyError.ALREADY_JOINED, title=group_buy.title)
    return Seat(group_buy, participant, order)


async def _order(uow: UnitOfWork, now: datetime, group_buy: GroupBuy, user_id: int) -> Order:
    product = await uow.products.get(group_buy.product_id)
    if product is None or not product.active:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    line = OrderLine(product.id, product.sku, product.title, 1, group_buy.price)
    return await uow.orders.add(NewOrder(user_id, group_buy.chat_id, group_buy.community_id, (line,), now))


async def _offer(uow: UnitOfWork, product_id: int, fiat_payments: bool) -> tuple[Product, Money, int, int | None]:
    product = await uow.products.get(product_id)
    offer = await uow.group_buys.offer(product_id)
    if product is None or not product.active:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    if offer is None or not offer.active:
        raise DomainError(GroupBuyError.NO_OFFER, title=product.title)
    if product.kind == "physical" and offer.price.is_stars:  # an offer set before the kinds of goods
        raise DomainError(GroupBuyError.PHYSICAL_IN_STARS, title=product.title)
    if not offer.price.is_stars and not fiat_payments:
        raise DomainError(ShopError.CURRENCY_UNAVAILABLE, currency=offer.price.currency)
    if product.stock < 1:
        raise DomainError(ShopError.PRODUCT_SOLD_OUT, title=product.title)
    return product, offer.price, offer.size, offer.hours


async def accept_pre_checkout(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> StockHold:
    """Check the group-buy invoice still stands and hold one unit. Raises DomainError with the reason."""
    participant_id = participant_id_from_payload(payload)
    participant = await uow.group_buys.participant(participant_id) if participant_id is not None else None
    if participant is None:
        raise DomainError(ShopError.ORDER_UNKNOWN)
    if participant.user_id != payer_id:
        raise DomainError(ShopError.ORDER_NOT_YOURS)
    group_buy = await uow.group_buys.get(participant.group_buy_id)
    assert group_buy is not None
    if participant.status is ParticipantStatus.PAID:
        raise DomainError(GroupBuyError.ALREADY_JOINED, title=group_buy.title)
    _check_open(group_buy, now, payer_id)
    if participant.status is not ParticipantStatus.JOINED:
        raise DomainError(ShopError.ORDER_CLOSED)
    order = await uow.orders.get(participant.order_id)
    if order is None or order.status not in OPEN_ORDER:
        raise DomainError(ShopError.ORDER_CLOSED)
    if amount != order.total:
        raise DomainError(ShopError.ORDER_AMOUNT_MISMATCH)
    product = await uow.products.get(group_buy.product_id)
    if product is None or not product.active:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    await digital.require_codes(uow, product, 1)  # a digital product whose codes ran out
    hold = await uow.holds.active_for_order(order.id)
    expires_at = now + HOLD_TTL
    if hold is not None and await uow.holds.extend(hold.id, expires_at):
        return hold
    if not await uow.products.claim_stock(product.id, 1):
        raise DomainError(ShopError.PRODUCT_SOLD_OUT, title=product.title)
    hold = await uow.holds.add(order.id, product.id, 1, expires_at)
    await uow.orders.transition(order.id, (OrderStatus.PENDING, OrderStatus.EXPIRED), OrderStatus.HELD)
    return hold


class Joined(StrEnum):
    SEATED = "seated"  # paid and in; the group still needs members
    FILLED = "filled"  # this payment filled the group
    REFUND = "refund"  # the money came but no seat: it goes back
    DUPLICATE = "duplicate"  # a replayed update: nothing changed


@dataclass(frozen=True, slots=True)
class GroupPayment:
    outcome: Joined
    payment: PaymentOutcome
    group_buy: GroupBuy | None
    reason: ErrorCode | None = None  # why the money goes back
    first: bool = False  # the first paid member: the progress card is posted now


async def record_group_payment(
    uow: UnitOfWork, now: datetime, policy: RewardsPolicy, received: ReceivedPayment
) -> GroupPayment:
    """Record the money exactly once (as for any order), then take a seat or send the money back."""
    participant_id = participant_id_from_payload(received.payload)
    participant = await uow.group_buys.participant(participant_id) if participant_id is not None else None
    order = await uow.orders.get(participant.order_id) if participant is not None else None
    # The order's own payload makes the core record the payment against it; an unknown participant falls
    # through with the original payload and is refunded as ShopError.ORDER_UNKNOWN.
    recorded = await record_payment(uow, now, replace(received, payload=order.payload) if order else received)
    group_buy = await uow.group_buys.get(participant.group_buy_id) if participant is not None else None
    if recorded.result is PaymentResult.DUPLICATE:
        return GroupPayment(Joined.DUPLICATE, recorded, group_buy)
    if recorded.result is PaymentResult.REFUND or participant is None or group_buy is None:
        return GroupPayment(Joined.REFUND, recorded, group_buy, _why(group_buy, now) or recorded.reason)

    moved = await uow.group_buys.set_participant_status(
        participant.id, ParticipantStatus.JOINED, ParticipantStatus.PAID, paid_at=now
    )
    if not moved or not await uow.group_buys.take_seat(group_buy.id, now):
        reason = _why(await uow.group_buys.get(group_buy.id), now) or GroupBuyError.CLOSED
        refreshed = await _no_seat(uow, now, participant, recorded)
        return GroupPayment(Joined.REFUND, refreshed, group_buy, reason)

    seated = await uow.group_buys.get(group_buy.id)
    assert seated is not None
    if await uow.group_buys.complete(group_buy.id, now):
        filled = await uow.group_buys.get(group_buy.id)
        assert filled is not None
        await closing.on_filled(uow, now, policy, filled)
        return GroupPayment(Joined.FILLED, recorded, filled, first=seated.paid_count == 1)
    first = seated.paid_count == 1 and seated.card_message_id is None
    if not first:
        await closing.update_card(uow, now, seated)
    return GroupPayment(Joined.SEATED, recorded, seated, first=first)


def _why(group_buy: GroupBuy | None, now: datetime) -> ErrorCode | None:
    """Why a group-buy payment cannot stand, in the group's terms (its own order may only say "closed")."""
    if group_buy is None:
        return ShopError.ORDER_UNKNOWN
    if group_buy.status is GroupBuyStatus.FILLED or group_buy.paid_count >= group_buy.size:
        return GroupBuyError.FULL
    if group_buy.status is GroupBuyStatus.CANCELLED or group_buy.deadline <= now:
        return GroupBuyError.CLOSED
    return None


async def _no_seat(
    uow: UnitOfWork, now: datetime, participant: Participant, recorded: PaymentOutcome
) -> PaymentOutcome:
    """Paid, but the group filled or closed first: undo the order and mark the money for refund."""
    await uow.group_buys.set_participant_status(participant.id, ParticipantStatus.PAID, ParticipantStatus.REFUNDED)
    await closing.release_order(uow, participant.order_id)
    await uow.orders.transition(participant.order_id, (OrderStatus.PAID,), OrderStatus.REFUND_DUE)
    await uow.payments.set_status(recorded.payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE)
    payment = await uow.payments.get_by_charge(recorded.payment.telegram_charge_id)
    order = await uow.orders.get(participant.order_id)
    assert payment is not None
    return PaymentOutcome(PaymentResult.REFUND, payment, order, GroupBuyError.FULL)


async def with_participants(uow: UnitOfWork, group_buy_id: int) -> tuple[GroupBuy, list[Participant]]:
    group_buy = await uow.group_buys.get(group_buy_id)
    if group_buy is None:
        raise DomainError(GroupBuyError.UNKNOWN)
    return group_buy, list(await uow.group_buys.participants(group_buy.id))


async def by_code(uow: UnitOfWork, code: str) -> tuple[GroupBuy, list[Participant]]:
    """A group buy by the code in its shared link, with who is in it."""
    group_buy = await uow.group_buys.get_by_code(code)
    if group_buy is None:
        raise DomainError(GroupBuyError.UNKNOWN)
    return group_buy, list(await uow.group_buys.participants(group_buy.id))
