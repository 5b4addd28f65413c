"""Refunds owed: done by the bot for Stars, by a person for other providers, and never forgotten.

A Stars refund that fails for a passing reason stays due and is retried; one that Telegram keeps refusing
is handed to the operators after `ESCALATE_AFTER` refusals instead of being retried forever. Refunds in
other currencies are listed for the operators (`/refunds`, `circlecart refunds list`) until one of them
marks it done.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from domain.actors import Actor
from domain.clock import Clock
from domain.errors import ErrorCode
from domain.messenger import Messenger, MessengerError, Rejected
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.shop.errors import ShopError
from domain.shop.orders import OrderStatus, Payment, PaymentStatus
from domain.shop.payments import answers

log = logging.getLogger(__name__)

ESCALATE_AFTER = 3


async def refund_stars(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    messenger: Messenger,
    payment: Payment,
    operators: Sequence[int],
    chat_id: int | None = None,
    title: str = "",
    not_before: datetime | None = None,
    answer: bool = True,
    reason: ErrorCode | None = None,
) -> bool:
    """The one way a Stars payment goes back: ask Telegram, record it, tell the member once. True if done.

    A passing failure leaves the refund due for the retry job (the member hears it is on its way); a
    refusal counts towards handing it to the operators. `answer=False` when the caller tells the member
    in its own words (a cancelled group buy, an operator's refund).
    """
    why = reason or payment.refund_reason or ShopError.ORDER_CLOSED

    async def tell(uow: UnitOfWork, how: str) -> None:
        if answer:
            notice = answers.refund(payment, chat_id or payment.user_id, why, title, how, not_before)
            await uow.outbox.enqueue(notice, clock.now())

    try:
        await messenger.refund_star_payment(payment.user_id, payment.telegram_charge_id)
    except Rejected as error:
        if "ALREADY_REFUNDED" not in str(error).upper():
            log.error("Telegram refused to refund %s: %s", payment.telegram_charge_id, error)
            async with uow_factory() as uow:
                await tell(uow, answers.PENDING)
                await refund_refused(uow, clock.now(), payment, str(error), operators)
                await uow.commit()
            return False
    except MessengerError as error:
        log.warning("refund of %s failed for now, will retry: %s", payment.telegram_charge_id, error)
        async with uow_factory() as uow:
            await tell(uow, answers.PENDING)
            await uow.commit()
        return False
    async with uow_factory() as uow:
        if await complete_refund(uow, clock.now(), payment):
            await tell(uow, answers.DONE)
        await uow.commit()
    return True


async def complete_refund(uow: UnitOfWork, now: datetime, payment: Payment, by: int | None = None) -> bool:
    """Record that the money went back. True if this call recorded it."""
    moved = await uow.payments.set_status(payment.id, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED, at=now, by=by)
    if moved and payment.order_id is not None:
        await uow.orders.transition(payment.order_id, (OrderStatus.REFUND_DUE,), OrderStatus.REFUNDED)
    return moved


async def star_refunds_due(uow: UnitOfWork, limit: int = 100) -> tuple[Payment, ...]:
    """Stars refunds the bot still has to make: due, and not handed to the operators."""
    due = await uow.payments.refunds_owed(limit)
    return tuple(p for p in due if p.amount.is_stars and p.escalated_at is None)


async def owed_by_people(uow: UnitOfWork, actor: Actor, limit: int = 100) -> tuple[Payment, ...]:
    """Refunds a person has to make: other currencies, and Stars refunds Telegram kept refusing. The
    operators' list: it names members and what they paid."""
    actor.require_operator(refusal=ShopError.REFUND_NOT_ALLOWED)
    due = await uow.payments.refunds_owed(limit)
    return tuple(p for p in due if not p.amount.is_stars or p.escalated_at is not None)


async def refund_refused(
    uow: UnitOfWork, now: datetime, payment: Payment, error: str, operators: Sequence[int]
) -> bool:
    """Telegram refused a Stars refund. True when this refusal handed it to the operators (and the member
    and the operators were told)."""
    refusals = await uow.payments.refund_refused(payment.id)
    if refusals < ESCALATE_AFTER or not await uow.payments.escalate(payment.id, now):
        return False
    for notice in answers.refund_owed(payment, payment.refund_reason or ShopError.ORDER_CLOSED, operators, error):
        await uow.outbox.enqueue(notice, now)
    return True


async def mark_done(uow: UnitOfWork, now: datetime, actor: Actor, payment_id: int) -> Payment | None:
    """An operator refunded by hand (recorded as done by `actor`). The payment, or None if no refund of
    that number is owed."""
    actor.require_operator(refusal=ShopError.REFUND_NOT_ALLOWED)
    payment = await uow.payments.get(payment_id)
    if payment is None or payment.status is not PaymentStatus.REFUND_DUE:
        return None
    if not await complete_refund(uow, now, payment, by=actor.user_id):
        return None
    await uow.outbox.enqueue(answers.refunded_by_hand(payment), now)
    return await uow.payments.get(payment_id)
