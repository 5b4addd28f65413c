"""Buying drop units through the shop's payment path: an order at the drop price, a hold at pre-checkout,
exactly-once payment recording keyed by Telegram's charge id.

Two counters make the limits hold under any concurrency, each moved by one conditional UPDATE: the drop's
`claimed` (held or sold units, never above its quantity) and the member's allowance on the drop (never
above the per-member limit, across all their orders and payments). Pressing Buy again reuses the
member's open order, and a repeated pre-checkout extends the hold it already has, so one member holds
at most what the limit allows, however often they press.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.drops import notices, raffle, shelf
from domain.drops.errors import DropError
from domain.drops.model import ClaimStatus, Drop, DropClaim, DropStatus, EntryStatus, UnitsHold, UnitsTaken
from domain.drops.rules import check_can_buy
from domain.errors import DomainError, ErrorCode
from domain.member_registry import can_message
from domain.memberships import perks
from domain.money import Money
from domain.numbers import whole_number
from domain.ports import UnitOfWork
from domain.shop import digital
from domain.shop.errors import ShopError
from domain.shop.orders import HOLD_TTL, NewOrder, Order, OrderLine, OrderStatus
from domain.shop.payments.outcome import PaymentOutcome
from domain.shop.payments.received import ReceivedPayment
from domain.shop.payments.recording import record_against_order

PAYLOAD_PREFIX = "drop:"


def payload_for(order_id: int) -> str:
    return f"{PAYLOAD_PREFIX}{order_id}"


def order_id_from(payload: str) -> int | None:
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    digits = payload[len(PAYLOAD_PREFIX) :]
    return whole_number(digits) if digits == digits.strip() else None


@dataclass(frozen=True, slots=True)
class DropCheckout:
    drop: Drop
    order: Order

    @property
    def payload(self) -> str:
        return payload_for(self.order.id)


async def _drop(uow: UnitOfWork, drop_id: int) -> Drop:
    drop = await uow.drops.get(drop_id)
    if drop is None or drop.status is DropStatus.DRAFT:
        raise DomainError(DropError.UNKNOWN)
    return drop


async def _check_raffle_offer(uow: UnitOfWork, now: datetime, drop: Drop, user_id: int) -> None:
    entry = await uow.drop_fans.entry(drop.id, user_id)
    if entry is None or entry.status is not EntryStatus.OFFERED:
        if entry is not None and entry.status is EntryStatus.CLAIMED:
            raise DomainError(DropError.LIMIT_REACHED, limit=1)
        raise DomainError(DropError.NOT_A_WINNER, title=drop.title)
    if entry.offer_expires_at is not None and now >= entry.offer_expires_at:
        raise DomainError(DropError.OFFER_EXPIRED, title=drop.title)


async def start_purchase(
    uow: UnitOfWork,
    now: datetime,
    user_id: int,
    drop_id: int,
    chat_id: int,
    community_id: int | None,
    fiat_payments: bool = False,
) -> DropCheckout:
    """The member pressed Buy on a drop: their open order for it (one per member and drop), at the drop price.

    The drop sets its early-access window; a membership whose plan grants early access is what lets a
    member in during it, when the plan is the operator's or the drop's brand's (not another brand's).
    """
    drop = await _drop(uow, drop_id)
    if drop.is_raffle:
        await _check_raffle_offer(uow, now, drop, user_id)
    else:
        early_access_member = (
            drop.early_access > timedelta(0) and await perks.early_access_minutes(uow, now, user_id, drop.brand_id) > 0
        )
        check_can_buy(drop, now, early_access_member)
    if not drop.price.is_stars and not fiat_payments:
        raise DomainError(ShopError.CURRENCY_UNAVAILABLE, currency=drop.price.currency)
    limit = 1 if drop.is_raffle else drop.per_member_limit
    existing = await uow.drop_claims.open_for(drop.id, user_id)
    if existing is not None:
        order = await uow.orders.get(existing.order_id)
        if order is not None:
            return DropCheckout(drop, order)
    if await uow.drop_claims.allowance_used(drop.id, user_id) >= limit:
        raise DomainError(DropError.LIMIT_REACHED, limit=limit)
    product = await uow.products.get(drop.product_id)
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    line = OrderLine(product.id, product.sku, drop.title, 1, drop.price)
    order = await uow.orders.add(NewOrder(user_id, chat_id, community_id, (line,), now))
    await uow.drop_claims.add(DropClaim(order.id, drop.id, user_id, 1, ClaimStatus.PENDING, None, now))
    return DropCheckout(drop, order)


async def _claim_and_order(uow: UnitOfWork, payload: str) -> tuple[DropClaim, Order]:
    order_id = order_id_from(payload)
    claim = await uow.drop_claims.get(order_id) if order_id is not None else None
    order = await uow.orders.get(claim.order_id) if claim is not None else None
    if claim is None or order is None:
        raise DomainError(ShopError.ORDER_UNKNOWN)
    return claim, order


def pre_checkout_hold(drop: Drop, claim: DropClaim, expires_at: datetime) -> UnitsHold:
    """What a pre-checkout holds for a claim waiting on the drop (a new one, or one whose hold lapsed): its
    units, within the member's limit, while the drop sells, until `expires_at`."""
    return UnitsHold(
        order_id=claim.order_id,
        drop_id=drop.id,
        user_id=claim.user_id,
        quantity=claim.quantity,
        limit=_limit(drop),
        drop_statuses=_claimable(drop),
        claim_from=(ClaimStatus.PENDING, ClaimStatus.RELEASED),
        order_from=(OrderStatus.PENDING, OrderStatus.EXPIRED),
        expires_at=expires_at,
    )


