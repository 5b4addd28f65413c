"""/settings in a group: its admins switch the shop and features, choose the language, quiet hours, the daily
cap of announcements and the risk notice. Every press asks Telegram again who is an admin (a forged or
stale button from anyone else is refused by the use case)."""

from __future__ import annotations

import logging

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent
from bots.core.i18n import N_
from bots.core.moderation import settings_views
from domain.errors import DomainError
from domain.moderation import settings
from domain.moderation.errors import ModerationError
from domain.moderation.model import MAX_DAILY_CAP, CommunitySettings
from domain.numbers import whole_number
from domain.outgoing import View

log = logging.getLogger(__name__)

OFF_WORDS = frozenset({"off", "none", "default", "-"})


async def settings_command(ctx: Context, event: CommandEvent) -> None:
    if not event.chat.is_group:
        raise DomainError(ModerationError.GROUP_ONLY)
    chat_id = event.chat.id
    actor = await ctx.actor(event.sender, chat_id)
    verb, _, rest = event.args.strip().partition(" ")
    rest = rest.strip()
    now = ctx.now()
    async with ctx.uow() as uow:
        if not verb:
            current = await settings.settings_for_admin(uow, chat_id, actor)
        elif verb == "quiet":
            start, end = _hours(rest)
            current = await settings.set_quiet_hours(uow, now, chat_id, actor, start, end)
        elif verb == "cap":
            cap = None if rest.lower() in OFF_WORDS else whole_number(rest, max_digits=3)
            if cap is None and rest.lower() not in OFF_WORDS:
                raise DomainError(ModerationError.BAD_CAP, max=MAX_DAILY_CAP)
            current = await settings.set_daily_cap(uow, now, chat_id, actor, cap)
        elif verb == "timezone":
            current = await settings.set_timezone(uow, now, chat_id, actor, rest)
        elif verb == "language":
            language = None if rest.lower() in OFF_WORDS else rest
            supported = ctx.services.translations.supported
            current = await settings.set_language(uow, now, chat_id, actor, language, supported)
        elif verb == "notice":
            text = None if rest.lower() in OFF_WORDS else rest
            current = await settings.set_risk_notice(uow, now, chat_id, actor, text)
        else:
            actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
            await ctx.messenger.send(chat_id, View(ctx.t(USAGE)))
            return
        await uow.commit()
        language = await settings.group_language(uow, chat_id)
    if verb:
        log.info("group %s: %s changed the settings (%s)", chat_id, event.sender.id, verb)
    await ctx.messenger.send(chat_id, _menu(ctx, current, language))


USAGE = N_(
    "Use: /settings, or /settings quiet 22 8 | cap 5 | timezone Europe/Berlin | language zh | notice TEXT "
    "(off or default to clear)"
)


def _hours(text: str) -> tuple[int | None, int | None]:
    if text.lower() in OFF_WORDS:
        return None, None
    parts = text.replace("-", " ").split()
    if len(parts) != 2:
        raise DomainError(ModerationError.BAD_HOURS)
    start, end = (whole_number(p, max_digits=2) for p in parts)
    if start is None or end is None:
        raise DomainError(ModerationError.BAD_HOURS)
    return start, end


def _menu(ctx: Context, current: CommunitySettings, language: str | None) -> View:
    return settings_views.settings_menu(ctx, current, language)


async def _group_of(event: ButtonEvent) -> int:
    if event.chat is None or not event.chat.is_group:
        raise DomainError(ModerationError.ADMINS_ONLY)
    return event.chat.id


async def toggle_shop(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    chat_id = await _group_of(event)
    actor = await ctx.actor(event.sender, chat_id)
    enabled = callback.int_arg(0) == 1
    async with ctx.uow() as uow:
        current = await settings.toggle_shop(uow, ctx.now(), chat_id, actor, enabled)
        await uow.commit()
        language = await settings.group_language(uow, chat_id)
    log.info("group %s: %s turned the shop %s", chat_id, event.sender.id, "on" if enabled else "off")
    await _show(ctx, event, current, language)


async def toggle_feature(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    chat_id = await _group_of(event)
    actor = await ctx.actor(event.sender, chat_id)
    feature = callback.str_arg(0)
    allowed = callback.int_arg(1) == 1
    async with ctx.uow() as uow:
        current = await settings.toggle_feature(uow, ctx.now(), chat_id, actor, feature, allowed)
        await uow.commit()
        language = await settings.group_language(uow, chat_id)
    log.info("group %s: %s %s %s", chat_id, event.sender.id, "allowed" if allowed else "turned off", feature)
    await _show(ctx, event, current, language)


async def choose_language(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    chat_id = await _group_of(event)
    actor = await ctx.actor(event.sender, chat_id)
    code = callback.str_arg(0)
    language = None if code == "-" else code
    async with ctx.uow() as uow:
        current = await settings.set_language(
            uow, ctx.now(), chat_id, actor, language, ctx.services.translations.supported
        )
        await uow.commit()
    await _show(ctx, event, current, language)


async def _show(ctx: Context, event: ButtonEvent, current: CommunitySettings, language: str | None) -> None:
    await ctx.messenger.edit(event.message, _menu(ctx, current, language))
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Saved."))
