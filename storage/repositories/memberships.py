from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, or_, select, update

from domain.memberships.lifecycle import Membership, MembershipStatus, NewMembership, Seat
from domain.memberships.plans import Benefits, NewPlan, Plan, PlanVersion, Terms
from domain.memberships.ports import MembershipPayment
from domain.money import Money
from storage.memberships_tables import (
    membership_boxes,
    membership_payments,
    membership_plan_versions,
    membership_plans,
    memberships,
)
from storage.repositories._base import SqlRepository, rowcount


def _prices_to_text(terms: Terms) -> str:
    return json.dumps({sku: price.amount for sku, price in terms.benefits.member_prices}, sort_keys=True)


def _prices_from_text(text: str, currency: str) -> tuple[tuple[str, Money], ...]:
    value = json.loads(text) if text else {}
    if not isinstance(value, dict):
        raise ValueError(f"membership_plan_versions.member_prices holds {text!r}, not a JSON object")
    return tuple((str(sku), Money(int(amount), currency)) for sku, amount in sorted(value.items()))


def _version(row: Mapping[Any, Any]) -> PlanVersion:
    currency = row["currency"]
    return PlanVersion(
        id=row["id"],
        plan_id=row["plan_id"],
        number=row["number"],
        terms=Terms(
            price=Money(int(row["price_amount"]), currency),
            period_days=row["period_days"],
            trial_days=row["trial_days"],
            grace_days=row["grace_days"],
            benefits=Benefits(
                discount_percent=row["discount_percent"],
                member_prices=_prices_from_text(row["member_prices"], currency),
                points_multiplier_percent=row["points_multiplier_percent"],
                early_access_minutes=row["early_access_minutes"],
                box_sku=row["box_sku"],
            ),
        ),
        created_at=row["created_at"],
    )


def _version_values(plan_id: int, number: int, terms: Terms, now: datetime) -> dict[str, object]:
    benefits = terms.benefits
    return {
        "plan_id": plan_id,
        "number": number,
        "price_amount": terms.price.amount,
        "currency": terms.price.currency,
        "period_days": terms.period_days,
        "trial_days": terms.trial_days,
        "grace_days": terms.grace_days,
        "discount_percent": benefits.discount_percent,
        "points_multiplier_percent": benefits.points_multiplier_percent,
        "early_access_minutes": benefits.early_access_minutes,
        "member_prices": _prices_to_text(terms),
        "box_sku": benefits.box_sku,
        "created_at": now,
    }


def _membership(row: RowMapping) -> Membership:
    return Membership(
        id=row["id"],
        user_id=row["user_id"],
        plan_id=row["plan_id"],
        version_id=row["version_id"],
        status=MembershipStatus(row["status"]),
        started_at=row["started_at"],
        period_end=row["period_end"],
        grace_end=row["grace_end"],
        stars=row["stars"],
        charge_id=row["charge_id"],
        trial_used=row["trial_used"],
        seat=Seat(row["seat"]),
        seat_chat_id=row["seat_chat_id"],
        revision=row["revision"],
    )


def _payment(row: RowMapping) -> MembershipPayment:
    return MembershipPayment(
        payment_id=row["payment_id"],
        membership_id=row["membership_id"],
        plan_id=row["plan_id"],
        version_id=row["version_id"],
        amount=Money(int(row["amount"]), row["currency"]),
        paid_at=row["paid_at"],
        period_end=row["period_end"],
        recurring=row["recurring"],
    )


