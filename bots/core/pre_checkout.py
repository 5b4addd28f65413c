"""Answering Telegram's pre-checkout query for any payment kind: run the domain's check, then say yes or why not.

Telegram waits 10 seconds for the answer and the member sees the refusal text in the payment form, so the
text is plain and in the member's language.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bots.core.context import Context
from bots.core.events import PreCheckoutEvent
from domain.errors import DomainError
from domain.money import Money
from domain.ports import UnitOfWork

log = logging.getLogger(__name__)

# (uow, now, payer id, invoice payload, amount) -> anything; raises DomainError to refuse.
PreCheckoutCheck = Callable[[UnitOfWork, datetime, int, str, Money], Awaitable[object]]


async def answer_pre_checkout(
    ctx: Context, event: PreCheckoutEvent, check: PreCheckoutCheck, *, keep_refusal_changes: bool
) -> None:
    """`keep_refusal_changes`: commit what the check wrote even when it refuses (e.g. an order cancelled
    because its price went stale); otherwise a refusal rolls everything back."""
    refusal: DomainError | None = None
    try:
        amount = Money(event.total_amount, event.currency)
    except (DomainError, TypeError):
        refusal = DomainError("order.amount_mismatch")
    else:
        async with ctx.uow() as uow:
            try:
                await check(uow, ctx.now(), event.sender.id, event.payload, amount)
            except DomainError as error:
                refusal = error
                if keep_refusal_changes:
                    await uow.commit()
            else:
                await uow.commit()
    if refusal is None:
        await ctx.messenger.answer_pre_checkout(event.query_id, ok=True)
        return
    log.info("pre-checkout %s (%s) from %s refused: %s", event.query_id, event.payload, event.sender.id, refusal)
    text = ctx.explain(refusal.code, html=False, **refusal.params)
    await ctx.messenger.answer_pre_checkout(event.query_id, ok=False, error_message=text)
