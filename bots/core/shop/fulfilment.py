"""The brand console for physical orders, in the bot's private chat, and the member's returns.

Brand staff (and the operator): `/ship` pages through the orders to ship with address and items, and each
order's buttons pack, ship (a short dialog asks for the carrier and tracking number), cancel, mark delivered,
and decide returns; `/returns` lists the returns to handle; `/order N` shows one order. Export CSV sends the
orders to ship as a file. Every button's order number is checked by the use case against the person pressing
it, so a forged button for another brand's order gets "no such order".

Members: `/orders` shows each order's state and tracking number, with a Return button while a return can be
asked for; the reason is asked in a short dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent, DocumentEvent, TextEvent
from bots.core.i18n import N_
from bots.core.shop import fulfilment_views as fv
from bots.core.shop.views import status_name
from bots.core.table import PRIVATE_SCOPE, Audience, Command, DocumentFn, HandlerTable, TextFn
from domain.brands.roles import brands_of
from domain.errors import DomainError, ErrorCode
from domain.numbers import whole_number
from domain.outgoing import View
from domain.shop import fulfilment
from domain.shop.errors import FulfilmentError
from domain.shop.orders import OrderStatus
from domain.shop.payments import refunds
from domain.shop.payments.operator_refunds import Refund

log = logging.getLogger(__name__)

PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})
CANCEL_WORDS = {"cancel", "stop", "取消"}
MAX_CSV_BYTES = 256 * 1024

ERRORS: dict[ErrorCode, str] = {
    FulfilmentError.NO_SUCH_ORDER: N_("There is no order #{number} that you can see."),
    FulfilmentError.WRONG_STATE: N_("Order #{number} cannot do that now: it is {status}."),
    FulfilmentError.NOT_SHIPPABLE: N_("Order #{number} has nothing to ship."),
    FulfilmentError.PREORDER_COLLECTING: N_(
        "Order #{number} is a pre-order still collecting: it ships once the pre-order reaches its minimum."
    ),
    FulfilmentError.BAD_TRACKING: N_("A tracking number has 3 to {max} letters, digits or - _ . /"),
    FulfilmentError.BAD_CARRIER: N_("Name the carrier in 1 to {max} characters."),
    FulfilmentError.BAD_REASON: N_("Please give a reason in a few words."),
    FulfilmentError.FINAL_SALE: N_("{title} is a final-sale item: it cannot be returned."),
    FulfilmentError.WINDOW_CLOSED: N_("The return window of order #{number} closed on {date}."),
    FulfilmentError.NOT_RETURNABLE: N_("Order #{number} cannot be returned now."),
    FulfilmentError.NOTHING_PAID: N_(
        "Order #{number} was included in your membership, so there is no money to return. Something wrong with "
        "it? Tell me in a few words and the shop's team will answer."
    ),
    FulfilmentError.CSV_EMPTY: N_("The file lists no orders."),
    FulfilmentError.CSV_BAD_LINE: N_("expected order_id,carrier,tracking_number"),
    FulfilmentError.CSV_DUPLICATE: N_("order #{number} is listed twice (first on line {line})"),
    FulfilmentError.CSV_TOO_BIG: N_("The file has more than {max} lines."),
}


def dialog_key(user_id: int) -> str:
    return f"fulfilment:dialog:{user_id}"


def register(table: HandlerTable) -> None:
    table.command(
        Command(
            "ship",
            ship_console,
            N_("Orders to ship (brand staff)"),
            PRIVATE_ONLY,
            audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}),
        )
    )
    table.command(
        Command(
            "returns",
            returns_console,
            N_("Returns to handle (brand staff)"),
            PRIVATE_ONLY,
            audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}),
        )
    )
    table.command(
        Command(
            "order",
            order_command,
            N_("One order (brand staff)"),
            PRIVATE_ONLY,
            in_menu=False,
            audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}),
        )
    )
    table.action("fpage", turn_page, int)
    table.action("fpack", pack, int)
    table.action("fship", start_ship, int)
    table.action("fdeliver", deliver, int)
    table.action("fcancel", cancel, int)
    table.action("fcsv", export_csv, int)
    table.action("rapprove", approve_return, int)
    table.action("rrefuse", start_refusal, int)
    table.action("rreceived", return_received, int)
    table.action("rask", start_return, int)
    table.notice(fulfilment.NOTICE, fv.fulfilment_notice)
    table.notice(fulfilment.RETURN_ASKED, fv.return_asked_notice)
    table.errors(ERRORS)
    table.text = _chain(table.text)
    table.document = _files(table.document)


def _files(previous: DocumentFn | None) -> DocumentFn:
    """A file in the private chat: a CSV without a caption is tracking numbers for this console; a captioned
    file (the caption names a product: a pool of codes) or any other file goes to whoever took files before."""

    async def private_file(ctx: Context, event: DocumentEvent) -> None:
        captioned = bool((event.caption or "").strip())
        is_csv = (event.file_name or "").lower().endswith(".csv")
        if previous is None or (is_csv and not captioned):
            await import_csv(ctx, event)
        else:
            await previous(ctx, event)

    return private_file


def _chain(previous: TextFn | None) -> TextFn:
    """Private text answers this console's dialog when one is open, else whatever answered it before."""

    async def private_text(ctx: Context, event: TextEvent) -> None:
        state = await ctx.services.state.get(dialog_key(event.sender.id))
        if state is not None:
            await on_answer(ctx, event, state)
        elif previous is not None:
            await previous(ctx, event)

    return private_text


