"""Member perks as rules other capabilities call: member price, points multiplier, early access.

Pure functions take the member's benefits (from every membership that currently gives perks); the async
helpers look those up through the unit of work. Everything is integer arithmetic.

- checkout: `await unit_price(uow, now, user_id, product)` is the price a member pays for one unit;
- points: `multiply_points(points, await points_multiplier_percent(uow, now, user_id))`;
- drops: `may_enter_early(now, opens_at, await early_access_minutes(uow, now, user_id))`;
- product cards: `await advertised_price(uow, product)`, what joining would give anyone looking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.memberships.plans import Benefits
from domain.money import Money
from domain.products import Product

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


def discounted(price: Money, percent: int) -> Money:
    """The price less `percent`; the discount is rounded down to the minor unit, so a price never drops
    below what the stated percentage gives."""
    if not 0 <= percent <= 100:
        raise ValueError("discount percent must be 0..100")
    return Money(price.amount - (price.amount * percent) // 100, price.currency)


def member_price(price: Money, sku: str, benefits: Iterable[Benefits]) -> Money:
    """The best price any of the member's benefits gives for this product (never above the list price).

    A member price set for the SKU counts only in the product's currency; otherwise the discount applies.
    """
    best = price
    for benefit in benefits:
        fixed = benefit.member_price_of(sku)
        candidate = fixed if fixed is not None and fixed.currency == price.currency else None
        if candidate is None and benefit.discount_percent:
            candidate = discounted(price, benefit.discount_percent)
        if candidate is not None and candidate.amount < best.amount:
            best = candidate
    return best


def multiplier_percent(benefits: Iterable[Benefits]) -> int:
    """The highest multiplier among the member's plans (100 = x1; they do not stack)."""
    return max((b.points_multiplier_percent for b in benefits), default=100)


def multiply_points(points: int, percent: int) -> int:
    """Points after the multiplier, rounded down (a ledger entry is whole points)."""
    return (points * percent) // 100


def early_minutes(benefits: Iterable[Benefits]) -> int:
    return max((b.early_access_minutes for b in benefits), default=0)


def opens_for_member_at(opens_at: datetime, minutes: int) -> datetime:
    return opens_at - timedelta(minutes=minutes)


def may_enter_early(now: datetime, opens_at: datetime, minutes: int) -> bool:
    """True when the drop is open for this member: at the public opening, or `minutes` before for members."""
    return now >= opens_for_member_at(opens_at, minutes)


# -- looked up for one member --------------------------------------------------------------------------


async def member_benefits(uow: UnitOfWork, now: datetime, user_id: int) -> tuple[Benefits, ...]:
    """The benefits of every membership that gives this member perks right now (trial, active, grace,
    cancelled until its period ends)."""
    found: list[Benefits] = []
    for membership in await uow.memberships.list_for_user(user_id):
        if not membership.has_perks(now):
            continue
        version = await uow.plans.get_version(membership.version_id)
        if version is not None:
            found.append(version.terms.benefits)
    return tuple(found)


async def unit_price(uow: UnitOfWork, now: datetime, user_id: int, product: Product) -> Money:
    return member_price(product.price, product.sku, await member_benefits(uow, now, user_id))


async def points_multiplier_percent(uow: UnitOfWork, now: datetime, user_id: int) -> int:
    return multiplier_percent(await member_benefits(uow, now, user_id))


async def early_access_minutes(uow: UnitOfWork, now: datetime, user_id: int) -> int:
    return early_minutes(await member_benefits(uow, now, user_id))


@dataclass(frozen=True, slots=True)
class AdvertisedPrice:
    """The best member price open plans give for a product, and the plan that gives it."""

    price: Money
    plan_name: str


async def advertised_price(uow: UnitOfWork, product: Product) -> AdvertisedPrice | None:
    """What members of an open plan pay for one unit, when some plan lowers the price; None otherwise.

    A card in a group is read by members and non-members alike, so it states the plan's price, not the
    viewer's: checkout gives each buyer their own price whatever the card said.
    """
    best: AdvertisedPrice | None = None
    for plan in await uow.plans.list_plans(active_only=True):
        price = member_price(product.price, product.sku, [plan.current.terms.benefits])
        if price.amount < product.price.amount and (best is None or price.amount < best.price.amount):
            best = AdvertisedPrice(price, plan.name)
    return best
