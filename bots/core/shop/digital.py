"""Digital goods in chat: the delivery a paid order receives, sending it again from /orders, and the pools of
codes brand staff upload in the private chat (a document of one code per line, captioned with the SKU)."""

from __future__ import annotations

import html
import logging

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent, DocumentEvent
from bots.core.i18n import N_
from bots.core.table import PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.errors import ErrorCode
from domain.notices import NoticeParams
from domain.outgoing import Document, View
from domain.shop import digital
from domain.shop.errors import ShopError

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 1_000_000  # a pool file: 10,000 codes of up to a hundred characters
MAX_PROBLEM_LINES = 20

ERRORS: dict[ErrorCode, str] = {
    ShopError.DIGITAL_OUT_OF_CODES: N_("Sorry, the codes for {title} ran out just before your payment."),
    ShopError.CODES_UNKNOWN_PRODUCT: N_("There is no product with the SKU {sku}."),
    ShopError.CODES_NOT_A_POOL: N_("{sku} does not deliver codes from a pool (its catalog content is not 'pool')."),
    ShopError.CODES_NOT_ALLOWED: N_("Only the shop's operators manage the codes of a product without a brand."),
    ShopError.CODES_INVALID: N_("The codes were not added: the file has {count} problem(s)."),
    ShopError.RESEND_NOT_YOURS: N_("Order #{number} is not one of your orders."),
    ShopError.RESEND_NOTHING: N_("Order #{number} has nothing to send again."),
    ShopError.RESEND_NOT_PAID: N_("Order #{number} is not paid, so it has nothing to send."),
}


def register(table: HandlerTable) -> None:
    table.notice(digital.DELIVERY, delivery)
    table.notice(digital.POOL_LOW, pool_low)
    table.notice(digital.POOL_EMPTY, pool_empty)
    table.action("resend", resend, int)
    table.command(
        Command(
            "codes",
            codes_command,
            N_("Codes of a digital product (brand staff)"),
            frozenset({PRIVATE_SCOPE}),
            audience=frozenset({Audience.BRAND_STAFF, Audience.OPERATOR}),
        )
    )
    table.document = upload
    table.errors(ERRORS)


# -- what the buyer receives ---------------------------------------------------------------------------


def delivery(ctx: Context, params: NoticeParams) -> View:
    title = html.escape(str(params["title"]))
    heading = ctx.t("<b>Your {title}</b> (order #{order})", title=title, order=params["order"])
    kind, content = params.get("kind"), str(params.get("content") or "")
    if kind == "file":
        return View(heading + "\n" + ctx.t("Here is your file."), document=Document.stored(content))
    if kind == "link":
        link = html.escape(content, quote=True)
        return View(heading + "\n" + ctx.t("Your download: {link}", link=f'<a href="{link}">{link}</a>'))
    codes = "\n".join(f"<code>{html.escape(code)}</code>" for code in str(params.get("codes") or "").splitlines())
    return View(heading + "\n" + ctx.t("Your code:") + "\n" + codes)


async def resend(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    """/orders' Send again: the order's content, the same codes, to its buyer's private chat only."""
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        params = await digital.resend(uow, actor, callback.int_arg(0))
    await ctx.messenger.send(event.sender.id, delivery(ctx, params))
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Sent again in our private chat."))
    log.info("member %s had order %s's content sent again", event.sender.id, params["order"])


# -- brand staff: the pool -----------------------------------------------------------------------------


def pool_low(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "The codes of {title} ({sku}) are running low: {free} left. Send more as a text file of one code "
            "per line, with {sku} as its caption.",
            title=html.escape(str(params["title"])),
            sku=html.escape(str(params["sku"])),
            free=params["free"],
        )
    )


def pool_empty(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "The codes of {title} ({sku}) ran out: order #{order} was paid but got no code, and is being "
            "refunded. Send more as a text file of one code per line, with {sku} as its caption.",
            title=html.escape(str(params["title"])),
            sku=html.escape(str(params["sku"])),
            order=params["order"],
        )
    )


async def codes_command(ctx: Context, event: CommandEvent) -> None:
    """/codes SKU: how many codes the pool has left, and how to add more."""
    sku = event.args.strip()
    if not sku:
        text = ctx.t(
            "Send /codes SKU to see how many codes a product has left. To add codes, send a text file of one "
            "code per line with the SKU as its caption."
        )
        await ctx.messenger.send(event.chat.id, View(text))
        return
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        pool = await digital.count_codes(uow, actor, sku)
    text = ctx.tn(
        "{sku}: {free} code left, {given} given out. To add codes, send a text file of one code per line "
        "with {sku} as its caption.",
        "{sku}: {free} codes left, {given} given out. To add codes, send a text file of one code per line "
        "with {sku} as its caption.",
        pool.free,
        sku=html.escape(pool.product.sku),
        free=pool.free,
        given=pool.given,
    )
    await ctx.messenger.send(event.chat.id, View(text))


async def upload(ctx: Context, event: DocumentEvent) -> None:
    """A document in the private chat, captioned with a SKU: its lines join that product's pool (staff only)."""
    sku = (event.caption or "").strip()
    if not sku:
        text = ctx.t("To add codes, send the file again with the product's SKU as its caption.")
        await ctx.messenger.send(event.chat.id, View(text))
        return
    if event.file_size is not None and event.file_size > MAX_UPLOAD_BYTES:
        text = ctx.t("The file is too large: send at most {limit} codes at a time.", limit="10,000")
        await ctx.messenger.send(event.chat.id, View(text))
        return
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        await digital.count_codes(uow, actor, sku)  # who may, and which pool, before anything is downloaded
    content = await ctx.messenger.download(event.file_id)
    try:
        text_content = content.decode("utf-8")
    except UnicodeDecodeError:
        await ctx.messenger.send(event.chat.id, View(ctx.t("The file must be plain text (UTF-8), one code per line.")))
        return
    try:
        async with ctx.uow() as uow:
            done = await digital.upload_codes(uow, ctx.now(), actor, sku, text_content, ctx.settings.codes_low_at)
            await uow.commit()
    except digital.CodesFileError as error:
        count = len(error.problems)
        lines = [
            ctx.tn(
                "The codes were not added: the file has {count} problem.",
                "The codes were not added: the file has {count} problems.",
                count,
                count=count,
            )
        ]
        for number, problem in error.problems[:MAX_PROBLEM_LINES]:
            where = ctx.t("line {number}", number=number) if number else ctx.t("the file")
            lines.append(f"{where}: {html.escape(problem)}")
        await ctx.messenger.send(event.chat.id, View("\n".join(lines)))
        return
    log.info("staff %s added %s codes to %s", event.sender.id, done.added, done.product.sku)
    left = ctx.tn("{free} code left", "{free} codes left", done.free, free=done.free)
    text = ctx.tn(
        "Added {added} code to {sku}: {left}.",
        "Added {added} codes to {sku}: {left}.",
        done.added,
        added=done.added,
        sku=html.escape(done.product.sku),
        left=left,
    )
    await ctx.messenger.send(event.chat.id, View(text))
