"""/digest in a group: its admins switch the moderator's daily digest on or off; while on, messages are kept."""

from __future__ import annotations

import html
import logging

from bots.core.context import Context
from bots.core.events import CommandEvent, TextEvent
from bots.core.i18n import N_
from bots.core.table import GROUP_SCOPE, Audience, Command, HandlerTable
from domain.assistant import digest
from domain.assistant.ports import KeptMessage
from domain.errors import ErrorCode
from domain.notices import NoticeParams
from domain.outgoing import View

log = logging.getLogger(__name__)

ERRORS: dict[ErrorCode, str] = {
    digest.DigestError.ADMINS_ONLY: N_("Only this group's admins can switch the daily digest."),
}
TONES = {
    "quiet": N_("quiet"),
    "calm": N_("calm"),
    "mixed": N_("mixed"),
    "tense": N_("tense"),
}


def register(table: HandlerTable) -> None:
    table.command(
        Command(
            "digest",
            digest_command,
            N_("Daily digest for moderators (admins)"),
            frozenset({GROUP_SCOPE}),
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.group_chatter = keep_message
    table.notice(digest.DIGEST_NOTICE, digest_view)
    table.errors(ERRORS)


async def digest_command(ctx: Context, event: CommandEvent) -> None:
    word = event.args.strip().lower()
    if word not in ("on", "off"):
        async with ctx.reading() as uow:
            enabled = await digest.is_on(uow, event.chat.id)
        await ctx.messenger.send(event.chat.id, status_view(ctx, enabled))
        return
    actor = await ctx.actor(event.sender, event.chat.id)
    async with ctx.uow() as uow:
        group = await digest.switch(uow, ctx.now(), event.chat.id, actor, word == "on")
        await uow.commit()
    log.info("group %s: digest %s by %s", event.chat.id, "on" if group.enabled else "off", event.sender.id)
    hours = int(ctx.settings.digest_retention.total_seconds() // 3600)
    if group.enabled:
        text = ctx.t(
            "The daily digest is on. I now keep this group's messages for {hours} hours, to send its moderators a "
            "daily summary (open questions, complaints, products asked for, suspicious links); then they are "
            "deleted. An admin can turn it off with /digest off.",
            hours=hours,
        )
    else:
        text = ctx.t("The daily digest is off. I keep none of this group's messages, and the kept ones are deleted.")
    await ctx.messenger.send(event.chat.id, View(text))


def status_view(ctx: Context, enabled: bool) -> View:
    if enabled:
        return View(ctx.t("The daily digest is on in this group. Admins: /digest off turns it off."))
    return View(ctx.t("The daily digest is off in this group. Admins: /digest on turns it on."))


async def keep_message(ctx: Context, event: TextEvent) -> None:
    if event.sent_at is None or event.sender.is_bot:
        return
    message = KeptMessage(
        event.chat.id, event.message_id, event.sender.id, event.text, event.sent_at, event.reply_to_message_id
    )
    # Most groups have the digest off: find that out without queueing for the write lock on every message.
    async with ctx.reading() as uow:
        if not await digest.is_on(uow, event.chat.id):
            return
    async with ctx.uow() as uow:
        if await digest.keep(uow, message):
            await uow.commit()


def digest_view(ctx: Context, params: NoticeParams) -> View:
    none = ctx.t("none")
    tone = str(params.get("tone") or "quiet")
    parts = [
        ctx.t(
            "<b>Daily digest</b> of group {chat} · {day}\n{messages} messages; tone: {tone}",
            chat=params.get("chat") or 0,
            day=str(params.get("day") or ""),
            messages=params.get("messages") or 0,
            tone=ctx.t(TONES.get(tone, TONES["quiet"])),
        ),
        ctx.t("<b>Questions left unanswered ({count})</b>", count=params.get("question_count") or 0),
        _escaped(ctx, params.get("questions")) or none,
        ctx.t("<b>Complaints ({count})</b>", count=params.get("complaint_count") or 0),
        _escaped(ctx, params.get("complaints")) or none,
        ctx.t("<b>Products mentioned</b>"),
        _escaped(ctx, params.get("products")) or none,
        ctx.t("<b>Spam and scam links ({count})</b>", count=params.get("link_count") or 0),
        _escaped(ctx, params.get("links")) or none,
    ]
    return View("\n".join(parts))


def _escaped(ctx: Context, value: object) -> str:
    return html.escape(str(value or ""))
