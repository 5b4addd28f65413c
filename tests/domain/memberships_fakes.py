"""An in-memory unit of work with just what the membership use cases touch, for fast domain tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from domain.memberships.lifecycle import Membership, MembershipStatus, NewMembership, Seat
from domain.memberships.plans import NewPlan, Plan, PlanVersion, Terms
from domain.memberships.ports import MembershipPayment
from domain.money import Money
from domain.notices import Notice
from domain.shop.orders import NewPayment, Payment, PaymentStatus
from domain.shop.products import Brand, Product


@dataclass
class FakePlans:
    plans: dict[int, Plan] = field(default_factory=dict)
    versions: dict[int, PlanVersion] = field(default_factory=dict)

    async def add(self, plan: NewPlan) -> Plan:
        plan_id = len(self.plans) + 1
        version = await self._version(plan_id, 1, plan.terms, plan.created_at)
        self.plans[plan_id] = Plan(
            plan_id, plan.name, plan.community_id, True, version, plan.created_at, brand_id=plan.brand_id
        )
        return self.plans[plan_id]

    async def _version(self, plan_id: int, number: int, terms: Terms, now: datetime) -> PlanVersion:
        version = PlanVersion(len(self.versions) + 1, plan_id, number, terms, now)
        self.versions[version.id] = version
        return version

    async def get(self, plan_id: int) -> Plan | None:
        return self.plans.get(plan_id)

    async def add_version(self, plan_id: int, terms: Terms, now: datetime) -> PlanVersion:
        plan = self.plans[plan_id]
        version = await self._version(plan_id, plan.current.number + 1, terms, now)
        self.plans[plan_id] = replace(plan, current=version)
        return version

    async def get_version(self, version_id: int) -> PlanVersion | None:
        return self.versions.get(version_id)

    async def list_plans(self, active_only: bool = True) -> Sequence[Plan]:
        return [p for p in self.plans.values() if p.active or not active_only]

    async def for_group(self, chat_id: int, active_only: bool = True) -> Sequence[Plan]:
        return [p for p in self.plans.values() if p.group_chat_id == chat_id and (p.active or not active_only)]

    async def set_group(self, plan_id: int, chat_id: int | None, invite_link: str | None) -> bool:
        self.plans[plan_id] = replace(self.plans[plan_id], group_chat_id=chat_id, invite_link=invite_link)
        return True

    async def set_active(self, plan_id: int, active: bool) -> bool:
        self.plans[plan_id] = replace(self.plans[plan_id], active=active)
        return True


@dataclass
class FakeMemberships:
    rows: dict[int, Membership] = field(default_factory=dict)
    payments: dict[int, MembershipPayment] = field(default_factory=dict)

    async def add(self, new: NewMembership) -> Membership | None:
        if await self.get_for(new.user_id, new.plan_id) is not None:
            return None
        membership = Membership(len(self.rows) + 1, **{k: getattr(new, k) for k in new.__dataclass_fields__})
        self.rows[membership.id] = membership
        return membership

    async def get(self, membership_id: int) -> Membership | None:
        return self.rows.get(membership_id)

    async def get_for(self, user_id: int, plan_id: int) -> Membership | None:
        return next((m for m in self.rows.values() if (m.user_id, m.plan_id) == (user_id, plan_id)), None)

    async def list_for_user(self, user_id: int) -> Sequence[Membership]:
        return [m for m in self.rows.values() if m.user_id == user_id]

    async def list_for_plans(self, plan_ids: Sequence[int]) -> Sequence[Membership]:
        return [m for m in self.rows.values() if m.plan_id in plan_ids]

    async def update(self, previous: Membership, updated: Membership) -> bool:
        if self.rows[previous.id].revision != previous.revision:
            return False
        self.rows[previous.id] = replace(updated, revision=previous.revision + 1)
        return True

    async def time_due(self, now: datetime, limit: int) -> Sequence[Membership]:
        return [
            m
            for m in self.rows.values()
            if m.status is not MembershipStatus.EXPIRED
            and (m.grace_end <= now or (m.status is MembershipStatus.ACTIVE and m.period_end <= now))
        ][:limit]

    async def ending_before(self, moment: datetime, now: datetime, limit: int) -> Sequence[Membership]:
        return [
            m
            for m in self.rows.values()
            if m.status is not MembershipStatus.EXPIRED
            and m.grace_end > now
            and (m.period_end <= moment or m.status is MembershipStatus.GRACE)
        ][:limit]

    async def with_seat(self, limit: int) -> Sequence[Membership]:
        return [m for m in self.rows.values() if m.seat is not Seat.NONE][:limit]

    async def add_payment(self, payment: MembershipPayment) -> bool:
        if payment.payment_id in self.payments:
            return False
        self.payments[payment.payment_id] = payment
        return True

    async def payments_since(self, plan_ids: Sequence[int], since: datetime) -> Sequence[MembershipPayment]:
        return [p for p in self.payments.values() if p.plan_id in plan_ids and p.paid_at >= since]


@dataclass
class FakePayments:
    rows: dict[str, Payment] = field(default_factory=dict)

    async def add_if_new(self, new: NewPayment) -> Payment | None:
        if new.telegram_charge_id in self.rows:
            return None
        payment = Payment(
            len(self.rows) + 1,
            new.order_id,
            new.user_id,
            new.telegram_charge_id,
            new.provider_charge_id,
            new.amount,
            PaymentStatus.CAPTURED,
            new.received_at,
        )
        self.rows[new.telegram_charge_id] = payment
        return payment

    async def get_by_charge(self, charge: str) -> Payment | None:
        return self.rows.get(charge)

    async def set_status(
        self, payment_id: int, from_status: PaymentStatus, to_status: PaymentStatus, at: Any = None
    ) -> bool:
        for charge, payment in self.rows.items():
            if payment.id == payment_id and payment.status is from_status:
                self.rows[charge] = replace(payment, status=to_status)
                return True
        return False


@dataclass
class FakeOutbox:
    notices: dict[str, Notice] = field(default_factory=dict)

    async def enqueue(self, notice: Notice, now: datetime) -> bool:
        if notice.key in self.notices:
            return False
        self.notices[notice.key] = notice
        return True

    async def get_by_key(self, key: str) -> Notice | None:
        return self.notices.get(key)


@dataclass
class FakeCatalog:
    """Brands, their staff and products: what plan owners and member prices are checked against."""

    brand_rows: dict[int, Brand] = field(default_factory=dict)
    staff: set[tuple[int, int]] = field(default_factory=set)  # (brand id, user id)
    products: dict[str, Product] = field(default_factory=dict)

    def brand(self, name: str, *staff: int) -> Brand:
        brand = Brand(len(self.brand_rows) + 1, name)
        self.brand_rows[brand.id] = brand
        self.staff.update((brand.id, user) for user in staff)
        return brand

    def product(self, sku: str, amount: int, brand: Brand | None = None, currency: str = "XTR") -> Product:
        product = Product(
            len(self.products) + 1, sku, sku.title(), "", Money(amount, currency), 10, brand_id=brand and brand.id
        )
        self.products[sku] = product
        return product


@dataclass
class FakeBrands:
    catalog: FakeCatalog

    async def get(self, brand_id: int) -> Brand | None:
        return self.catalog.brand_rows.get(brand_id)

    async def get_by_name(self, name: str) -> Brand | None:
        return next((b for b in self.catalog.brand_rows.values() if b.name == name), None)


@dataclass
class FakeBrandStaff:
    catalog: FakeCatalog

    async def is_staff(self, brand_id: int, user_id: int) -> bool:
        return (brand_id, user_id) in self.catalog.staff

    async def brands_of(self, user_id: int) -> Sequence[int]:
        return sorted(brand for brand, user in self.catalog.staff if user == user_id)

    async def all_brands(self) -> Sequence[Brand]:
        return sorted(self.catalog.brand_rows.values(), key=lambda b: b.name)


@dataclass
class FakeProducts:
    catalog: FakeCatalog

    async def get(self, product_id: int) -> Product | None:
        return next((p for p in self.catalog.products.values() if p.id == product_id), None)

    async def get_by_sku(self, sku: str) -> Product | None:
        return self.catalog.products.get(sku)


class FakeUnitOfWork:
    """Shared state across `async with` blocks; commit is a no-op (each step here is one transaction)."""

    def __init__(self) -> None:
        self.plans = FakePlans()
        self.memberships = FakeMemberships()
        self.payments = FakePayments()
        self.outbox = FakeOutbox()
        self.catalog = FakeCatalog()
        self.brands = FakeBrands(self.catalog)
        self.brand_staff = FakeBrandStaff(self.catalog)
        self.products = FakeProducts(self.catalog)

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        return None
