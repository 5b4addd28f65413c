"""Rules of a drop that need no storage: plan validation, early access, who may buy when."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.drops.errors import DropError
from domain.drops.model import Drop, DropPlan, DropStatus
from domain.errors import DomainError
from domain.numbers import whole_number

MAX_QUANTITY = 100_000
MAX_LIMIT = 10
MAX_EARLY_ACCESS_MINUTES = 7 * 24 * 60
MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(days=30)


def validate_plan(plan: DropPlan, now: datetime) -> None:
    if not 1 <= plan.quantity <= MAX_QUANTITY:
        raise DomainError(DropError.BAD_QUANTITY, max=MAX_QUANTITY)
    if plan.price.amount <= 0:
        raise DomainError(DropError.BAD_PRICE)
    if not 1 <= plan.per_member_limit <= MAX_LIMIT:
        raise DomainError(DropError.BAD_LIMIT, max=MAX_LIMIT)
    if not 0 <= plan.early_access_minutes <= MAX_EARLY_ACCESS_MINUTES:
        raise DomainError(DropError.BAD_EARLY_ACCESS, max=MAX_EARLY_ACCESS_MINUTES)
    if plan.starts_at.tzinfo is None or plan.ends_at.tzinfo is None:
        raise DomainError(DropError.BAD_TIME)
    if plan.starts_at - plan.early_access <= now:
        raise DomainError(DropError.STARTS_IN_PAST)
    if not MIN_DURATION <= plan.ends_at - plan.starts_at <= MAX_DURATION:
        raise DomainError(DropError.BAD_DURATION)


def sales_start_for(drop: Drop, is_member: bool) -> datetime:
    """When this member may start buying: members with early access get `early_access_minutes` head start."""
    if is_member and drop.early_access_minutes > 0:
        return drop.starts_at - drop.early_access
    return drop.starts_at


def check_can_buy(drop: Drop, now: datetime, is_member: bool) -> None:
    """Raise the reason this member cannot buy now; return if they can (stock and limits aside)."""
    if drop.status is DropStatus.CANCELLED:
        raise DomainError(DropError.CANCELLED, title=drop.title)
    if drop.status is DropStatus.CLOSED or now >= drop.ends_at:
        raise DomainError(DropError.ENDED, title=drop.title)
    if drop.status not in (DropStatus.SCHEDULED, DropStatus.OPEN) or now < sales_start_for(drop, is_member):
        raise DomainError(DropError.NOT_OPEN, title=drop.title)
    if drop.is_raffle:
        raise DomainError(DropError.RAFFLE_ONLY, title=drop.title)
    if drop.remaining <= 0:
        raise DomainError(DropError.SOLD_OUT, title=drop.title)


def parse_leads(text: str) -> tuple[int, ...]:
    """Teaser lead times like "24h,1h,30m" (or plain minutes) as minutes, longest first. "" means none."""
    leads: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        unit = part[-1].lower()
        number = part[:-1] if unit in "hmd" else part
        count = whole_number(number, max_digits=9)
        if count is None:
            raise ValueError(f"bad teaser lead {part!r}: use forms like 24h, 1h, 30m")
        factor = {"d": 24 * 60, "h": 60, "m": 1}.get(unit, 1)
        minutes = count * factor
        if not 0 < minutes <= MAX_DURATION.total_seconds() // 60:
            raise ValueError(f"teaser lead {part!r} out of range")
        leads.add(minutes)
    return tuple(sorted(leads, reverse=True))
