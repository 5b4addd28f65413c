"""Payments: the shop order's pre-checkout, and the one successful-payment handler of every payment kind.

A payment is stored first (one insert), then settled, then answered, each step retried through a
database outage for `RETRY_FOR`; whatever is still unsettled after that, or after the process died, is
settled by the payments job, and a charge that never reached us at all is found by the reconciler. The
member's answer is queued in the same transaction that settles the payment and sent here at once; the
outbox sends it only if this handler could not.

Operators refund a paid order here too (/refund), and see and settle the refunds a person owes
(/refunds, /refunded).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from bots.core.context import Context
from bots.core.events import CommandEvent, PaymentEvent, PreCheckoutEvent
from bots.core.i18n import N_
from bots.core.pre_checkout import answer_pre_checkout
from bots.core.shop import payment_views as pv
from bots.core.shop.errors import RefundCommandError
from bots.core.table import PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.errors import DomainError, ErrorCode
from domain.messenger import MessengerError
from domain.money import Money
from domain.notices import Notice
from domain.numbers import whole_number
from domain.outgoing import View
from domain.ports import UnitOfWork
from domain.shop import checkout
from domain.shop.errors import ShopError
from domain.shop.payments import answering, answers, pipeline, refunds
from domain.shop.payments.kinds import Settled
from domain.shop.payments.operator_refunds import refund_order
from domain.shop.payments.outcome import PaymentResult
from domain.shop.payments.received import ReceivedPayment

log = logging.getLogger(__name__)

T = TypeVar("T")
PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})
RETRY_FOR = 120.0  # seconds: longer than a database restart; the job and the reconciler take over after
RENDERERS = {
    answers.RECEIPT: pv.receipt,
    answers.SEATED: pv.seated,
    answers.REFUND: pv.refund,
    answers.REFUND_OWED: pv.refund_owed,
    answers.RECONCILED: pv.reconciled,
}


ERRORS: dict[ErrorCode, str] = {
    ShopError.REFUND_NOT_ALLOWED: N_("Only the shop's operators can refund orders."),
    ShopError.REFUND_UNKNOWN_ORDER: N_("There is no order #{number}."),
    ShopError.REFUND_ALREADY_DONE: N_("Order #{number} is already refunded."),
    ShopError.REFUND_NOT_PAID: N_("Order #{number} is not paid, so there is nothing to refund."),
    RefundCommandError.USAGE: N_("Send /refund followed by the order number, for example /refund 12."),
    RefundCommandError.DONE_USAGE: N_(
        "Send /refunded followed by the refund's number from /refunds, for example /refunded 7."
    ),
    RefundCommandError.NOT_OWED: N_("No refund #{number} is owed."),
}


def register(table: HandlerTable) -> None:
    for kind, render in RENDERERS.items():
        table.notice(kind, render)
    table.notice("order.refunded_by_shop", pv.order_refunded)
    operator = frozenset({Audience.OPERATOR})
    for name, handler, description, line in (
        ("refund", refund, N_("Refund an order (operators)"), N_("/refund ORDER · refund an order")),
        ("refunds", refunds_owed, N_("Refunds owed (operators)"), N_("/refunds · refunds owed to members")),
        ("refunded", refunded, N_("Mark a refund done (operators)"), N_("/refunded NUMBER · mark a refund done")),
    ):
        lines = ((Audience.OPERATOR, line),)
        table.command(Command(name, handler, description, PRIVATE_ONLY, in_menu=False, audience=operator, help=lines))
    table.errors(ERRORS)


async def pre_checkout(ctx: Context, event: PreCheckoutEvent) -> None:
    # A refusal can change state too (an order whose price went stale is cancelled): keep those changes.
    async def check(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> object:
        # Physical goods: the shipping chosen in the form is priced from the rules and stored on the order first.
        await checkout.choose_shipping(
            uow, ctx.settings.shipping, payer_id, payload, event.shipping_option_id, event.country_code
        )
        return await checkout.accept_pre_checkout(uow, now, payer_id, payload, amount)

    await answer_pre_checkout(ctx, event, check, keep_refusal_changes=True)


async def successful_payment(ctx: Context, event: PaymentEvent) -> None:
    received = ReceivedPayment(
        telegram_charge_id=event.telegram_charge_id,
        provider_charge_id=event.provider_charge_id,
        user_id=event.sender.id,
        chat_id=event.chat.id,
        message_id=event.message_id,
        payload=event.payload,
        amount=Money(event.total_amount, event.currency),
        received_at=ctx.now(),
        subscription_expires_at=event.subscription_expiration_date,
        is_recurring=event.is_recurring,
    )
    stored = await _retrying(ctx, "store", received, lambda: _store(ctx, received))
    if stored is None:
        # Nothing could be written for two minutes. Telegram's record still has the charge: the
        # reconciler finds a Stars payment; for any other currency this line is what the operator has.
        log.error(
            "payment NOT STORED: charge %s, provider charge %s, member %s, %s %s, payload %r",
            received.telegram_charge_id,
            received.provider_charge_id,
            received.user_id,
            received.amount.amount,
            received.amount.currency,
            received.payload,
        )
        return
    settled = await _retrying(ctx, "settle", received, lambda: _settle(ctx, received.telegram_charge_id))
    if not isinstance(settled, Settled):
        return  # settled before (a replayed update), or left to the payments job
    await after_settled(ctx, received, settled, event.message_id, asyncio.get_running_loop().time())


async def after_settled(
    ctx: Context, received: ReceivedPayment, settled: Settled, reply_to: int | None, settled_at: float
) -> None:
    """Refund what must go back, post a group buy's first card, and give the member their one answer.
    `settled_at`: the event loop's time when the settling transaction committed."""
    if settled.result is PaymentResult.REFUND:
        log.warning("payment %s cannot stand (%s): refunding", received.telegram_charge_id, settled.reason)
        if settled.payment.amount.is_stars:
            await refunds.refund_stars(
                ctx.services.uow_factory,
                ctx.services.clock,
                ctx.messenger,
                settled.payment,
                ctx.settings.owner_ids,
                chat_id=received.chat_id,
                title=settled.title,
                reason=settled.reason,
                not_before=ctx.now() + ctx.settings.reply_grace,
            )
    if settled.group_buy_to_post is not None:
        from bots.core.groupbuys.handlers import post_card  # groupbuys imports this module: import late

        try:
            await post_card(ctx, settled.group_buy_to_post)
        except MessengerError as error:
            log.warning("could not post the card of group buy %s: %s", settled.group_buy_to_post, error)
    elapsed = asyncio.get_running_loop().time() - settled_at
    if settled.answer is not None and elapsed < ctx.settings.reply_grace.total_seconds() / 2:
        await send_queued_answer(ctx, settled.answer, reply_to)
    else:
        await deliver_answer(ctx, answers.answer_key(received.telegram_charge_id), reply_to)
    ctx.services.outbox.wake()


