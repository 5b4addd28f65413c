"""Commission offers in the group, /link for a product's link of the group, /earnings for its moderators and
/settlement for brand staff."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.i18n import N_
from bots.core.share.chart import settlement_chart
from bots.core.shop import links
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.errors import DomainError, ErrorCode
from domain.moderation import settings as community_settings
from domain.money import Money
from domain.outgoing import Document, View
from domain.share import attribution, commission, settlement
from domain.share.errors import ShareError
from domain.share.model import BASIS, SettlementLine
from domain.share.report import chart_data, settlement_csv

log = logging.getLogger(__name__)

GROUP_ONLY = frozenset({GROUP_SCOPE})
PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})

ERRORS: dict[ErrorCode, str] = {
    ShareError.BAD_RATE: N_("Give the commission as a percentage between 0.01 and {max}, e.g. 7.5"),
    ShareError.NO_OFFER: N_("{brand} has offered this group no commission yet."),
    ShareError.GROUP_ONLY: N_("Send this in the group it is about."),
    ShareError.NAME_BRAND: N_("Send /settlement BRAND"),
    ShareError.BRAND_NOT_ALLOWED: N_("{brand} is not allowed in this group: its moderators allow it with /brands."),
}


def _percent(rate_bp: int) -> str:
    return f"{rate_bp * 100 / BASIS:g}%"


async def share_offer(ctx: Context, event: CommandEvent) -> None:
    """/share_offer BRAND PERCENT, by the brand's staff, in the group the offer is for."""
    brand_text, _, rate_text = event.args.strip().rpartition(" ")
    if not event.chat.is_group:
        raise DomainError(ShareError.GROUP_ONLY)
    if not brand_text.strip():
        await ctx.messenger.send(
            event.chat.id, View(ctx.t("Send /share_offer BRAND PERCENT, e.g. /share_offer Celadon 7.5"))
        )
        return
    rate = commission.parse_rate(rate_text)
    actor = await ctx.actor(event.sender, event.chat.id)
    async with ctx.uow() as uow:
        brand, offer = await commission.offer(uow, ctx.now(), actor, brand_text, event.chat.id, rate)
        await uow.commit()
    log.info("brand %s offered group %s a commission of %s bp (offer %s)", brand.id, event.chat.id, rate, offer.id)
    text = ctx.t(
        "{brand} offers this group a commission of {rate} on sales made through it. "
        "A moderator accepts with /share_accept {brand}",
        brand=brand.name,
        rate=_percent(offer.rate_bp),
    )
    await ctx.messenger.send(event.chat.id, View(text))


async def share_accept(ctx: Context, event: CommandEvent) -> None:
    """/share_accept BRAND, by a current admin of the group."""
    if not event.chat.is_group:
        raise DomainError(ShareError.GROUP_ONLY)
    if not event.args.strip():
        await ctx.messenger.send(event.chat.id, View(ctx.t("Send /share_accept BRAND")))
        return
    actor = await ctx.actor(event.sender, event.chat.id)
    async with ctx.uow() as uow:
        brand, offer = await commission.accept(uow, ctx.now(), actor, event.chat.id, event.args)
        await uow.commit()
    log.info("group %s accepted offer %s of brand %s", event.chat.id, offer.id, brand.id)
    text = ctx.t(
        "This group now earns {rate} of {brand}'s sales made through it, settled monthly (/earnings).",
        brand=brand.name,
        rate=_percent(offer.rate_bp),
    )
    await ctx.messenger.send(event.chat.id, View(text))


def _summary(ctx: Context, title: str, lines: Sequence[SettlementLine]) -> str:
    out = [f"<b>{title}</b>"]
    if not lines:
        out.append(ctx.t("Nothing has been settled yet. Each month is settled after it ends."))
    for line in settlement.totals(lines).values():
        out.append(
            ctx.t(
                "{currency}: gross {gross}, refunds {refunds}, commission {commission}, platform fee {fee}, net {net}",
                currency=line.currency,
                gross=Money(line.gross, line.currency).major_text(),
                refunds=Money(line.refunds, line.currency).major_text(),
                commission=Money(line.commission, line.currency).major_text(),
                fee=Money(line.fee, line.currency).major_text(),
                net=Money(line.net, line.currency).major_text(),
            )
        )
    return "\n".join(out)