def _limit(drop: Drop) -> int:
    return 1 if drop.is_raffle else drop.per_member_limit


def _claimable(drop: Drop) -> tuple[DropStatus, ...]:
    """The drop statuses its units may be claimed in: a raffle's winners pay after it closed."""
    return (DropStatus.OPEN, DropStatus.CLOSED) if drop.is_raffle else (DropStatus.SCHEDULED, DropStatus.OPEN)


def _raise_unless_taken(taken: UnitsTaken, drop: Drop) -> None:
    if taken is UnitsTaken.LIMIT_REACHED:
        raise DomainError(DropError.LIMIT_REACHED, limit=_limit(drop))
    if taken is not UnitsTaken.TAKEN:
        raise DomainError(DropError.SOLD_OUT, title=drop.title)


async def _take_units(uow: UnitOfWork, now: datetime, drop: Drop, claim: DropClaim) -> None:
    """Take the member's allowance and the drop's units, both or neither."""
    taken = await uow.drops.claim_for_member(drop.id, claim.user_id, claim.quantity, _limit(drop), _claimable(drop))
    _raise_unless_taken(taken, drop)


async def accept_pre_checkout(
    uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money, hold_ttl: timedelta = HOLD_TTL
) -> DropClaim:
    """Hold a unit for the invoice, or raise why not. Repeating it for the same order extends the hold.

    Each write here is whole on its own (an extension, or the one hold of claim, order, allowance and unit), and
    a refusal writes nothing: so the caller may run it in a unit of work whose statements commit one by one,
    where the drop's row, which every buyer in a rush waits on, is locked only while the hold's statement runs.
    """
    claim, order = await _claim_and_order(uow, payload)
    if order.user_id != payer_id:
        raise DomainError(ShopError.ORDER_NOT_YOURS)
    if order.status is OrderStatus.PAID or claim.status is ClaimStatus.PAID:
        raise DomainError(ShopError.ORDER_ALREADY_PAID)
    closed = _closed_reason(order)
    if closed is not None:  # e.g. refunded: paying its invoice again must take neither a unit nor the allowance
        raise DomainError(closed)
    if amount != order.total:
        raise DomainError(ShopError.ORDER_AMOUNT_MISMATCH)
    drop = await _drop(uow, claim.drop_id)
    expires = now + hold_ttl
    if claim.status is ClaimStatus.HELD and await uow.drop_claims.extend(claim.order_id, expires):
        return claim
    if drop.is_raffle:
        await _check_raffle_offer(uow, now, drop, payer_id)
    elif drop.ended or now >= drop.ends_at:
        raise DomainError(
            DropError.CANCELLED if drop.status is DropStatus.CANCELLED else DropError.ENDED, title=drop.title
        )
    elif drop.status is not DropStatus.OPEN and now < drop.starts_at - drop.early_access:
        # The order was made under early access (Buy checked membership); anything earlier is forged.
        raise DomainError(DropError.NOT_OPEN, title=drop.title)
    product = await uow.products.get(order.lines[0].product_id)
    if product is not None:
        await digital.require_codes(uow, product, claim.quantity)  # a digital product whose codes ran out
    if drop.remaining < claim.quantity:
        # Read before any write so that a rush of late buyers costs one read each; the conditional
        # update in the hold is still what guarantees no overselling.
        raise DomainError(DropError.SOLD_OUT, title=drop.title)
    taken = await uow.drops.hold_units(pre_checkout_hold(drop, claim, expires))
    if taken is UnitsTaken.NOT_WAITING:
        # Another pre-checkout of this order held it first: this one extends that hold.
        if await uow.drop_claims.extend(claim.order_id, expires):
            return claim
        raise DomainError(ShopError.ORDER_CLOSED)
    _raise_unless_taken(taken, drop)
    return claim


