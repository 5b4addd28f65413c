"""Browsing, searching, product cards and Buy."""

from __future__ import annotations

import logging

from bots.core import views
from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, Chat, CommandEvent
from domain import catalog, checkout
from domain.outgoing import MessageRef, View

log = logging.getLogger(__name__)


async def shop(ctx: Context, event: CommandEvent) -> None:
    if event.args:
        await find(ctx, event)
        return
    async with ctx.uow() as uow:
        page = await catalog.browse(uow, 0)
    await ctx.messenger.send(event.chat.id, views.catalog_page(ctx, page))


async def find(ctx: Context, event: CommandEvent) -> None:
    if not event.args:
        await ctx.messenger.send(event.chat.id, View(ctx.t("What are you looking for? For example: /find tea")))
        return
    async with ctx.uow() as uow:
        found = await catalog.search(uow, event.args)
    await ctx.messenger.send(event.chat.id, views.search_results(ctx, event.args, found))


async def turn_page(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        page = await catalog.browse(uow, callback.int_arg(0))
    await ctx.messenger.edit(event.message, views.catalog_page(ctx, page))
    await ctx.messenger.answer_callback(event.callback_id)


async def open_product(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        product = await catalog.product(uow, callback.int_arg(0))
    target = event.chat.id if event.chat else event.sender.id
    await ctx.messenger.send(target, views.product_card(ctx, product), reply_to=event.message.message_id)
    await ctx.messenger.answer_callback(event.callback_id)


async def show_product_by_sku(ctx: Context, chat: Chat, sku: str) -> None:
    async with ctx.uow() as uow:
        product = await catalog.product_by_sku(uow, sku)
    await ctx.messenger.send(chat.id, views.product_card(ctx, product))


async def buy(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    product_id = callback.int_arg(0)
    if event.chat is None:
        # A card shared through inline mode: Telegram does not tell us the chat, so pay in private.
        async with ctx.uow() as uow:
            product = await catalog.product(uow, product_id)
        await ctx.messenger.answer_callback(event.callback_id, url=ctx.deep_link(f"p_{product.sku}"))
        return
    community_id = event.chat.id if event.chat.is_group else None
    async with ctx.uow() as uow:
        started = await checkout.start_checkout(
            uow,
            ctx.now(),
            event.sender.id,
            product_id,
            event.chat.id,
            community_id,
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )
        await uow.commit()
    invoice = views.invoice(ctx, started.order, event.sender.first_name)
    reply_to = event.message.message_id if isinstance(event.message, MessageRef) else None
    await ctx.messenger.send_invoice(event.chat.id, invoice, reply_to=reply_to)
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Your invoice is ready: tap Pay."))
    log.info("invoice for order %s sent to chat %s", started.order.id, event.chat.id)
