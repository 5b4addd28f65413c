"""/giveaway in a group (its admins), the Enter button, the brand's consent and the winner's claim in private."""

from __future__ import annotations

import logging
import re

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent
from bots.core.i18n import N_
from bots.core.moderation import views
from domain.errors import DomainError
from domain.messenger import MessengerError
from domain.moderation import giveaways
from domain.moderation.errors import GiveawayError
from domain.moderation.model import GiveawayStatus
from domain.numbers import whole_number
from domain.outgoing import Document, View

log = logging.getLogger(__name__)

USAGE = N_(
    "Use: /giveaway UNITS HOURS PRIZE [brand=NAME] [plan=ID] [points=N] [joined=YYYY-MM-DD] [claim=HOURS], "
    "e.g. /giveaway 2 48 Celadon tea set points=100"
)
LINK_PREFIX = "gw_"
LINK = re.compile(r"^gw_([0-9]{1,18})$")


async def giveaway_command(ctx: Context, event: CommandEvent) -> None:
    if not event.chat.is_group:
        await _record_in_private(ctx, event)
        return
    if not event.args.strip():
        await ctx.messenger.send(event.chat.id, View(ctx.t(USAGE)))
        return
    actor = await ctx.actor(event.sender, event.chat.id)
    request = giveaways.parse_request(event.args)
    async with ctx.uow() as uow:
        giveaway = await giveaways.create_giveaway(uow, ctx.now(), actor, event.chat.id, request, ctx.settings.beacon)
        await uow.commit()
    ctx.services.outbox.wake()
    log.info("group %s: %s set up giveaway %s", event.chat.id, event.sender.id, giveaway.id)
    if giveaway.status is GiveawayStatus.AWAITING_BRAND:
        text = ctx.t("Giveaway #{id} waits for the brand's consent; it opens when they agree.", id=giveaway.id)
        await ctx.messenger.send(event.chat.id, View(text))


async def _record_in_private(ctx: Context, event: CommandEvent) -> None:
    """/giveaway ID in private: the published record of a drawn giveaway, to check with the script."""
    number = whole_number(event.args.strip().removeprefix("#"))
    if number is None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("Use: /giveaway ID (the number in the giveaway's posts)")))
        return
    async with ctx.uow() as uow:
        record = await giveaways.published_record(uow, number)
    if record is None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("Giveaway #{id} has not been drawn yet.", id=number)))
        return
    document = Document(views.record_filename(number), record.encode())
    text = ctx.t("The published record of giveaway #{id}.", id=number)
    await ctx.messenger.send(event.chat.id, View(text, document=document))


async def enter(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    giveaway_id = callback.int_arg(0)
    in_group = event.chat is not None and event.chat.is_group
    try:
        result = await _enter(ctx, giveaway_id, event.sender.id, tell_in_private=in_group)
    except DomainError as error:
        if error.code is not GiveawayError.START_BOT_FIRST:
            raise
        await ctx.messenger.answer_callback(event.callback_id, url=ctx.deep_link(f"{LINK_PREFIX}{giveaway_id}"))
        return
    if result.added:
        ctx.services.outbox.wake()
        text = ctx.plain("You are in as {pseudonym}. Winners hear from me in private.", pseudonym=result.pseudonym)
    else:
        text = ctx.plain("You entered already, as {pseudonym}.", pseudonym=result.pseudonym)
    await ctx.messenger.answer_callback(event.callback_id, text)


async def _enter(ctx: Context, giveaway_id: int, user_id: int, tell_in_private: bool) -> giveaways.EntryResult:
    async with ctx.uow() as uow:
        chat_id = (await giveaways.get(uow, giveaway_id)).chat_id
    try:
        in_group = await ctx.messenger.is_chat_member(chat_id, user_id)  # asked of Telegram now
    except MessengerError as error:
        log.info("could not ask whether %s is in %s: %s", user_id, chat_id, error)
        in_group = False
    async with ctx.uow() as uow:
        result = await giveaways.enter(uow, ctx.now(), giveaway_id, user_id, in_group, tell_in_private)
        await uow.commit()
    return result


async def start_link(ctx: Context, event: CommandEvent) -> bool:
    """/start gw_<id>: sent from the giveaway's button to the private chat first; enter them here."""
    link = LINK.match(event.args)
    if not link:
        return False
    result = await _enter(ctx, int(link.group(1)), event.sender.id, tell_in_private=False)
    text = ctx.t(
        "You are in giveaway #{id} ({prize}) as {pseudonym}. Find this name in the published list.",
        id=result.giveaway.id,
        prize=result.giveaway.prize,
        pseudonym=result.pseudonym,
    )
    if not result.added:
        text = ctx.t("You entered already.") + "\n" + text
    await ctx.messenger.send(event.chat.id, View(text))
    return True


async def consent(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    giveaway_id, agree = callback.int_arg(0), callback.int_arg(1) == 1
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        giveaway = await giveaways.brand_decides(uow, ctx.now(), actor, giveaway_id, agree, ctx.settings.beacon)
        await uow.commit()
    ctx.services.outbox.wake()
    log.info("giveaway %s: brand staff %s %s", giveaway_id, event.sender.id, "agreed" if agree else "declined")
    if giveaway.status is GiveawayStatus.OPEN:
        text = ctx.t("Thank you: giveaway #{id} ({prize}) is open now.", id=giveaway.id, prize=giveaway.prize)
    else:
        text = ctx.t("Giveaway #{id} ({prize}) will not open.", id=giveaway.id, prize=giveaway.prize)
    await ctx.messenger.edit(event.message, View(text))
    await ctx.messenger.answer_callback(event.callback_id)


async def claim(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        giveaway = await giveaways.claim(uow, ctx.now(), callback.int_arg(0), event.sender.id)
        await uow.commit()
    ctx.services.outbox.wake()
    text = ctx.t("Claimed: {prize} is yours. The group's admins will hand it over.", prize=giveaway.prize)
    await ctx.messenger.edit(event.message, View(text))
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Claimed."))
