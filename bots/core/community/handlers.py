"""The bot being added to or removed from a group chat."""

from __future__ import annotations

import logging

from bots.core.context import Context
from bots.core.events import BotMembershipEvent
from domain import community_registry
from domain.outgoing import View

log = logging.getLogger(__name__)


async def bot_membership(ctx: Context, event: BotMembershipEvent) -> None:
    if not event.chat.is_group:
        return
    if event.joined:
        async with ctx.uow() as uow:
            await community_registry.register_community(uow, ctx.now(), event.chat.id, event.chat.title or "")
            await uow.commit()
        log.info("joined group %s (%s)", event.chat.id, event.chat.title)
        text = "\n".join(
            [
                ctx.t("Hello, {title}! I am the shop of this group.", title=event.chat.title or ""),
                ctx.t("Send /shop to browse, or /find WORDS to search. You pay right here in the chat."),
            ]
        )
        await ctx.messenger.send(event.chat.id, View(text))
    elif event.left:
        async with ctx.uow() as uow:
            await community_registry.deactivate_community(uow, ctx.now(), event.chat.id)
            await uow.commit()
        log.info("left group %s", event.chat.id)
