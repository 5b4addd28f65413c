"""Plans, their owners and their versions.

A plan is what an owner sells (a name, optionally a members-only group); a version is its terms (price,
period, perks). Changing the terms adds a version: members keep the version they paid for until they renew
onto the current one, so nobody is charged a price they did not agree to.

A plan has one owner, and a perk is granted only by whoever pays for it (DESIGN.md, invariant 10):

- the operator (a platform plan): perks on every product;
- a brand: perks on that brand's products only;
- a community: its members-only group, and no product perks at all.

Every perk is bounded where it is defined, by the constants below (the README lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError
from domain.memberships.errors import MembershipError
from domain.money import Money

# Telegram Stars subscriptions renew every 30 days: the only period the Bot API accepts.
STARS_SUBSCRIPTION_PERIOD = timedelta(days=30)
STARS_SUBSCRIPTION_SECONDS = int(STARS_SUBSCRIPTION_PERIOD.total_seconds())
DEFAULT_GRACE_DAYS = 3
MAX_NAME = 32  # an invoice title is at most 32 characters

# The bounds of a plan's terms and perks, checked when a plan is made and whenever its terms change.
MIN_PERIOD_DAYS = 1
MAX_PERIOD_DAYS = 366
MAX_TRIAL_DAYS = 30
MAX_GRACE_DAYS = 14
MIN_DISCOUNT_PERCENT = 1  # 0 means no discount
MAX_DISCOUNT_PERCENT = 50
MIN_MULTIPLIER_PERCENT = 100  # x1.0, no multiplier
MAX_MULTIPLIER_PERCENT = 300  # x3.0
MAX_EARLY_ACCESS_MINUTES = 24 * 60
MIN_MEMBER_PRICE_PERCENT = 50  # a member price is at least half the product's price (and at most all of it)


class OwnerKind(StrEnum):
    PLATFORM = "platform"  # the operator's
    BRAND = "brand"
    COMMUNITY = "community"


@dataclass(frozen=True, slots=True)
class Benefits:
    """What members get. Amounts are integers: a discount in whole percent, the multiplier in percent
    (150 means x1.5), member prices in the product's minor units keyed by SKU."""

    discount_percent: int = 0
    member_prices: tuple[tuple[str, Money], ...] = ()
    points_multiplier_percent: int = 100
    early_access_minutes: int = 0
    box_sku: str | None = None  # a physical product sent to the member once per paid period (boxes.py)

    def member_price_of(self, sku: str) -> Money | None:
        for candidate, price in self.member_prices:
            if candidate == sku:
                return price
        return None

    @property
    def on_products(self) -> tuple[str, ...]:
        """The product perks these benefits grant (empty: none), by option name."""
        found = []
        if self.discount_percent:
            found.append("discount")
        if self.member_prices:
            found.append("SKU=PRICE")
        if self.points_multiplier_percent != MIN_MULTIPLIER_PERCENT:
            found.append("points")
        if self.early_access_minutes:
            found.append("early")
        if self.box_sku:
            found.append("box")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Terms:
    """The versioned part of a plan, as an owner states it."""

    price: Money
    period_days: int = 30
    trial_days: int = 0
    grace_days: int = DEFAULT_GRACE_DAYS
    benefits: Benefits = field(default_factory=Benefits)

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.period_days)

    @property
    def is_stars(self) -> bool:
        return self.price.is_stars


@dataclass(frozen=True, slots=True)
class PlanVersion:
    id: int
    plan_id: int
    number: int  # 1, 2, 3... within the plan
    terms: Terms
    created_at: datetime


def owner_kind(community_id: int | None, brand_id: int | None) -> OwnerKind:
    if community_id is not None:
        return OwnerKind.COMMUNITY
    if brand_id is not None:
        return OwnerKind.BRAND
    return OwnerKind.PLATFORM


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    name: str
    community_id: int | None  # a community's plan: the group whose admins manage it
    active: bool
    current: PlanVersion
    created_at: datetime
    group_chat_id: int | None = None  # the members-only group, if any
    invite_link: str | None = None  # a join-request link into that group
    brand_id: int | None = None  # a brand's plan: perks on that brand's products only

    @property
    def owner(self) -> OwnerKind:
        """Both ids None: the operator's platform plan."""
        return owner_kind(self.community_id, self.brand_id)


