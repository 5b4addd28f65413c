"""Owners define plans: the operator any plan, brand staff their brand's, a community's admins their own.

Who someone is comes from the `Actor` the caller built (the operator list from the settings, admin rights
asked of Telegram) or from the brand staff list, never from what a message claims; every use case here
checks it. A perk is granted only by whoever pays for it: a community's plan grants its members-only group
and no perk on products; a brand's plan grants perks on that brand's products only (see `check_perks`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from domain.actors import Actor
from domain.brands import roles
from domain.errors import DomainError
from domain.memberships import notices as mn
from domain.memberships.errors import MembershipError
from domain.memberships.lifecycle import MembershipStatus
from domain.memberships.plan_text import OPTIONS
from domain.memberships.plans import (
    NewPlan,
    OwnerKind,
    Plan,
    PlanVersion,
    Terms,
    check_member_price,
    owner_kind,
    validate_name,
    validate_terms,
)
from domain.money import Money
from domain.notices import Notice
from domain.shop.products import Brand

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


async def require_owner(
    uow: UnitOfWork, who: Actor, community_id: int | None, brand_id: int | None, creating: bool = False
) -> Brand | None:
    """Raise unless `who` may act for this owner: the operator always; a community's admins for its plans;
    a brand's staff (checked in the staff list here, not taken from a menu) for its plans. Returns the brand."""
    kind = owner_kind(community_id, brand_id)
    if kind is OwnerKind.COMMUNITY:
        if brand_id is not None:
            raise DomainError(MembershipError.BRAND_PLAN_IN_PRIVATE)
        who.require_moderator(community_id, refusal=MembershipError.NOT_OWNER)
        return None
    if kind is OwnerKind.BRAND:
        assert brand_id is not None
        return await roles.require_brand_staff(uow, who, brand_id)
    who.require_operator(refusal=MembershipError.PLATFORM_OPERATOR_ONLY if creating else MembershipError.NOT_OWNER)
    return None


async def check_perks(uow: UnitOfWork, community_id: int | None, brand_id: int | None, terms: Terms) -> None:
    """Refuse perks this owner may not grant, and member prices the catalog cannot honour.

    An unknown SKU is refused first (it is most often a mistyped option); then a community's plan may grant
    no product perk at all; then each member price must name a product of the plan's brand (any product for
    the operator), in its currency, more than zero, at most its price and at least MIN_MEMBER_PRICE_PERCENT.
    """
    benefits = terms.benefits
    products = []
    for sku, price in benefits.member_prices:
        product = await uow.products.get_by_sku(sku)
        if product is None:
            raise DomainError(MembershipError.UNKNOWN_OPTION, option=sku, options=", ".join(OPTIONS))
        products.append((product, price))
    kind = owner_kind(community_id, brand_id)
    if kind is OwnerKind.COMMUNITY and benefits.on_products:
        raise DomainError(MembershipError.COMMUNITY_PRODUCT_PERKS, perks=", ".join(benefits.on_products))
    brand = await uow.brands.get(brand_id) if brand_id is not None else None
    for product, price in products:
        if kind is OwnerKind.BRAND and product.brand_id != brand_id:
            name = brand.name if brand is not None else str(brand_id)
            raise DomainError(MembershipError.MEMBER_PRICE_OTHER_BRAND, sku=product.sku, brand=name)
        check_member_price(product.sku, price, product.price)
    if benefits.box_sku is not None:
        box = await uow.products.get_by_sku(benefits.box_sku)
        if box is None:
            raise DomainError(MembershipError.UNKNOWN_OPTION, option=benefits.box_sku, options=", ".join(OPTIONS))
        if box.kind != "physical":
            raise DomainError(MembershipError.BOX_NOT_PHYSICAL, sku=box.sku)
        if kind is OwnerKind.BRAND and box.brand_id != brand_id:
            name = brand.name if brand is not None else str(brand_id)
            raise DomainError(MembershipError.BOX_OTHER_BRAND, sku=box.sku, brand=name)


