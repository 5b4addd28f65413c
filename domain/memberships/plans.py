"""Plans and their versions.

A plan is what a community sells (a name, optionally a members-only group); a version is its terms (price,
period, perks). Changing the terms adds a version: members keep the version they paid for until they renew
onto the current one, so nobody is charged a price they did not agree to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import DomainError
from domain.money import Money

STARS = "XTR"
# Telegram Stars subscriptions renew every 30 days: the only period the Bot API accepts.
STARS_SUBSCRIPTION_PERIOD = timedelta(days=30)
STARS_SUBSCRIPTION_SECONDS = int(STARS_SUBSCRIPTION_PERIOD.total_seconds())
DEFAULT_GRACE_DAYS = 3
MAX_NAME = 32  # an invoice title is at most 32 characters
MAX_PERIOD_DAYS = 366
MAX_TRIAL_DAYS = 90
MAX_GRACE_DAYS = 30
MAX_EARLY_ACCESS_MINUTES = 7 * 24 * 60
MAX_MULTIPLIER_PERCENT = 1000


@dataclass(frozen=True, slots=True)
class Benefits:
    """What members get. Amounts are integers: a discount in whole percent, the multiplier in percent
    (150 means x1.5), member prices in the product's minor units keyed by SKU."""

    discount_percent: int = 0
    member_prices: tuple[tuple[str, Money], ...] = ()
    points_multiplier_percent: int = 100
    early_access_minutes: int = 0

    def member_price_of(self, sku: str) -> Money | None:
        for candidate, price in self.member_prices:
            if candidate == sku:
                return price
        return None


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
        return self.price.currency == STARS


@dataclass(frozen=True, slots=True)
class PlanVersion:
    id: int
    plan_id: int
    number: int  # 1, 2, 3... within the plan
    terms: Terms
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    name: str
    community_id: int | None  # the group whose owners manage it; None: the operator's own plan
    active: bool
    current: PlanVersion
    created_at: datetime
    group_chat_id: int | None = None  # the members-only group, if any
    invite_link: str | None = None  # a join-request link into that group


@dataclass(frozen=True, slots=True)
class NewPlan:
    name: str
    community_id: int | None
    terms: Terms
    created_at: datetime


def validate_name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= MAX_NAME:
        raise DomainError("membership.plan_name_invalid", max=MAX_NAME)
    return clean


def validate_terms(terms: Terms) -> Terms:
    """Refuse terms Telegram or arithmetic cannot honour, with a code the owner can act on."""
    if terms.price.amount <= 0:
        raise DomainError("membership.price_invalid")
    if terms.is_stars and terms.period_days != STARS_SUBSCRIPTION_PERIOD.days:
        raise DomainError("membership.stars_period", days=STARS_SUBSCRIPTION_PERIOD.days)
    if not 1 <= terms.period_days <= MAX_PERIOD_DAYS:
        raise DomainError("membership.period_invalid", max=MAX_PERIOD_DAYS)
    if not 0 <= terms.trial_days <= MAX_TRIAL_DAYS:
        raise DomainError("membership.trial_invalid", max=MAX_TRIAL_DAYS)
    if not 0 <= terms.grace_days <= MAX_GRACE_DAYS:
        raise DomainError("membership.grace_invalid", max=MAX_GRACE_DAYS)
    benefits = terms.benefits
    if not 0 <= benefits.discount_percent <= 100:
        raise DomainError("membership.discount_invalid")
    if not 100 <= benefits.points_multiplier_percent <= MAX_MULTIPLIER_PERCENT:
        raise DomainError("membership.multiplier_invalid", max=MAX_MULTIPLIER_PERCENT // 100)
    if not 0 <= benefits.early_access_minutes <= MAX_EARLY_ACCESS_MINUTES:
        raise DomainError("membership.early_access_invalid", max=MAX_EARLY_ACCESS_MINUTES)
    skus = [sku for sku, _ in benefits.member_prices]
    if len(set(skus)) != len(skus):
        raise DomainError("membership.member_price_twice")
    if any(price.amount < 0 for _, price in benefits.member_prices):
        raise DomainError("membership.price_invalid")
    return terms