def _names(ctx: Context) -> dict[OrderStatus, str]:
    return {status: status_name(ctx, status) for status in OrderStatus}


# -- brand staff --------------------------------------------------------------------------------------
async def _page(ctx: Context, event: CommandEvent | ButtonEvent, offset: int) -> View:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        page = await fulfilment.orders_to_ship(uow, actor, offset, fv.PAGE_SIZE)
    return fv.ship_page(ctx, page, _names(ctx))


async def ship_console(ctx: Context, event: CommandEvent) -> None:
    await ctx.messenger.send(event.chat.id, await _page(ctx, event, 0))


async def turn_page(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await ctx.messenger.edit(event.message, await _page(ctx, event, callback.int_arg(0)))
    await ctx.messenger.answer_callback(event.callback_id)


async def returns_console(ctx: Context, event: CommandEvent) -> None:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        found = await fulfilment.orders_of_brands(
            uow, actor, (OrderStatus.RETURN_REQUESTED, OrderStatus.RETURN_APPROVED), limit=20
        )
        shown = tuple([await fulfilment.order_details(uow, actor, order.id) for order in found])
    await ctx.messenger.send(event.chat.id, fv.returns_list(ctx, shown, _names(ctx)))


async def order_command(ctx: Context, event: CommandEvent) -> None:
    number = whole_number(event.args.strip().removeprefix("#"))
    if number is None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("Use: /order NUMBER")))
        return
    await _show(ctx, event.chat.id, event, number)


async def _show(ctx: Context, chat_id: int, event: CommandEvent | ButtonEvent | TextEvent, order_id: int) -> None:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        shown = await fulfilment.order_details(uow, actor, order_id)
    await ctx.messenger.send(chat_id, fv.order_card(ctx, shown, status_name(ctx, shown.order.status)))


async def _act(
    ctx: Context,
    event: ButtonEvent,
    callback: Callback,
    step: Callable[..., Awaitable[object]],
    done: str | Callable[[object], str],
    *args: object,
) -> None:
    """Run one console step on the button's order, answer the press, and show the order as it is now."""
    order_id = callback.int_arg(0)
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        result = await step(uow, ctx.now(), actor, order_id, *args)
        await uow.commit()
    ctx.services.outbox.wake()
    log.info("order %s: %s by %s", order_id, step.__name__, event.sender.id)
    if isinstance(result, Refund):
        await _refund_stars(ctx, result)
    text = done if isinstance(done, str) else done(result)
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain(text, number=order_id))
    if event.chat is not None:
        await _show(ctx, event.chat.id, event, order_id)


