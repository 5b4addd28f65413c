"""Operators give a product a group price and size (or take it away)."""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import DomainError
from domain.groupbuys.errors import GroupBuyError
from domain.groupbuys.model import MAX_SIZE, MIN_SIZE, GroupOffer
from domain.money import parse_major
from domain.ports import UnitOfWork
from domain.shop.products import Product

MAX_HOURS = 24 * 30


async def set_offer(
    uow: UnitOfWork,
    actor: Actor,
    sku: str,
    price_text: str,
    size: int,
    hours: int | None = None,
) -> tuple[GroupOffer, Product]:
    actor.require_operator(refusal=GroupBuyError.NOT_ALLOWED)
    product = await uow.products.get_by_sku(sku)
    if product is None:
        raise DomainError(GroupBuyError.UNKNOWN_PRODUCT, sku=sku)
    if product.kind == "physical" and product.price.is_stars:
        # Telegram's rules: physical goods are paid through a provider, with the address in the payment form.
        raise DomainError(GroupBuyError.PHYSICAL_IN_STARS, title=product.title)
    try:
        price = parse_major(price_text, product.price.currency)
    except DomainError:
        raise DomainError(GroupBuyError.BAD_PRICE_TEXT, value=price_text, currency=product.price.currency) from None
    if price.amount <= 0:
        raise DomainError(GroupBuyError.BAD_PRICE)
    if price.amount >= product.price.amount:
        # A "group price" above the shelf price would only ever cost the members who trusted it.
        raise DomainError(GroupBuyError.PRICE_NOT_LOWER, price=product.price.display())
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise DomainError(GroupBuyError.BAD_SIZE, min=MIN_SIZE, max=MAX_SIZE)
    if hours is not None and not 1 <= hours <= MAX_HOURS:
        raise DomainError(GroupBuyError.BAD_HOURS, max=MAX_HOURS)
    offer = GroupOffer(product.id, price, size, hours)
    await uow.group_buys.save_offer(offer)
    return offer, product


async def withdraw_offer(uow: UnitOfWork, actor: Actor, sku: str) -> Product:
    """No new group buys of the product; the running ones finish as they were agreed."""
    actor.require_operator(refusal=GroupBuyError.NOT_ALLOWED)
    product = await uow.products.get_by_sku(sku)
    offer = await uow.group_buys.offer(product.id) if product is not None else None
    if product is None or offer is None:
        raise DomainError(GroupBuyError.UNKNOWN_PRODUCT, sku=sku)
    await uow.group_buys.save_offer(GroupOffer(offer.product_id, offer.price, offer.size, offer.hours, active=False))
    return product


async def buyable_offers(uow: UnitOfWork, limit: int) -> list[tuple[GroupOffer, Product]]:
    """The group prices members can start a group buy at now: their product exists and is for sale."""
    found: list[tuple[GroupOffer, Product]] = []
    for offer in await uow.group_buys.active_offers(limit):
        product = await uow.products.get(offer.product_id)
        if product is not None and product.buyable:
            found.append((offer, product))
    return found
