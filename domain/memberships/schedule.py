"""What time does to memberships: reminders before a period ends, grace, expiry, removal from the group.

Each step is an idempotent transition (a conditional update on the membership's revision, a notice keyed by
membership and period), so a job may fire twice, late, or after days of downtime and still send each
member at most one message per transition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.memberships import lifecycle
from domain.memberships import notices as mn
from domain.memberships.lifecycle import Change, Membership, MembershipStatus, Seat
from domain.memberships.plans import Plan
from domain.memberships.store import mutate
from domain.notices import Notice

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

REMINDERS = (timedelta(days=3), timedelta(days=1))
BATCH = 200


async def advance_due(uow: UnitOfWork, now: datetime, batch: int = BATCH) -> int:
    """Move every membership whose period or grace ended into grace or expired, with its one message."""
    moved = 0
    plans: dict[int, Plan | None] = {}
    for candidate in await uow.memberships.time_due(now, batch):

        def step(current: Membership) -> tuple[Membership, Change | None]:
            advanced = lifecycle.advance(current, now)
            return (current, None) if advanced is None else advanced

        updated, change, changed = await mutate(uow, candidate.id, step)
        if not changed or change is None:
            continue
        moved += 1
        if change is Change.EXPIRED and updated.seat is not Seat.NONE:
            continue  # leaving the group is the message; the removal job sends it
        plan = plans.get(updated.plan_id) or await uow.plans.get(updated.plan_id)
        plans[updated.plan_id] = plan
        if plan is not None:
            await uow.outbox.enqueue(mn.change_notice(plan, updated, change, str(mn.stamp(updated.period_end))), now)
    return moved


@dataclass(frozen=True, slots=True)
class Reminder:
    """A renewal reminder still to send; the job makes a fresh invoice link for it first."""

    membership: Membership
    plan: Plan
    key: str
    days_left: int
    ends: datetime  # when the perks end unless the member pays


def reminder_tag(membership: Membership, now: datetime) -> tuple[str, datetime] | None:
    """Which reminder is due (the latest that applies, so a late job sends one, not a backlog)."""
    if membership.status is MembershipStatus.GRACE:
        if now >= membership.grace_end - timedelta(days=1):
            return "grace1d", membership.grace_end
        return None
    if membership.status not in (MembershipStatus.ACTIVE, MembershipStatus.TRIAL) or membership.stars:
        return None  # Stars subscriptions renew by themselves; cancelled ones want no nagging
    if now >= membership.period_end:
        return None
    for ahead in sorted(REMINDERS):
        if now >= membership.period_end - ahead:
            return f"{ahead.days}d", membership.period_end
    return None


async def reminders_due(uow: UnitOfWork, now: datetime, batch: int = BATCH) -> tuple[Reminder, ...]:
    horizon = now + max(REMINDERS)
    due: list[Reminder] = []
    for membership in await uow.memberships.ending_before(horizon, now, batch):
        tag = reminder_tag(membership, now)
        if tag is None:
            continue
        name, end = tag
        key = f"mb:{membership.id}:remind:{name}:{mn.stamp(end)}"
        if await uow.outbox.get_by_key(key) is not None:
            continue
        plan = await uow.plans.get(membership.plan_id)
        if plan is None or not plan.active:
            continue
        days = max(0, (end - now + timedelta(hours=12)).days)
        due.append(Reminder(membership, plan, key, days, end))
    return tuple(due)


async def send_reminder(uow: UnitOfWork, now: datetime, reminder: Reminder, pay_link: str | None) -> bool:
    """Enqueue the reminder with its fresh invoice link, unless the member renewed in the meantime."""
    current = await uow.memberships.get(reminder.membership.id)
    if current is None or reminder_tag(current, now) is None:
        return False
    notice = Notice(
        key=reminder.key,
        chat_id=current.user_id,
        kind=mn.REMINDER,
        params=mn.params(
            reminder.plan, current, days=reminder.days_left, ends=reminder.ends.isoformat(), link=pay_link
        ),
        language_of=current.user_id,
    )
    return await uow.outbox.enqueue(notice, now)


# -- the members-only group ------------------------------------------------------------------------------


def _back_in(current: Membership) -> Membership:
    return replace(current, seat=Seat.IN) if current.seat is Seat.REMOVING else current


@dataclass(frozen=True, slots=True)
class RemovalPreview:
    membership: Membership
    plan: Plan | None
    reason: str  # trial_ended | cancelled | grace_ended | expired
    since: datetime


def _reason(membership: Membership) -> str:
    return {
        MembershipStatus.TRIAL: "trial_ended",
        MembershipStatus.CANCELLED: "cancelled",
        MembershipStatus.ACTIVE: "grace_ended",
        MembershipStatus.GRACE: "grace_ended",
    }.get(membership.status, "expired")


async def removal_preview(uow: UnitOfWork, now: datetime, limit: int = 10_000) -> tuple[RemovalPreview, ...]:
    """Who the removal job would take out of a members-only group at `now`, and why (changes nothing).

    Like the job, it leaves out a member whose other membership of a plan granting the same group still
    gives perks: the job hands the seat over to that membership instead of removing anyone."""
    found = []
    for membership in await uow.memberships.with_seat(limit):
        if lifecycle.removal_reason(membership, now) is None:
            continue
        if await keeper_of_seat(uow, now, membership) is not None:
            continue
        plan = await uow.plans.get(membership.plan_id)
        found.append(RemovalPreview(membership, plan, _reason(membership), membership.grace_end))
    return tuple(found)


async def keeper_of_seat(uow: UnitOfWork, now: datetime, membership: Membership) -> Membership | None:
    """Another membership of the same member that entitles them to the seat's group: of any plan, open or
    closed, whose members-only group it is, and giving perks now (trial, active, grace, or cancelled with
    its period still paid). While there is one, the member is never removed."""
    chat_id = membership.seat_chat_id
    if chat_id is None:
        return None
    granting = {plan.id for plan in await uow.plans.for_group(chat_id, active_only=False)}
    for other in await uow.memberships.list_for_user(membership.user_id):
        if other.id != membership.id and other.plan_id in granting and other.has_perks(now):
            return other
    return None


async def hand_over_seat(uow: UnitOfWork, now: datetime, lapsed: Membership, keeper: Membership) -> bool:
    """The member stays in the group on `keeper`: it takes the seat (so its own lapse removes them later)
    and `lapsed` gives it up, with the one message its expiry owes. False if `keeper` cannot take it (its
    seat is in another group): then `lapsed` keeps the seat and nobody is removed."""
    chat_id = lapsed.seat_chat_id
    if chat_id is None:
        return False

    def take(current: Membership) -> tuple[Membership, bool]:
        if current.seat is not Seat.NONE:
            return current, current.seat_chat_id == chat_id
        if not current.has_perks(now):
            return current, False
        return lifecycle.admit(current, chat_id, now), True

    _, taken, _ = await mutate(uow, keeper.id, take)
    if not taken:
        return False

    def give_up(current: Membership) -> tuple[Membership, bool]:
        if current.seat is Seat.NONE or current.seat_chat_id != chat_id or current.has_perks(now):
            return current, False
        return lifecycle.removed(current), True

    updated, gave, changed = await mutate(uow, lapsed.id, give_up)
    if gave and changed:
        plan = await uow.plans.get(updated.plan_id)
        if plan is not None:
            notice = mn.change_notice(plan, updated, Change.EXPIRED, str(mn.stamp(updated.period_end)))
            await uow.outbox.enqueue(notice, now)
    return True


async def claim_removals(uow: UnitOfWork, now: datetime, batch: int = BATCH) -> tuple[Membership, ...]:
    """Mark lapsed members as being removed (seat in -> removing), each by one caller only. Also returns
    removals a crashed run left half done, so they are finished."""
    claimed: list[Membership] = []
    for candidate in await uow.memberships.with_seat(batch):
        if candidate.seat is Seat.REMOVING:
            claimed.append(candidate)
            continue
        if lifecycle.removal_reason(candidate, now) is None:
            continue
        keeper = await keeper_of_seat(uow, now, candidate)
        if keeper is not None:
            await hand_over_seat(uow, now, candidate, keeper)
            continue

        def step(current: Membership) -> tuple[Membership, bool]:
            if current.seat is not Seat.IN or lifecycle.removal_reason(current, now) is None:
                return current, False
            return lifecycle.claim_removal(current, now), True

        updated, took, changed = await mutate(uow, candidate.id, step)
        if took and changed:
            claimed.append(updated)
    return tuple(claimed)


async def still_removable(uow: UnitOfWork, now: datetime, membership_id: int) -> Membership | None:
    """Right before calling Telegram: the claimed membership, or None (seat given back) if it was renewed or
    the member holds another membership that grants the same group."""
    claimed = await uow.memberships.get(membership_id)
    if claimed is not None and claimed.seat is Seat.REMOVING and not claimed.has_perks(now):
        keeper = await keeper_of_seat(uow, now, claimed)
        if keeper is not None and await hand_over_seat(uow, now, claimed, keeper):
            return None
        if keeper is not None:
            # The keeper's seat is in another group: this seat stays, and so does the member.
            await mutate(uow, membership_id, lambda current: (_back_in(current), None))
            return None

    def step(current: Membership) -> tuple[Membership, bool]:
        if current.seat is not Seat.REMOVING:
            return current, False
        if current.has_perks(now):
            return lifecycle.admit(current, current.seat_chat_id or 0, now), False
        return current, True

    updated, go, _ = await mutate(uow, membership_id, step)
    return updated if go else None


async def finish_removal(uow: UnitOfWork, now: datetime, membership: Membership, removed: bool) -> None:
    """The member is out of the group (or cannot be removed: the bot lost its rights). One message."""

    def step(current: Membership) -> tuple[Membership, None]:
        return (lifecycle.removed(current), None) if current.seat is Seat.REMOVING else (current, None)

    updated, _, _ = await mutate(uow, membership.id, step)
    plan = await uow.plans.get(updated.plan_id)
    if plan is None:
        return
    expired = lifecycle.Change.EXPIRED
    notice = mn.change_notice(plan, updated, expired, str(mn.stamp(updated.period_end)))
    if removed:
        notice = Notice(
            key=f"mb:{updated.id}:removed:{mn.stamp(updated.period_end)}",
            chat_id=updated.user_id,
            kind=mn.REMOVED,
            params=notice.params,
            language_of=updated.user_id,
        )
    await uow.outbox.enqueue(notice, now)
