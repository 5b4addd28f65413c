"""The configurable numbers of rewards, in one value the composition root builds from settings.

It lives with points because every reward (a purchase, an invitation, leading a group buy) is paid in them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from domain.money import Money, exponent
from domain.points.ledger import Reason

DEFAULT_DAILY_CAPS: Mapping[str, int] = MappingProxyType(
    {Reason.PURCHASE.value: 10_000, Reason.REFERRAL.value: 1_000, Reason.GROUPBUY.value: 500, Reason.EVENT.value: 500}
)


@dataclass(frozen=True, slots=True)
class RewardsPolicy:
    points_per_unit: int = 1  # points earned per whole unit of the order's currency (1 per star, 1 per dollar)
    points_per_discount_unit: int = 100  # points that buy one whole unit of discount
    spend_cap_percent: int = 20  # at most this share of an order can be paid with points
    expiry_months: int = 12
    reminder_days: int = 30
    daily_caps: Mapping[str, int] = field(default_factory=lambda: DEFAULT_DAILY_CAPS)  # reason -> points per day
    referral_points: int = 200
    referral_hold_days: int = 14  # the refund window: a referral reward is paid once the order is past it
    group_buy_hours: int = 24
    group_buy_leader_points: int = 100

    def daily_cap(self, reason: Reason) -> int | None:
        return self.daily_caps.get(reason.value)

    @property
    def reminder_window(self) -> timedelta:
        return timedelta(days=self.reminder_days)

    @property
    def referral_hold(self) -> timedelta:
        return timedelta(days=self.referral_hold_days)

    @property
    def group_buy_duration(self) -> timedelta:
        return timedelta(hours=self.group_buy_hours)


def points_for(total: Money, policy: RewardsPolicy, multiplier_percent: int = 100) -> int:
    """Points an order of `total` earns: whole units times the rate, times a membership multiplier.

    The multiplier is an integer percent (100 = x1, 150 = x1.5) so that no float comes near money;
    memberships supply it. Fractions of a unit or of a point earn nothing: that rounds in the shop's
    favour and stops splitting one purchase into many to harvest rounding.
    """
    if total.amount <= 0 or multiplier_percent <= 0:
        return 0
    whole_units: int = total.amount // 10 ** exponent(total.currency)
    return whole_units * policy.points_per_unit * multiplier_percent // 100


def discount_for(points: int, currency: str, policy: RewardsPolicy) -> Money:
    """The discount `points` buy in `currency`, rounded down to the currency's minor unit."""
    minor_per_unit: int = 10 ** exponent(currency)
    return Money(points * minor_per_unit // policy.points_per_discount_unit, currency)


def points_needed(discount: Money, policy: RewardsPolicy) -> int:
    """Points that buy exactly `discount` (rounded up, so points never buy more than they are worth)."""
    minor_per_unit: int = 10 ** exponent(discount.currency)
    return -(-discount.amount * policy.points_per_discount_unit // minor_per_unit)


def max_discount(total: Money, balance: int, policy: RewardsPolicy) -> Money:
    """The most a member may take off `total`: the cap share of the order, and no more than their points buy."""
    capped = total.amount * policy.spend_cap_percent // 100
    affordable = discount_for(balance, total.currency, policy).amount
    return Money(max(0, min(capped, affordable)), total.currency)
