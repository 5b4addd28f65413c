"""Membership plans, versions, memberships and their payments on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.memberships.lifecycle import MembershipStatus, NewMembership, Seat
from domain.memberships.plans import Benefits, NewPlan, Terms
from domain.memberships.ports import MembershipPayment
from domain.money import Money
from storage.database import Database
from tests.storage.builders import NOW, new_payment

TERMS = Terms(
    price=Money(100, "XTR"),
    trial_days=7,
    benefits=Benefits(10, (("TEA-SET-01", Money(200, "XTR")),), 150, 60),
)


def _membership(plan_id: int, version_id: int, user_id: int = 1001, **fields: object) -> NewMembership:
    values: dict[str, object] = {
        "user_id": user_id,
        "plan_id": plan_id,
        "version_id": version_id,
        "status": MembershipStatus.ACTIVE,
        "started_at": NOW,
        "period_end": NOW + timedelta(days=30),
        "grace_end": NOW + timedelta(days=33),
        "stars": True,
        "charge_id": "stx1",
        "trial_used": False,
    }
    values.update(fields)
    return NewMembership(**values)  # type: ignore[arg-type]


async def test_a_plan_keeps_its_versions_and_the_current_one(database: Database) -> None:
    async with database.uow() as uow:
        plan = await uow.plans.add(NewPlan("Tea Club", -100123, TERMS, NOW))
        await uow.commit()
    assert (plan.name, plan.community_id, plan.active, plan.current.number, plan.current.terms) == (
        "Tea Club",
        -100123,
        True,
        1,
        TERMS,
    )
    async with database.uow() as uow:
        second = await uow.plans.add_version(plan.id, replace(TERMS, price=Money(120, "XTR")), NOW + timedelta(days=1))
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.plans.get(plan.id)
        first = await uow.plans.get_version(plan.current.id)
    assert stored is not None and stored.current == second and second.number == 2
    assert first is not None and first.terms.price == Money(100, "XTR")


async def test_a_plan_keeps_its_owner(database: Database) -> None:
    async with database.uow() as uow:
        brand = await uow.brands.add("Celadon Studio")
        branded = await uow.plans.add(NewPlan("Celadon Circle", None, TERMS, NOW, brand.id))
        platform = await uow.plans.add(NewPlan("Patrons", None, TERMS, NOW))
        community = await uow.plans.add(NewPlan("Tea Club", -100123, TERMS, NOW))
        await uow.commit()
    async with database.uow() as uow:
        stored = [await uow.plans.get(plan.id) for plan in (branded, platform, community)]
    assert [(p.brand_id, p.community_id, p.owner.value) for p in stored if p is not None] == [
        (brand.id, None, "brand"),
        (None, None, "platform"),
        (None, -100123, "community"),
    ]


async def test_plans_by_group_and_closing(database: Database) -> None:
    async with database.uow() as uow:
        plan = await uow.plans.add(NewPlan("Tea Club", None, TERMS, NOW))
        other = await uow.plans.add(NewPlan("Ink Club", None, TERMS, NOW))
        assert await uow.plans.set_group(plan.id, -100777, "https://t.me/+abc")
        await uow.commit()
    async with database.uow() as uow:
        assert [p.id for p in await uow.plans.for_group(-100777)] == [plan.id]
        assert (await uow.plans.for_group(-100777))[0].invite_link == "https://t.me/+abc"
        assert await uow.plans.set_active(plan.id, False)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.plans.for_group(-100777) == []
        assert [p.id for p in await uow.plans.for_group(-100777, active_only=False)] == [plan.id]  # still grants it
        assert [p.id for p in await uow.plans.list_plans()] == [other.id]
        assert [p.id for p in await uow.plans.list_plans(active_only=False)] == [plan.id, other.id]


async def test_one_membership_per_member_and_plan_and_updates_are_conditional(database: Database) -> None:
    async with database.uow() as uow:
        plan = await uow.plans.add(NewPlan("Tea Club", None, TERMS, NOW))
        created = await uow.memberships.add(_membership(plan.id, plan.current.id))
        again = await uow.memberships.add(_membership(plan.id, plan.current.id))
        await uow.commit()
    assert created is not None and again is None
    assert created.revision == 0 and created.seat is Seat.NONE and created.period_end == NOW + timedelta(days=30)

    moved = replace(created, status=MembershipStatus.GRACE, seat=Seat.IN, seat_chat_id=-100777)
    async with database.uow() as uow:
        assert await uow.memberships.update(created, moved)
        assert not await uow.memberships.update(created, moved)  # stale revision: someone moved it first
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.memberships.get(created.id)
        assert await uow.memberships.get_for(1001, plan.id) == stored
        assert await uow.memberships.list_for_user(1001) == [stored]
        assert await uow.memberships.list_for_plans([plan.id]) == [stored]
        assert await uow.memberships.with_seat(10) == [stored]
    assert stored == replace(moved, revision=1)


async def test_due_queries_find_what_time_affects(database: Database) -> None:
    async with database.uow() as uow:
        plan = await uow.plans.add(NewPlan("Tea Club", None, TERMS, NOW))
        v = plan.current.id
        ended = await uow.memberships.add(_membership(plan.id, v, 1, period_end=NOW - timedelta(hours=1)))
        soon = await uow.memberships.add(_membership(plan.id, v, 2, period_end=NOW + timedelta(days=2)))
        later = await uow.memberships.add(_membership(plan.id, v, 3, period_end=NOW + timedelta(days=20)))
        gone = await uow.memberships.add(
            _membership(plan.id, v, 4, status=MembershipStatus.EXPIRED, period_end=NOW - timedelta(days=9))
        )
        await uow.commit()
    assert ended and soon and later and gone
    async with database.uow() as uow:
        assert [m.id for m in await uow.memberships.time_due(NOW, 10)] == [ended.id]
        assert [m.id for m in await uow.memberships.ending_before(NOW + timedelta(days=3), NOW, 10)] == [
            ended.id,
            soon.id,
        ]


async def test_membership_payments_are_recorded_once_and_listed_by_time(database: Database) -> None:
    async with database.uow() as uow:
        plan = await uow.plans.add(NewPlan("Tea Club", None, TERMS, NOW))
        membership = await uow.memberships.add(_membership(plan.id, plan.current.id))
        payment = await uow.payments.add_if_new(new_payment(amount=Money(100, "XTR")))
        assert membership is not None and payment is not None
        record = MembershipPayment(
            payment.id, membership.id, plan.id, plan.current.id, Money(100, "XTR"), NOW, NOW + timedelta(days=30), True
        )
        assert await uow.memberships.add_payment(record)
        assert not await uow.memberships.add_payment(record)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.memberships.payments_since([plan.id], NOW - timedelta(days=1)) == [record]
        assert await uow.memberships.payments_since([plan.id], NOW + timedelta(days=1)) == []
        assert await uow.memberships.payments_since([], NOW) == []