async def sold_out_refusal(uow: UnitOfWork, now: datetime, payer_id: int, payload: str) -> DomainError | None:
    """What most of a rush's payment forms get, found by reading alone: the payer's claim still waits for a
    unit and the open first-come drop has none left. None when the full check must decide (it holds a unit,
    extends a hold, or refuses for another reason): so nothing here can sell a unit, only refuse earlier,
    with no write lock taken. A refusal read from a moment-old state is the one the payer would have got a
    moment earlier."""
    order_id = order_id_from(payload)
    claim = await uow.drop_claims.get(order_id) if order_id is not None else None
    if claim is None or claim.user_id != payer_id or claim.status not in (ClaimStatus.PENDING, ClaimStatus.RELEASED):
        return None
    drop = await uow.drops.get(claim.drop_id)
    if drop is None or drop.is_raffle or drop.status is not DropStatus.OPEN or now >= drop.ends_at:
        return None
    if drop.remaining >= claim.quantity:
        return None
    return DomainError(DropError.SOLD_OUT, title=drop.title)


async def record_payment(uow: UnitOfWork, now: datetime, received: ReceivedPayment) -> PaymentOutcome:
    """Exactly once per charge: the held unit becomes sold; money for a unit we cannot give goes back."""
    order_id = order_id_from(received.payload)
    named = await uow.drop_claims.get(order_id) if order_id is not None else None
    # Someone else's claim is as good as none: a forged payment never touches another member's order.
    claim = named if named is not None and named.user_id == received.user_id else None
    order = await uow.orders.get(named.order_id) if named is not None else None
    mine = order if claim is not None else None
    return await record_against_order(
        uow, now, received, order, lambda: _deliver(uow, now, claim, mine, received.user_id, received.amount)
    )


async def _deliver(
    uow: UnitOfWork, now: datetime, claim: DropClaim | None, order: Order | None, payer_id: int, amount: Money
) -> ErrorCode | None:
    if claim is None or order is None:
        return ShopError.ORDER_UNKNOWN
    if order.user_id != payer_id:
        return ShopError.ORDER_NOT_YOURS
    if order.status is OrderStatus.PAID or claim.status is ClaimStatus.PAID:
        return ShopError.ORDER_ALREADY_PAID
    closed = _closed_reason(order)
    if closed is not None:
        return closed
    if amount != order.total:
        return ShopError.ORDER_AMOUNT_MISMATCH
    drop = await _drop(uow, claim.drop_id)
    if not await uow.drop_claims.transition(claim.order_id, (ClaimStatus.HELD,), ClaimStatus.PAID, paid_at=now):
        # The hold lapsed (or never happened) before the money came: sell only if a unit is still free.
        late = (ClaimStatus.PENDING, ClaimStatus.RELEASED)
        if not await uow.drop_claims.transition(claim.order_id, late, ClaimStatus.PAID, paid_at=now):
            return ShopError.ORDER_ALREADY_PAID
        try:
            await _take_units(uow, now, drop, claim)
        except DomainError as refusal:
            await uow.drop_claims.transition(claim.order_id, (ClaimStatus.PAID,), ClaimStatus.RELEASED)
            return refusal.code
    moved = await uow.orders.transition(order.id, PAYABLE, OrderStatus.PAID, paid_at=now)
    if not moved:
        # Closed meanwhile: the unit and the member's allowance taken above are not this payment's to keep.
        if await uow.drop_claims.transition(claim.order_id, (ClaimStatus.PAID,), ClaimStatus.RELEASED):
            await uow.drops.release_units(drop.id, claim.quantity)
            await uow.drop_claims.give_back_allowance(drop.id, claim.user_id, claim.quantity)
        return ShopError.ORDER_CLOSED
    await uow.drops.record_sale(drop.id, claim.quantity, amount.amount, now)
    await shelf.sell(uow, drop, claim.quantity)
    if drop.is_raffle:
        await uow.drop_fans.move_entry(drop.id, claim.user_id, (EntryStatus.OFFERED,), EntryStatus.CLAIMED)
    return None


