"""Browsing, searching, product cards and Buy."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.drops import handlers as drops
from bots.core.events import ButtonEvent, Chat, CommandEvent
from bots.core.shop import links, views
from bots.core.shop.links import ProductLink
from domain.memberships import perks
from domain.moderation import settings as community_settings
from domain.outgoing import MessageRef, View
from domain.points import checkout as points_checkout
from domain.ports import UnitOfWork
from domain.share import attribution
from domain.shop import catalog, checkout

log = logging.getLogger(__name__)


async def shop(ctx: Context, event: CommandEvent) -> None:
    if event.args:
        await find(ctx, event)
        return
    async with ctx.reading() as uow:
        await community_settings.require_shop_open(uow, event.chat.id)
        page = await catalog.browse(uow, 0)
    await ctx.messenger.send(event.chat.id, views.catalog_page(ctx, page))


async def find(ctx: Context, event: CommandEvent) -> None:
    if not event.args:
        await ctx.messenger.send(event.chat.id, View(ctx.t("What are you looking for? For example: /find tea")))
        return
    async with ctx.reading() as uow:
        await community_settings.require_shop_open(uow, event.chat.id)
        found = await catalog.search(uow, event.args)
    await ctx.messenger.send(event.chat.id, views.search_results(ctx, event.args, found))


async def turn_page(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.reading() as uow:
        page = await catalog.browse(uow, callback.int_arg(0))
    await ctx.messenger.edit(event.message, views.catalog_page(ctx, page))
    await ctx.messenger.answer_callback(event.callback_id)


async def open_product(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.reading() as uow:
        product = await catalog.product(uow, callback.int_arg(0))
        # In a group the card shows the opener's points offer; whoever presses it gets their own.
        offer = await points_checkout.points_offer(uow, ctx.now(), ctx.settings.rewards, event.sender.id, product)
        members = await perks.advertised_price(uow, product)
    target = event.chat.id if event.chat else event.sender.id
    card = views.product_card(ctx, product, offer, members)
    await ctx.messenger.send(target, card, reply_to=event.message.message_id)
    await ctx.messenger.answer_callback(event.callback_id)


async def show_product_link(ctx: Context, chat: Chat, link: ProductLink) -> None:
    """The card of a /start link; the group a `pc_` link names is only a claim, judged when Buy is pressed."""
    async with ctx.reading() as uow:
        if link.product_id is not None:
            product = await catalog.product(uow, link.product_id)
        else:
            product = await catalog.product_by_sku(uow, link.sku or "")
        offer = None
        if chat.is_private:  # a private chat's id is the member's
            offer = await points_checkout.points_offer(uow, ctx.now(), ctx.settings.rewards, chat.id, product)
        members = await perks.advertised_price(uow, product)
    await ctx.messenger.send(chat.id, views.product_card(ctx, product, offer, members, link.community))


async def buy(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await _buy(ctx, event, callback, None)


async def buy_in_community(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    """Buy on a card opened through a deep link naming a community (buyc:PRODUCT:-CHAT_ID): the claim is
    only a claim, judged by domain.share.attribution."""
    await _buy(ctx, event, callback, -callback.int_arg(1))


async def _buy(ctx: Context, event: ButtonEvent, callback: Callback, claimed: int | None) -> None:
    async def start(uow: UnitOfWork, chat_id: int, community_id: int | None) -> checkout.Checkout:
        return await checkout.start_checkout(
            uow, ctx.now(), event.sender.id, callback.int_arg(0), chat_id, community_id,
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )  # fmt: skip

    await _send_invoice(ctx, event, callback.int_arg(0), start, claimed)


async def buy_with_points(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    """Buy with points: the offer is recomputed for the presser, whatever the button said."""

    async def start(uow: UnitOfWork, chat_id: int, community_id: int | None) -> checkout.Checkout:
        return await points_checkout.start_points_checkout(
            uow, ctx.now(), ctx.settings.rewards, event.sender.id, callback.int_arg(0), chat_id, community_id,
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )  # fmt: skip

    await _send_invoice(ctx, event, callback.int_arg(0), start)


async def _send_invoice(
    ctx: Context,
    event: ButtonEvent,
    product_id: int,
    start: Callable[[UnitOfWork, int, int | None], Awaitable[checkout.Checkout]],
    claimed: int | None = None,
) -> None:
    """Start the order where the button was pressed and send the member its invoice there (the drop's
    invoice while the product is in a drop)."""
    if await drops.buy_through_drop(ctx, event, product_id):
        return
    if event.chat is None:
        # A card shared through inline mode: Telegram does not tell us the chat, so pay in private.
        async with ctx.reading() as uow:
            product = await catalog.product(uow, product_id)
        await ctx.messenger.answer_callback(event.callback_id, url=ctx.deep_link(links.product_payload(product)))
        return
    async with ctx.uow() as uow:
        product = await catalog.product(uow, product_id)
        community_id = await attribution.attribute(uow, event.chat.id, event.chat.is_group, claimed, product)
        started = await start(uow, event.chat.id, community_id)
        ships = product.ships
        await uow.commit()
    order = started.order
    invoice = views.invoice(ctx, order, event.sender.first_name, ships=ships)
    reply_to = event.message.message_id if isinstance(event.message, MessageRef) else None
    await ctx.messenger.send_invoice(event.chat.id, invoice, reply_to=reply_to)
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Your invoice is ready: tap Pay."))
    log.info("invoice for order %s (%s points off) sent to chat %s", order.id, order.points_to_spend, event.chat.id)
