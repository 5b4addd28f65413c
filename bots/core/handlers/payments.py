"""Pre-checkout and successful payments: hold the stock, then turn the hold into a paid order exactly once."""

from __future__ import annotations

import logging

from bots.core import views
from bots.core.context import Context
from bots.core.events import PaymentEvent, PreCheckoutEvent
from bots.core.pre_checkout import answer_pre_checkout
from domain import checkout, payments
from domain.messenger import MessengerError
from domain.money import Money
from domain.orders import Payment
from domain.payments import PaymentOutcome, PaymentResult
from domain.rewards import orders as order_rewards

log = logging.getLogger(__name__)


async def pre_checkout(ctx: Context, event: PreCheckoutEvent) -> None:
    # A refusal can change state too (an order whose price went stale is cancelled): keep those changes.
    await answer_pre_checkout(ctx, event, checkout.accept_pre_checkout, keep_refusal_changes=True)


async def successful_payment(ctx: Context, event: PaymentEvent) -> None:
    amount = Money(event.total_amount, event.currency)
    async with ctx.uow() as uow:
        outcome = await payments.record_payment(
            uow,
            ctx.now(),
            event.sender.id,
            event.payload,
            amount,
            event.telegram_charge_id,
            event.provider_charge_id,
        )
        await order_rewards.after_payment(uow, ctx.now(), ctx.settings.rewards, outcome)  # points, referral
        await uow.commit()
    if outcome.result is PaymentResult.DUPLICATE:
        log.info("duplicate payment update for charge %s ignored", event.telegram_charge_id)
        return
    if outcome.result is PaymentResult.PAID and outcome.order is not None:
        await ctx.messenger.send(
            event.chat.id,
            views.receipt(ctx, outcome.order, event.telegram_charge_id),
            reply_to=event.message_id,
        )
        return
    await _refund(ctx, event, outcome)


async def _refund(ctx: Context, event: PaymentEvent, outcome: PaymentOutcome) -> None:
    log.warning("payment %s cannot be delivered (%s): refunding", event.telegram_charge_id, outcome.reason)
    refunded = False
    if outcome.refundable_by_bot:
        refunded = await refund_stars(ctx, outcome.payment)
    title = outcome.order.lines[0].title if outcome.order else ""
    why = ctx.explain(outcome.reason or "", title=title)
    await ctx.messenger.send(
        event.chat.id,
        views.refund_notice(ctx, outcome.payment.amount, refunded, why),
        reply_to=event.message_id,
    )


async def refund_stars(ctx: Context, payment: Payment) -> bool:
    """Refund through Telegram, then record it. A failed call stays REFUND_DUE for the retry job."""
    try:
        await ctx.messenger.refund_star_payment(payment.user_id, payment.telegram_charge_id)
    except MessengerError as error:
        log.error("refund of %s failed, will retry: %s", payment.telegram_charge_id, error)
        return False
    async with ctx.uow() as uow:
        await payments.complete_refund(uow, ctx.now(), payment)
        await uow.commit()
    return True
