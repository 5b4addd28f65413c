"""Commands, buttons and notices of drops: /brands in groups, the brand menu, Buy, Remind me, raffles."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.drops import dialog, edit, views
from bots.core.drops.errors import DropCommandError
from bots.core.events import ButtonEvent, CommandEvent, PreCheckoutEvent, TextEvent
from bots.core.i18n import N_
from bots.core.pre_checkout import answer_pre_checkout
from bots.core.shop import payments
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.actors import Actor
from domain.brands import optins, roles
from domain.brands.errors import BrandError
from domain.communities import CommunityError
from domain.drops import buying, notices, scheduling, shelf, standing
from domain.drops.errors import DropError
from domain.errors import DomainError, ErrorCode
from domain.money import Money
from domain.numbers import whole_number
from domain.outgoing import MessageRef, View
from domain.ports import UnitOfWork
from domain.shop import checkout as shop_checkout

log = logging.getLogger(__name__)

PAYMENT_KIND = buying.PAYLOAD_PREFIX.rstrip(":")

ERRORS: dict[ErrorCode, str] = {
    DropError.UNKNOWN: N_("That drop does not exist."),
    DropError.ENDED: N_("The drop of {title} has ended."),
    DropError.CANCELLED: N_("The drop of {title} was cancelled."),
    DropError.NOT_OPEN: N_("The drop of {title} has not opened yet."),
    DropError.ALREADY_OPEN: N_("The drop of {title} is open now: buy it on the announcement."),
    DropError.SOLD_OUT: N_("Sorry, {title} is sold out."),
    DropError.LIMIT_REACHED: N_("You have reached the limit of {limit} per member for this drop."),
    DropError.RAFFLE_ONLY: N_("{title} is sold by raffle: enter the raffle instead."),
    DropError.NOT_A_RAFFLE: N_("{title} is not a raffle."),
    DropError.NOT_A_WINNER: N_("Only raffle winners can buy {title}."),
    DropError.OFFER_EXPIRED: N_("Your time to buy {title} has run out; the unit went to the next entrant."),
    DropError.START_BOT_FIRST: N_("Open a private chat with me first, so that I can tell you if you win {title}."),
    DropError.NOT_EDITABLE: N_("The drop of {title} can no longer be changed."),
    DropCommandError.UNKNOWN_FIELD: N_("That button is no longer valid: open the drop from /brand again."),
    DropError.STARTS_IN_PAST: N_("The drop must start in the future."),
    DropError.BAD_QUANTITY: N_("The quantity must be between 1 and {max}."),
    DropError.BAD_PRICE: N_("The price must be more than zero."),
    DropError.BAD_LIMIT: N_("The per-member limit must be between 1 and {max}."),
    DropError.BAD_EARLY_ACCESS: N_("Early access must be between 0 and {max} minutes."),
    DropError.BAD_TIME: N_("Give the start and end with a time zone."),
    DropError.BAD_DURATION: N_("A drop must last between one minute and 30 days."),
    DropError.BAD_CURRENCY: N_("The drop must be priced in {currency}, like its product."),
    DropError.PHYSICAL_IN_STARS: N_(
        "{title} is a physical product, and Telegram Stars are for digital goods and services only: "
        "its drop must be priced in the payment provider's currency."
    ),
    DropError.NOT_BRAND_PRODUCT: N_("{title} is not one of this brand's products."),
    DropError.COMMUNITY_NOT_OPTED_IN: N_("Group {chat} has not allowed this brand's drops."),
    DropError.NOT_ENOUGH_STOCK: N_("Only {stock} of {title} are for sale in the shop: a drop cannot set aside more."),
    BrandError.OPERATOR_ONLY: N_("Only the operator can do that."),
    BrandError.UNKNOWN: N_("There is no brand {brand}."),
    BrandError.NOT_STAFF: N_("You are not staff of {brand}."),
    BrandError.BAD_NAME: N_("A brand name has 1 to {max} characters."),
    BrandError.EXISTS: N_("The brand {brand} exists already."),
    BrandError.BAD_USER: N_("{user} is not a Telegram user id."),
    DropCommandError.NO_BRANDS: N_("You are not staff of any brand."),
    CommunityError.MODERATORS_ONLY: N_("Only this group's moderators can do that."),
    CommunityError.UNKNOWN: N_("I don't know this group yet: remove me and add me again."),
}


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
    brands_help = (
        (Audience.MEMBER, N_("/brands · brands allowed to announce drops here")),
        (Audience.MODERATOR, N_("/brands · allow or block brands' drops in this group")),
    )
    group_people = frozenset({Audience.MEMBER, Audience.MODERATOR})
    brands = N_("Brands allowed to drop here")
    in_groups = frozenset({GROUP_SCOPE})
    table.command(Command("brands", brands_in_group, brands, in_groups, audience=group_people, help=brands_help))
    brand_help = (
        (Audience.BRAND_STAFF, N_("/brand · your brand's drops: new, edit, cancel")),
        (Audience.OPERATOR, N_("/brand add NAME · /brand staff BRAND USER_ID · register brands and their staff")),
    )
    brand_people = frozenset({Audience.BRAND_STAFF, Audience.OPERATOR})
    menu = N_("Brand menu (brand staff)")
    in_private = frozenset({PRIVATE_SCOPE})
    # Not in everyone's menu: /help lists it for brand staff and the operator.
    table.command(Command("brand", brand_menu, menu, in_private, in_menu=False, audience=brand_people, help=brand_help))
    table.command(Command("raffle", raffle_command, N_("A raffle's entrants and draw"), frozenset({PRIVATE_SCOPE})))
    table.action("dopt", toggle_brand, int, int)
    table.action("dbuy", buy, int)
    table.action("dremind", remind_me, int)
    table.action("denter", enter_raffle, int)
    table.action("dcancel", cancel_drop, int)
    table.member_state_key(dialog.dialog_key)  # a brand's open drop dialog is forgotten with them
    table.action("dnew", dialog.start_dialog, int)
    table.action("dconfirm", dialog.confirm, int)
    table.action("dedit", edit.start_edit, int)
    table.action("dfield", edit.choose_field, int, str)
    # Private text reaches private_text through the assistant (bots/core/assistant), which asks dialog_open first.
    table.payment_kind(PAYMENT_KIND, pre_checkout, payments.successful_payment)
    table.notice(notices.TEASER, views.teaser)
    table.notice(notices.ANNOUNCEMENT, views.announcement)
    table.notice(notices.REMINDER, views.reminder)
    table.notice(notices.CANCELLED, views.cancelled)
    table.notice(notices.REPORT, views.report)
    table.notice(notices.RAFFLE_WON, views.raffle_won)
    table.notice(notices.RAFFLE_RESULTS, views.raffle_results)
    table.notice(notices.RAFFLE_ENTERED, views.raffle_entered)
    table.errors(ERRORS)


# -- groups choose brands -----------------------------------------------------------------------------
async def brands_in_group(ctx: Context, event: CommandEvent) -> None:
    actor = await ctx.actor(event.sender, event.chat.id)
    async with ctx.uow() as uow:
        choices = await optins.brand_choices(uow, event.chat.id, actor)
    await ctx.messenger.send(event.chat.id, views.brand_choices(ctx, choices))


async def toggle_brand(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    if event.chat is None or not event.chat.is_group:
        raise DomainError(CommunityError.MODERATORS_ONLY)
    brand_id, allow = callback.int_arg(0), callback.int_arg(1) == 1
    actor = await ctx.actor(event.sender, event.chat.id)
    async with ctx.uow() as uow:
        choice = await optins.set_brand_allowed(uow, ctx.now(), event.chat.id, actor, brand_id, allow)
        await uow.commit()
        choices = await optins.brand_choices(uow, event.chat.id, actor)
    log.info("group %s: %s %s brand %s", event.chat.id, event.sender.id, "allowed" if allow else "blocked", brand_id)
    await ctx.messenger.edit(event.message, views.brand_choices(ctx, choices))
    if choice.allowed:
        text = ctx.t("{brand} may announce drops here.", brand=choice.brand.name)
    else:
        text = ctx.t("{brand} will not announce drops here.", brand=choice.brand.name)
    await ctx.messenger.answer_callback(event.callback_id, text)


# -- the brand menu -----------------------------------------------------------------------------------
async def brand_menu(ctx: Context, event: CommandEvent) -> None:
    """/brand: staff see their drops; the operator also `/brand add NAME` and `/brand staff BRAND USER_ID`."""
    actor = await ctx.actor(event.sender)
    verb, _, rest = event.args.partition(" ")
    if verb == "add":
        async with ctx.uow() as uow:
            brand = await roles.register_brand(uow, actor, rest)
            await uow.commit()
        await ctx.messenger.send(event.chat.id, View(ctx.t("Brand {brand} registered.", brand=brand.name)))
        return
    if verb == "staff":
        name, _, user_text = rest.strip().rpartition(" ")
        user_id = whole_number(user_text, signed=True)
        if user_id is None or not name:
            await ctx.messenger.send(event.chat.id, View(ctx.t("Use: /brand staff BRAND USER_ID")))
            return
        async with ctx.uow() as uow:
            brand, added = await roles.add_staff(uow, ctx.now(), actor, name, user_id)
            await uow.commit()
        text = ctx.t("{user} is now staff of {brand}.", user=user_text, brand=brand.name)
        await ctx.messenger.send(event.chat.id, View(text if added else ctx.t("Nothing changed: already staff.")))
        return
    await ctx.messenger.send(event.chat.id, await _menu(ctx, actor))


async def _menu(ctx: Context, actor: Actor) -> View:
    async with ctx.uow() as uow:
        brands = await roles.brands_of(uow, actor)
        if not brands:
            raise DomainError(DropCommandError.NO_BRANDS)
        drops = await scheduling.drops_of(uow, actor, [b.id for b in brands])
    return views.brand_menu(ctx, brands, drops)


async def dialog_open(ctx: Context, user_id: int) -> bool:
    """Is a brand's scheduling or editing conversation waiting for this person's next answer?"""
    return await ctx.services.state.get(dialog.dialog_key(user_id)) is not None


async def private_text(ctx: Context, event: TextEvent) -> None:
    """Private text answers a brand's open conversation; without one, the text is not for us."""
    state = await ctx.services.state.get(dialog.dialog_key(event.sender.id))
    if state is None:
        return
    if "edit" in state:
        await edit.on_answer(ctx, event, state)
    else:
        await dialog.on_answer(ctx, event, state)


