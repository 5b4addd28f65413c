"""Joining, renewing and trying a plan: what the invoice is for, the pre-checkout check, and the payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import DomainError, ErrorCode
from domain.memberships import lifecycle
from domain.memberships import notices as mn
from domain.memberships.errors import MembershipError
from domain.memberships.lifecycle import Change, Membership, MembershipStatus
from domain.memberships.plans import Plan, PlanVersion
from domain.memberships.ports import MembershipPayment
from domain.memberships.store import mutate
from domain.money import Money
from domain.numbers import whole_number
from domain.shop.errors import ShopError
from domain.shop.orders import NewPayment, Payment, PaymentStatus
from domain.shop.payments.outcome import PaymentResult
from domain.shop.payments.received import ReceivedPayment

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

PAYLOAD_KIND = "mb"


def invoice_payload(version_id: int) -> str:
    """Invoices name the plan version they sell, so a payment applies exactly the terms the member saw."""
    return f"{PAYLOAD_KIND}:{version_id}"


def version_id_from_payload(payload: str) -> int | None:
    kind, _, rest = payload.partition(":")
    return whole_number(rest) if kind == PAYLOAD_KIND and rest == rest.strip() else None


@dataclass(frozen=True, slots=True)
class Offer:
    """What to invoice: the plan's current terms; a Stars plan becomes a 30-day Stars subscription."""

    plan: Plan
    version: PlanVersion
    membership: Membership | None

    @property
    def subscription(self) -> bool:
        return self.version.terms.is_stars


@dataclass(frozen=True, slots=True)
class PlanStatus:
    plan: Plan
    membership: Membership | None
    trial_available: bool
    brand: str | None = None  # a brand's plan: its perks count on this brand's products only


async def active_plan(uow: UnitOfWork, plan_id: int) -> Plan:
    plan = await uow.plans.get(plan_id)
    if plan is None:
        raise DomainError(MembershipError.PLAN_UNKNOWN)
    if not plan.active:
        raise DomainError(MembershipError.PLAN_CLOSED, plan=plan.name)
    return plan


async def overview(uow: UnitOfWork, now: datetime, user_id: int, community_id: int | None) -> tuple[PlanStatus, ...]:
    """Plans on offer (a group's own and the operator's; in private every plan) and this member's status."""
    result: list[PlanStatus] = []
    mine = {m.plan_id: m for m in await uow.memberships.list_for_user(user_id)}
    for plan in await uow.plans.list_plans(active_only=False):
        membership = mine.get(plan.id)
        if not plan.active and membership is None:
            continue
        if community_id is not None and plan.community_id not in (None, community_id):
            continue
        trial = plan.active and plan.current.terms.trial_days > 0
        if trial:
            try:
                lifecycle.may_start_trial(membership, plan.current, now)
            except DomainError:
                trial = False
        brand = await uow.brands.get(plan.brand_id) if plan.brand_id is not None else None
        result.append(PlanStatus(plan, membership, trial, brand.name if brand is not None else None))
    return tuple(result)


async def offer(uow: UnitOfWork, now: datetime, user_id: int, plan_id: int, fiat_payments: bool) -> Offer:
    """The member asked to join or renew. A running Stars subscription renews by itself: no second one."""
    plan = await active_plan(uow, plan_id)
    version = plan.current
    if not version.terms.is_stars and not fiat_payments:
        raise DomainError(ShopError.CURRENCY_UNAVAILABLE, currency=version.terms.price.currency)
    membership = await uow.memberships.get_for(user_id, plan_id)
    if membership is not None and membership.renews_by_itself and membership.has_perks(now):
        raise DomainError(MembershipError.ALREADY_SUBSCRIBED, plan=plan.name)
    return Offer(plan, version, membership)


