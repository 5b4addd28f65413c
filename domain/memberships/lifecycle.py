"""A membership and its state machine, as pure functions of (membership, event, now).

States: trial, active, grace, expired, cancelled. Perks last until `grace_end` in every state but expired;
`period_end` is what was paid for (or the trial's end). Every function returns a new value; the use cases
store it with a conditional update on `revision`, so two writers never both move the same membership.

    trial --pay--> active --period ends--> grace --grace ends--> expired
      |              |  ^                    |                      |
      |            cancel +--------pay-------+--------pay-----------+
      v              v
    cancelled --period ends--> expired          (expired + seat in the group --> removed once)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError
from domain.memberships.errors import MembershipError
from domain.memberships.plans import PlanVersion

# Telegram charges a Stars renewal at the expiration moment; its update can arrive a little later. Waiting
# this long before calling the period missed spares members a "your renewal failed" message on every renewal.
STARS_RENEWAL_SLACK = timedelta(hours=1)


class MembershipStatus(StrEnum):
    TRIAL = "trial"
    ACTIVE = "active"
    GRACE = "grace"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Seat(StrEnum):
    """Where the member stands in the plan's members-only group, as far as the bot admitted them."""

    NONE = "none"
    IN = "in"
    REMOVING = "removing"  # claimed by the removal job; Telegram not yet confirmed


@dataclass(frozen=True, slots=True)
class Membership:
    id: int
    user_id: int
    plan_id: int
    version_id: int
    status: MembershipStatus
    started_at: datetime
    period_end: datetime  # paid (or trial) until
    grace_end: datetime  # perks end; equals period_end when no grace applies
    stars: bool = False  # renewed by a Telegram Stars subscription
    charge_id: str | None = None  # the subscription's latest charge, to cancel it
    trial_used: bool = False
    seat: Seat = Seat.NONE
    seat_chat_id: int | None = None
    revision: int = 0

    def has_perks(self, now: datetime) -> bool:
        return self.status is not MembershipStatus.EXPIRED and now < self.grace_end

    def is_paid(self, now: datetime) -> bool:
        """Inside a period someone paid for (or a trial): removing them now would be a mistake."""
        return self.status is not MembershipStatus.EXPIRED and now < self.period_end

    @property
    def renews_by_itself(self) -> bool:
        return self.stars and self.status in (MembershipStatus.ACTIVE, MembershipStatus.GRACE)


@dataclass(frozen=True, slots=True)
class NewMembership:
    user_id: int
    plan_id: int
    version_id: int
    status: MembershipStatus
    started_at: datetime
    period_end: datetime
    grace_end: datetime
    stars: bool
    charge_id: str | None
    trial_used: bool


class Change(StrEnum):
    """What happened, for the message the member gets."""

    STARTED = "started"
    RENEWED = "renewed"
    TRIAL = "trial"
    CANCELLED = "cancelled"
    GRACE = "grace"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Paid:
    """A payment's effect on a membership (pure: the caller stores it)."""

    period_end: datetime
    grace_end: datetime
    change: Change


def after_payment(
    current: Membership | None,
    version: PlanVersion,
    now: datetime,
    subscription_expiration: datetime | None,
) -> Paid:
    """The new period a payment buys.

    A Stars subscription payment carries Telegram's expiration date, which is the authority. Other payments
    extend a running period from its end (paying early loses nothing; paying in grace continues the period
    the grace days were borrowed from), or start now.
    """
    keeps = current is not None and current.status in (
        MembershipStatus.ACTIVE,
        MembershipStatus.CANCELLED,
        MembershipStatus.GRACE,
        MembershipStatus.TRIAL,
    )
    if subscription_expiration is not None:
        end = subscription_expiration
        if current is not None and keeps and current.period_end > end:
            end = current.period_end  # never shorten what was already paid for
    else:
        base = current.period_end if current is not None and keeps and current.period_end > now else now
        if current is not None and current.status is MembershipStatus.GRACE:
            base = current.period_end
        end = base + version.terms.period
        if end <= now:  # paid long after grace: a fresh period from now
            end = now + version.terms.period
    change = Change.RENEWED if current is not None and current.has_perks(now) else Change.STARTED
    return Paid(end, end + timedelta(days=version.terms.grace_days), change)


def apply_payment(
    current: Membership,
    version: PlanVersion,
    now: datetime,
    charge_id: str,
    subscription_expiration: datetime | None,
) -> tuple[Membership, Change]:
    paid = after_payment(current, version, now, subscription_expiration)
    stars = subscription_expiration is not None
    updated = replace(
        current,
        version_id=version.id,
        status=MembershipStatus.ACTIVE,
        period_end=paid.period_end,
        grace_end=paid.grace_end,
        stars=stars,
        charge_id=charge_id if stars else current.charge_id,
        started_at=current.started_at if current.has_perks(now) else now,
    )
    return updated, paid.change


