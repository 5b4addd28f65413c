"""What memberships need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.memberships.lifecycle import Membership, NewMembership
from domain.memberships.plans import NewPlan, Plan, PlanVersion, Terms
from domain.money import Money


@dataclass(frozen=True, slots=True)
class MembershipPayment:
    """A payment that bought or renewed a membership (the money itself is in `payments`)."""

    payment_id: int
    membership_id: int
    plan_id: int
    version_id: int
    amount: Money
    paid_at: datetime
    period_end: datetime
    recurring: bool = False


class PlanRepository(Protocol):
    async def add(self, plan: NewPlan) -> Plan:
        """Insert the plan with its first version (number 1) as the current one."""

    async def get(self, plan_id: int) -> Plan | None: ...
    async def add_version(self, plan_id: int, terms: Terms, now: datetime) -> PlanVersion:
        """Append the next version and make it current."""

    async def get_version(self, version_id: int) -> PlanVersion | None: ...
    async def list_plans(self, active_only: bool = True) -> Sequence[Plan]:
        """Oldest first."""

    async def for_group(self, chat_id: int, active_only: bool = True) -> Sequence[Plan]:
        """Plans (only open ones unless `active_only` is False) whose members-only group is this chat, oldest
        first."""

    async def set_group(self, plan_id: int, chat_id: int | None, invite_link: str | None) -> bool: ...
    async def set_active(self, plan_id: int, active: bool) -> bool: ...


class MembershipRepository(Protocol):
    async def add(self, membership: NewMembership) -> Membership | None:
        """Insert unless this member already has a membership of the plan (then None)."""

    async def get(self, membership_id: int) -> Membership | None: ...
    async def get_for(self, user_id: int, plan_id: int) -> Membership | None: ...
    async def list_for_user(self, user_id: int) -> Sequence[Membership]: ...
    async def list_for_plans(self, plan_ids: Sequence[int]) -> Sequence[Membership]: ...
    async def update(self, previous: Membership, updated: Membership) -> bool:
        """Store `updated` only if the row is still at `previous.revision` (then the revision goes up by one).

        False when someone else changed it first: the caller reloads and decides again.
        """

    async def time_due(self, now: datetime, limit: int) -> Sequence[Membership]:
        """Not expired, and the period or the grace has ended by `now`: candidates for a time transition."""

    async def ending_before(self, moment: datetime, now: datetime, limit: int) -> Sequence[Membership]:
        """Still giving perks at `now` and with period_end <= moment (reminder candidates), soonest first."""

    async def with_seat(self, limit: int) -> Sequence[Membership]:
        """Memberships whose holder the bot admitted to a members-only group (seat in or removing)."""

    async def add_payment(self, payment: MembershipPayment) -> bool:
        """Insert keyed by payment_id; False if that payment was already recorded."""

    async def payments_since(self, plan_ids: Sequence[int], since: datetime) -> Sequence[MembershipPayment]: ...

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Their memberships (ended first, see domain/memberships/privacy.py) move to `pseudonym`; what was
        paid stays for accounting."""