async def check_pre_checkout(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> None:
    """Raise why Telegram should refuse this payment (answered within its 10 seconds)."""
    version_id = version_id_from_payload(payload)
    version = await uow.plans.get_version(version_id) if version_id is not None else None
    if version is None:
        raise DomainError(MembershipError.PLAN_UNKNOWN)
    plan = await active_plan(uow, version.plan_id)
    if plan.current.id != version.id:
        price = plan.current.terms.price.display()
        raise DomainError(MembershipError.TERMS_CHANGED, plan=plan.name, price=price)
    if amount != version.terms.price:
        raise DomainError(ShopError.ORDER_AMOUNT_MISMATCH)
    membership = await uow.memberships.get_for(payer_id, plan.id)
    if version.terms.is_stars and membership is not None and membership.renews_by_itself and membership.has_perks(now):
        raise DomainError(MembershipError.ALREADY_SUBSCRIBED, plan=plan.name)


@dataclass(frozen=True, slots=True)
class MembershipPaymentOutcome:
    result: PaymentResult
    payment: Payment
    membership: Membership | None = None
    change: Change | None = None
    reason: ErrorCode | None = None


async def record_payment(uow: UnitOfWork, now: datetime, received: ReceivedPayment) -> MembershipPaymentOutcome:
    """Record a membership payment exactly once per charge and extend the membership.

    A redelivered update (same charge id) changes nothing. A Stars renewal is honoured even if the plan was
    closed since: Telegram took the money for terms we agreed to.
    """
    payer_id, payload, amount = received.user_id, received.payload, received.amount
    telegram_charge_id, subscription_expiration = received.telegram_charge_id, received.subscription_expires_at
    payment = await uow.payments.add_if_new(
        NewPayment(None, payer_id, telegram_charge_id, received.provider_charge_id, amount, now)
    )
    if payment is None:
        recorded = await uow.payments.get_by_charge(telegram_charge_id)
        assert recorded is not None  # add_if_new refused it because it exists
        return MembershipPaymentOutcome(PaymentResult.DUPLICATE, recorded)

    version_id = version_id_from_payload(payload)
    version = await uow.plans.get_version(version_id) if version_id is not None else None
    plan = await uow.plans.get(version.plan_id) if version is not None else None
    reason: ErrorCode | None = None
    if version is None or plan is None:
        reason = MembershipError.PLAN_UNKNOWN
    elif amount != version.terms.price:
        reason = ShopError.ORDER_AMOUNT_MISMATCH
    elif not received.is_recurring and not plan.active:
        reason = MembershipError.PLAN_CLOSED
    if reason is not None or version is None or plan is None:
        reason = reason or MembershipError.PLAN_UNKNOWN
        await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE, reason=reason)
        refreshed = await uow.payments.get_by_charge(telegram_charge_id)
        assert refreshed is not None
        return MembershipPaymentOutcome(PaymentResult.REFUND, refreshed, reason=reason)

    existing = await uow.memberships.get_for(payer_id, plan.id)
    membership: Membership | None = None
    change = Change.STARTED
    if existing is None:
        fresh = lifecycle.first_payment(payer_id, version, now, telegram_charge_id, subscription_expiration)
        membership = await uow.memberships.add(fresh)
        if membership is None:  # a concurrent first payment made the row: renew it instead
            existing = await uow.memberships.get_for(payer_id, plan.id)
    if membership is None:
        assert existing is not None
        paid_version = version

        def pay(current: Membership) -> tuple[Membership, Change]:
            return lifecycle.apply_payment(current, paid_version, now, telegram_charge_id, subscription_expiration)

        membership, change, _ = await mutate(uow, existing.id, pay)

    await uow.memberships.add_payment(
        MembershipPayment(
            payment_id=payment.id,
            membership_id=membership.id,
            plan_id=plan.id,
            version_id=version.id,
            amount=amount,
            paid_at=now,
            period_end=membership.period_end,
            recurring=received.is_recurring,
        )
    )
    await uow.outbox.enqueue(mn.change_notice(plan, membership, change, f"pay{payment.id}"), now)
    return MembershipPaymentOutcome(PaymentResult.PAID, payment, membership, change)


async def start_trial(uow: UnitOfWork, now: datetime, user_id: int, plan_id: int) -> Membership:
    """A free trial, once per person and plan, for someone who is not a member now."""
    plan = await active_plan(uow, plan_id)
    version = plan.current
    existing = await uow.memberships.get_for(user_id, plan_id)
    lifecycle.may_start_trial(existing, version, now)
    if existing is None:
        end, grace_end = lifecycle.trial_terms(version, now)
        created = await uow.memberships.add(
            lifecycle.NewMembership(
                user_id=user_id,
                plan_id=plan.id,
                version_id=version.id,
                status=MembershipStatus.TRIAL,
                started_at=now,
                period_end=end,
                grace_end=grace_end,
                stars=False,
                charge_id=None,
                trial_used=True,
            )
        )
        if created is None:
            raise DomainError(MembershipError.BUSY)
        membership = created
    else:

        def trial(current: Membership) -> tuple[Membership, None]:
            return lifecycle.start_trial(current, version, now), None

        membership, _, _ = await mutate(uow, existing.id, trial)
    await uow.outbox.enqueue(mn.change_notice(plan, membership, Change.TRIAL, str(mn.stamp(now))), now)
    return membership
