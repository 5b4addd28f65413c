"""Rewards settings (CIRCLECART_POINTS_*, CIRCLECART_REFERRAL_*, CIRCLECART_GROUP_BUY_*) as the domain's policy."""

from __future__ import annotations

from types import MappingProxyType

from circlecart.settings import Settings
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy


def rewards_policy(settings: Settings) -> RewardsPolicy:
    return RewardsPolicy(
        points_per_unit=settings.points_per_unit,
        points_per_discount_unit=settings.points_per_discount_unit,
        spend_cap_percent=settings.points_spend_cap_percent,
        expiry_months=settings.points_expiry_months,
        reminder_days=settings.points_reminder_days,
        daily_caps=MappingProxyType(
            {
                Reason.PURCHASE.value: settings.points_daily_cap_purchase,
                Reason.REFERRAL.value: settings.points_daily_cap_referral,
                Reason.GROUPBUY.value: settings.points_daily_cap_groupbuy,
                Reason.EVENT.value: settings.points_daily_cap_event,
            }
        ),
        referral_points=settings.referral_points,
        referral_hold_days=settings.referral_hold_days,
        group_buy_hours=settings.group_buy_hours,
        group_buy_leader_points=settings.group_buy_leader_points,
    )
