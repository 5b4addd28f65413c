"""Rules of a drop that need no storage: plan validation, early access, who may buy when."""

from __future__ import annotations

from datetime import datetime, timedelta

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
        raise DomainError("drop.bad_quantity", max=MAX_QUANTITY)
    if plan.price.amount <= 0:
        raise DomainError("drop.bad_price")
    if not 1 <= plan.per_member_limit <= MAX_LIMIT:
        raise DomainError("drop.bad_limit", max=MAX_LIMIT)
    if not 0 <= plan.early_access_minutes <= MAX_EARLY_ACCESS_MINUTES:
        raise DomainError("drop.bad_early_access", max=MAX_EARLY_ACCESS_MINUTES)
    if plan.starts_at.tzinfo is None or plan.ends_at.tzinfo is None:
        raise DomainError("drop.bad_time")
    if plan.starts_at - plan.early_access <= now:
        raise DomainError("drop.starts_in_past")
    if not MIN_DURATION <= plan.ends_at - plan.starts_at <= MAX_DURATION:
        raise DomainError("drop.bad_duration")


def sales_start_for(drop: Drop, is_member: bool) -> datetime:
    """When this member may start buying: members with early access get `early_access_minutes` head start."""
    if is_member and drop.early_access_minutes > 0:
        return drop.starts_at - drop.early_access
    return drop.starts_at


def check_can_buy(drop: Drop, now: datetime, is_member: bool) -> None:
    """Raise the reason this member cannot buy now; return if they can (stock and limits aside)."""
    if drop.status is DropStatus.CANCELLED:
        raise DomainError("drop.cancelled", title=drop.title)
    if drop.status is DropStatus.CLOSED or now >= drop.ends_at:
        raise DomainError("drop.ended", title=drop.title)
    if drop.status not in (DropStatus.SCHEDULED, DropStatus.OPEN) or now < sales_start_for(drop, is_member):
        raise DomainError("drop.not_open", title=drop.title)
    if drop.is_raffle:
        raise DomainError("drop.raffle_only", title=drop.title)
    if drop.remaining <= 0:
        raise DomainError("drop.sold_out", title=drop.title)


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
