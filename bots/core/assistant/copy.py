"""/copy in the private chat: brand staff get a draft description or drop announcement, English and Chinese, to
edit ("en: …", "zh: …") and approve. Approving hands them the final texts to post; the bot posts nothing."""

from __future__ import annotations

import html
import logging

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent, TextEvent
from bots.core.i18n import N_
from bots.core.table import PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.assistant import copywriting
from domain.assistant.copywriting import CopyKind, Draft
from domain.messenger import MessengerError
from domain.outgoing import Button, View

log = logging.getLogger(__name__)

KINDS = {"description": CopyKind.DESCRIPTION, "announcement": CopyKind.ANNOUNCEMENT, "drop": CopyKind.ANNOUNCEMENT}
DRAFT_HOURS = 24


def register(table: HandlerTable) -> None:
    table.command(
        Command("copy", copy_command, N_("Draft product copy in English and Chinese (brand staff)"),
                frozenset({PRIVATE_SCOPE}), audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}))
    )  # fmt: skip
    table.action("cpok", approve)
    table.action("cpno", discard)
    table.member_state_key(draft_key)  # a brand's unapproved copy draft is forgotten with them


def draft_key(user_id: int) -> str:
    return f"assistant:copy:{user_id}"


async def copy_command(ctx: Context, event: CommandEvent) -> None:
    words = event.args.split()
    if len(words) == 1:
        words = ["description", words[0]]
    if len(words) != 2 or words[0].lower() not in KINDS:
        await ctx.messenger.send(event.chat.id, View(ctx.t(
            "Send /copy description SKU or /copy announcement SKU: I draft it in English and Chinese for you to "
            "edit and approve. Nothing is posted by itself."
        )))  # fmt: skip
        return
    kind, sku = KINDS[words[0].lower()], words[1]
    actor = await ctx.actor(event.sender)
    if ctx.services.assistant is not None:
        try:
            await ctx.messenger.send_chat_action(event.chat.id, "typing")
        except MessengerError as error:
            log.info("could not show typing in %s: %s", event.chat.id, error)
    draft = await copywriting.draft(
        ctx.services.uow_factory, ctx.now(), actor, sku, kind, ctx.services.assistant, ctx.settings.assistant_limits
    )
    await _keep(ctx, event.sender.id, draft)
    await ctx.messenger.send(event.chat.id, draft_view(ctx, draft))


async def _keep(ctx: Context, user_id: int, draft: Draft) -> None:
    state = {"kind": draft.kind.value, "sku": draft.sku, "en": draft.en, "zh": draft.zh}
    await ctx.services.state.set(draft_key(user_id), state, ttl_seconds=DRAFT_HOURS * 3600)


async def _open(ctx: Context, user_id: int) -> Draft | None:
    state = await ctx.services.state.get(draft_key(user_id))
    if state is None:
        return None
    return Draft(CopyKind(str(state["kind"])), str(state["sku"]), str(state["en"]), str(state["zh"]))


def draft_view(ctx: Context, draft: Draft) -> View:
    kind = ctx.t("product description") if draft.kind is CopyKind.DESCRIPTION else ctx.t("drop announcement")
    text = ctx.t(
        "<b>Draft {kind} for {sku}</b>. Nothing is posted until you approve it.\n\n<b>English</b>\n{en}\n\n"
        "<b>中文</b>\n{zh}\n\nTo change a text, send “en: …” or “zh: …” with the new text.",
        kind=kind, sku=draft.sku, en=draft.en, zh=draft.zh,
    )  # fmt: skip
    buttons = (
        (Button(ctx.t("Approve"), callback=ctx.button("cpok")), Button(ctx.t("Discard"), callback=ctx.button("cpno"))),
    )
    return View(text, buttons)


async def edit_draft(ctx: Context, event: TextEvent) -> bool:
    """An open draft takes "en: …" and "zh: …" as its new texts; True if the text was that."""
    prefix, separator, rest = event.text.partition(":")
    if not separator or prefix.strip().lower() not in ("en", "zh") or not rest.strip():
        return False
    draft = await _open(ctx, event.sender.id)
    if draft is None:
        return False
    text = rest.strip()[: copywriting.MAX_DRAFT]
    changed = Draft(draft.kind, draft.sku, text if prefix.strip().lower() == "en" else draft.en,
                    text if prefix.strip().lower() == "zh" else draft.zh)  # fmt: skip
    await _keep(ctx, event.sender.id, changed)
    await ctx.messenger.send(event.chat.id, draft_view(ctx, changed))
    return True


async def approve(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    draft = await _open(ctx, event.sender.id)
    if draft is None:
        await ctx.messenger.answer_callback(event.callback_id, ctx.plain("This draft is gone. Send /copy again."))
        return
    await ctx.services.state.delete(draft_key(event.sender.id))
    target = event.sender.id
    await ctx.messenger.send(target, View(ctx.t("Approved. Here is your copy, ready to post where you choose:")))
    await ctx.messenger.send(target, View(html.escape(draft.en)))
    await ctx.messenger.send(target, View(html.escape(draft.zh)))
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Approved."))
    log.info("copy for %s approved by %s", draft.sku, event.sender.id)


async def discard(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await ctx.services.state.delete(draft_key(event.sender.id))
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Draft discarded."))
