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
}


def status_name(ctx: Context, status: OrderStatus) -> str:
    names = {
        "awaiting payment": ctx.t("awaiting payment"),
        "paid": ctx.t("paid"),
        "expired": ctx.t("expired"),
        "cancelled": ctx.t("cancelled"),
        "refunded": ctx.t("refunded"),
        "refund pending": ctx.t("refund pending"),
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
    return "\n".join(lines)


def product_card(
    ctx: Context,
    product: Product,
    points_offer: PointsOffer | None = None,
    member_price: AdvertisedPrice | None = None,
) -> View:
    """`points_offer` is the offer of the member the card is shown to (see domain.points.checkout);
    `member_price` what an open plan's members pay (see domain.memberships.perks.advertised_price)."""
    rows: list[tuple[Button, ...]] = []
    if product.buyable:
        buy = Button(ctx.t("Buy · {price}", price=product.price.display()), callback=ctx.button("buy", product.id))
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


def order_history(ctx: Context, orders: tuple[Order, ...], resendable: frozenset[int] = frozenset()) -> View:
    if not orders:
        return View(ctx.t("You have no orders yet. Send /shop to browse."))
    lines = [ctx.t("<b>Your orders</b>")]
    # A digital order's content (its file, link or the same codes) can be sent again to its buyer.
    again = tuple(
        (Button(ctx.t("Send again · #{number}", number=order.id), callback=ctx.button("resend", order.id)),)
        for order in orders
        if order.id in resendable
    )
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
    return View("\n".join(lines), again)


def _esc(text: str) -> str:
    return html.escape(text)