class SqlPlanRepository(SqlRepository):
    def _plans_query(self) -> Select[Any]:
        v = membership_plan_versions
        return select(membership_plans, *[c.label(f"v_{c.name}") for c in v.c]).join(
            v, v.c.id == membership_plans.c.current_version_id
        )

    def _plan(self, row: RowMapping) -> Plan:
        version = _version({str(k)[2:]: row[k] for k in row.keys() if str(k).startswith("v_")})
        return Plan(
            id=row["id"],
            name=row["name"],
            community_id=row["community_id"],
            active=row["active"],
            current=version,
            created_at=row["created_at"],
            group_chat_id=row["group_chat_id"],
            invite_link=row["invite_link"],
            brand_id=row["brand_id"],
        )

    async def add(self, plan: NewPlan) -> Plan:
        values = {
            "name": plan.name,
            "community_id": plan.community_id,
            "brand_id": plan.brand_id,
            "active": True,
            "created_at": plan.created_at,
        }
        plan_id = (
            await self._session.execute(membership_plans.insert().values(values).returning(membership_plans.c.id))
        ).scalar_one()
        await self._insert_version(plan_id, 1, plan.terms, plan.created_at)
        stored = await self.get(plan_id)
        assert stored is not None
        return stored

    async def _insert_version(self, plan_id: int, number: int, terms: Terms, now: datetime) -> PlanVersion:
        statement = (
            membership_plan_versions.insert()
            .values(_version_values(plan_id, number, terms, now))
            .returning(membership_plan_versions)
        )
        version = _version((await self._session.execute(statement)).mappings().one())
        await self._session.execute(
            update(membership_plans).where(membership_plans.c.id == plan_id).values(current_version_id=version.id)
        )
        return version

    async def get(self, plan_id: int) -> Plan | None:
        query = self._plans_query().where(membership_plans.c.id == plan_id)
        row = (await self._session.execute(query)).mappings().first()
        return self._plan(row) if row is not None else None

    async def add_version(self, plan_id: int, terms: Terms, now: datetime) -> PlanVersion:
        # Serialise concurrent changes of one plan: the unique (plan_id, number) refuses a second "next".
        latest = (
            await self._session.execute(
                select(func.max(membership_plan_versions.c.number)).where(membership_plan_versions.c.plan_id == plan_id)
            )
        ).scalar_one()
        return await self._insert_version(plan_id, int(latest or 0) + 1, terms, now)

    async def get_version(self, version_id: int) -> PlanVersion | None:
        query = select(membership_plan_versions).where(membership_plan_versions.c.id == version_id)
        row = (await self._session.execute(query)).mappings().first()
        return _version(row) if row is not None else None

    async def list_plans(self, active_only: bool = True) -> Sequence[Plan]:
        query = self._plans_query().order_by(membership_plans.c.id)
        if active_only:
            query = query.where(membership_plans.c.active.is_(True))
        return [self._plan(row) for row in (await self._session.execute(query)).mappings()]

    async def for_group(self, chat_id: int, active_only: bool = True) -> Sequence[Plan]:
        query = self._plans_query().where(membership_plans.c.group_chat_id == chat_id).order_by(membership_plans.c.id)
        if active_only:
            query = query.where(membership_plans.c.active.is_(True))
        return [self._plan(row) for row in (await self._session.execute(query)).mappings()]

    async def set_group(self, plan_id: int, chat_id: int | None, invite_link: str | None) -> bool:
        statement = (
            update(membership_plans)
            .where(membership_plans.c.id == plan_id)
            .values(group_chat_id=chat_id, invite_link=invite_link)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def set_active(self, plan_id: int, active: bool) -> bool:
        statement = update(membership_plans).where(membership_plans.c.id == plan_id).values(active=active)
        return rowcount(await self._session.execute(statement)) == 1


class SqlMembershipRepository(SqlRepository):
    async def add(self, membership: NewMembership) -> Membership | None:
        statement = (
            self._insert(memberships)
            .values(
                user_id=membership.user_id,
                plan_id=membership.plan_id,
                version_id=membership.version_id,
                status=membership.status.value,
                started_at=membership.started_at,
                period_end=membership.period_end,
                grace_end=membership.grace_end,
                stars=membership.stars,
                charge_id=membership.charge_id,
                trial_used=membership.trial_used,
                seat=Seat.NONE.value,
                seat_chat_id=None,
                revision=0,
            )
            .on_conflict_do_nothing(index_elements=[memberships.c.user_id, memberships.c.plan_id])
            .returning(memberships)
        )
        row = (await self._session.execute(statement)).mappings().first()
        return _membership(row) if row is not None else None

    async def _select(
        self, *conditions: ColumnElement[bool], limit: int | None = None, order: Any = None
    ) -> list[Membership]:
        query = select(memberships).where(*conditions).order_by(order if order is not None else memberships.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [_membership(row) for row in (await self._session.execute(query)).mappings()]

    async def get(self, membership_id: int) -> Membership | None:
        found = await self._select(memberships.c.id == membership_id)
        return found[0] if found else None

    async def get_for(self, user_id: int, plan_id: int) -> Membership | None:
        found = await self._select(memberships.c.user_id == user_id, memberships.c.plan_id == plan_id)
        return found[0] if found else None

    async def list_for_user(self, user_id: int) -> Sequence[Membership]:
        return await self._select(memberships.c.user_id == user_id)

    async def list_for_plans(self, plan_ids: Sequence[int]) -> Sequence[Membership]:
        if not plan_ids:
            return []
        return await self._select(memberships.c.plan_id.in_(list(plan_ids)))

    async def update(self, previous: Membership, updated: Membership) -> bool:
        if updated.id != previous.id:
            raise ValueError("update() changes one membership: the ids differ")
        statement = (
            update(memberships)
            .where(memberships.c.id == previous.id, memberships.c.revision == previous.revision)
            .values(
                version_id=updated.version_id,
                status=updated.status.value,
                started_at=updated.started_at,
                period_end=updated.period_end,
                grace_end=updated.grace_end,
                stars=updated.stars,
                charge_id=updated.charge_id,
                trial_used=updated.trial_used,
                seat=updated.seat.value,
                seat_chat_id=updated.seat_chat_id,
                revision=memberships.c.revision + 1,
            )
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def time_due(self, now: datetime, limit: int) -> Sequence[Membership]:
        not_expired = memberships.c.status != MembershipStatus.EXPIRED.value
        ended = or_(
            memberships.c.grace_end <= now,
            and_(memberships.c.status == MembershipStatus.ACTIVE.value, memberships.c.period_end <= now),
        )
        return await self._select(not_expired, ended, limit=limit, order=memberships.c.period_end)

    async def ending_before(self, moment: datetime, now: datetime, limit: int) -> Sequence[Membership]:
        return await self._select(
            memberships.c.status != MembershipStatus.EXPIRED.value,
            memberships.c.grace_end > now,
            or_(memberships.c.period_end <= moment, memberships.c.status == MembershipStatus.GRACE.value),
            limit=limit,
            order=memberships.c.period_end,
        )

    async def with_seat(self, limit: int) -> Sequence[Membership]:
        return await self._select(memberships.c.seat != Seat.NONE.value, limit=limit)

    async def add_payment(self, payment: MembershipPayment) -> bool:
        statement = (
            self._insert(membership_payments)
            .values(
                payment_id=payment.payment_id,
                membership_id=payment.membership_id,
                plan_id=payment.plan_id,
                version_id=payment.version_id,
                amount=payment.amount.amount,
                currency=payment.amount.currency,
                paid_at=payment.paid_at,
                period_end=payment.period_end,
                recurring=payment.recurring,
            )
            .on_conflict_do_nothing(index_elements=[membership_payments.c.payment_id])
            .returning(membership_payments.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def payments_since(self, plan_ids: Sequence[int], since: datetime) -> Sequence[MembershipPayment]:
        if not plan_ids:
            return []
        query = (
            select(membership_payments)
            .where(membership_payments.c.plan_id.in_(list(plan_ids)), membership_payments.c.paid_at >= since)
            .order_by(membership_payments.c.paid_at, membership_payments.c.id)
        )
        return [_payment(row) for row in (await self._session.execute(query)).mappings()]

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, memberships.c.user_id, membership_boxes.c.user_id)