async def create_plan(
    uow: UnitOfWork,
    now: datetime,
    who: Actor,
    name: str,
    community_id: int | None,
    terms: Terms,
    brand_id: int | None = None,
) -> Plan:
    """A plan of the operator (both ids None), of a brand (`brand_id`) or of a community (`community_id`)."""
    await require_owner(uow, who, community_id, brand_id, creating=True)
    clean = validate_name(name)
    await check_perks(uow, community_id, brand_id, terms)  # first: who may grant a perk before how much
    validate_terms(terms)
    return await uow.plans.add(NewPlan(clean, community_id, terms, now, brand_id))


async def plan_of(uow: UnitOfWork, plan_id: int) -> Plan:
    """A plan by its number, or MembershipError.PLAN_UNKNOWN."""
    plan = await uow.plans.get(plan_id)
    if plan is None:
        raise DomainError(MembershipError.PLAN_UNKNOWN)
    return plan


async def managed_plan(uow: UnitOfWork, who: Actor, plan_id: int) -> Plan:
    plan = await uow.plans.get(plan_id)
    if plan is None:
        raise DomainError(MembershipError.PLAN_UNKNOWN)
    await require_owner(uow, who, plan.community_id, plan.brand_id)
    return plan


@dataclass(frozen=True, slots=True)
class TermsChange:
    version: PlanVersion
    told: int  # members told in advance


async def change_terms(uow: UnitOfWork, now: datetime, who: Actor, plan_id: int, terms: Terms) -> TermsChange:
    """A new version. Members keep theirs until they renew; each current member is told now, before then."""
    plan = await managed_plan(uow, who, plan_id)
    await check_perks(uow, plan.community_id, plan.brand_id, terms)
    validate_terms(terms)
    if terms == plan.current.terms:
        raise DomainError(MembershipError.TERMS_UNCHANGED)
    if terms.price.currency != plan.current.terms.price.currency:
        raise DomainError(MembershipError.CURRENCY_FIXED, currency=plan.current.terms.price.currency)
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


async def change_price(uow: UnitOfWork, now: datetime, who: Actor, plan_id: int, price: Money) -> TermsChange:
    plan = await managed_plan(uow, who, plan_id)
    return await change_terms(uow, now, who, plan_id, replace(plan.current.terms, price=price))


async def set_active(uow: UnitOfWork, who: Actor, plan_id: int, active: bool) -> Plan:
    """Closing a plan stops new members; current ones keep what they paid for."""
    plan = await managed_plan(uow, who, plan_id)
    await uow.plans.set_active(plan.id, active)
    return replace(plan, active=active)


async def attachable_plan(uow: UnitOfWork, who: Actor, plan_id: int, chat_id: int) -> Plan:
    """The plan, if `who` may make `chat_id` its members-only group: they manage the plan and moderate that
    group too. Asked before Telegram is asked for a join-request link, so nobody else gets one made."""
    plan = await managed_plan(uow, who, plan_id)
    who.require_moderator(chat_id, refusal=MembershipError.NOT_OWNER)
    return plan


async def attach_group(uow: UnitOfWork, who: Actor, plan_id: int, chat_id: int, invite_link: str) -> Plan:
    """Make `chat_id` the plan's members-only group, with the join-request link the caller created."""
    plan = await attachable_plan(uow, who, plan_id, chat_id)
    await uow.plans.set_group(plan.id, chat_id, invite_link)
    return replace(plan, group_chat_id=chat_id, invite_link=invite_link)


async def plans_managed_by(uow: UnitOfWork, who: Actor, community_id: int | None) -> tuple[Plan, ...]:
    """The plans this person may manage: in a group, that group's; in private, every plan for the operator
    and their brands' plans for brand staff."""
    plans = await uow.plans.list_plans(active_only=False)
    if community_id is None:
        if who.operator:
            return tuple(plans)
        brands = {brand.id for brand in await roles.brands_of(uow, who)}
        if not brands:
            raise DomainError(MembershipError.NOT_OWNER)
        return tuple(p for p in plans if p.brand_id in brands)
    who.require_moderator(community_id, refusal=MembershipError.NOT_OWNER)
    return tuple(p for p in plans if p.community_id == community_id)


async def brand_named(uow: UnitOfWork, text: str) -> Brand:
    """The brand `brand=` names on `/plan add`: its name (an underscore may stand for a space) or number."""
    try:
        return await roles.brand_by_name_or_id(uow, text)
    except DomainError:
        if "_" not in text:
            raise
    return await roles.brand_by_name_or_id(uow, text.replace("_", " "))
