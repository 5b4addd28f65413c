"""/start with deep links, /help, /language, and what to say to an unknown command."""

from __future__ import annotations

import re

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.drops import handlers as drops
from bots.core.echo import echo
from bots.core.events import ButtonEvent, CommandEvent
from bots.core.groupbuys import handlers as groupbuys
from bots.core.i18n import LANGUAGE_NAMES
from bots.core.memberships import handlers as memberships
from bots.core.points import handlers as points
from bots.core.privacy import handlers as privacy
from bots.core.referrals import handlers as referrals
from bots.core.shop import orders
from bots.core.shop.handlers import show_product_by_sku
from bots.core.table import CommandFn
from domain import member_registry
from domain.outgoing import Button, View

# /start payloads of the links a group's pointer gives (bots/core/personal.py): the answer asked for there.
PERSONAL_LINKS: dict[str, CommandFn] = {
    "orders": orders.orders,
    "points": points.points,
    "membership": memberships.membership,
    "invite": referrals.invite,
    privacy.START: privacy.privacy,
}
PRODUCT_LINK = re.compile(r"^p_([A-Za-z0-9_.\-]{1,40})$")
# A product link carrying the community it was shared from: pc_<group chat id without its minus>_<SKU>.
PRODUCT_IN_COMMUNITY_LINK = re.compile(r"^pc_([0-9]{1,16})_([A-Za-z0-9_.\-]{1,40})$")


def help_view(ctx: Context) -> View:
    lines = [
        ctx.t("<b>circlecart</b> · shop without leaving the chat."),
        "",
        ctx.t("/shop · browse the catalog"),
        ctx.t("/shop WORDS or /find WORDS · search"),
        ctx.t("/orders · your orders"),
        ctx.t("/language · choose your language"),
        ctx.t("/help · this message"),
        "",
        ctx.t("In any chat, type @{bot} and a few words to share a product.", bot=ctx.settings.username),
    ]
    return View("\n".join(lines))


async def start(ctx: Context, event: CommandEvent) -> None:
    shared = PRODUCT_IN_COMMUNITY_LINK.match(event.args)
    if shared:
        await show_product_by_sku(ctx, event.chat, shared.group(2), community=-int(shared.group(1)))
        return
    link = PRODUCT_LINK.match(event.args)
    if link:
        await show_product_by_sku(ctx, event.chat, link.group(1))
        return
    personal = PERSONAL_LINKS.get(event.args)
    if personal is not None:  # sent here from a group for a personal answer: give it now
        await personal(ctx, event)
        return
    await referrals.start_link(ctx, event)  # r_<code>: an invitation, then the welcome as usual
    if await groupbuys.start_link(ctx, event):  # g_<code>: the group buy instead of the welcome
        return
    if await drops.start_link(ctx, event):  # rf_<drop id>: entering a raffle from its group
        return
    name = event.sender.first_name
    await ctx.messenger.send(event.chat.id, View(ctx.t("Welcome, {name}!", name=name) + "\n\n" + help_view(ctx).text))


async def help_command(ctx: Context, event: CommandEvent) -> None:
    await ctx.messenger.send(event.chat.id, help_view(ctx))


async def unknown_command(ctx: Context, event: CommandEvent) -> None:
    text = ctx.t("I don't know the command /{command}.", command=echo(event.command))
    await ctx.messenger.send(event.chat.id, View(text + "\n\n" + help_view(ctx).text))


async def language(ctx: Context, event: CommandEvent) -> None:
    supported = ctx.services.translations.supported
    rows = tuple((Button(LANGUAGE_NAMES.get(code, code), callback=ctx.button("lang", code)),) for code in supported)
    await ctx.messenger.send(event.chat.id, View(ctx.t("Choose your language:"), rows))


async def choose_language(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    code = callback.str_arg(0)
    async with ctx.uow() as uow:
        member = await member_registry.choose_language(uow, event.sender.id, code, ctx.services.translations.supported)
        await uow.commit()
    chosen = Context(ctx.services, code, member)
    await ctx.messenger.answer_callback(event.callback_id, chosen.plain("Language set to English."))
