"""Owners define plans: the operator for any community, a community's admins for their own.

Who someone is comes from facts the caller verified (the operator list from the settings, admin rights
asked of Telegram), never from what a message claims; every use case here checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import DomainError
from domain.memberships import notices as mn
from domain.memberships.lifecycle import MembershipStatus
from domain.memberships.plans import NewPlan, Plan, PlanVersion, Terms, validate_name, validate_terms
from domain.money import Money
from domain.notices import Notice

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Authority:
    """Verified facts about the person acting."""

    user_id: int
    operator: bool = False
    admin_of: frozenset[int] = frozenset()  # group chat ids where Telegram says they are an admin

    def may_manage(self, community_id: int | None) -> bool:
        return self.operator or (community_id is not None and community_id in self.admin_of)

    def require(self, community_id: int | None) -> None:
        if not self.may_manage(community_id):
            raise DomainError("membership.not_owner")


OPERATOR = Authority(0, operator=True)  # the command line: whoever can run it owns the database


async def create_plan(
    uow: UnitOfWork, now: datetime, who: Authority, name: str, community_id: int | None, terms: Terms
) -> Plan:
    who.require(community_id)
    return await uow.plans.add(NewPlan(validate_name(name), community_id, validate_terms(terms), now))


async def managed_plan(uow: UnitOfWork, who: Authority, plan_id: int) -> Plan:
    plan = await uow.plans.get(plan_id)
    if plan is None:
        raise DomainError("membership.plan_unknown")
    who.require(plan.community_id)
    return plan


@dataclass(frozen=True, slots=True)
class TermsChange:
    version: PlanVersion
    told: int  # members told in advance


async def change_terms(uow: UnitOfWork, now: datetime, who: Authority, plan_id: int, terms: Terms) -> TermsChange:
    """A new version. Members keep theirs until they renew; each current member is told now, before then."""
    plan = await managed_plan(uow, who, plan_id)
    validate_terms(terms)
    if terms == plan.current.terms:
        raise DomainError("membership.terms_unchanged")
    if terms.price.currency != plan.current.terms.price.currency:
        raise DomainError("membership.currency_fixed", currency=plan.current.terms.price.currency)
    version = await uow.plans.add_version(plan.id, terms, now)
    updated = replace(plan, current=version)
    told = 0
    for membership in await uow.memberships.list_for_plans([plan.id]):
        if membership.version_id == version.id or not membership.has_perks(now):
            continue
        if membership.status in (MembershipStatus.CANCELLED, MembershipStatus.TRIAL):
            continue  # nothing renews: no change of price reaches them
        notice = Notice(
            key=f"mb:{membership.id}:terms:{version.id}",
            chat_id=membership.user_id,
            kind=mn.TERMS_CHANGED,
            params=mn.params(updated, membership, version),
            language_of=membership.user_id,
        )
        told += await uow.outbox.enqueue(notice, now)
    return TermsChange(version, told)


async def change_price(uow: UnitOfWork, now: datetime, who: Authority, plan_id: int, price: Money) -> TermsChange:
    plan = await managed_plan(uow, who, plan_id)
    return await change_terms(uow, now, who, plan_id, replace(plan.current.terms, price=price))


async def set_active(uow: UnitOfWork, who: Authority, plan_id: int, active: bool) -> Plan:
    """Closing a plan stops new members; current ones keep what they paid for."""
    plan = await managed_plan(uow, who, plan_id)
    await uow.plans.set_active(plan.id, active)
    return replace(plan, active=active)


async def attach_group(uow: UnitOfWork, who: Authority, plan_id: int, chat_id: int, invite_link: str) -> Plan:
    """Make `chat_id` the plan's members-only group. The caller checked with Telegram that the person is an
    admin of that group too (in `who.admin_of`) and created the join-request link."""
    plan = await managed_plan(uow, who, plan_id)
    if not who.operator and chat_id not in who.admin_of:
        raise DomainError("membership.not_owner")
    await uow.plans.set_group(plan.id, chat_id, invite_link)
    return replace(plan, group_chat_id=chat_id, invite_link=invite_link)


async def plans_managed_by(uow: UnitOfWork, who: Authority, community_id: int | None) -> tuple[Plan, ...]:
    """The plans this person may manage: in a group, that group's; the operator in private, all."""
    plans = await uow.plans.list_plans(active_only=False)
    if community_id is None:
        if not who.operator:
            raise DomainError("membership.not_owner")
        return tuple(plans)
    who.require(community_id)
    return tuple(p for p in plans if p.community_id == community_id)
