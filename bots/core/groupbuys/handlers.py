"""Commands, buttons, payments and notices of group buys: /groupbuy, /groupprice and g_<code> links."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, Chat, CommandEvent, PreCheckoutEvent
from bots.core.groupbuys import views
from bots.core.groupbuys.errors import GroupBuyCommandError
from bots.core.i18n import N_
from bots.core.moderation.settings_views import risk_notice
from bots.core.pre_checkout import answer_pre_checkout
from bots.core.shop import payments
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.errors import DomainError, ErrorCode
from domain.groupbuys import closing, flow, offers
from domain.groupbuys.errors import GroupBuyError
from domain.groupbuys.flow import Seat
from domain.groupbuys.model import PAYLOAD_KIND
from domain.moderation import settings as community_settings
from domain.moderation.model import Feature
from domain.money import Money
from domain.numbers import whole_number
from domain.outgoing import MessageRef, View
from domain.ports import UnitOfWork
from domain.shop import checkout

log = logging.getLogger(__name__)

EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})
PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})
GROUP_BUY = re.compile(r"^g_([a-z0-9]{4,16})$")
MAX_OFFERS = 20

ERRORS: dict[ErrorCode, str] = {
    GroupBuyError.UNKNOWN: N_("That group buy does not exist. Ask for a fresh link."),
    GroupBuyError.NO_OFFER: N_("{title} has no group price."),
    GroupBuyError.FULL: N_("The group buy for {title} is already full."),
    GroupBuyError.CLOSED: N_("The group buy for {title} has ended."),
    GroupBuyError.NOT_STARTED: N_("The group buy for {title} opens once its starter has paid."),
    GroupBuyError.ALREADY_JOINED: N_("You are already in the group buy for {title}."),
    GroupBuyError.NOT_ALLOWED: N_("Only the shop's operators can set group prices."),
    GroupBuyError.UNKNOWN_PRODUCT: N_("There is no product {sku} with a group price to change."),
    GroupBuyError.BAD_PRICE: N_("A group price must be more than zero."),
    GroupBuyError.BAD_PRICE_TEXT: N_("“{value}” is not a price in {currency}."),
    GroupBuyError.PRICE_NOT_LOWER: N_("A group price must be lower than the price of {price}."),
    GroupBuyError.BAD_SIZE: N_("A group has {min} to {max} members."),
    GroupBuyError.BAD_HOURS: N_("A group buy lasts 1 to {max} hours."),
    GroupBuyError.PHYSICAL_IN_STARS: N_(
        "{title} is a physical product, and Telegram Stars are for digital goods and services only: "
        "its group buy must be paid through the payment provider."
    ),
    GroupBuyCommandError.USAGE: N_(
        "Send /groupprice SKU PRICE SIZE [HOURS], for example /groupprice TEA-SET-01 200 3, or /groupprice SKU off."
    ),
}


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
    table.command(Command("groupbuy", group_buys, N_("Start a group buy"), EVERYWHERE))
    price_help = ((Audience.OPERATOR, N_("/groupprice SKU PRICE SIZE · set a product's group price")),)
    operator = frozenset({Audience.OPERATOR})
    table.command(
        Command(
            "groupprice",
            group_price,
            N_("Set a group price (operators)"),
            PRIVATE_ONLY,
            in_menu=False,
            audience=operator,
            help=price_help,
        )
    )
    table.action("gbstart", start_group_buy, int)
    table.action("gbjoin", join_group_buy, int)
    table.payment_kind(PAYLOAD_KIND, group_pre_checkout, payments.successful_payment)
    table.notice("groupbuy.card", views.card)
    table.notice("groupbuy.filled", views.group_filled)
    table.notice("groupbuy.filled_chat", views.group_filled_chat)
    table.notice("groupbuy.cancelled", views.group_cancelled)
    table.notice("groupbuy.cancelled_chat", views.group_cancelled_chat)
    table.errors(ERRORS)


# -- /start links: g_<code> ----------------------------------------------------------------------------


async def start_link(ctx: Context, event: CommandEvent) -> bool:
    """Handle a group-buy link. True if the link was fully answered; False lets /start welcome as usual."""
    group = GROUP_BUY.match(event.args)
    if group:
        await _show_group_buy(ctx, event.chat, group.group(1))
        return True
    return False


async def _show_group_buy(ctx: Context, chat: Chat, code: str) -> None:
    async with ctx.uow() as uow:
        group_buy, participants = await flow.by_code(uow, code)
        # The notice of the group where the group buy was started, if it was started in one.
        started_in = group_buy.community_id or (group_buy.chat_id if group_buy.chat_id < 0 else None)
        group = await community_settings.settings_of(uow, started_in) if started_in is not None else None
    view = views.group_buy_summary(ctx, group_buy, participants)
    await ctx.messenger.send(chat.id, replace(view, text=risk_notice(ctx, group) + "\n\n" + view.text))


# -- commands ------------------------------------------------------------------------------------------


async def group_buys(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        await community_settings.require_feature(uow, event.chat.id, Feature.GROUP_BUYS)
        found = await offers.buyable_offers(uow, MAX_OFFERS)
        group = await community_settings.settings_of(uow, event.chat.id) if event.chat.is_group else None
    view = views.offers_view(ctx, found)
    await ctx.messenger.send(event.chat.id, replace(view, text=risk_notice(ctx, group) + "\n\n" + view.text))


async def group_price(ctx: Context, event: CommandEvent) -> None:
    """/groupprice SKU PRICE SIZE [HOURS] or /groupprice SKU off (operators)."""
    parts = event.args.split()
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        if len(parts) == 2 and parts[1].lower() == "off":
            product = await offers.withdraw_offer(uow, actor, parts[0])
            text = ctx.t("{title} has no group price any more.", title=product.title)
        elif len(parts) in (3, 4) and None not in (numbers := [whole_number(p, max_digits=5) for p in parts[2:]]):
            size, hours = numbers[0], (numbers[1] if len(numbers) == 2 else None)
            assert size is not None
            offer, product = await offers.set_offer(uow, actor, parts[0], parts[1], size, hours)
            text = ctx.t(
                "{title}: {price} each in a group of {size}.",
                title=product.title,
                price=offer.price.display(),
                size=offer.size,
            )
        else:
            raise DomainError(GroupBuyCommandError.USAGE)
        await uow.commit()
    await ctx.messenger.send(event.chat.id, View(text))


# -- buttons -------------------------------------------------------------------------------------------


async def start_group_buy(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    chat = event.chat or Chat(event.sender.id, "private")
    community_id = chat.id if chat.is_group else None
    async with ctx.uow() as uow:
        seat = await flow.start(
            uow,
            ctx.now(),
            ctx.settings.rewards,
            event.sender.id,
            event.sender.first_name,
            callback.int_arg(0),
            chat.id,
            community_id,
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )
        await uow.commit()
    await _send_invoice(ctx, event, chat.id, seat)


async def join_group_buy(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        seat = await flow.join(
            uow,
            ctx.now(),
            event.sender.id,
            event.sender.first_name,
            callback.int_arg(0),
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )
        await uow.commit()
    # The invoice goes to the member's private chat: a group-buy link is opened there.
    target = event.chat.id if event.chat is not None else event.sender.id
    await _send_invoice(ctx, event, target, seat)


async def _send_invoice(ctx: Context, event: ButtonEvent, chat_id: int, seat: Seat) -> None:
    async with ctx.uow() as uow:
        ships = await checkout.ships(uow, seat.order)
    name = event.sender.first_name
    invoice = views.invoice(ctx, seat.order, seat.participant.payload, name, seat.group_buy.size, ships=ships)
    reply_to = event.message.message_id if isinstance(event.message, MessageRef) else None
    await ctx.messenger.send_invoice(chat_id, invoice, reply_to=reply_to)
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Your invoice is ready: tap Pay."))
    log.info("group buy %s: invoice for participant %s", seat.group_buy.id, seat.participant.id)


# -- payments ------------------------------------------------------------------------------------------


async def group_pre_checkout(ctx: Context, event: PreCheckoutEvent) -> None:
    async def check(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> object:
        # A physical product: the shipping chosen in the form is priced from the rules, as in the shop.
        await checkout.choose_shipping(
            uow, ctx.settings.shipping, payer_id, payload, event.shipping_option_id, event.country_code
        )
        return await flow.accept_pre_checkout(uow, now, payer_id, payload, amount)

    await answer_pre_checkout(ctx, event, check, keep_refusal_changes=True)


async def post_card(ctx: Context, group_buy_id: int) -> None:
    """The first payment opens the group buy: its progress card goes to the chat where it started."""
    async with ctx.uow() as uow:
        group_buy, participants = await flow.with_participants(uow, group_buy_id)
    posted = await ctx.messenger.send(group_buy.chat_id, views.card_of(ctx, group_buy, participants))
    if posted.message_id is None:
        return
    async with ctx.uow() as uow:
        await closing.card_posted(uow, ctx.now(), group_buy, posted.message_id)
        await uow.commit()
    ctx.services.outbox.wake()
