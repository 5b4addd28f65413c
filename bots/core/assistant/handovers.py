"""/handovers in the private chat: the operators' list of the requests the assistant handed over."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.i18n import N_
from bots.core.table import PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.assistant.handovers import DEFAULT_COUNT, HandoverError, recent_handovers
from domain.assistant.ports import Handover
from domain.errors import ErrorCode
from domain.numbers import whole_number
from domain.outgoing import View

log = logging.getLogger(__name__)

QUOTE = 300  # characters of a request shown in the list; the notice each operator got has up to 500
# Telegram takes 4,096 UTF-16 code units of text a message; counting the HTML as sent leaves room to spare.
MESSAGE_UNITS = 4000

ERRORS: dict[ErrorCode, str] = {
    HandoverError.OPERATORS_ONLY: N_("Only the shop's operators can see the requests handed over."),
    HandoverError.BAD_COUNT: N_("Send /handovers, or /handovers COUNT for the last 1 to {most}."),
}


def register(table: HandlerTable) -> None:
    table.command(
        Command(
            "handovers",
            handovers_command,
            N_("Requests handed over by the assistant (operators)"),
            frozenset({PRIVATE_SCOPE}),
            in_menu=False,
            audience=frozenset({Audience.OPERATOR}),
            help=((Audience.OPERATOR, N_("/handovers [COUNT] · the requests the assistant handed over")),),
        )
    )
    table.errors(ERRORS)


async def handovers_command(ctx: Context, event: CommandEvent) -> None:
    words = event.args.strip()
    count = DEFAULT_COUNT if not words else whole_number(words, max_digits=3) or 0  # 0 is refused as a count
    actor = await ctx.actor(event.sender)
    async with ctx.reading() as uow:
        found = await recent_handovers(uow, actor, count)
    log.info("operator %s listed %s requests handed over", event.sender.id, len(found))
    for view in handovers_views(ctx, found):
        await ctx.messenger.send(event.chat.id, view)


def handovers_views(ctx: Context, found: Sequence[Handover]) -> list[View]:
    """The list, in as many messages as Telegram's length limit needs (50 long requests do not fit in one)."""
    if not found:
        return [View(ctx.t("No request has been handed over yet."))]
    messages = [ctx.t("<b>Requests handed over</b>, the newest first:")]
    for request in found:
        where = (
            ctx.t("in the private chat")
            if request.chat_id == request.member_id
            else ctx.t("in group {chat}", chat=request.chat_id)
        )
        text = request.text if len(request.text) <= QUOTE else request.text[: QUOTE - 1] + "…"
        entry = (
            ctx.t(
                "<b>#{number}</b> · {when} · member {member} {where}",
                number=request.id,
                when=ctx.when(request.created_at),
                member=request.member_id,
                where=where,  # already translated; nothing in it needs escaping
            )
            + "\n"
            + html.escape(text)
        )
        if _units(messages[-1]) + 2 + _units(entry) > MESSAGE_UNITS:
            messages.append(entry)
        else:
            messages[-1] += "\n\n" + entry
    return [View(text) for text in messages]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
