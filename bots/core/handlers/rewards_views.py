"""What members see of points, invitations and group buys (texts are HTML; params are escaped by ctx.t)."""

from __future__ import annotations

from bots.core.context import Context
from domain.groupbuys.closing import card_params
from domain.groupbuys.model import LINK_PREFIX as GROUP_LINK
from domain.groupbuys.model import GroupBuy, GroupOffer, Participant
from domain.notices import NoticeParams
from domain.outgoing import Button, Invoice, View
from domain.points.accounts import Summary
from domain.points.ledger import Entry, Reason
from domain.referrals.links import LINK_PREFIX as INVITE_LINK
from domain.shop.orders import Order
from domain.shop.products import Product


def reason_name(ctx: Context, reason: Reason) -> str:
    names = {
        Reason.PURCHASE: ctx.t("points for a purchase"),
        Reason.REFERRAL: ctx.t("points for an invitation"),
        Reason.GROUPBUY: ctx.t("points for leading a group buy"),
        Reason.EVENT: ctx.t("points for an event"),
        Reason.SPEND: ctx.t("points spent on a discount"),
        Reason.RETURN: ctx.t("points returned by a refund"),
        Reason.CLAWBACK: ctx.t("points taken back by a refund"),
        Reason.SETTLE: ctx.t("owed points paid off"),
        Reason.EXPIRE: ctx.t("points expired"),
    }
    return names[reason]


def points_view(ctx: Context, summary: Summary) -> View:
    lines = [ctx.t("<b>Your points: {balance}</b>", balance=summary.balance)]
    if summary.next_expiry is not None:
        lines.append(
            ctx.t(
                "{points} of them expire on {date}.",
                points=summary.next_expiry.remaining,
                date=summary.next_expiry.expires_at.strftime("%Y-%m-%d"),
            )
        )
    if summary.owed:
        lines.append(
            ctx.t(
                "{points} points are owed from a refunded order and come off your next earnings.", points=summary.owed
            )
        )
    if summary.recent:
        lines.append("")
        lines.append(ctx.t("Recent:"))
        lines.extend(_history_line(ctx, entry) for entry in summary.recent)
    else:
        lines.append(
            ctx.t(
                "You earn points with every paid order, by inviting friends (/invite) and by leading a "
                "group buy (/groupbuy)."
            )
        )
    return View("\n".join(lines))


def _history_line(ctx: Context, entry: Entry) -> str:
    sign = "+" if entry.delta > 0 else "−"
    return f"{sign}{abs(entry.delta)} · {reason_name(ctx, entry.reason)} · {entry.created_at:%Y-%m-%d}"


def invite_view(ctx: Context, code: str) -> View:
    link = ctx.deep_link(f"{INVITE_LINK}{code}")
    policy = ctx.settings.rewards
    text = "\n".join(
        [
            ctx.t("<b>Your invite link</b>"),
            link,
            "",
            ctx.t(
                "When someone you invite pays for their first order, you earn {points} points once the order is "
                "past its {days}-day refund window.",
                points=policy.referral_points,
                days=policy.referral_hold_days,
            ),
        ]
    )
    return View(text)


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
        lines.append(ctx.t("Deadline: {deadline}", deadline=str(params["deadline"])))
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


def invoice(ctx: Context, order: Order, payload: str, buyer_name: str, size: int) -> Invoice:
    line = order.lines[0]
    total = order.total
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
    )


# -- notices -------------------------------------------------------------------------------------------


def points_earned(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "You earned {points} points for order #{order}. Balance: {balance}. See /points.",
            points=params["points"],
            order=params["order"],
            balance=params["balance"],
        )
    )


def points_expiring(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "{points} of your points expire on {date}. See /points.", points=params["points"], date=str(params["date"])
        )
    )


def points_returned(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "Your payment for {title} was not completed in time, so its {points} points are yours again. "
            "Balance: {balance}. See /points.",
            title=str(params["title"]),
            points=params["points"],
            balance=params["balance"],
        )
    )


def referral_rewarded(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "{name} paid their first order through your invitation: you earned {points} points.",
            name=str(params["name"]),
            points=params["points"],
        )
    )


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


def order_refunded(ctx: Context, params: NoticeParams) -> View:
    if params.get("by_bot"):
        return View(
            ctx.t(
                "Your order #{order} was refunded: {amount} is on its way back to you.",
                order=params["order"],
                amount=str(params["amount"]),
            )
        )
    return View(
        ctx.t(
            "Your order #{order} was cancelled by the shop; {amount} will be refunded to you.",
            order=params["order"],
            amount=str(params["amount"]),
        )
    )