async def send_queued_answer(ctx: Context, answer: Notice, reply_to: int | None) -> None:
    """Send the answer this handler just queued: it is born leased to it (due only after the reply grace,
    half of which is still ahead), so no transaction is needed before the send, one marks it after."""

    def mark(uow: UnitOfWork, message_id: int | None) -> Awaitable[bool]:
        return answering.delivered_as_queued(uow, answer.key, ctx.now(), message_id)

    await _send_then_mark(ctx, answer, reply_to, mark)


async def deliver_answer(ctx: Context, key: str, reply_to: int | None) -> None:
    """Send an answer queued by someone else (a refund's) or late: lease its outbox row for the reply grace,
    send, mark it sent, each step short so no transaction waits on Telegram. A failed send hands the row to
    the outbox at once; a crash leaves the lease to lapse, and the outbox sends it then, so it is never
    lost. It goes twice only if the process dies between Telegram's reply and the mark, which no design
    can close (Telegram has no idempotency key for messages)."""
    lease_until = ctx.now() + ctx.settings.reply_grace
    try:
        async with ctx.uow() as uow:
            entry = await answering.take(uow, key, lease_until)
            await uow.commit()
    except Exception as error:  # nothing was taken: the outbox sends it after the grace
        log.info("answer %s not taken now (%r); the outbox will send it", key, error)
        return
    if entry is None:
        return  # no answer queued (a membership answers with its own notices), or it went out already

    async def mark(uow: UnitOfWork, message_id: int | None) -> bool:
        await answering.delivered(uow, entry, ctx.now(), message_id)
        return True

    await _send_then_mark(ctx, entry.notice, reply_to, mark)


async def _send_then_mark(
    ctx: Context,
    answer: Notice,
    reply_to: int | None,
    mark: Callable[[UnitOfWork, int | None], Awaitable[bool]],
) -> None:
    """Send the answer this handler holds the lease of, then record it; a failed send goes to the outbox."""
    try:
        sent = await ctx.messenger.send(answer.chat_id, RENDERERS[answer.kind](ctx, answer.params), reply_to=reply_to)
    except Exception as error:
        log.info("answer %s not sent now (%r); the outbox will send it", answer.key, error)
        await _hand_to_outbox(ctx, answer.key, repr(error))
        return
    await _mark_sent(ctx, answer.key, lambda uow: mark(uow, sent.message_id))


