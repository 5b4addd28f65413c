"""The shop assistant's triggers: plain text in the private chat, or in a group when it mentions or replies to
the bot. The answer is what the shop already shows: product cards with Buy from the database, or the member's
own /orders, /membership and /points views; or a hand-over to the shop's people. Without a model (or when it
fails) the same triggers get the same kinds of answer from search, and nothing mentions a model."""

from __future__ import annotations

import logging
import re

from bots.core.assistant import copy, digest, handovers, views
from bots.core.context import Context
from bots.core.drops import handlers as drops
from bots.core.events import TextEvent
from bots.core.memberships import views as membership_views
from bots.core.points import views as points_views
from bots.core.shop import handlers as shop
from bots.core.shop import views as shop_views
from bots.core.shop.links import ProductLink
from bots.core.table import HandlerTable
from domain.assistant.conversation import HANDOVER_NOTICE, Answer, Intent, ask
from domain.memberships import joining
from domain.messenger import MessengerError, RecipientUnavailable
from domain.outgoing import View
from domain.points import accounts
from domain.shop import order_history

log = logging.getLogger(__name__)


def register(table: HandlerTable) -> None:
    """Declare the assistant's entries; the private chat's open dialogs (a brand scheduling a drop) come first."""
    table.text = private_text
    table.group_text = group_text
    table.notice(HANDOVER_NOTICE, views.handover_notice)
    digest.register(table)
    copy.register(table)
    handovers.register(table)


async def private_text(ctx: Context, event: TextEvent) -> None:
    if await drops.dialog_open(ctx, event.sender.id):
        await drops.private_text(ctx, event)
        return
    if await copy.edit_draft(ctx, event):  # "en: …" / "zh: …" while a brand's draft is open
        return
    if ctx.settings.embedded:
        return  # inside a host bot, plain private text is the host's; mentions in groups still reach the assistant
    await assist(ctx, event, event.text)


async def group_text(ctx: Context, event: TextEvent) -> None:
    mention = re.compile(rf"@{re.escape(ctx.settings.username)}\b", re.IGNORECASE)
    await assist(ctx, event, mention.sub(" ", event.text))


async def assist(ctx: Context, event: TextEvent, text: str) -> None:
    if not text.strip():
        await ctx.messenger.send(event.chat.id, shop_views.search_results(ctx, text, ()))
        return
    model = ctx.services.assistant
    if model is not None:
        try:
            await ctx.messenger.send_chat_action(event.chat.id, "typing")
        except MessengerError as error:  # cosmetic: the answer matters, not the dots
            log.info("could not show typing in %s: %s", event.chat.id, error)
    answer = await ask(
        ctx.services.uow_factory, ctx.now(), event.sender.id, event.chat.id, text, model,
        ctx.settings.assistant_limits, ctx.settings.owner_ids,
    )  # fmt: skip
    log.info(
        "assistant answered %s in %s: %s (%s, %s tokens)",
        event.sender.id, event.chat.id, answer.intent, answer.fallback or "model", answer.tokens,
    )  # fmt: skip
    await _show(ctx, event, text, answer)


async def _show(ctx: Context, event: TextEvent, text: str, answer: Answer) -> None:
    if answer.intent is Intent.PRODUCTS:
        if answer.fallback is not None or not answer.products:
            await ctx.messenger.send(event.chat.id, shop_views.search_results(ctx, text, answer.products))
            return
        await ctx.messenger.send(event.chat.id, views.found_intro(ctx, len(answer.products)))
        for product in answer.products:  # each card is read again from the database, with its Buy button
            await shop.show_product_link(ctx, event.chat, ProductLink(sku=product.sku))
        return
    if answer.intent is Intent.HANDOVER:
        number = answer.handover_id or 0
        await ctx.messenger.send(event.chat.id, views.handed_over(ctx, number, event.chat.is_group))
        return
    await _personal(ctx, event, await _own_view(ctx, event, answer.intent))


async def _own_view(ctx: Context, event: TextEvent, intent: Intent) -> View:
    """The member's own records, through the same use cases and views as /orders, /membership and /points."""
    member = event.sender.id  # from the update, never from the model
    async with ctx.uow() as uow:
        if intent is Intent.ORDERS:
            return shop_views.order_history(ctx, await order_history.orders_of(uow, member))
        if intent is Intent.MEMBERSHIP:
            statuses = await joining.overview(uow, ctx.now(), member, None)
            return membership_views.plans_view(ctx, statuses, ctx.now(), True)
        summary = await accounts.current_summary(uow, ctx.now(), member)  # not committed: reading only
        return points_views.points_view(ctx, summary)


async def _personal(ctx: Context, event: TextEvent, view: View) -> None:
    """Personal answers asked for in a group go to the member's private chat (DESIGN invariant 9)."""
    if event.chat.is_private:
        await ctx.messenger.send(event.chat.id, view)
        return
    try:
        await ctx.messenger.send(event.sender.id, view)
    except RecipientUnavailable:
        await ctx.messenger.send(event.chat.id, views.open_private_chat(ctx), reply_to=event.message_id)
        return
    await ctx.messenger.send(event.chat.id, views.answered_in_private(ctx), reply_to=event.message_id)