async def pack(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await _act(ctx, event, callback, fulfilment.pack, N_("Order #{number} is packed."))


async def deliver(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await _act(ctx, event, callback, fulfilment.deliver, N_("Order #{number} is delivered."))


async def cancel(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    def done(result: object) -> str:
        if isinstance(result, Refund) and result.order.status is OrderStatus.CANCELLED:
            return N_("Order #{number} is cancelled; nothing was charged for it.")  # a membership's box
        return N_("Order #{number} is cancelled and refunded.")

    await _act(ctx, event, callback, fulfilment.cancel, done, ctx.settings.owner_ids)


async def approve_return(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await _act(ctx, event, callback, fulfilment.decide_return, N_("Return of order #{number} approved."), True)


async def return_received(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    done = N_("Order #{number} is refunded.")
    await _act(ctx, event, callback, fulfilment.return_received, done, ctx.settings.owner_ids)


async def _refund_stars(ctx: Context, refund: Refund) -> None:
    """Stars go back now (the payments job retries a failure); other currencies wait on the refund list."""
    for payment in refund.star_payments:
        await refunds.refund_stars(
            ctx.services.uow_factory, ctx.services.clock, ctx.messenger, payment, ctx.settings.owner_ids, answer=False
        )


async def export_csv(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        content = await fulfilment.export_to_ship(uow, actor)
    count = max(content.count(b"\n") - 1, 0)
    await ctx.messenger.answer_callback(event.callback_id)
    await ctx.messenger.send(event.sender.id, fv.export(ctx, content, count, ctx.now().strftime("%Y%m%d-%H%M")))


async def import_csv(ctx: Context, event: DocumentEvent) -> None:
    """A CSV of order_id,carrier,tracking_number sent in the private chat: every order shipped, or none."""
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        staff_of = await brands_of(uow, actor)
    if not staff_of:
        await ctx.messenger.send(
            event.chat.id, View(ctx.t("I only read CSV files of tracking numbers from brand staff."))
        )
        return
    if event.file_size is not None and event.file_size > MAX_CSV_BYTES:
        raise DomainError(FulfilmentError.CSV_TOO_BIG, max=fulfilment.MAX_CSV_LINES)
    content = await ctx.messenger.download(event.file_id)
    if len(content) > MAX_CSV_BYTES:
        raise DomainError(FulfilmentError.CSV_TOO_BIG, max=fulfilment.MAX_CSV_LINES)
    async with ctx.uow() as uow:
        shipped, problems = await fulfilment.import_tracking(uow, ctx.now(), actor, content)
        if problems:
            await uow.rollback()
        else:
            await uow.commit()
    if problems:
        log.info("tracking CSV of %s refused: %s problems", event.sender.id, len(problems))
        await ctx.messenger.send(event.chat.id, fv.csv_problems(ctx, problems))
        return
    ctx.services.outbox.wake()
    log.info("tracking CSV of %s: %s orders shipped", event.sender.id, len(shipped))
    numbers = ", ".join(f"#{order.id}" for order in shipped)
    text = ctx.t("{count} orders marked shipped: {orders}. Their buyers are told.", count=len(shipped), orders=numbers)
    await ctx.messenger.send(event.chat.id, View(text))


# -- dialogs: tracking number, refusal reason, return reason ------------------------------------------
async def _open(ctx: Context, event: ButtonEvent, state: dict[str, Any], question: str) -> None:
    await ctx.services.state.set(dialog_key(event.sender.id), state)
    await ctx.messenger.answer_callback(event.callback_id)
    await ctx.messenger.send(event.sender.id, View(question))


async def start_ship(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    order_id = callback.int_arg(0)
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        await fulfilment.require_order_staff(uow, actor, order_id)  # a forged button opens no dialog
    question = ctx.t(
        "Shipping order #{number}: send the carrier and the tracking number, for example: DHL JD014600003828. "
        "Send cancel to stop.",
        number=order_id,
    )
    await _open(ctx, event, {"do": "ship", "order": order_id}, question)


async def start_refusal(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    order_id = callback.int_arg(0)
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        await fulfilment.require_order_staff(uow, actor, order_id)
    question = ctx.t("Why is the return of order #{number} refused? The member reads your answer.", number=order_id)
    await _open(ctx, event, {"do": "refuse", "order": order_id}, question)


async def start_return(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    order_id = callback.int_arg(0)
    async with ctx.uow() as uow:  # final sale, or the window closed: refused before any reason is asked
        await fulfilment.may_return(uow, ctx.now(), event.sender.id, order_id, ctx.settings.returns)
    question = ctx.t("Why do you want to return order #{number}? Send the reason in a few words.", number=order_id)
    await _open(ctx, event, {"do": "return", "order": order_id}, question)


async def on_answer(ctx: Context, event: TextEvent, state: dict[str, Any]) -> None:
    key = dialog_key(event.sender.id)
    if event.text.strip().lower() in CANCEL_WORDS:
        await ctx.services.state.delete(key)
        await ctx.messenger.send(event.chat.id, View(ctx.t("Stopped. Nothing was changed.")))
        return
    order_id = int(state["order"])
    what = str(state["do"])
    try:
        async with ctx.uow() as uow:
            if what == "return":
                await fulfilment.request_return(
                    uow, ctx.now(), event.sender.id, order_id, event.text, ctx.settings.returns
                )
            else:
                actor = await ctx.actor(event.sender)
                if what == "ship":
                    carrier, _, tracking = event.text.strip().rpartition(" ")
                    await fulfilment.ship(uow, ctx.now(), actor, order_id, carrier, tracking)
                else:
                    await fulfilment.decide_return(uow, ctx.now(), actor, order_id, approve=False, reason=event.text)
            await uow.commit()
    except DomainError as error:
        if error.code in (FulfilmentError.BAD_TRACKING, FulfilmentError.BAD_CARRIER, FulfilmentError.BAD_REASON):
            await ctx.messenger.send(event.chat.id, View(ctx.explain_error(error) + " " + ctx.t("Try again.")))
            return  # the dialog stays open for another try
        await ctx.services.state.delete(key)
        raise
    await ctx.services.state.delete(key)
    ctx.services.outbox.wake()
    log.info("order %s: %s from the dialog of %s", order_id, what, event.sender.id)
    if what == "return":
        await ctx.messenger.send(
            event.chat.id, View(ctx.t("Your return request for order #{number} is sent.", number=order_id))
        )
        return
    await _show(ctx, event.chat.id, event, order_id)
