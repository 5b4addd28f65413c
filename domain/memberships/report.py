"""The owner's view: members by state, renewals due this week, revenue by month."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.actors import Actor
from domain.memberships.lifecycle import MembershipStatus
from domain.memberships.management import plans_managed_by
from domain.memberships.plans import Plan
from domain.money import Money

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

WEEK = timedelta(days=7)
MONTHS = 6


@dataclass(frozen=True, slots=True)
class MonthRevenue:
    month: str  # YYYY-MM
    amount: Money


@dataclass(frozen=True, slots=True)
class MembersReport:
    plans: tuple[Plan, ...]
    by_status: tuple[tuple[MembershipStatus, int], ...]
    renewals_this_week: int
    revenue: tuple[MonthRevenue, ...]  # oldest month first, one row per month and currency


def month_start(moment: datetime, back: int = 0) -> datetime:
    year, month = moment.year, moment.month - back
    while month <= 0:
        month += 12
        year -= 1
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


async def members_report(uow: UnitOfWork, now: datetime, who: Actor, community_id: int | None) -> MembersReport:
    plans = await plans_managed_by(uow, who, community_id)
    ids = [p.id for p in plans]
    memberships = await uow.memberships.list_for_plans(ids) if ids else ()
    counts: Counter[MembershipStatus] = Counter()
    due = 0
    for membership in memberships:
        status = membership.status
        if status is not MembershipStatus.EXPIRED and not membership.has_perks(now):
            status = MembershipStatus.EXPIRED  # the job has not caught up yet; report what is true
        counts[status] += 1
        renews = status in (MembershipStatus.ACTIVE, MembershipStatus.TRIAL)
        if renews and now <= membership.period_end < now + WEEK:
            due += 1
    totals: dict[tuple[str, str], int] = {}
    since = month_start(now, MONTHS - 1)
    for payment in await uow.memberships.payments_since(ids, since) if ids else ():
        key = (payment.paid_at.strftime("%Y-%m"), payment.amount.currency)
        totals[key] = totals.get(key, 0) + payment.amount.amount
    revenue = tuple(
        MonthRevenue(month, Money(amount, currency)) for (month, currency), amount in sorted(totals.items())
    )
    by_status = tuple((status, counts.get(status, 0)) for status in MembershipStatus)
    return MembersReport(plans, by_status, due, revenue)
