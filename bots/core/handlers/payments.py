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
    await answer_order_payment(ctx, event, outcome)


async def answer_order_payment(
    ctx: Context, event: PaymentEvent, outcome: PaymentOutcome, what: str = "payment"
) -> None:
    """After an order's payment was recorded (shop or drop): nothing for a duplicate update, a receipt, or
    the refund and why."""
    if outcome.result is PaymentResult.DUPLICATE:
        log.info("duplicate %s update for charge %s ignored", what, event.telegram_charge_id)
        return
    if outcome.result is PaymentResult.PAID and outcome.order is not None:
        receipt = views.receipt(ctx, outcome.order, event.telegram_charge_id)
        await ctx.messenger.send(event.chat.id, receipt, reply_to=event.message_id)
        return
    log.warning("%s %s cannot be delivered (%s): refunding", what, event.telegram_charge_id, outcome.reason)
    refunded = await refund_stars(ctx, outcome.payment) if outcome.refundable_by_bot else False
    title = outcome.order.lines[0].title if outcome.order else ""
    why = ctx.explain(outcome.reason or "", title=title, limit="")
    try:
        notice = views.refund_notice(ctx, outcome.payment.amount, refunded, why)
        await ctx.messenger.send(event.chat.id, notice, reply_to=event.message_id)
    except MessengerError as error:
        log.warning("could not tell %s about the refund: %s", event.sender.id, error)


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