async def cancel_drop(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        drop = await scheduling.cancel_drop(uow, ctx.now(), actor, callback.int_arg(0))
        await uow.commit()
    ctx.services.outbox.wake()
    log.info("drop %s cancelled by %s", drop.id, actor.user_id)
    await ctx.messenger.edit(event.message, await _menu(ctx, actor))
    await ctx.messenger.answer_callback(event.callback_id, ctx.t("Drop #{id} cancelled.", id=drop.id))


# -- members ------------------------------------------------------------------------------------------
async def buy(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await _buy(ctx, event, callback.int_arg(0))


async def buy_through_drop(ctx: Context, event: ButtonEvent, product_id: int) -> bool:
    """Buy on a product's card while the product is in a drop: the drop's invoice. False if it is in none."""
    async with ctx.uow() as uow:
        drop = await shelf.live_drop(uow, ctx.now(), product_id)
    if drop is None:
        return False
    await _buy(ctx, event, drop.id)
    return True


async def _buy(ctx: Context, event: ButtonEvent, drop_id: int) -> None:
    chat_id = event.chat.id if event.chat else event.sender.id
    community_id = event.chat.id if event.chat is not None and event.chat.is_group else None
    async with ctx.uow() as uow:
        checkout = await buying.start_purchase(
            uow,
            ctx.now(),
            event.sender.id,
            drop_id,
            chat_id,
            community_id,
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )
        ships = await shop_checkout.ships(uow, checkout.order)
        await uow.commit()
    invoice = views.invoice(ctx, checkout, event.sender.first_name, ships=ships)
    reply_to = event.message.message_id if isinstance(event.message, MessageRef) and event.chat else None
    await ctx.messenger.send_invoice(chat_id, invoice, reply_to=reply_to)
    await ctx.messenger.answer_callback(event.callback_id, ctx.t("Your invoice is ready: tap Pay."))


async def remind_me(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        await buying.remind_me(uow, ctx.now(), callback.int_arg(0), event.sender.id)
        await uow.commit()
    if ctx.member is not None and not ctx.member.started_bot:
        # The bot may only write to people who started it: send them to the private chat first.
        await ctx.messenger.answer_callback(event.callback_id, url=ctx.deep_link("drops"))
        return
    await ctx.messenger.answer_callback(event.callback_id, ctx.t("I will remind you in private when it opens."))


async def enter_raffle(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    """Enter the raffle from its button. Only members the bot can write to enter (a winner must be told): anyone
    else is sent to the private chat, where /start rf_<id> enters them."""
    drop_id = callback.int_arg(0)
    in_group = event.chat is not None and event.chat.is_group
    try:
        async with ctx.uow() as uow:
            result = await buying.enter_raffle(uow, ctx.now(), drop_id, event.sender.id, tell_in_private=in_group)
            await uow.commit()
    except DomainError as error:
        if error.code is not DropError.START_BOT_FIRST:
            raise
        await ctx.messenger.answer_callback(event.callback_id, url=ctx.deep_link(f"{RAFFLE_LINK_PREFIX}{drop_id}"))
        return
    if result.added and in_group:
        ctx.services.outbox.wake()  # their pseudonym, in private
    await ctx.messenger.answer_callback(event.callback_id, _entered_toast(ctx, result))
    if result.added and not in_group and event.chat is not None:
        notice = notices.raffle_entered(result.drop, event.sender.id, result.pseudonym)
        await ctx.messenger.send(event.chat.id, views.raffle_entered(ctx, notice.params))


def _entered_toast(ctx: Context, result: buying.RaffleEntryResult) -> str:
    if result.pseudonym is None:  # a raffle from before pseudonyms
        if result.added:
            return ctx.plain("You are in the raffle. Winners hear from me in private.")
        return ctx.plain("You entered already.")
    if result.added:
        return ctx.plain(
            "You are in the raffle as {pseudonym}. Winners hear from me in private.", pseudonym=result.pseudonym
        )
    return ctx.plain("You entered already, as {pseudonym}.", pseudonym=result.pseudonym)


RAFFLE_LINK_PREFIX = "rf_"
RAFFLE_LINK = re.compile(r"^rf_([0-9]{1,18})$")


async def start_link(ctx: Context, event: CommandEvent) -> bool:
    """/start rf_<drop id>: the member came from a raffle's button to the private chat; enter them here."""
    link = RAFFLE_LINK.match(event.args)
    if not link:
        return False
    async with ctx.uow() as uow:
        result = await buying.enter_raffle(uow, ctx.now(), int(link.group(1)), event.sender.id)
        await uow.commit()
    notice = notices.raffle_entered(result.drop, event.sender.id, result.pseudonym)
    view = views.raffle_entered(ctx, notice.params)
    if not result.added:
        view = View(ctx.t("You entered already.") + "\n" + view.text)
    await ctx.messenger.send(event.chat.id, view)
    return True


async def raffle_command(ctx: Context, event: CommandEvent) -> None:
    """/raffle ID in private: the published entrant list and draw (a file), and the member's own place."""
    number = whole_number(event.args.strip().removeprefix("#"))
    if number is None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("Use: /raffle DROP_ID (the number in the raffle's posts)")))
        return
    async with ctx.uow() as uow:
        shown = await standing.raffle_standing(uow, number, event.sender.id)
    await ctx.messenger.send(event.chat.id, views.raffle_page(ctx, shown))


# -- payments -----------------------------------------------------------------------------------------
async def pre_checkout(ctx: Context, event: PreCheckoutEvent) -> None:
    async def check(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> object:
        # A physical product: the shipping chosen in the form is priced from the rules, as in the shop.
        await shop_checkout.choose_shipping(
            uow, ctx.settings.shipping, payer_id, payload, event.shipping_option_id, event.country_code
        )
        return await buying.accept_pre_checkout(uow, now, payer_id, payload, amount)

    # Most of a rush's payment forms find the drop sold out: they are refused from reads alone, no write lock.
    # The rest run statement by statement: each write of the check is whole on its own (remembering the payer,
    # the shipping chosen, the hold), so the drop's row is locked only while the hold's statement runs.
    await answer_pre_checkout(
        ctx, event, check, keep_refusal_changes=True, refuse_reading=buying.sold_out_refusal, autocommit=True
    )