PAYABLE = (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED)


def _closed_reason(order: Order) -> ShopError | None:
    """Why an order that is not paid can no longer be paid, or None while it can."""
    if order.status in (OrderStatus.REFUND_DUE, OrderStatus.REFUNDED):
        return ShopError.ORDER_REFUNDED
    if order.status not in PAYABLE:
        return ShopError.ORDER_CLOSED
    return None


async def release_lapsed_holds(uow: UnitOfWork, now: datetime, batch: int = 200) -> int:
    """Units held by payments never completed go back to the drop, and to the member's allowance."""
    released = 0
    for claim in await uow.drop_claims.due(now, batch):
        # Re-checked in the update: a pre-checkout may have extended the hold since `due` read it.
        released_now = await uow.drop_claims.transition(
            claim.order_id, (ClaimStatus.HELD,), ClaimStatus.RELEASED, lapsed_by=now
        )
        if released_now:
            await uow.drops.release_units(claim.drop_id, claim.quantity)
            await uow.drop_claims.give_back_allowance(claim.drop_id, claim.user_id, claim.quantity)
            await uow.orders.transition(claim.order_id, (OrderStatus.HELD,), OrderStatus.EXPIRED)
            released += 1
    return released


async def remind_me(uow: UnitOfWork, now: datetime, drop_id: int, user_id: int) -> bool:
    """Ask for a private reminder when the drop opens. False if asked already."""
    drop = await _drop(uow, drop_id)
    if drop.ended:
        raise DomainError(DropError.ENDED, title=drop.title)
    if drop.status is DropStatus.OPEN:
        raise DomainError(DropError.ALREADY_OPEN, title=drop.title)
    return await uow.drop_fans.add_reminder(drop.id, user_id, now)


@dataclass(frozen=True, slots=True)
class RaffleEntryResult:
    drop: Drop
    added: bool  # False: they had entered already
    pseudonym: str | None  # how the published list names them (None for raffles from before pseudonyms)


PSEUDONYM_ATTEMPTS = 8


async def _free_pseudonym(uow: UnitOfWork, drop: Drop, user_id: int) -> str | None:
    if drop.pseudonym_key is None:
        return None
    for attempt in range(PSEUDONYM_ATTEMPTS):
        candidate = raffle.pseudonym(drop.pseudonym_key, user_id, attempt)
        holder = await uow.drop_fans.by_pseudonym(drop.id, candidate)
        if holder is None or holder.user_id == user_id:
            return candidate
    raise RuntimeError(f"no free pseudonym for an entrant of drop {drop.id}")  # eight collisions in a row


async def enter_raffle(
    uow: UnitOfWork, now: datetime, drop_id: int, user_id: int, tell_in_private: bool = False
) -> RaffleEntryResult:
    """Enter during the entry window, under a pseudonym. Only a member the bot can write to may enter: a
    winner must be told. With `tell_in_private` (they entered from a group) a private note names their
    pseudonym, so that they can find themselves in the published list."""
    drop = await _drop(uow, drop_id)
    if not drop.is_raffle:
        raise DomainError(DropError.NOT_A_RAFFLE, title=drop.title)
    if drop.ended or now >= drop.ends_at:
        raise DomainError(DropError.ENDED, title=drop.title)
    if drop.status is not DropStatus.OPEN:
        raise DomainError(DropError.NOT_OPEN, title=drop.title)
    existing = await uow.drop_fans.entry(drop.id, user_id)
    if existing is not None:
        return RaffleEntryResult(drop, False, existing.pseudonym)
    if not await can_message(uow, user_id):
        raise DomainError(DropError.START_BOT_FIRST, title=drop.title)
    name = await _free_pseudonym(uow, drop, user_id)
    if not await uow.drop_fans.enter(drop.id, user_id, now, name):
        entered = await uow.drop_fans.entry(drop.id, user_id)  # a second press won the race
        return RaffleEntryResult(drop, False, entered.pseudonym if entered else name)
    if not await uow.drops.count_entrant(drop.id):
        # Entries closed meanwhile; the caller rolls the entry back with the transaction.
        raise DomainError(DropError.ENDED, title=drop.title)
    if tell_in_private:
        await uow.outbox.enqueue(notices.raffle_entered(drop, user_id, name), now)
    return RaffleEntryResult(drop, True, name)
