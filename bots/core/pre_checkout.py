"""Answering Telegram's pre-checkout query for any payment kind: run the domain's check, then say yes or why not.

Telegram waits 10 seconds for the answer and the member sees the refusal text in the payment form, so the
text is plain and in the member's language.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bots.core.context import Context
from bots.core.events import PreCheckoutEvent
from domain import member_registry
from domain.errors import DomainError
from domain.members import Member
from domain.messenger import Messenger, RateLimited, TransientFailure
from domain.money import Money
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError

log = logging.getLogger(__name__)

# Telegram drops a pre-checkout query unanswered after 10 s; keep trying a failed answer until this much
# of the window has gone, leaving room for the last try's round trip.
ANSWER_WINDOW = 8.0

# (uow, now, payer id, invoice payload, amount) -> anything; raises DomainError to refuse.
PreCheckoutCheck = Callable[[UnitOfWork, datetime, int, str, Money], Awaitable[object]]
# (uow that only reads, now, payer id, invoice payload) -> the refusal, or None when the full check decides.
ReadingRefusal = Callable[[UnitOfWork, datetime, int, str], Awaitable[DomainError | None]]


async def answer_pre_checkout(
    ctx: Context,
    event: PreCheckoutEvent,
    check: PreCheckoutCheck,
    *,
    keep_refusal_changes: bool,
    refuse_reading: ReadingRefusal | None = None,
    autocommit: bool = False,
) -> None:
    """`keep_refusal_changes`: commit what the check wrote even when it refuses (e.g. an order cancelled
    because its price went stale); otherwise a refusal rolls everything back. `refuse_reading`: a refusal
    found by reading alone, tried first (a sold-out drop refuses most of a rush), with no write lock taken.
    `autocommit`: the check's statements commit one by one (`Context.autocommitting`), for a check whose
    every write is whole on its own; it then keeps what it wrote on refusal, so `keep_refusal_changes`
    must say so too."""
    if autocommit and not keep_refusal_changes:
        raise ValueError("a check run statement by statement keeps what it wrote on refusal")
    started = asyncio.get_running_loop().time()
    refusal: DomainError | None = None
    try:
        amount = Money(event.total_amount, event.currency)
    except (DomainError, TypeError):
        refusal = DomainError(ShopError.ORDER_AMOUNT_MISMATCH)
    else:
        if refuse_reading is not None:
            ctx, refusal = await _refused_reading(ctx, event, refuse_reading)
        if refusal is None:
            ctx, refusal = await _checked(ctx, event, check, amount, keep_refusal_changes, autocommit)
    if refusal is None:
        await answer_within_window(ctx.messenger, event.query_id, True, None, started)
        return
    log.info("pre-checkout %s (%s) from %s refused: %s", event.query_id, event.payload, event.sender.id, refusal)
    text = ctx.explain_error(refusal, html=False)
    await answer_within_window(ctx.messenger, event.query_id, False, text, started)


async def _refused_reading(
    ctx: Context, event: PreCheckoutEvent, refuse_reading: ReadingRefusal
) -> tuple[Context, DomainError | None]:
    """The refusal found by reading alone, in the payer's language; None when the full check must decide, or
    when the payer is new or changed their profile (remembering them writes: the full check's transaction
    does that)."""
    sender = event.sender
    async with ctx.reading() as uow:
        member = await member_registry.remembered_as(
            uow, sender.id, sender.first_name, sender.username, sender.language_code
        )
        if member is None:
            return ctx, None
        refusal = await refuse_reading(uow, ctx.now(), sender.id, event.payload)
    return ctx.speaking_to(member), refusal


async def _checked(
    ctx: Context,
    event: PreCheckoutEvent,
    check: PreCheckoutCheck,
    amount: Money,
    keep_refusal_changes: bool,
    autocommit: bool,
) -> tuple[Context, DomainError | None]:
    refusal: DomainError | None = None
    async with ctx.autocommitting() if autocommit else ctx.uow() as uow:
        # The payer is remembered in the check's own unit of work, not one of its own first: in a rush
        # of hundreds of payment forms every transaction saved is time inside Telegram's 10 s.
        ctx = ctx.speaking_to(await _remember(uow, ctx, event))
        try:
            await check(uow, ctx.now(), event.sender.id, event.payload, amount)
        except DomainError as error:
            refusal = error
            if keep_refusal_changes:
                await uow.commit()
        else:
            await uow.commit()
    return ctx, refusal


async def _remember(uow: UnitOfWork, ctx: Context, event: PreCheckoutEvent) -> Member:
    sender = event.sender
    return await member_registry.remember_member(
        uow, ctx.now(), sender.id, sender.first_name, sender.username, sender.language_code
    )


async def answer_within_window(
    messenger: Messenger, query_id: str, ok: bool, error_message: str | None, started: float | None = None
) -> None:
    """Answer, retrying a 5xx, a 429 or a dropped connection while Telegram's window is still open."""
    loop = asyncio.get_running_loop()
    deadline = (started if started is not None else loop.time()) + ANSWER_WINDOW
    delay = 0.1
    while True:
        try:
            await messenger.answer_pre_checkout(query_id, ok=ok, error_message=error_message)
            return
        except (TransientFailure, RateLimited) as error:
            wait = error.retry_after if isinstance(error, RateLimited) else delay
            if loop.time() + wait >= deadline:
                log.error("pre-checkout %s could not be answered within Telegram's window: %s", query_id, error)
                raise
            log.warning("answering pre-checkout %s failed (%s); retrying in %.1fs", query_id, error, wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, 1.0)
