"""What members, moderators and brand staff see of drops: announcements, teasers, menus, reports."""

from __future__ import annotations

import logging

from bots.core.context import Context
from bots.core.handlers.drops_chart import sales_chart
from domain.brands.optins import BrandChoice
from domain.drops.buying import DropCheckout
from domain.drops.model import Drop, DropStatus
from domain.notices import NoticeParams
from domain.outgoing import Button, Invoice, View
from domain.products import Brand

log = logging.getLogger(__name__)


def _int(params: NoticeParams, name: str) -> int:
    value = params.get(name)
    return int(value) if value is not None else 0


def _str(params: NoticeParams, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def status_name(ctx: Context, status: DropStatus) -> str:
    return {
        DropStatus.DRAFT: ctx.t("draft"),
        DropStatus.SCHEDULED: ctx.t("scheduled"),
        DropStatus.OPEN: ctx.t("open"),
        DropStatus.CLOSED: ctx.t("closed"),
        DropStatus.CANCELLED: ctx.t("cancelled"),
    }[status]


def _terms(ctx: Context, params: NoticeParams) -> str:
    if _str(params, "mode") == "raffle":
        return ctx.t("Raffle: enter before {ends}; winners are drawn then.", ends=_str(params, "ends"))
    return ctx.t("Limit {limit} per member · ends {ends}", limit=_int(params, "limit"), ends=_str(params, "ends"))


def announcement(ctx: Context, params: NoticeParams) -> View:
    drop_id = _int(params, "drop_id")
    title = _str(params, "title")
    if _str(params, "state") == "closed":
        return View(ctx.t("<b>Drop ended: {title}</b>\nThank you all!", title=title))
    lines = [
        ctx.t("<b>Drop: {title}</b>", title=title),
        ctx.t(
            "{price} · {remaining} of {quantity} left",
            price=_str(params, "price"),
            remaining=_int(params, "remaining"),
            quantity=_int(params, "quantity"),
        ),
        _terms(ctx, params),
    ]
    if _str(params, "mode") == "raffle":
        lines.append(ctx.t("Draw commitment (sha256 of the seed): <code>{hash}</code>", hash=_str(params, "seed_hash")))
        button = Button(ctx.t("Enter the raffle"), callback=ctx.button("denter", drop_id))
    else:
        button = Button(ctx.t("Buy · {price}", price=_str(params, "price")), callback=ctx.button("dbuy", drop_id))
    return View("\n".join(lines), ((button,),))


def teaser(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t("<b>Coming soon: {title}</b>", title=_str(params, "title")),
        ctx.t(
            "{quantity} units at {price}, opening {starts}.",
            quantity=_int(params, "quantity"),
            price=_str(params, "price"),
            starts=_str(params, "starts"),
        ),
        _terms(ctx, params),
    ]
    drop_id = _int(params, "drop_id")
    rows: list[tuple[Button, ...]] = [(Button(ctx.t("Remind me"), callback=ctx.button("dremind", drop_id)),)]
    if params.get("early_minutes") and _str(params, "mode") != "raffle":
        # Members whose plan grants early access buy from here; the domain refuses everyone else until the start.
        early = ctx.t("Members: buy early · {price}", price=_str(params, "price"))
        rows.append((Button(early, callback=ctx.button("dbuy", drop_id)),))
    return View("\n".join(lines), tuple(rows))


def reminder(ctx: Context, params: NoticeParams) -> View:
    drop_id = _int(params, "drop_id")
    text = ctx.t("<b>{title}</b> is live now! {price}.", title=_str(params, "title"), price=_str(params, "price"))
    if _str(params, "mode") == "raffle":
        return View(text, ((Button(ctx.t("Enter the raffle"), callback=ctx.button("denter", drop_id)),),))
    price = _str(params, "price")
    return View(text, ((Button(ctx.t("Buy · {price}", price=price), callback=ctx.button("dbuy", drop_id)),),))


def cancelled(ctx: Context, params: NoticeParams) -> View:
    return View(ctx.t("The drop of {title} has been cancelled.", title=_str(params, "title")))


def raffle_won(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "You won the raffle for <b>{title}</b>! Pay {price} before {until} to get it.",
        title=_str(params, "title"),
        price=_str(params, "price"),
        until=_str(params, "until"),
    )
    price = _str(params, "price")
    pay = Button(ctx.t("Buy · {price}", price=price), callback=ctx.button("dbuy", _int(params, "drop_id")))
    return View(text, ((pay,),))


def raffle_results(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t("<b>Raffle drawn: {title}</b>", title=_str(params, "title")),
        ctx.t(
            "{entrants} entered; {winners} won and were told in private.",
            entrants=_int(params, "entrants"),
            winners=_int(params, "winners"),
        ),
        ctx.t("Seed: <code>{seed}</code>", seed=_str(params, "seed")),
        ctx.t("Its sha256 was published when entries opened: <code>{hash}</code>", hash=_str(params, "seed_hash")),
        ctx.t("Anyone can recompute the draw: circlecart drop verify {drop_id}", drop_id=_int(params, "drop_id")),
    ]
    return View("\n".join(lines))


def report(ctx: Context, params: NoticeParams) -> View:
    sell_out = params.get("sell_out_seconds")
    lines = [
        ctx.t("<b>Drop report: {title}</b>", title=_str(params, "title")),
        ctx.t("Units sold: {sold} of {quantity}", sold=_int(params, "sold"), quantity=_int(params, "quantity")),
        ctx.t("Revenue: {revenue}", revenue=_str(params, "revenue")),
        ctx.t("Sold out in {duration}", duration=duration(int(sell_out)))
        if sell_out is not None
        else ctx.t("Did not sell out."),
    ]
    timeline = [int(n) for n in _str(params, "timeline").split(",") if n]
    chart: bytes | None = None
    try:
        chart = sales_chart(timeline, max(1, _int(params, "bucket_seconds")), _str(params, "title"))
    except Exception:
        log.exception("could not draw the sales chart of drop %s", params.get("drop_id"))
    return View("\n".join(lines), photo_bytes=chart)


def duration(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def invoice(ctx: Context, checkout: DropCheckout, buyer_name: str) -> Invoice:
    order = checkout.order
    line = order.lines[0]
    total = order.total
    description = ctx.t("For {name}. {quantity} × {title}", name=buyer_name, quantity=line.quantity, title=line.title)
    return Invoice(
        title=line.title[:32],
        description=description[:255],
        payload=checkout.payload,
        currency=total.currency,
        amount=total.amount,
        label=line.title[:32],
        provider_token="" if total.currency == "XTR" else ctx.settings.payment_provider_token,
    )


def brand_choices(ctx: Context, choices: tuple[BrandChoice, ...]) -> View:
    if not choices:
        return View(ctx.t("No brands are registered yet."))
    rows = []
    for choice in choices:
        mark = "✅" if choice.allowed else "⛔"
        label = f"{mark} {choice.brand.name}"  # button labels are plain text, not HTML
        rows.append((Button(label, callback=ctx.button("dopt", choice.brand.id, 0 if choice.allowed else 1)),))
    text = ctx.t("<b>Brands in this group</b>\n✅ may announce drops here, ⛔ may not. Tap to switch.")
    return View(text, tuple(rows))


def brand_menu(ctx: Context, brands: tuple[Brand, ...], drops: tuple[Drop, ...]) -> View:
    lines = [ctx.t("<b>Brand menu</b> · {brands}", brands=", ".join(b.name for b in brands))]
    rows: list[tuple[Button, ...]] = []
    if not drops:
        lines.append(ctx.t("No drops yet. Tap New drop, or use: circlecart drop schedule FILE"))
    for drop in drops:
        lines.append(
            ctx.t(
                "#{id} {title} · {status} · {sold}/{quantity} sold · opens {starts}",
                id=drop.id,
                title=drop.title,
                status=status_name(ctx, drop.status),
                sold=drop.sold,
                quantity=drop.quantity,
                starts=drop.starts_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        )
        if drop.status in (DropStatus.DRAFT, DropStatus.SCHEDULED):
            rows.append(
                (
                    Button(ctx.plain("Edit #{id}", id=drop.id), callback=ctx.button("dedit", drop.id)),
                    Button(ctx.plain("Cancel #{id}", id=drop.id), callback=ctx.button("dcancel", drop.id)),
                )
            )
    for brand in brands:
        rows.append((Button(ctx.plain("New drop · {brand}", brand=brand.name), callback=ctx.button("dnew", brand.id)),))
    return View("\n".join(lines), tuple(rows))