@dataclass(frozen=True, slots=True)
class NewPlan:
    name: str
    community_id: int | None
    terms: Terms
    created_at: datetime
    brand_id: int | None = None


def validate_name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= MAX_NAME:
        raise DomainError(MembershipError.PLAN_NAME_INVALID, max=MAX_NAME)
    return clean


def multiplier_text(percent: int) -> str:
    """150 -> '1.5', 300 -> '3' (a multiplier as owners write it)."""
    whole, rest = divmod(percent, 100)
    return str(whole) if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")


def validate_terms(terms: Terms) -> Terms:
    """Refuse terms Telegram or arithmetic cannot honour, or perks beyond their bounds, with a code that
    names the bound. Member prices are checked against the catalog by `management.check_perks`."""
    if terms.price.amount <= 0:
        raise DomainError(MembershipError.PRICE_INVALID)
    if terms.is_stars and terms.period_days != STARS_SUBSCRIPTION_PERIOD.days:
        raise DomainError(MembershipError.STARS_PERIOD, days=STARS_SUBSCRIPTION_PERIOD.days)
    if not MIN_PERIOD_DAYS <= terms.period_days <= MAX_PERIOD_DAYS:
        raise DomainError(MembershipError.PERIOD_INVALID, min=MIN_PERIOD_DAYS, max=MAX_PERIOD_DAYS)
    if not 0 <= terms.trial_days <= MAX_TRIAL_DAYS:
        raise DomainError(MembershipError.TRIAL_INVALID, max=MAX_TRIAL_DAYS)
    if not 0 <= terms.grace_days <= MAX_GRACE_DAYS:
        raise DomainError(MembershipError.GRACE_INVALID, max=MAX_GRACE_DAYS)
    benefits = terms.benefits
    discount = benefits.discount_percent
    if discount != 0 and not MIN_DISCOUNT_PERCENT <= discount <= MAX_DISCOUNT_PERCENT:
        raise DomainError(MembershipError.DISCOUNT_INVALID, min=MIN_DISCOUNT_PERCENT, max=MAX_DISCOUNT_PERCENT)
    if not MIN_MULTIPLIER_PERCENT <= benefits.points_multiplier_percent <= MAX_MULTIPLIER_PERCENT:
        raise DomainError(
            MembershipError.MULTIPLIER_INVALID,
            min=multiplier_text(MIN_MULTIPLIER_PERCENT),
            max=multiplier_text(MAX_MULTIPLIER_PERCENT),
        )
    if not 0 <= benefits.early_access_minutes <= MAX_EARLY_ACCESS_MINUTES:
        raise DomainError(MembershipError.EARLY_ACCESS_INVALID, max=MAX_EARLY_ACCESS_MINUTES)
    skus = [sku for sku, _ in benefits.member_prices]
    if len(set(skus)) != len(skus):
        raise DomainError(MembershipError.MEMBER_PRICE_TWICE)
    for sku, price in benefits.member_prices:
        if price.amount <= 0:
            raise DomainError(MembershipError.MEMBER_PRICE_NOT_POSITIVE, sku=sku)
    return terms


def member_price_floor(list_price: Money) -> Money:
    """The lowest member price a product may have: MIN_MEMBER_PRICE_PERCENT of its price, rounded up."""
    return Money(-(-list_price.amount * MIN_MEMBER_PRICE_PERCENT // 100), list_price.currency)


def check_member_price(sku: str, price: Money, list_price: Money) -> None:
    """A member price is in the product's currency, more than zero, at most its price and at least the floor."""
    if price.currency != list_price.currency:
        raise DomainError(MembershipError.MEMBER_PRICE_CURRENCY, sku=sku, currency=list_price.currency)
    if price.amount <= 0:
        raise DomainError(MembershipError.MEMBER_PRICE_NOT_POSITIVE, sku=sku)
    if price.amount > list_price.amount:
        raise DomainError(MembershipError.MEMBER_PRICE_ABOVE_LIST, sku=sku, price=list_price.display())
    floor = member_price_floor(list_price)
    if price.amount < floor.amount:
        raise DomainError(
            MembershipError.MEMBER_PRICE_TOO_LOW, sku=sku, percent=MIN_MEMBER_PRICE_PERCENT, min=floor.display()
        )
