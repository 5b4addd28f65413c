"""What members see of their points (texts are HTML; params are escaped by ctx.t)."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.i18n import count_of
from domain.notices import NoticeParams
from domain.outgoing import View
from domain.points.accounts import Summary
from domain.points.ledger import Entry, Reason


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
                date=ctx.date(summary.next_expiry.expires_at),
            )
        )
    if summary.owed:
        lines.append(
            ctx.tn(
                "{points} point is owed from a refunded order and comes off your next earnings.",
                "{points} points are owed from a refunded order and come off your next earnings.",
                summary.owed,
                points=summary.owed,
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
    return f"{sign}{abs(entry.delta)} · {reason_name(ctx, entry.reason)} · {ctx.date(entry.created_at)}"


# -- notices -------------------------------------------------------------------------------------------


def points_earned(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.tn(
            "You earned {points} point for order #{order}. Balance: {balance}. See /points.",
            "You earned {points} points for order #{order}. Balance: {balance}. See /points.",
            count_of(params["points"]),
            points=params["points"],
            order=params["order"],
            balance=params["balance"],
        )
    )


def points_expiring(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.tn(
            "{points} of your points expires on {date}. See /points.",
            "{points} of your points expire on {date}. See /points.",
            count_of(params["points"]),
            points=params["points"],
            date=ctx.when_text(params["date"]),
        )
    )


def points_returned(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.tn(
            "Your payment for {title} was not completed in time, so its {points} point is yours again. "
            "Balance: {balance}. See /points.",
            "Your payment for {title} was not completed in time, so its {points} points are yours again. "
            "Balance: {balance}. See /points.",
            count_of(params["points"]),
            title=str(params["title"]),
            points=params["points"],
            balance=params["balance"],
        )
    )