async def _mark_sent(ctx: Context, key: str, mark: Callable[[UnitOfWork], Awaitable[bool]]) -> None:
    """Record the send, retrying through a database hiccup while the lease still stands (after it, the
    outbox would take the row and send the answer a second time)."""
    loop = asyncio.get_running_loop()
    lease_ends = loop.time() + ctx.settings.reply_grace.total_seconds()
    delay = 0.25
    while True:
        try:
            async with ctx.uow() as uow:
                marked = await mark(uow)
                await uow.commit()
            if not marked:
                log.warning("answer %s was sent, but the outbox had taken it: it may go twice", key)
            return
        except Exception as error:
            if loop.time() + delay >= lease_ends:
                log.error("answer %s was sent but could not be marked sent (%r): it may go twice", key, error)
                return
            log.warning("answer %s sent; marking it failed (%r), retrying in %.2fs", key, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _hand_to_outbox(ctx: Context, key: str, error: str) -> None:
    """Make the answer due now rather than after the grace (the handler is alive: it did not die)."""
    try:
        async with ctx.uow() as uow:
            await answering.hand_back(uow, key, ctx.now(), error)
            await uow.commit()
        ctx.services.outbox.wake()
    except Exception:
        log.warning("could not hand answer %s to the outbox now; it goes after the grace", key)


async def _store(ctx: Context, received: ReceivedPayment) -> bool:
    async with ctx.uow() as uow:
        new = await pipeline.receive(uow, received)
        await uow.commit()
    if not new:
        log.info("payment %s was stored before (a replayed update)", received.telegram_charge_id)
    return True


async def _settle(ctx: Context, charge_id: str) -> Settled | bool:
    async with ctx.uow() as uow:
        done = await pipeline.settle(
            uow,
            ctx.now(),
            charge_id,
            ctx.settings.rewards,
            ctx.settings.owner_ids,
            answering_now=True,
            grace=ctx.settings.reply_grace,
        )
        await uow.commit()
    if done is None:
        return False
    return done[1]


async def _retrying(ctx: Context, step: str, received: ReceivedPayment, run: Callable[[], Awaitable[T]]) -> T | None:
    """Run `run` until it succeeds or `RETRY_FOR` passes (the database may be restarting)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RETRY_FOR
    delay = 0.25
    while True:
        try:
            return await run()
        except DomainError:
            raise
        except Exception as error:
            if loop.time() + delay > deadline:
                log.exception(
                    "payment %s: could not %s it; left for the payments job", received.telegram_charge_id, step
                )
                await _note_failure(ctx, received.telegram_charge_id, f"{step}: {error!r}")
                return None
            log.warning(
                "payment %s: %s failed (%r); retrying in %.1fs", received.telegram_charge_id, step, error, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _note_failure(ctx: Context, charge_id: str, error: str) -> None:
    try:
        async with ctx.uow() as uow:
            await pipeline.note_failure(uow, charge_id, error)
            await uow.commit()
    except Exception:
        log.warning("could not note the failure of payment %s", charge_id)


# -- operators: refunds --------------------------------------------------------------------------------


async def refund(ctx: Context, event: CommandEvent) -> None:
    """/refund N (operators, private): order N's money goes back, and everything it earned with it."""
    number = whole_number(event.args.strip().removeprefix("#"))
    if number is None:
        raise DomainError(RefundCommandError.USAGE)
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        done = await refund_order(uow, ctx.now(), actor, number, ctx.settings.owner_ids)
        await uow.commit()
    ctx.services.outbox.wake()
    # The member hears of it from the order's own refund notice; the refund itself adds nothing.
    refunded = [
        await refunds.refund_stars(
            ctx.services.uow_factory, ctx.services.clock, ctx.messenger, payment, ctx.settings.owner_ids, answer=False
        )
        for payment in done.star_payments
    ]
    log.info("operator %s refunded order %s (stars refunded: %s)", event.sender.id, done.order.id, refunded)
    if refunded and all(refunded):
        text = ctx.t("Order #{number} is refunded.", number=done.order.id)
    else:
        text = ctx.t(
            "Order #{number} is marked for refund; the payment goes back as soon as it can.", number=done.order.id
        )
    await ctx.messenger.send(event.chat.id, View(text))


async def refunds_owed(ctx: Context, event: CommandEvent) -> None:
    """/refunds (operators, private): every refund a person has to make."""
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        owed = await refunds.owed_by_people(uow, actor)
    lines = [
        (p.id, p.user_id, p.amount.display(), pv.why(ctx, p.refund_reason or ShopError.ORDER_CLOSED)) for p in owed
    ]
    await ctx.messenger.send(event.chat.id, pv.owed_list(ctx, lines))


async def refunded(ctx: Context, event: CommandEvent) -> None:
    """/refunded N (operators, private): the refund of payment N was made by hand."""
    actor = await ctx.actor(event.sender)
    number = whole_number(event.args.strip().removeprefix("#"))
    if number is None:
        raise DomainError(RefundCommandError.DONE_USAGE)
    async with ctx.uow() as uow:
        payment = await refunds.mark_done(uow, ctx.now(), actor, number)
        await uow.commit()
    if payment is None:
        raise DomainError(RefundCommandError.NOT_OWED, number=number)
    ctx.services.outbox.wake()
    log.info("operator %s marked the refund of payment %s done", event.sender.id, payment.id)
    await ctx.messenger.send(
        event.chat.id, View(ctx.t("Refund #{number} is marked done; the member is told.", number=payment.id))
    )
