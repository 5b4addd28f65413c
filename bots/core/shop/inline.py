"""Inline mode: `@bot words` in any chat lists products; choosing one posts a card with Buy."""

from __future__ import annotations

import logging

from bots.core.context import Context
from bots.core.events import ChosenInlineEvent, InlineQueryEvent
from bots.core.shop import views
from domain.shop import catalog

log = logging.getLogger(__name__)
INLINE_LIMIT = 20


async def inline_query(ctx: Context, event: InlineQueryEvent) -> None:
    async with ctx.reading() as uow:
        if event.query.strip():
            products = await catalog.search(uow, event.query, INLINE_LIMIT)
        else:
            products = (await catalog.browse(uow, 0, INLINE_LIMIT)).products
    results = [views.inline_result(ctx, p) for p in products if p.active]
    await ctx.messenger.answer_inline(event.query_id, results, cache_time=0, is_personal=True)


async def chosen_inline(ctx: Context, event: ChosenInlineEvent) -> None:
    log.info("member %s shared %s via inline mode", event.sender.id, event.result_id)
