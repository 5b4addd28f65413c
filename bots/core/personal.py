"""Personal answers asked for in a group go to the private chat (DESIGN invariant 9).

`/orders`, `/points`, `/membership`, `/invite` and `/privacy` show a member's own data. Asked in a group,
the answer goes to the member's private chat and the group gets a short pointer. Someone who never started
the bot (the bot may not write first) gets a link that starts it and brings the same answer there.
"""

from __future__ import annotations

import logging

from bots.core.context import Context
from bots.core.events import CommandEvent
from domain import member_registry
from domain.messenger import RecipientUnavailable
from domain.outgoing import Button, View

log = logging.getLogger(__name__)


async def answer_personally(ctx: Context, event: CommandEvent, view: View, start: str) -> None:
    """Send `view` where only the member reads it. `start` is the /start payload that shows the same answer
    (a deep link for members the bot cannot write to yet)."""
    if event.chat.is_private:
        await ctx.messenger.send(event.chat.id, view)
        return
    member_id = event.sender.id
    async with ctx.uow() as uow:
        reachable = await member_registry.can_message(uow, member_id)
    if reachable:
        try:
            await ctx.messenger.send(member_id, view)
        except RecipientUnavailable as error:
            log.info("personal answer to %s could not be sent privately: %s", member_id, error)
            async with ctx.uow() as uow:
                await member_registry.mark_blocked(uow, member_id)
                await uow.commit()
            reachable = False
    name = event.sender.first_name
    if reachable:
        pointer = View(
            ctx.t("{name}, I sent your answer to our private chat.", name=name),
            ((Button(ctx.t("Open the private chat"), url=f"https://t.me/{ctx.settings.username}"),),),
        )
    else:
        pointer = View(
            ctx.t("{name}, that is personal, so I answer it only in private: start a chat with me.", name=name),
            ((Button(ctx.t("Start a private chat"), url=ctx.deep_link(start)),),),
        )
    await ctx.messenger.send(event.chat.id, pointer, reply_to=event.message_id)