async def _send_report(ctx: Context, chat_id: int, title: str, name: str, lines: Sequence[SettlementLine]) -> None:
    await ctx.messenger.send(chat_id, View(_summary(ctx, title, lines)))
    if not lines:
        return
    csv = Document(f"{name}.csv", settlement_csv(lines))
    await ctx.messenger.send(chat_id, View(ctx.t("Settlement lines (amounts in minor units)"), document=csv))
    try:
        chart = settlement_chart(chart_data(lines), ctx.plain("Settlement by month"))
    except Exception:  # a chart that cannot be drawn must not hide the figures already sent
        log.exception("could not draw the settlement chart for chat %s", chat_id)
        return
    await ctx.messenger.send(chat_id, View(ctx.t("Settlement by month"), photo_bytes=chart))


async def earnings(ctx: Context, event: CommandEvent) -> None:
    """/earnings in a group: its settled lines, for its current admins."""
    if not event.chat.is_group:
        raise DomainError(ShareError.GROUP_ONLY)
    actor = await ctx.actor(event.sender, event.chat.id)
    async with ctx.uow() as uow:
        lines = await settlement.earnings(uow, actor, event.chat.id)
    title = ctx.t("This group's earnings")
    await _send_report(ctx, event.chat.id, title, f"earnings-{-event.chat.id}", lines)


async def settlement_command(ctx: Context, event: CommandEvent) -> None:
    """/settlement [BRAND] in private: the brand's settled lines, for its staff (and the operator)."""
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        brand, lines = await settlement.brand_settlement(uow, actor, event.args)
    title = ctx.t("Settlement of {brand}", brand=brand.name)
    await _send_report(ctx, event.chat.id, title, f"settlement-{brand.id}", lines)


async def group_link(ctx: Context, event: CommandEvent) -> None:
    """/link SKU in a group: the product's link that counts a sale made through it for this group."""
    sku = event.args.strip()
    if not sku:
        await ctx.messenger.send(
            event.chat.id, View(ctx.t("Send /link SKU, e.g. /link TEA-SET-01, for a product's link of this group."))
        )
        return
    async with ctx.reading() as uow:
        await community_settings.require_shop_open(uow, event.chat.id)
        product = await attribution.group_link(uow, event.chat.id, sku)
    link = ctx.deep_link(links.product_in_community_payload(event.chat.id, product))
    log.info("group %s: link of %s for %s", event.chat.id, product.sku, event.sender.id)
    text = ctx.t(
        "<b>{title}</b>, a link of this group:\n{link}\nWhoever opens it and buys in a private chat with me buys "
        "through this group.",
        title=product.title,
        link=link,
    )
    await ctx.messenger.send(event.chat.id, View(text))


def register(table: HandlerTable) -> None:
    table.command(
        Command(
            "link",
            group_link,
            N_("A product's link of this group"),
            GROUP_ONLY,
            in_menu=False,
            help=((Audience.MEMBER, N_("/link SKU · a product's link that counts for this group")),),
        )
    )
    table.command(
        Command(
            "share_offer",
            share_offer,
            N_("Offer this group a commission (brand staff)"),
            GROUP_ONLY,
            in_menu=False,
            audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}),
        )
    )
    table.command(
        Command(
            "share_accept",
            share_accept,
            N_("Accept a brand's commission (moderators)"),
            GROUP_ONLY,
            in_menu=False,
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.command(
        Command(
            "earnings",
            earnings,
            N_("This group's earnings (moderators)"),
            GROUP_ONLY,
            in_menu=False,
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.command(
        Command(
            "settlement",
            settlement_command,
            N_("A brand's monthly settlement (brand staff)"),
            PRIVATE_ONLY,
            in_menu=False,
            audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}),
        )
    )
    table.errors(dict(ERRORS))
