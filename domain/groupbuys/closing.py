"""How a group buy ends: filled (every order confirmed, everyone told) or cancelled (every payment back).

Every ending is a conditional status change on the group buy, so the job and a late payment cannot both
end it; each participant is refunded through its own conditional change, so nothing is refunded twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.groupbuys.model import GroupBuy, GroupBuyStatus, Participant, ParticipantStatus, leader
from domain.member_registry import can_message
from domain.notices import Notice, NoticeParams
from domain.points import accounts
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork
from domain.shop import after_paid
from domain.shop.orders import HoldStatus, OrderStatus, Payment
from domain.shop.payments.recording import payments_due_back

OPEN_ORDER = (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.EXPIRED)


@dataclass(frozen=True, slots=True)
class Cancelled:
    group_buy: GroupBuy
    star_refunds: tuple[Payment, ...]  # the bot refunds these right away; other currencies stay refund-due


def card_params(group_buy: GroupBuy, participants: list[Participant]) -> NoticeParams:
    """Everything the progress card shows, as notice params (it is rendered when sent, in the chat's language)."""
    paid = [p for p in participants if p.status is ParticipantStatus.PAID]
    first = leader(participants)
    return {
        "group_buy": group_buy.id,
        "title": group_buy.title,
        "price": group_buy.price.display(),
        "paid": len(paid),
        "size": group_buy.size,
        "deadline": group_buy.deadline.strftime("%Y-%m-%d %H:%M UTC"),
        "names": ", ".join(p.name for p in paid),
        "leader": first.name if first else "",
        "code": group_buy.code,
        "status": group_buy.status.value,
    }


async def update_card(uow: UnitOfWork, now: datetime, group_buy: GroupBuy) -> None:
    """Queue an edit of the progress card with the current state (each change has its own key)."""
    current = await uow.group_buys.get(group_buy.id)
    if current is not None and current.card_message_id is None:
        # A card the payments job posted through the outbox: link it once it is out.
        posted = await uow.outbox.get_by_key(f"gb:{current.id}:post")
        if posted is not None and posted.message_id is not None:
            await uow.group_buys.set_card(current.id, posted.message_id)
            current = await uow.group_buys.get(group_buy.id)
    if current is None or current.card_message_id is None:
        return  # not posted yet: the card is posted with the state of its moment
    version = await uow.group_buys.next_card_version(current.id)
    participants = list(await uow.group_buys.participants(current.id))
    await uow.outbox.enqueue(
        Notice(
            key=f"gb:{current.id}:card:{version}",
            chat_id=current.chat_id,
            kind="groupbuy.card",
            params=card_params(current, participants),
            edit_message_id=current.card_message_id,
        ),
        now,
    )


async def on_filled(uow: UnitOfWork, now: datetime, policy: RewardsPolicy, group_buy: GroupBuy) -> None:
    """Every seat is paid: the orders stand, points are earned, everyone is told, unpaid invoices lapse."""
    participants = list(await uow.group_buys.participants(group_buy.id))
    for participant in participants:
        if participant.status is ParticipantStatus.JOINED:
            await _drop(uow, participant)
            continue
        if participant.status is not ParticipantStatus.PAID:
            continue
        order = await uow.orders.get(participant.order_id)
        paid = await after_paid.order_paid(uow, now, policy, order)
        if paid.undeliverable is not None and order is not None:
            # A digital seat whose pool of codes ran dry: its money goes back (the refund job makes it).
            await uow.group_buys.set_participant_status(
                participant.id, ParticipantStatus.PAID, ParticipantStatus.REFUNDED
            )
            if await can_message(uow, participant.user_id):
                await uow.outbox.enqueue(after_paid.refunded_notice(order), now)
            continue
        if await can_message(uow, participant.user_id):
            await uow.outbox.enqueue(
                Notice(
                    key=f"gb:{group_buy.id}:filled:{participant.user_id}",
                    chat_id=participant.user_id,
                    kind="groupbuy.filled",
                    params={"title": group_buy.title, "order": participant.order_id, "size": group_buy.size},
                    language_of=participant.user_id,
                ),
                now,
            )
    first = leader(participants)
    if first is not None:
        await accounts.earn(
            uow.points,
            now,
            policy,
            first.user_id,
            Reason.GROUPBUY,
            f"groupbuy:{group_buy.id}",
            policy.group_buy_leader_points,
            order_id=first.order_id,
        )
    await update_card(uow, now, group_buy)
    if group_buy.chat_id < 0:
        await uow.outbox.enqueue(
            Notice(
                key=f"gb:{group_buy.id}:filled:chat",
                chat_id=group_buy.chat_id,
                kind="groupbuy.filled_chat",
                params=card_params(group_buy, participants),
            ),
            now,
        )


async def cancel_due(uow: UnitOfWork, now: datetime, batch: int = 50) -> list[Cancelled]:
    """Group buys short at their deadline: cancelled, every payment marked for refund, everyone told."""
    cancelled: list[Cancelled] = []
    for group_buy in await uow.group_buys.due(now, batch):
        if await uow.group_buys.cancel(group_buy.id, now, only_if_due=True):
            cancelled.append(await _unwind(uow, now, group_buy))
    return cancelled


async def _unwind(uow: UnitOfWork, now: datetime, group_buy: GroupBuy) -> Cancelled:
    refunds: list[Payment] = []
    paid_before = group_buy.paid_count
    for participant in await uow.group_buys.participants(group_buy.id):
        if participant.status is ParticipantStatus.JOINED:
            await _drop(uow, participant)
        elif participant.status is ParticipantStatus.PAID:
            refunds.extend(await refund_participant(uow, now, group_buy, participant))
    current = await uow.group_buys.get(group_buy.id)
    assert current is not None
    await update_card(uow, now, current)
    if current.chat_id < 0 and paid_before > 0:
        participants = list(await uow.group_buys.participants(group_buy.id))
        params = dict(card_params(current, participants))
        params["paid"] = paid_before
        await uow.outbox.enqueue(
            Notice(
                key=f"gb:{group_buy.id}:cancelled:chat",
                chat_id=current.chat_id,
                kind="groupbuy.cancelled_chat",
                params=params,
            ),
            now,
        )
    return Cancelled(current, tuple(p for p in refunds if p.amount.is_stars))


async def refund_participant(
    uow: UnitOfWork, now: datetime, group_buy: GroupBuy, participant: Participant
) -> list[Payment]:
    """Send one paid member's money back (exactly once): their unit returns, their order is refund-due."""
    if not await uow.group_buys.set_participant_status(
        participant.id, ParticipantStatus.PAID, ParticipantStatus.REFUNDED
    ):
        return []
    await release_order(uow, participant.order_id)
    await uow.orders.transition(participant.order_id, (OrderStatus.PAID,), OrderStatus.REFUND_DUE)
    refunds = await payments_due_back(uow, participant.order_id)
    await after_paid.order_refunded(uow, now, participant.order_id)
    amount = refunds[0].amount if refunds else group_buy.price
    if await can_message(uow, participant.user_id):
        await uow.outbox.enqueue(
            Notice(
                key=f"gb:{group_buy.id}:refund:{participant.id}:{participant.order_id}",
                chat_id=participant.user_id,
                kind="groupbuy.cancelled",
                params={
                    "title": group_buy.title,
                    "amount": amount.display(),
                    "by_bot": 1 if amount.is_stars else 0,
                },
                language_of=participant.user_id,
            ),
            now,
        )
    return refunds


async def participant_refunded(uow: UnitOfWork, now: datetime, order_id: int) -> list[Payment]:
    """An operator refunded a group-buy member's order. While the group is open the seat frees up (the
    next joiner leads if it was the starter's); a group with nobody left paid is cancelled."""
    participant = await uow.group_buys.participant_for_order(order_id)
    if participant is None or participant.status is not ParticipantStatus.PAID:
        return []
    group_buy = await uow.group_buys.get(participant.group_buy_id)
    assert group_buy is not None
    if group_buy.status is not GroupBuyStatus.OPEN:
        await uow.group_buys.set_participant_status(participant.id, ParticipantStatus.PAID, ParticipantStatus.REFUNDED)
        return []
    if not await uow.group_buys.set_participant_status(
        participant.id, ParticipantStatus.PAID, ParticipantStatus.REFUNDED
    ):
        return []
    await uow.group_buys.free_seat(group_buy.id)
    await release_order(uow, order_id)
    current = await uow.group_buys.get(group_buy.id)
    assert current is not None
    if current.paid_count == 0 and await uow.group_buys.cancel(current.id, now, only_if_due=False):
        await _unwind(uow, now, current)
        return []
    await update_card(uow, now, current)
    return []


async def release_order(uow: UnitOfWork, order_id: int) -> None:
    """Put the order's unit back on the shelf, once, whether it was held or already sold to it."""
    hold = await uow.holds.active_for_order(order_id)
    if hold is not None and await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.RELEASED):
        await uow.products.release_stock(hold.product_id, hold.quantity)
        return
    sold = await uow.group_buys.release_converted_hold(order_id)
    if sold is not None:
        product_id, quantity = sold
        await uow.products.restock(product_id, quantity)


async def _drop(uow: UnitOfWork, participant: Participant) -> None:
    """A member who never paid: their invoice is void and any unit held for it goes back."""
    if await uow.group_buys.set_participant_status(participant.id, ParticipantStatus.JOINED, ParticipantStatus.DROPPED):
        await release_order(uow, participant.order_id)
        await uow.orders.transition(participant.order_id, OPEN_ORDER, OrderStatus.CANCELLED)


async def card_posted(uow: UnitOfWork, now: datetime, group_buy: GroupBuy, message_id: int) -> None:
    """The progress card went up as `message_id`; if someone joined while it was on its way, it is edited."""
    await uow.group_buys.set_card(group_buy.id, message_id)
    current = await uow.group_buys.get(group_buy.id)
    if current is not None and current.paid_count != group_buy.paid_count:
        await update_card(uow, now, current)
