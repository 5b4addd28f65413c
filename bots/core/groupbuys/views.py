"""What members see of group buys (texts are HTML; params are escaped by ctx.t)."""

from __future__ import annotations

from bots.core.context import Context
from domain.groupbuys.closing import card_params
from domain.groupbuys.model import LINK_PREFIX as GROUP_LINK
from domain.groupbuys.model import GroupBuy, GroupOffer, Participant
from domain.notices import NoticeParams
from domain.outgoing import Button, Invoice, View
from domain.shop.orders import Order
from domain.shop.products import Product


def offers_view(ctx: Context, offers: list[tuple[GroupOffer, Product]]) -> View:
    if not offers:
        return View(ctx.t("No product has a group price right now."))
    rows = tuple(
        (
            Button(
                ctx.plain(
                    "{title} · {size} for {price} each",
                    title=product.title,
                    size=offer.size,
                    price=offer.price.display(),
                ),
                callback=ctx.button("gbstart", product.id),
            ),
        )
        for offer, product in offers
    )
    text = ctx.t(
        "<b>Group buys</b>\nStart one: pay the group price, share the link, and when enough friends join "
        "before the deadline everyone gets the better price."
    )
    return View(text, rows)


def card(ctx: Context, params: NoticeParams) -> View:
    """The progress card in the chat where the group buy started; edited as members join."""
    status = str(params.get("status"))
    lines = [
        ctx.t("<b>Group buy · {title}</b>", title=str(params["title"])),
        ctx.t("{price} each when {size} join.", price=str(params["price"]), size=params["size"]),
        ctx.t("Joined: {paid} of {size}", paid=params["paid"], size=params["size"]),
    ]
    if params.get("names"):
        lines.append(ctx.t("Members: {names}", names=str(params["names"])))
    if params.get("leader"):
        lines.append(ctx.t("Led by {name}", name=str(params["leader"])))
    buttons: tuple[tuple[Button, ...], ...] = ()
    if status == "filled":
        lines.append(ctx.t("Complete! Every order is confirmed."))
    elif status == "cancelled":
        lines.append(ctx.t("Cancelled: the group did not fill in time. Every payment is refunded."))
    else:
        lines.append(ctx.t("Deadline: {deadline}", deadline=ctx.when_text(params["deadline"])))
        link = ctx.deep_link(f"{GROUP_LINK}{params['code']}")
        lines.append(ctx.t("Join with this link: {link}", link=link))
        buttons = ((Button(ctx.plain("Join · {price}", price=str(params["price"])), url=link),),)
    return View("\n".join(lines), buttons)


def card_of(ctx: Context, group_buy: GroupBuy, participants: list[Participant]) -> View:
    return card(ctx, card_params(group_buy, participants))


def group_buy_summary(ctx: Context, group_buy: GroupBuy, participants: list[Participant]) -> View:
    """What someone who opened the link sees, with the button that gets them an invoice."""
    view = card_of(ctx, group_buy, participants)
    if group_buy.status.value not in ("open", "pending"):
        return View(view.text)
    join = Button(
        ctx.plain("Join · {price}", price=group_buy.price.display()), callback=ctx.button("gbjoin", group_buy.id)
    )
    return View(view.text, ((join,),))


def invoice(ctx: Context, order: Order, payload: str, buyer_name: str, size: int, *, ships: bool = False) -> Invoice:
    """`ships`: a physical product paid through the provider, so the form asks where to send it."""
    line = order.lines[0]
    total = order.goods_total  # shipping is chosen in the payment form and added by Telegram
    description = ctx.plain(
        "Group buy for {name}: {title} at the group price of {size}.", name=buyer_name, title=line.title, size=size
    )
    return Invoice(
        title=line.title[:32],
        description=description[:255],
        payload=payload,
        currency=total.currency,
        amount=total.amount,
        label=line.title[:32],
        provider_token="" if total.is_stars else ctx.settings.payment_provider_token,
        ships=ships and not total.is_stars,
    )


# -- notices -------------------------------------------------------------------------------------------


def group_filled(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "The group buy for {title} is complete! Your order #{order} is confirmed.",
            title=str(params["title"]),
            order=params["order"],
        )
    )


def group_filled_chat(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "🎉 The group buy for {title} is complete: {names}. Every order is confirmed.",
            title=str(params["title"]),
            names=str(params["names"]),
        )
    )


def group_cancelled(ctx: Context, params: NoticeParams) -> View:
    if params.get("by_bot"):
        return View(
            ctx.t(
                "The group buy for {title} did not fill before its deadline and is cancelled. "
                "Your payment of {amount} has been refunded.",
                title=str(params["title"]),
                amount=str(params["amount"]),
            )
        )
    return View(
        ctx.t(
            "The group buy for {title} did not fill before its deadline and is cancelled. "
            "Your payment of {amount} will be refunded; the shop has been told.",
            title=str(params["title"]),
            amount=str(params["amount"]),
        )
    )


def group_cancelled_chat(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "The group buy for {title} ended with {paid} of {size}: it is cancelled and every payment is refunded.",
            title=str(params["title"]),
            paid=params["paid"],
            size=params["size"],
        )
    )