def first_payment(
    user_id: int,
    version: PlanVersion,
    now: datetime,
    charge_id: str,
    subscription_expiration: datetime | None,
) -> NewMembership:
    paid = after_payment(None, version, now, subscription_expiration)
    stars = subscription_expiration is not None
    return NewMembership(
        user_id=user_id,
        plan_id=version.plan_id,
        version_id=version.id,
        status=MembershipStatus.ACTIVE,
        started_at=now,
        period_end=paid.period_end,
        grace_end=paid.grace_end,
        stars=stars,
        charge_id=charge_id if stars else None,
        trial_used=False,
    )


def may_start_trial(current: Membership | None, version: PlanVersion, now: datetime) -> None:
    """Raise why a trial cannot start: trials are once per person and plan, and only for non-members."""
    if version.terms.trial_days <= 0:
        raise DomainError(MembershipError.NO_TRIAL)
    if current is not None and current.trial_used:
        raise DomainError(MembershipError.TRIAL_USED)
    if current is not None and current.has_perks(now):
        raise DomainError(MembershipError.ALREADY_MEMBER)


def trial_terms(version: PlanVersion, now: datetime) -> tuple[datetime, datetime]:
    end = now + timedelta(days=version.terms.trial_days)
    return end, end  # no grace after a free trial


def start_trial(current: Membership, version: PlanVersion, now: datetime) -> Membership:
    may_start_trial(current, version, now)
    end, grace_end = trial_terms(version, now)
    return replace(
        current,
        version_id=version.id,
        status=MembershipStatus.TRIAL,
        started_at=now,
        period_end=end,
        grace_end=grace_end,
        stars=False,
        trial_used=True,
    )


def cancel(current: Membership, now: datetime) -> Membership:
    """The member cancels: perks last until the paid period ends, without grace. In grace nothing is paid,
    so cancelling ends the membership now."""
    if current.status in (MembershipStatus.ACTIVE, MembershipStatus.TRIAL) and now < current.period_end:
        return replace(current, status=MembershipStatus.CANCELLED, grace_end=current.period_end)
    if current.status in (MembershipStatus.ACTIVE, MembershipStatus.GRACE):
        return replace(current, status=MembershipStatus.EXPIRED, grace_end=min(current.grace_end, now))
    if current.status is MembershipStatus.CANCELLED:
        raise DomainError(MembershipError.ALREADY_CANCELLED)
    raise DomainError(MembershipError.NOT_ACTIVE)


def due_status(current: Membership, now: datetime) -> MembershipStatus | None:
    """Where time alone takes this membership now, or None. Late jobs jump straight to the right state
    (an active membership whose grace also ran out while the process was down goes to expired)."""
    status = current.status
    if status is MembershipStatus.EXPIRED:
        return None
    if now >= current.grace_end:
        return MembershipStatus.EXPIRED
    if status is MembershipStatus.ACTIVE:
        missed_at = current.period_end + (STARS_RENEWAL_SLACK if current.stars else timedelta())
        if now >= missed_at:
            return MembershipStatus.GRACE
    return None


def advance(current: Membership, now: datetime) -> tuple[Membership, Change] | None:
    target = due_status(current, now)
    if target is None:
        return None
    change = Change.EXPIRED if target is MembershipStatus.EXPIRED else Change.GRACE
    return replace(current, status=target), change


def admit(current: Membership, chat_id: int, now: datetime) -> Membership:
    if not current.has_perks(now):
        raise DomainError(MembershipError.NOT_ACTIVE)
    return replace(current, seat=Seat.IN, seat_chat_id=chat_id)


def removal_reason(current: Membership, now: datetime) -> str | None:
    """Why this member should leave the members-only group now, or None if they must stay.

    Only after the whole paid period and its grace: never while any period is paid for.
    """
    if current.seat is Seat.NONE or current.seat_chat_id is None:
        return None
    if current.has_perks(now) or current.is_paid(now):
        return None
    if current.status is not MembershipStatus.EXPIRED and due_status(current, now) is None:
        return None
    return "lapsed"


def claim_removal(current: Membership, now: datetime) -> Membership:
    if current.seat is not Seat.IN or removal_reason(current, now) is None:
        raise DomainError(MembershipError.NOT_REMOVABLE)
    return replace(current, seat=Seat.REMOVING)


def removed(current: Membership) -> Membership:
    return replace(current, seat=Seat.NONE)
