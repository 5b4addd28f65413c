"""Member perks as rules other capabilities call: member price, points multiplier, early access.

Pure functions take the member's benefits (from every membership that currently gives perks); the async
helpers look those up through the unit of work. Everything is integer arithmetic.

A perk applies by its plan's owner (invariant 10): the operator's plans to every product, a brand's plans
to that brand's products only, a community's plans to none. The async helpers therefore take the brand of
what is being bought. Perks are also held to the bounds of `plans` here, so a version stored before a bound
existed gives no more than the bound.

- checkout: `await unit_price(uow, now, user_id, product)` is the price a member pays for one unit;
- points: `multiply_points(points, await points_multiplier_percent(uow, now, user_id, brands))`;
- drops: `await early_access_minutes(uow, now, user_id, drop.brand_id)`;
- product cards: `await advertised_price(uow, product)`, what joining would give anyone looking.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.memberships.plans import (
    MAX_DISCOUNT_PERCENT,
    MAX_EARLY_ACCESS_MINUTES,
    MAX_MULTIPLIER_PERCENT,
    MIN_MULTIPLIER_PERCENT,
    Benefits,
    OwnerKind,
    Plan,
    member_price_floor,
)
from domain.money import Money
from domain.shop.products import Product

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
    Neither goes below the bounds (MAX_DISCOUNT_PERCENT off, MIN_MEMBER_PRICE_PERCENT of the price).
    """
    best = price
    floor = member_price_floor(price)
    for benefit in benefits:
        fixed = benefit.member_price_of(sku)
        candidate = fixed if fixed is not None and fixed.currency == price.currency else None
        if candidate is not None and candidate.amount < floor.amount:
            candidate = floor
        if candidate is None and benefit.discount_percent:
            candidate = discounted(price, min(benefit.discount_percent, MAX_DISCOUNT_PERCENT))
        if candidate is not None and candidate.amount < best.amount:
            best = candidate
    return best


def multiplier_percent(benefits: Iterable[Benefits]) -> int:
    """The highest multiplier among the member's plans (100 = x1; they do not stack), within the bound."""
    best = max((b.points_multiplier_percent for b in benefits), default=MIN_MULTIPLIER_PERCENT)
    return max(MIN_MULTIPLIER_PERCENT, min(best, MAX_MULTIPLIER_PERCENT))


def multiply_points(points: int, percent: int) -> int:
    """Points after the multiplier, rounded down (a ledger entry is whole points)."""
    return (points * percent) // 100


def early_minutes(benefits: Iterable[Benefits]) -> int:
    return min(max((b.early_access_minutes for b in benefits), default=0), MAX_EARLY_ACCESS_MINUTES)


@dataclass(frozen=True, slots=True)
class Grant:
    """Benefits with whoever grants them: `brand_id` None is the operator (every product), else one brand."""

    benefits: Benefits
    brand_id: int | None = None

    def applies_to(self, brand_id: int | None) -> bool:
        """Whether these perks count on a product of `brand_id` (None: a product of no brand)."""
        return self.brand_id is None or self.brand_id == brand_id


def grant_of(plan: Plan, benefits: Benefits) -> Grant | None:
    """What a plan's benefits grant on products: nothing for a community's plan, whatever it stores."""
    if plan.owner is OwnerKind.COMMUNITY:
        return None
    return Grant(benefits, plan.brand_id if plan.owner is OwnerKind.BRAND else None)


def benefits_for(grants: Iterable[Grant], brand_id: int | None) -> tuple[Benefits, ...]:
    """The benefits that count on a product of `brand_id`."""
    return tuple(g.benefits for g in grants if g.applies_to(brand_id))


def order_multiplier_percent(grants: Iterable[Grant], brands: Collection[int | None]) -> int:
    """The multiplier for an order of products of `brands`: one that counts on each of them (the lowest
    of their best), so a brand's multiplier never counts on another brand's product."""
    grants = tuple(grants)
    if not brands:
        return MIN_MULTIPLIER_PERCENT
    return min(multiplier_percent(benefits_for(grants, brand_id)) for brand_id in brands)


def opens_for_member_at(opens_at: datetime, minutes: int) -> datetime:
    return opens_at - timedelta(minutes=minutes)


def may_enter_early(now: datetime, opens_at: datetime, minutes: int) -> bool:
    """True when the drop is open for this member: at the public opening, or `minutes` before for members."""
    return now >= opens_for_member_at(opens_at, minutes)


# -- looked up for one member --------------------------------------------------------------------------


async def member_grants(uow: UnitOfWork, now: datetime, user_id: int) -> tuple[Grant, ...]:
    """The product perks of every membership that gives this member perks right now (trial, active, grace,
    cancelled until its period ends), each with its plan's owner; community plans grant none."""
    found: list[Grant] = []
    for membership in await uow.memberships.list_for_user(user_id):
        if not membership.has_perks(now):
            continue
        version = await uow.plans.get_version(membership.version_id)
        plan = await uow.plans.get(membership.plan_id)
        if version is None or plan is None:
            continue
        grant = grant_of(plan, version.terms.benefits)
        if grant is not None:
            found.append(grant)
    return tuple(found)


async def unit_price(uow: UnitOfWork, now: datetime, user_id: int, product: Product) -> Money:
    benefits = benefits_for(await member_grants(uow, now, user_id), product.brand_id)
    return member_price(product.price, product.sku, benefits)


async def points_multiplier_percent(
    uow: UnitOfWork, now: datetime, user_id: int, brands: Collection[int | None]
) -> int:
    """The multiplier on points for buying products of `brands` (the brands of an order's products)."""
    return order_multiplier_percent(await member_grants(uow, now, user_id), brands)


async def early_access_minutes(uow: UnitOfWork, now: datetime, user_id: int, brand_id: int | None) -> int:
    """The early access this member has to drops of `brand_id`."""
    return early_minutes(benefits_for(await member_grants(uow, now, user_id), brand_id))


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
        grant = grant_of(plan, plan.current.terms.benefits)
        if grant is None or not grant.applies_to(product.brand_id):
            continue
        price = member_price(product.price, product.sku, [grant.benefits])
        if price.amount < product.price.amount and (best is None or price.amount < best.price.amount):
            best = AdvertisedPrice(price, plan.name)
    return best
