"""What the brand console and the member see of shipping and returns."""

from __future__ import annotations

import html

from bots.core.context import Context
from bots.core.i18n import N_
from domain.notices import NoticeParams
from domain.outgoing import Button, Document, View
from domain.shop.fulfilment import CsvProblem, OrderToShip, ShipPage
from domain.shop.orders import Order, OrderStatus

PAGE_SIZE = 5


def _esc(text: str) -> str:
    return html.escape(text)


def _items(order: Order) -> str:
    return ", ".join(f"{line.quantity} × {_esc(line.title)} ({_esc(line.sku)})" for line in order.lines)


def order_block(ctx: Context, shown: OrderToShip, status: str) -> list[str]:
    order = shown.order
    lines = [
        ctx.t("<b>#{number}</b> · {status} · paid {paid}", number=order.id, status=status, paid=_paid(order)),
        _items(order),
    ]
    if shown.address is not None:
        lines.extend(_esc(part) for part in shown.address.lines())
    elif order.ship_country:
        lines.append(ctx.t("Address erased; country {country}", country=order.ship_country))
    else:
        lines.append(ctx.t("No shipping address was given with this order."))
    done = order.fulfilment
    if done.tracking_number:
        lines.append(ctx.t("{carrier} tracking {tracking}", carrier=done.carrier or "", tracking=done.tracking_number))
    if done.return_reason:
        lines.append(ctx.t("Return asked: {reason}", reason=done.return_reason))
    return lines


def _paid(order: Order) -> str:
    return order.paid_at.strftime("%Y-%m-%d") if order.paid_at else "-"


def ship_page(ctx: Context, page: ShipPage, status_name: dict[OrderStatus, str]) -> View:
    if not page.orders:
        return View(ctx.t("No orders to ship. Orders your brand sells appear here once they are paid."))
    lines = [
        ctx.t(
            "<b>Orders to ship</b> · {first}-{last} of {total}",
            first=page.offset + 1,
            last=page.offset + len(page.orders),
            total=page.total,
        )
    ]
    rows: list[tuple[Button, ...]] = []
    for shown in page.orders:
        order = shown.order
        lines.append("")
        lines.extend(order_block(ctx, shown, status_name[order.status]))
        rows.append(order_buttons(ctx, order))
    lines.append("")
    lines.append(ctx.t("Send a CSV file of order_id,carrier,tracking_number to mark many orders shipped at once."))
    nav = []
    if page.offset > 0:
        nav.append(Button(ctx.plain("◀ Newer"), callback=ctx.button("fpage", max(page.offset - PAGE_SIZE, 0))))
    if page.offset + len(page.orders) < page.total:
        nav.append(Button(ctx.plain("Older ▶"), callback=ctx.button("fpage", page.offset + PAGE_SIZE)))
    if nav:
        rows.append(tuple(nav))
    rows.append((Button(ctx.plain("Export CSV"), callback=ctx.button("fcsv", 0)),))
    return View("\n".join(lines), tuple(rows))


def order_buttons(ctx: Context, order: Order) -> tuple[Button, ...]:
    """What the brand can do with the order now."""
    number = order.id

    def button(label: str, action: str) -> Button:
        return Button(ctx.plain(label, number=number), callback=ctx.button(action, number))

    if order.status is OrderStatus.PAID:
        return (
            button(N_("Packed #{number}"), "fpack"),
            button(N_("Ship #{number}"), "fship"),
            button(N_("Cancel #{number}"), "fcancel"),
        )
    if order.status is OrderStatus.PACKED:
        return (button(N_("Ship #{number}"), "fship"), button(N_("Cancel #{number}"), "fcancel"))
    if order.status is OrderStatus.SHIPPED:
        return (button(N_("Delivered #{number}"), "fdeliver"),)
    if order.status is OrderStatus.RETURN_REQUESTED:
        return (button(N_("Approve #{number}"), "rapprove"), button(N_("Refuse #{number}"), "rrefuse"))
    if order.status is OrderStatus.RETURN_APPROVED:
        return (button(N_("Received #{number}: refund"), "rreceived"),)
    return ()


