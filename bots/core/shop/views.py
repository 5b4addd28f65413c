"""Domain results turned into what members see: texts (HTML) and buttons, in their language."""

from __future__ import annotations

import html

from bots.core.context import Context
from bots.core.echo import echo
from domain.memberships.perks import AdvertisedPrice
from domain.money import Money
from domain.outgoing import Button, InlineResult, Invoice, View
from domain.points.checkout import PointsOffer
from domain.shop.catalog import CatalogPage
from domain.shop.orders import Order, OrderStatus
from domain.shop.products import Product

ORDER_STATUS_NAMES = {
    OrderStatus.PENDING: "awaiting payment",
    OrderStatus.HELD: "awaiting payment",
    OrderStatus.PAID: "paid",
    OrderStatus.EXPIRED: "expired",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REFUNDED: "refunded",
    OrderStatus.REFUND_DUE: "refund pending",
    OrderStatus.PACKED: "packed",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.RETURN_REQUESTED: "return requested",
    OrderStatus.RETURN_APPROVED: "return approved",
}


def status_name(ctx: Context, status: OrderStatus) -> str:
    names = {
        "awaiting payment": ctx.t("awaiting payment"),
        "paid": ctx.t("paid"),
        "expired": ctx.t("expired"),
        "cancelled": ctx.t("cancelled"),
        "refunded": ctx.t("refunded"),
        "refund pending": ctx.t("refund pending"),
        "packed": ctx.t("packed"),
        "shipped": ctx.t("shipped"),
        "delivered": ctx.t("delivered"),
        "return requested": ctx.t("return requested"),
        "return approved": ctx.t("return approved"),
    }
    return names[ORDER_STATUS_NAMES[status]]


def product_row(ctx: Context, product: Product) -> tuple[Button, ...]:
    label = f"{product.title} · {product.price.display()}"
    if product.stock <= 0:
        label = ctx.t("{label} (sold out)", label=label)
    return (Button(label, callback=ctx.button("product", product.id)),)


def catalog_page(ctx: Context, page: CatalogPage) -> View:
    if not page.products:
        return View(ctx.t("The shop is empty for now. Check back soon!"))
    rows = [product_row(ctx, p) for p in page.products]
    paging: list[Button] = []
    if page.has_previous:
        paging.append(Button(ctx.t("◀ Previous"), callback=ctx.button("page", page.page - 1)))
    if page.pages > 1:
        paging.append(Button(f"{page.page + 1}/{page.pages}", callback=ctx.button("page", page.page)))
    if page.has_next:
        paging.append(Button(ctx.t("Next ▶"), callback=ctx.button("page", page.page + 1)))
    if paging:
        rows.append(tuple(paging))
    text = ctx.t("<b>Shop</b> · page {page} of {pages}\nTap a product to see it.", page=page.page + 1, pages=page.pages)
    return View(text, tuple(rows))


def search_results(ctx: Context, query: str, products: tuple[Product, ...]) -> View:
    if not products:
        return View(ctx.t("Nothing found for “{query}”. Try other words, or /shop to browse.", query=echo(query)))
    text = ctx.t("Found {count} for “{query}”:", count=len(products), query=echo(query))
    return View(text, tuple(product_row(ctx, p) for p in products))


def card_text(ctx: Context, product: Product, member_price: AdvertisedPrice | None = None) -> str:
    stock = ctx.t("In stock: {count}", count=product.stock) if product.stock > 0 else ctx.t("Sold out")
    lines = [f"<b>{_esc(product.title)}</b>"]
    if product.description:
        lines.append(_esc(product.description))
    lines.append("")
    lines.append(ctx.t("Price: {price}", price=product.price.display()))
    if member_price is not None:
        lines.append(
            ctx.t(
                "Members of {plan} pay {price} (/membership)",
                plan=member_price.plan_name,
                price=member_price.price.display(),
            )
        )
    lines.append(stock)
    if product.final_sale:
        lines.append(ctx.t("Final sale: made for you, so it cannot be returned."))
    elif product.kind == "physical" and product.return_days is not None:
        lines.append(ctx.t("Returns within {days} days of delivery.", days=product.return_days))
    return "\n".join(lines)


