"""The winner's pre-order: members pay now, up to the pay-by deadline; at the deadline the pre-order stands
if the minimum was paid (the brand gets the order list, supporters get their reward) or every payer is
refunded, exactly once, and told.

Each pre-order is an ordinary order of the brand's product, so a paid one ships through the normal
fulfilment and its money goes through the one payment pipeline; refunds reuse the group buys' way back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import DomainError, ErrorCode
from domain.groupbuys.closing import OPEN_ORDER
from domain.member_registry import can_message
from domain.money import Money
from domain.notices import Notice, NoticeParams
from domain.points import accounts
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork
from domain.shop import after_paid
from domain.shop.errors import ShopError
from domain.shop.orders import NewOrder, Order, OrderLine, OrderStatus, Payment
from domain.shop.payments.outcome import PaymentOutcome
from domain.shop.payments.received import ReceivedPayment
from domain.shop.payments.recording import payments_due_back, record_against_order
from domain.shop.products import Product
from domain.votes.errors import VoteError
from domain.votes.model import (
    PAYLOAD_KIND,
    PreorderLine,
    PreorderStatus,
    Reward,
    Vote,
    VoteStatus,
    order_id_from_payload,
)


def payload_of(order_id: int) -> str:
    return f"{PAYLOAD_KIND}:{order_id}"


@dataclass(frozen=True, slots=True)
class Preorder:
    vote: Vote
    product: Product
    order: Order

    @property
    def payload(self) -> str:
        return payload_of(self.order.id)


async def _open_vote(uow: UnitOfWork, now: datetime, vote_id: int) -> tuple[Vote, Product]:
    vote = await uow.votes.get(vote_id)
    if vote is None:
        raise DomainError(VoteError.UNKNOWN)
    if vote.status is not VoteStatus.CLOSED or vote.product_id is None:
        raise DomainError(VoteError.NOT_CLOSED, title=vote.question)
    if vote.preorder is not PreorderStatus.OPEN or now >= vote.terms.pay_by:
        raise DomainError(VoteError.PREORDER_CLOSED, title=vote.winning_title)
    product = await uow.products.get(vote.product_id)
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    return vote, product


async def start(
    uow: UnitOfWork, now: datetime, vote_id: int, user_id: int, chat_id: int, fiat_payments: bool = True
) -> Preorder:
    """A member wants the winner: an order at the pre-order price (the same one while it is unpaid)."""
    vote, product = await _open_vote(uow, now, vote_id)
    if not vote.terms.price.is_stars and not fiat_payments:
        raise DomainError(ShopError.CURRENCY_UNAVAILABLE, currency=vote.terms.price.currency)
    if now < vote.open_to_all_at():
        ballot = await uow.votes.ballot(vote.id, user_id)
        if ballot is None or ballot.option != vote.winner:
            raise DomainError(VoteError.SUPPORTERS_FIRST, title=vote.winning_title, at=_when(vote.open_to_all_at()))
    line = await uow.votes.line_of(vote.id, user_id)
    existing = await uow.orders.get(line.order_id) if line is not None else None
    if existing is not None and existing.status is OrderStatus.PAID:
        raise DomainError(VoteError.ALREADY_ORDERED, title=vote.winning_title)
    if existing is not None and existing.status in OPEN_ORDER:
        return Preorder(vote, product, existing)
    community = await uow.communities.get(chat_id) if chat_id < 0 else None
    order = await uow.orders.add(
        NewOrder(
            user_id,
            chat_id,
            community.chat_id if community is not None else None,
            (OrderLine(product.id, product.sku, product.title, 1, vote.terms.price),),
            now,
        )
    )
    await uow.votes.add_line(PreorderLine(vote.id, order.id, user_id, chat_id))
    return Preorder(vote, product, order)


async def accept_pre_checkout(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> Order:
    """The payment form is about to charge: the pre-order must still take payments for this order."""
    order_id = order_id_from_payload(payload)
    line = await uow.votes.line_for_order(order_id) if order_id is not None else None
    order = await uow.orders.get(order_id) if order_id is not None else None
    if line is None or order is None:
        raise DomainError(ShopError.ORDER_UNKNOWN)
    if order.user_id != payer_id:
        raise DomainError(ShopError.ORDER_NOT_YOURS)
    await _open_vote(uow, now, line.vote_id)
    if order.status not in OPEN_ORDER:
        raise DomainError(ShopError.ORDER_CLOSED)
    if amount != order.total:
        raise DomainError(ShopError.ORDER_AMOUNT_MISMATCH)
    return order


async def record_payment(uow: UnitOfWork, now: datetime, received: ReceivedPayment) -> PaymentOutcome:
    """The money for a pre-order: recorded once; the order is paid while the pre-order is open, else the
    money is marked for refund with the reason."""
    order_id = order_id_from_payload(received.payload)
    line = await uow.votes.line_for_order(order_id) if order_id is not None else None
    named = await uow.orders.get(order_id) if order_id is not None and line is not None else None

    async def deliver() -> ErrorCode | None:
        assert named is not None and line is not None
        vote = await uow.votes.get(line.vote_id)
        if vote is None or vote.preorder is not PreorderStatus.OPEN or now >= vote.terms.pay_by:
            return VoteError.PREORDER_CLOSED
        if named.status is OrderStatus.PAID:
            return ShopError.ORDER_ALREADY_PAID
        if received.amount != named.total:
            return ShopError.ORDER_AMOUNT_MISMATCH
        moved = await uow.orders.transition(named.id, OPEN_ORDER, OrderStatus.PAID, paid_at=now)
        return None if moved else ShopError.ORDER_CLOSED

    if named is None:
        received = replace(received, payload=f"{PAYLOAD_KIND}:unknown")

    async def unknown() -> ErrorCode | None:
        return ShopError.ORDER_UNKNOWN

    return await record_against_order(uow, now, received, named, deliver if named is not None else unknown)


@dataclass(frozen=True, slots=True)
class Settled:
    vote: Vote
    reached: bool
    paid: int
    star_refunds: tuple[Payment, ...]  # the job refunds these right away; other currencies stay refund-due


async def settle_due(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, batch: int = 20) -> list[Settled]:
    """Pre-orders past their pay-by deadline: they stand (minimum paid) or every payer is refunded."""
    done: list[Settled] = []
    for vote in await uow.votes.due_to_settle(now, batch):
        paid = await _paid_orders(uow, vote)
        reached = len(paid) >= vote.terms.minimum
        if not await uow.votes.settle(vote.id, PreorderStatus.REACHED if reached else PreorderStatus.MISSED):
            continue  # another run settled it
        await _drop_unpaid(uow, vote)
        if reached:
            await _stand(uow, now, policy, vote, paid)
            done.append(Settled(vote, True, len(paid), ()))
        else:
            refunds: list[Payment] = []
            for order in paid:
                refunds.extend(await _refund(uow, now, vote, order))
            done.append(Settled(vote, False, len(paid), tuple(p for p in refunds if p.amount.is_stars)))
    return done


async def _paid_orders(uow: UnitOfWork, vote: Vote) -> list[Order]:
    paid = []
    for line in await uow.votes.lines(vote.id):
        order = await uow.orders.get(line.order_id)
        if order is not None and order.status is OrderStatus.PAID:
            paid.append(order)
    return paid


async def _drop_unpaid(uow: UnitOfWork, vote: Vote) -> None:
    for line in await uow.votes.lines(vote.id):
        await uow.orders.transition(line.order_id, OPEN_ORDER, OrderStatus.CANCELLED)


async def _stand(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, vote: Vote, paid: list[Order]) -> None:
    """The minimum was paid: the orders are the brand's to make and ship; payers, the brand and the
    supporters of the winner hear so."""
    for order in paid:
        await after_paid.order_paid(uow, now, policy, order)
        if await can_message(uow, order.user_id):
            await uow.outbox.enqueue(
                Notice(
                    key=f"vote:{vote.id}:stands:{order.id}",
                    chat_id=order.user_id,
                    kind="vote.preorder_stands",
                    params=_payer_params(vote, order),
                    language_of=order.user_id,
                ),
                now,
            )
    params: NoticeParams = {
        "vote": vote.id,
        "title": vote.winning_title,
        "count": len(paid),
        "minimum": vote.terms.minimum,
        "orders": "\n".join(f"#{o.id} · {o.user_id} · {o.total.display()}" for o in paid),
        "csv": order_list_csv(vote, paid),
    }
    for staff_id in await uow.brand_staff.staff_of(vote.brand_id):
        await uow.outbox.enqueue(
            Notice(
                key=f"vote:{vote.id}:order_list:{staff_id}",
                chat_id=staff_id,
                kind="vote.order_list",
                params=params,
                language_of=staff_id,
            ),
            now,
        )
    if vote.terms.reward is Reward.POINTS and vote.winner is not None:
        for ballot in await uow.votes.ballots(vote.id):
            if ballot.option != vote.winner:
                continue
            entry = await accounts.earn(
                uow.points, now, policy, ballot.user_id, Reason.VOTE, f"vote:{vote.id}", vote.terms.reward_points
            )
            if entry is not None and await can_message(uow, ballot.user_id):
                await uow.outbox.enqueue(
                    Notice(
                        key=f"vote:{vote.id}:reward:{ballot.user_id}",
                        chat_id=ballot.user_id,
                        kind="vote.reward",
                        params={"title": vote.winning_title, "points": entry.delta},
                        language_of=ballot.user_id,
                    ),
                    now,
                )


def order_list_csv(vote: Vote, paid: list[Order]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["order", "member", "product", "quantity", "amount", "currency", "paid_at", "community"])
    for order in paid:
        line = order.lines[0]
        writer.writerow(
            [
                order.id,
                order.user_id,
                line.title,
                line.quantity,
                order.total.major_text(),
                order.total.currency,
                order.paid_at.isoformat() if order.paid_at else "",
                order.community_id or "",
            ]
        )
    return out.getvalue()


async def _refund(uow: UnitOfWork, now: datetime, vote: Vote, order: Order) -> list[Payment]:
    """One payer's money back, exactly once (conditional changes), and they are told."""
    if not await uow.orders.transition(order.id, (OrderStatus.PAID,), OrderStatus.REFUND_DUE):
        return []
    refunds = await payments_due_back(uow, order.id, reason=VoteError.PREORDER_CLOSED)
    await after_paid.order_refunded(uow, now, order.id)
    if await can_message(uow, order.user_id):
        await uow.outbox.enqueue(
            Notice(
                key=f"vote:{vote.id}:refund:{order.id}",
                chat_id=order.user_id,
                kind="vote.preorder_missed",
                params=_payer_params(vote, order),
                language_of=order.user_id,
            ),
            now,
        )
    return refunds


def _payer_params(vote: Vote, order: Order) -> NoticeParams:
    return {
        "title": vote.winning_title,
        "order": order.id,
        "amount": order.total.display(),
        "minimum": vote.terms.minimum,
        "by_bot": 1 if order.total.is_stars else 0,
    }


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")
