"""Notices memberships enqueue: one kind per change, keys that make every message once per transition.

Keys name the membership and the period they are about, so a transition that is retried, caught up after a
restart, or raced by two job runs enqueues the same key and the member gets one message.
"""

from __future__ import annotations

from datetime import datetime

from domain.memberships.lifecycle import Change, Membership
from domain.memberships.plans import Plan, PlanVersion
from domain.notices import Notice, NoticeParams

STARTED = "membership.started"
RENEWED = "membership.renewed"
TRIAL = "membership.trial"
CANCELLED = "membership.cancelled"
GRACE = "membership.grace"
EXPIRED = "membership.expired"
REMOVED = "membership.removed"
REMINDER = "membership.reminder"
TERMS_CHANGED = "membership.terms_changed"
DECLINED = "membership.declined"

KIND_OF_CHANGE = {
    Change.STARTED: STARTED,
    Change.RENEWED: RENEWED,
    Change.TRIAL: TRIAL,
    Change.CANCELLED: CANCELLED,
    Change.GRACE: GRACE,
    Change.EXPIRED: EXPIRED,
}


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def params(
    plan: Plan, membership: Membership, version: PlanVersion | None = None, **extra: str | int | None
) -> NoticeParams:
    terms = (version or plan.current).terms
    values: dict[str, str | int | None] = {
        "plan": plan.name,
        "plan_id": plan.id,
        "until": membership.period_end.isoformat(),
        "grace_until": membership.grace_end.isoformat(),
        "amount": terms.price.amount,
        "currency": terms.price.currency,
        "period_days": terms.period_days,
        "group_link": plan.invite_link if plan.group_chat_id is not None else None,
        "stars": 1 if membership.stars else 0,
    }
    values.update(extra)
    return values


def change_notice(plan: Plan, membership: Membership, change: Change, reference: str) -> Notice:
    """The message for a state change; `reference` makes the key unique per event (a payment id, a period)."""
    return Notice(
        key=f"mb:{membership.id}:{change.value}:{reference}",
        chat_id=membership.user_id,
        kind=KIND_OF_CHANGE[change],
        params=params(plan, membership),
        language_of=membership.user_id,
    )