def order_card(ctx: Context, shown: OrderToShip, status: str) -> View:
    buttons = order_buttons(ctx, shown.order)
    return View("\n".join(order_block(ctx, shown, status)), (buttons,) if buttons else ())


def returns_list(ctx: Context, shown: tuple[OrderToShip, ...], status_name: dict[OrderStatus, str]) -> View:
    if not shown:
        return View(ctx.t("No returns to handle."))
    lines = [ctx.t("<b>Returns</b>")]
    rows = []
    for one in shown:
        lines.append("")
        lines.extend(order_block(ctx, one, status_name[one.order.status]))
        rows.append(order_buttons(ctx, one.order))
    return View("\n".join(lines), tuple(rows))


def export(ctx: Context, content: bytes, count: int, when: str) -> View:
    return View(
        ctx.t("{count} orders to ship, with addresses.", count=count),
        document=Document(f"orders-to-ship-{when}.csv", content),
    )


def csv_problems(ctx: Context, problems: tuple[CsvProblem, ...]) -> View:
    lines = [ctx.t("Nothing was changed: fix these lines and send the file again.")]
    for problem in problems[:30]:
        why = ctx.explain(problem.code, html=False, **problem.params)
        lines.append(ctx.t("line {line}: {problem}", line=problem.line, problem=why) if problem.line else _esc(why))
    if len(problems) > 30:
        lines.append(ctx.t("…and {count} more.", count=len(problems) - 30))
    return View("\n".join(lines))


# -- notices ------------------------------------------------------------------------------------------
def fulfilment_notice(ctx: Context, params: NoticeParams) -> View:
    step = str(params.get("step"))
    order, title = params["order"], str(params.get("title") or "")
    texts = {
        "packed": ctx.t("Your order #{order} ({title}) is packed and will ship soon.", order=order, title=title),
        "shipped": ctx.t(
            "Your order #{order} ({title}) has shipped with {carrier}. Tracking number: <code>{tracking}</code>",
            order=order,
            title=title,
            carrier=str(params.get("carrier") or ""),
            tracking=str(params.get("tracking") or ""),
        ),
        "delivered": ctx.t(
            "Your order #{order} ({title}) is delivered. Enjoy it! Something wrong? Ask for a return from /orders.",
            order=order,
            title=title,
        ),
        "delivered_free": ctx.t(
            "Your order #{order} ({title}) is delivered. Enjoy it! Something wrong? Tell me in a few words.",
            order=order,
            title=title,
        ),
        "cancelled": ctx.t(
            "Your order #{order} ({title}) was cancelled before shipping; {amount} will be refunded to you.",
            order=order,
            title=title,
            amount=str(params.get("amount") or ""),
        ),
        "cancelled_free": ctx.t(
            "Your order #{order} ({title}) was cancelled before shipping. Nothing was charged for it.",
            order=order,
            title=title,
        ),
        "return_requested": ctx.t(
            "We received your return request for order #{order}. The shop will answer soon.", order=order
        ),
        "return_approved": ctx.t(
            "Your return of order #{order} ({title}) is approved. Send it back; you are refunded when it arrives.",
            order=order,
            title=title,
        ),
        "return_refused": ctx.t(
            "Your return of order #{order} ({title}) was refused: {reason}",
            order=order,
            title=title,
            reason=str(params.get("reason") or ""),
        ),
        "return_refunded": ctx.t(
            "Your return of order #{order} arrived; {amount} is refunded to you.",
            order=order,
            amount=str(params.get("amount") or ""),
        ),
    }
    return View(texts.get(step, ctx.t("Your order #{order} was updated.", order=order)))


def return_asked_notice(ctx: Context, params: NoticeParams) -> View:
    order = params["order"]
    assert isinstance(order, int)
    text = ctx.t(
        "Return requested for order #{order} ({title}): {reason}",
        order=order,
        title=str(params.get("title") or ""),
        reason=str(params.get("reason") or ""),
    )
    buttons = (
        (
            Button(ctx.plain("Approve #{number}", number=order), callback=ctx.button("rapprove", order)),
            Button(ctx.plain("Refuse #{number}", number=order), callback=ctx.button("rrefuse", order)),
        ),
    )
    return View(text, buttons)