def product_card(
    ctx: Context,
    product: Product,
    points_offer: PointsOffer | None = None,
    member_price: AdvertisedPrice | None = None,
    community: int | None = None,
) -> View:
    """`points_offer` is the offer of the member the card is shown to (see domain.points.checkout);
    `member_price` what an open plan's members pay (see domain.memberships.perks.advertised_price);
    `community` the group a deep link named (its Buy carries it, to be checked by domain.share.attribution)."""
    rows: list[tuple[Button, ...]] = []
    if product.buyable:
        pressed = ctx.button("buyc", product.id, -community) if community else ctx.button("buy", product.id)
        buy = Button(ctx.t("Buy · {price}", price=product.price.display()), callback=pressed)
        if points_offer is None:
            rows.append((buy,))
        else:
            label = ctx.tn(
                "Buy with {points} point · {price}",
                "Buy with {points} points · {price}",
                points_offer.points,
                points=points_offer.points,
                price=points_offer.price.display(),
            )
            rows.append((buy, Button(label, callback=ctx.button("buypts", product.id))))
    rows.append((Button(ctx.t("Share"), switch_inline=product.sku),))
    return View(card_text(ctx, product, member_price), tuple(rows), photo=product.photo)


def inline_result(ctx: Context, product: Product) -> InlineResult:
    card = product_card(ctx, product)
    # Inline-mode messages cannot carry a photo caption through an article result, so the text card goes.
    view = View(card.text, card.buttons)
    return InlineResult(
        id=f"p{product.id}",
        title=product.title,
        description=f"{product.price.display()} · {product.description[:80]}",
        view=view,
        thumbnail_url=product.photo if product.photo and product.photo.startswith("https://") else None,
    )


def invoice(ctx: Context, order: Order, buyer_name: str, *, ships: bool = False) -> Invoice:
    """`ships`: a physical product paid through the provider, so the form asks where to send it."""
    line = order.lines[0]
    total = order.goods_total  # shipping is chosen in the payment form and added by Telegram
    # Invoice descriptions are plain text: nothing to escape.
    description = ctx.plain(
        "For {name}. {quantity} × {title}", name=buyer_name, quantity=line.quantity, title=line.title
    )
    if order.discount:
        discount = Money(order.discount, total.currency).display()
        spent = order.points_to_spend
        saving = ctx.plain_n(
            "{discount} off for {points} point.",
            "{discount} off for {points} points.",
            spent,
            discount=discount,
            points=spent,
        )
        description = f"{description} {saving}"
    return Invoice(
        title=line.title[:32],
        description=description[:255],
        payload=order.payload,
        currency=total.currency,
        amount=total.amount,
        label=line.title[:32],
        # Stars invoices must not carry a provider token; every other currency needs one.
        provider_token="" if total.is_stars else ctx.settings.payment_provider_token,
        ships=ships and not total.is_stars,
    )


def order_history(
    ctx: Context,
    orders: tuple[Order, ...],
    resendable: frozenset[int] = frozenset(),
    returnable: frozenset[int] = frozenset(),
) -> View:
    """The member's orders with their state and tracking number; Send again on paid digital orders (the same
    file, link or codes), Return on those that can go back."""
    if not orders:
        return View(ctx.t("You have no orders yet. Send /shop to browse."))
    lines = [ctx.t("<b>Your orders</b>")]
    rows: list[tuple[Button, ...]] = []
    for order in orders:
        line = order.lines[0]
        lines.append(
            ctx.t(
                "#{number} · {quantity} × {title} · {amount} · {status}",
                number=order.id,
                quantity=line.quantity,
                title=line.title,
                amount=order.total.display(),
                status=status_name(ctx, order.status),
            )
        )
        done = order.fulfilment
        if done.tracking_number:
            lines.append(
                "  "
                + ctx.t(
                    "{carrier} tracking: <code>{tracking}</code>",
                    carrier=done.carrier or "",
                    tracking=done.tracking_number,
                )
            )
        if done.return_answer and order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            lines.append("  " + ctx.t("Return refused: {reason}", reason=done.return_answer))
        if order.id in resendable:
            rows.append(
                (Button(ctx.t("Send again · #{number}", number=order.id), callback=ctx.button("resend", order.id)),)
            )
        if order.id in returnable:
            rows.append(
                (Button(ctx.plain("Return #{number}", number=order.id), callback=ctx.button("rask", order.id)),)
            )
    return View("\n".join(lines), tuple(rows))


def _esc(text: str) -> str:
    return html.escape(text)
