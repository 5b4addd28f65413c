"""The operator's drop and brand use cases on SQLite and PostgreSQL: who may list drops and staff, and the
keys that make a drop file safe to schedule twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.actors import Actor
from domain.brands import roles
from domain.brands.errors import BrandError
from domain.drops import scheduling
from domain.drops.model import DropPlan, DropStatus
from domain.errors import DomainError
from domain.money import Money
from storage.database import Database
from tests.storage.builders import NOW, add_product

OPERATOR = Actor.command_line()
STAFF_OF_A = Actor(501)


async def two_brands(database: Database) -> tuple[DropPlan, DropPlan]:
    """Brands A and B with a product each; 501 is staff of A. A plan for a drop of each product."""
    plans = []
    async with database.uow() as uow:
        brands = [await roles.register_brand(uow, OPERATOR, name) for name in ("Brand A", "Brand B")]
        await roles.add_staff(uow, NOW, OPERATOR, "Brand A", STAFF_OF_A.user_id)
        await uow.commit()
    for brand in brands:
        product = await add_product(database, brand_id=brand.id, stock=10, price=Money(250, "XTR"), kind="service")
        starts = NOW + timedelta(days=2)
        plans.append(DropPlan(brand.id, product.id, 2, Money(200, "XTR"), starts, starts + timedelta(hours=1)))
    return plans[0], plans[1]


async def test_only_the_operator_lists_every_brands_drops_and_staff_list_their_own(database: Database) -> None:
    plan_a, plan_b = await two_brands(database)
    async with database.uow() as uow:
        for plan in (plan_a, plan_b):
            await scheduling.schedule_from_file(uow, NOW, OPERATOR, plan, None)
        await uow.commit()
    async with database.uow() as uow:
        assert len(await scheduling.list_drops(uow, OPERATOR, None, ())) == 2
        with pytest.raises(DomainError) as refused:
            await scheduling.list_drops(uow, STAFF_OF_A, None, ())
        assert refused.value.code is BrandError.OPERATOR_ONLY
        (own,) = await scheduling.list_drops(uow, STAFF_OF_A, [plan_a.brand_id], ())
        assert own.brand_id == plan_a.brand_id
        with pytest.raises(DomainError) as refused:
            await scheduling.list_drops(uow, STAFF_OF_A, [plan_b.brand_id], ())
        assert refused.value.code is BrandError.NOT_STAFF
        assert await scheduling.list_drops(uow, OPERATOR, None, (DropStatus.OPEN,)) == ()


async def test_a_keyed_drop_is_found_again_per_brand_and_edited_only_when_the_file_changed(database: Database) -> None:
    plan_a, plan_b = await two_brands(database)
    async with database.uow() as uow:
        first, created = await scheduling.schedule_from_file(uow, NOW, STAFF_OF_A, plan_a, "december")
        again, unchanged = await scheduling.schedule_from_file(uow, NOW, STAFF_OF_A, plan_a, "december")
        other, other_created = await scheduling.schedule_from_file(uow, NOW, OPERATOR, plan_b, "december")
        await uow.commit()
    assert (created, unchanged, other_created) == ("created", "unchanged", "created")
    assert again.id == first.id != other.id and first.key == "december"

    async with database.uow() as uow:
        more = replace(plan_a, quantity=3)
        edited, outcome = await scheduling.schedule_from_file(uow, NOW, STAFF_OF_A, more, "december")
        await uow.commit()
    assert outcome == "edited" and edited.id == first.id and edited.quantity == 3

    async with database.uow() as uow:
        with pytest.raises(DomainError) as refused:  # staff of A cannot schedule for B, key or not
            await scheduling.schedule_from_file(uow, NOW, STAFF_OF_A, plan_b, "december")
        assert refused.value.code is BrandError.NOT_STAFF


async def test_only_the_operator_sees_the_roster_and_removes_staff(database: Database) -> None:
    await two_brands(database)
    async with database.uow() as uow:
        for refused_call in (
            roles.roster(uow, STAFF_OF_A),
            roles.remove_staff(uow, STAFF_OF_A, "Brand A", STAFF_OF_A.user_id),
        ):
            with pytest.raises(DomainError) as refused:
                await refused_call
            assert refused.value.code is BrandError.OPERATOR_ONLY
        assert [(b.name, staff) for b, staff in await roles.roster(uow, OPERATOR)] == [
            ("Brand A", (STAFF_OF_A.user_id,)),
            ("Brand B", ()),
        ]
        _, removed = await roles.remove_staff(uow, OPERATOR, "Brand A", STAFF_OF_A.user_id)
        _, again = await roles.remove_staff(uow, OPERATOR, "Brand A", STAFF_OF_A.user_id)
        await uow.commit()
    assert removed and not again
    async with database.uow() as uow:
        assert await roles.brands_of(uow, STAFF_OF_A) == ()


async def test_keys_added_to_a_file_already_scheduled_add_no_drop(database: Database) -> None:
    plan_a, _ = await two_brands(database)
    async with database.uow() as uow:
        first, created = await scheduling.schedule_from_file(uow, NOW, OPERATOR, plan_a, None)
        same, unchanged = await scheduling.schedule_from_file(uow, NOW, OPERATOR, plan_a, None)
        keyed, still = await scheduling.schedule_from_file(uow, NOW, OPERATOR, plan_a, "december")
        await uow.commit()
    assert (created, unchanged, still) == ("created", "unchanged", "unchanged")
    assert first.id == same.id == keyed.id and keyed.key == "december"
    async with database.uow() as uow:
        assert len(await scheduling.list_drops(uow, OPERATOR, None, ())) == 1
