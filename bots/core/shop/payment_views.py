"""What members and operators read about payments: receipts, seats, refunds, refunds owed, reconciled charges."""

from __future__ import annotations

from collections import defaultdict

from bots.core.context import Context
from bots.core.i18n import N_
from domain.money import Money
from domain.notices import NoticeParams
from domain.outgoing import View
from domain.shop.payments import answers


def _money(params: NoticeParams, amount: str = "amount") -> str:
    return Money(int(params[amount] or 0), str(params["currency"])).display()


def why(ctx: Context, code: str, title: str = "") -> str:
    """A refund's reason in the member's words; a reason's placeholders this notice cannot fill stay empty."""
    msgid = ctx.services.error_text(code)
    filled: defaultdict[str, object] = defaultdict(str, title=title)
    try:
        return ctx.services.translations.gettext(ctx.language, msgid).format_map(filled)
    except (IndexError, ValueError):
        return msgid.format_map(filled)


def receipt(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t("<b>Thank you! Payment received.</b>"),
        ctx.t(
            "Order #{number}: {quantity} × {title}",
            number=params["order"],
            quantity=params["quantity"],
            title=str(params["title"]),
        ),
        ctx.t("Paid: {amount}", amount=_money(params, "paid")),
    ]
    if params.get("discount"):
        discount = _money(params, "discount")
        lines.append(ctx.t("Points used: {points} ({discount} off)", points=params["points"], discount=discount))
    lines += [ctx.t("Receipt: {charge}", charge=str(params["charge"])), ctx.t("See all your orders with /orders.")]
    return View("\n".join(lines))


def seated(ctx: Context, params: NoticeParams) -> View:
    if params.get("filled"):
        return View(
            ctx.t(
                "<b>Payment received.</b> The group buy for {title} is complete: your order is confirmed.",
                title=str(params["title"]),
            )
        )
    return View(
        ctx.t(
            "<b>Payment received.</b> You are in the group buy for {title}: {paid} of {size} joined. "
            "If it does not fill by {deadline}, your payment is refunded.",
            title=str(params["title"]),
            paid=params["paid"],
            size=params["size"],
            deadline=ctx.when_text(params["deadline"]),
        )
    )


def refund(ctx: Context, params: NoticeParams) -> View:
    amount = _money(params)
    how = params.get("how")
    reason = str(params.get("reason") or "")
    if not reason:
        if how == answers.DONE:
            return View(ctx.t("Your payment of {amount} has been refunded.", amount=amount))
        return View(ctx.t("Your payment of {amount} will be refunded; the shop has been told.", amount=amount))
    because = why(ctx, reason, str(params.get("title") or ""))
    if how == answers.DONE:
        text = N_("We could not complete your order: {why}\nYour payment of {amount} has been refunded.")
    elif how == answers.PENDING:
        text = N_("We could not complete your order: {why}\nYour payment of {amount} is being refunded.")
    else:
        text = N_(
            "We could not complete your order: {why}\n"
            "Your payment of {amount} will be refunded; the shop has been told."
        )
    return View(ctx.t(text, why=because, amount=amount))


def refund_owed(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t(
            "<b>Refund owed</b> #{payment}: {amount} to member {member}.",
            payment=params["payment"],
            amount=_money(params),
            member=params["member"],
        ),
        ctx.t("Why: {why}", why=why(ctx, str(params["reason"]))),
    ]
    if params.get("error"):
        lines.append(ctx.t("Telegram refused the refund: {error}", error=str(params["error"])))
    lines.append(
        ctx.t("Refund it, then send /refunded {payment}. /refunds lists every refund owed.", payment=params["payment"])
    )
    return View("\n".join(lines))


def reconciled(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "Telegram reported a payment circlecart had not recorded: {amount} from member {member} "
            "(charge {charge}). It is now {result}.",
            amount=_money(params),
            member=params["member"],
            charge=str(params["charge"]),
            result=ctx.plain(N_("recorded")) if params["result"] == "paid" else ctx.plain(N_("refunded")),
        )
    )


def owed_list(ctx: Context, lines: list[tuple[int, int, str, str]]) -> View:
    """/refunds: (payment id, member, amount, reason)."""
    if not lines:
        return View(ctx.t("No refunds are owed."))
    rows = [ctx.t("<b>Refunds owed</b> (mark each done with /refunded NUMBER):")]
    for payment_id, member, amount, reason in lines:
        rows.append(
            ctx.t(
                "#{payment}: {amount} to member {member}, {why}",
                payment=payment_id,
                amount=amount,
                member=member,
                why=reason,
            )
        )
    return View("\n".join(rows))


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
