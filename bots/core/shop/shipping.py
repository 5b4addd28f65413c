"""Answering the shipping query of a physical product's flexible invoice: options by country, or why not.

Telegram shows the refusal text in the payment form and waits about 10 seconds for any answer, so the
answer is one read of the order and a computation over the configured rules (domain/shop/shipping.py).
"""

from __future__ import annotations

import logging

from bots.core.context import Context
from bots.core.events import ShippingQueryEvent
from domain.errors import DomainError
from domain.outgoing import ShippingChoice
from domain.shop import checkout

log = logging.getLogger(__name__)


async def shipping_query(ctx: Context, event: ShippingQueryEvent) -> None:
    try:
        async with ctx.uow() as uow:
            offered = await checkout.shipping_options(
                uow, ctx.settings.shipping, event.sender.id, event.payload, event.country_code
            )
    except DomainError as refusal:
        log.info("shipping query %s to %r refused: %s", event.query_id, event.country_code, refusal)
        text = ctx.explain_error(refusal, html=False)
        await ctx.messenger.answer_shipping_query(event.query_id, False, error_message=text)
        return
    choices = [
        ShippingChoice(
            option.id,
            ctx.plain("Free shipping") if option.price.amount == 0 else ctx.plain("Standard shipping"),
            ctx.plain("Shipping"),
            option.price.amount,
        )
        for option in offered
    ]
    await ctx.messenger.answer_shipping_query(event.query_id, True, choices)
