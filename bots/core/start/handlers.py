"""/start with deep links, /help, /language, and what to say to an unknown command."""

from __future__ import annotations

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.drops import handlers as drops
from bots.core.echo import echo
from bots.core.events import ButtonEvent, Chat, CommandEvent, Sender
from bots.core.groupbuys import handlers as groupbuys
from bots.core.i18n import LANGUAGE_NAMES, N_
from bots.core.memberships import handlers as memberships
from bots.core.moderation import giveaway_handlers
from bots.core.points import handlers as points
from bots.core.privacy import handlers as privacy
from bots.core.referrals import handlers as referrals
from bots.core.shop import links as product_links
from bots.core.shop import orders
from bots.core.shop.handlers import show_product_link
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, CommandFn
from domain import member_registry
from domain.brands import roles
from domain.outgoing import Button, View

# /start payloads of the links a group's pointer gives (bots/core/personal.py): the answer asked for there.
PERSONAL_LINKS: dict[str, CommandFn] = {
    "orders": orders.orders,
    "points": points.points,
    "membership": memberships.membership,
    "invite": referrals.invite,
    privacy.START: privacy.privacy,
}


SECTIONS = {
    Audience.MEMBER: N_("<b>For everyone</b>"),
    Audience.BRAND_STAFF: N_("<b>For brand staff</b>"),
    Audience.MODERATOR: N_("<b>For this group's admins</b>"),
    Audience.OPERATOR: N_("<b>For the operator</b>"),
}


async def audiences(ctx: Context, sender: Sender, chat: Chat) -> list[Audience]:
    """Whom /help speaks to: everyone, and brand staff, the group's admins (in the group) and the operator."""
    actor = await ctx.actor(sender, chat.id if chat.is_group else None)
    async with ctx.uow() as uow:
        staff = await roles.is_brand_staff(uow, sender.id)
    found = [Audience.MEMBER]
    if staff:
        found.append(Audience.BRAND_STAFF)
    if chat.is_group and actor.is_group_admin(chat.id):
        found.append(Audience.MODERATOR)
    if actor.operator:
        found.append(Audience.OPERATOR)
    return found


def help_view(ctx: Context, chat: Chat, who: list[Audience]) -> View:
    """What this person can do here: a section per role they have, with the commands this kind of chat takes,
    and a pointer to the ones the other kind of chat takes."""
    here, there = (GROUP_SCOPE, PRIVATE_SCOPE) if chat.is_group else (PRIVATE_SCOPE, GROUP_SCOPE)
    lines = [ctx.t("<b>circlecart</b> · shop without leaving the chat.")]
    for audience in who:
        commands = [c for c in ctx.services.commands.values() if audience in c.audience]
        section = [_help_line(ctx, c, audience) for c in commands if here in c.scopes]
        elsewhere = [f"/{c.name}" for c in commands if here not in c.scopes and there in c.scopes]
        if elsewhere:
            pointer = (
                ctx.t("In a private chat with me: {commands}", commands=" ".join(elsewhere))
                if chat.is_group
                else ctx.t("In a group: {commands}", commands=" ".join(elsewhere))
            )
            section.append(pointer)
        if section:
            lines += ["", ctx.t(SECTIONS[audience]), *section]
    if chat.is_private and Audience.OPERATOR not in who:
        lines += ["", ctx.t("Group admins: send /help in your group to see what you can do there.")]
    lines += ["", ctx.t("In any chat, type @{bot} and a few words to share a product.", bot=ctx.settings.username)]
    return View("\n".join(lines))


def _help_line(ctx: Context, command: Command, audience: Audience) -> str:
    msgid = command.help_line(audience)
    return ctx.t(msgid) if msgid is not None else f"/{command.name} · {ctx.t(command.description)}"


async def help_for(ctx: Context, event: CommandEvent) -> View:
    return help_view(ctx, event.chat, await audiences(ctx, event.sender, event.chat))


async def start(ctx: Context, event: CommandEvent) -> None:
    link = product_links.parse(event.args)  # p_<SKU>, or pc_<group>_<SKU> from a group (bots/core/shop/links.py)
    if link is not None:
        await show_product_link(ctx, event.chat, link)
        return
    personal = PERSONAL_LINKS.get(event.args)
    if personal is not None:  # sent here from a group for a personal answer: give it now
        await personal(ctx, event)
        return
    await referrals.start_link(ctx, event)  # r_<code>: an invitation, then the welcome as usual
    if await groupbuys.start_link(ctx, event):  # g_<code>: the group buy instead of the welcome
        return
    if await giveaway_handlers.start_link(ctx, event):  # gw_<id>: entering a giveaway from its group
        return
    if await drops.start_link(ctx, event):  # rf_<drop id>: entering a raffle from its group
        return
    name = event.sender.first_name
    help_text = (await help_for(ctx, event)).text
    await ctx.messenger.send(event.chat.id, View(ctx.t("Welcome, {name}!", name=name) + "\n\n" + help_text))


async def help_command(ctx: Context, event: CommandEvent) -> None:
    await ctx.messenger.send(event.chat.id, await help_for(ctx, event))


async def unknown_command(ctx: Context, event: CommandEvent) -> None:
    """A command no handler takes here: one that works in the other kind of chat says where; else unknown."""
    known = ctx.services.commands.get(event.command)
    if known is not None and known.audience == {Audience.OPERATOR}:
        known = None  # the operators know their commands; nobody else needs to learn they exist
    if known is not None and event.chat.is_private and GROUP_SCOPE in known.scopes:
        text = ctx.t("/{command} works in a group I am in, not in this private chat.", command=known.name)
    elif known is not None and event.chat.is_group and PRIVATE_SCOPE in known.scopes:
        text = ctx.t(
            "/{command} works in a private chat with me: @{bot}", command=known.name, bot=ctx.settings.username
        )
    else:
        text = ctx.t("I don't know the command /{command}.", command=echo(event.command))
    await ctx.messenger.send(event.chat.id, View(text + "\n\n" + (await help_for(ctx, event)).text))


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
