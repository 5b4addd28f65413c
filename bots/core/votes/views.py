"""What members, moderators and brands see of co-creation votes (texts are HTML; params are escaped by ctx.t)."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.i18n import N_
from domain.notices import NoticeParams
from domain.outgoing import Button, Document, Invoice, View
from domain.shop.orders import Order
from domain.votes.model import Vote

MAX_CAPTION = 1000


def proposed(ctx: Context, vote: Vote, posted: int, groups: int) -> View:
    return View(
        ctx.t(
            "Vote #{vote} “{question}” is up in {posted} of {groups} communities. It closes at {closes}.",
            vote=vote.id,
            question=vote.question,
            posted=posted,
            groups=groups,
            closes=vote.closes_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def standing(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "Vote #{vote} “{question}” ({status}, closes {closes})\n\nVotes per design:\n{totals}\n\n"
            "Per community:\n{communities}",
            vote=params["vote"],
            question=str(params["question"]),
            status=str(params["status"]),
            closes=str(params["closes_at"]),
            totals=str(params["totals"]),
            communities=str(params["communities"]),
        )
    )


def results(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "The vote “{question}” is closed. Winner: <b>{winner}</b>.\n\nVotes per design:\n{totals}\n\n"
        "Per community:\n{communities}\n\n"
        "Pre-order it now at {price}, until {pay_by}. It is made if {minimum} are ordered; "
        "otherwise everyone is refunded.",
        question=str(params["question"]),
        winner=str(params["winner"]),
        totals=str(params["totals"]),
        communities=str(params["communities"]),
        price=str(params["price"]),
        pay_by=str(params["pay_by"]),
        minimum=params["minimum"],
    )
    vote_id = params["vote"]
    assert isinstance(vote_id, int)
    button = Button(
        ctx.plain("Pre-order · {price}", price=str(params["price"])), callback=ctx.button("preorder", vote_id)
    )
    return View(text, ((button,),))


def invoice(ctx: Context, vote: Vote, order: Order, payload: str) -> Invoice:
    total = order.total
    title = vote.winning_title
    return Invoice(
        title=title[:32],
        description=ctx.plain(
            "Pre-order of {title}: made if {minimum} are ordered by {pay_by}, otherwise refunded.",
            title=title,
            minimum=vote.terms.minimum,
            pay_by=vote.terms.pay_by.strftime("%Y-%m-%d %H:%M UTC"),
        )[:255],
        payload=payload,
        currency=total.currency,
        amount=total.amount,
        label=title[:32],
        provider_token="" if total.is_stars else ctx.settings.payment_provider_token,
        ships=vote.terms.kind == "physical" and not total.is_stars,
    )


def order_list(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "The pre-order of {title} reached its minimum: {count} ordered (minimum {minimum}). "
        "These are paid orders of your brand; ship them as usual.\n{orders}",
        title=str(params["title"]),
        count=params["count"],
        minimum=params["minimum"],
        orders=str(params["orders"]),
    )
    if len(text) > MAX_CAPTION:
        text = text[: MAX_CAPTION - 1] + "…"
    filename = f"preorder-{params['vote']}.csv"
    return View(text, document=Document(filename, str(params["csv"]).encode()))


def stands(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "The pre-order of {title} reached its minimum: your order #{order} will be made.",
            title=str(params["title"]),
            order=params["order"],
        )
    )


def missed(ctx: Context, params: NoticeParams) -> View:
    if params.get("by_bot"):
        msgid = N_(
            "The pre-order of {title} did not reach its minimum of {minimum}. Your {amount} for order #{order} "
            "has been refunded."
        )
    else:
        msgid = N_(
            "The pre-order of {title} did not reach its minimum of {minimum}. Your {amount} for order #{order} "
            "will be refunded by the shop."
        )
    return View(
        ctx.t(
            msgid,
            title=str(params["title"]),
            minimum=params["minimum"],
            amount=str(params["amount"]),
            order=params["order"],
        )
    )


def reward(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "You supported {title}, and it is being made: {points} points are yours.",
            title=str(params["title"]),
            points=params["points"],
        )
    )
