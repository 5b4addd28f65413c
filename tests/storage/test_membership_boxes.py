"""Membership boxes on SQLite and PostgreSQL: exactly one box order per paid period, caught up after downtime."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import DomainError
from domain.memberships import boxes, joining
from domain.memberships.boxes import BoxStatus
from domain.memberships.plans import Benefits, NewPlan, Plan, Terms
from domain.money import Money
from domain.shop.addresses import ShippingAddress
from domain.shop.orders import OrderStatus
from storage.database import Database
from tests.domain.charges import charge
from tests.storage.builders import NOW, add_product

MEMBER = 1001
PRICE = Money(100, "XTR")


async def _box_plan(database: Database) -> tuple[Plan, int]:
    async with database.uow() as uow:
        brand = await uow.brands.add("Celadon Studio")
        await uow.commit()
    product = await add_product(
        database, sku="TEA-BOX", title="Tea of the month", price=Money(2500, "USD"), kind="physical", brand_id=brand.id
    )
    terms = Terms(price=PRICE, period_days=30, benefits=Benefits(box_sku=product.sku))
    async with database.uow() as uow:
        plan = await uow.plans.add(NewPlan("Tea Box Club", None, terms, NOW, brand.id))
        await uow.commit()
    return plan, brand.id


async def _pay(database: Database, plan: Plan, charge_id: str, days: int = 0) -> None:
    payment = charge(MEMBER, f"mb:{plan.current.id}", PRICE, charge_id, recurring=days > 0)
    async with database.uow() as uow:
        await joining.record_payment(uow, NOW + timedelta(days=days), payment)
        await uow.commit()


async def _run_job(database: Database, days: int = 0) -> int:
    async with database.uow() as uow:
        made = await boxes.create_due_boxes(uow, NOW + timedelta(days=days, hours=1))
        await uow.commit()
    return made


async def _to_ship(database: Database, brand_id: int) -> list[int]:
    async with database.uow() as uow:
        found = await uow.orders.list_for_brands([brand_id], [OrderStatus.PAID], 0, 50)
    return [order.id for order in found]


async def _box_orders(database: Database) -> list[tuple[int, OrderStatus, int]]:
    async with database.uow() as uow:
        found = await uow.orders.list_for_user(MEMBER, 50)
    return [(order.id, order.status, order.subtotal.amount) for order in found]


async def test_one_paid_period_gives_one_box_order_despite_a_second_run_and_a_replayed_renewal(
    database: Database,
) -> None:
    plan, brand_id = await _box_plan(database)
    await _pay(database, plan, "stx-1")
    assert await _run_job(database) == 1
    assert await _run_job(database) == 0  # the job fires twice
    await _pay(database, plan, "stx-1")  # Telegram redelivers the same payment
    assert await _run_job(database) == 0
    orders = await _box_orders(database)
    assert [(status, amount) for _, status, amount in orders] == [(OrderStatus.PENDING, 0)]
    assert await _to_ship(database, brand_id) == []  # not confirmed yet: nothing to ship
    assert len(await _asks(database)) == 1


async def _asks(database: Database) -> list[dict[str, object]]:
    async with database.uow() as uow:
        entries = await uow.outbox.with_key_prefix("box:")
    return [dict(entry.notice.params) for entry in entries if entry.notice.kind == boxes.ASK]


async def test_three_periods_paid_while_down_give_three_box_orders_on_catch_up(database: Database) -> None:
    plan, _ = await _box_plan(database)
    for period, charge_id in enumerate(("stx-1", "stx-2", "stx-3")):
        await _pay(database, plan, charge_id, days=30 * period)
    assert await _run_job(database, days=61) == 3
    assert await _run_job(database, days=61) == 0
    assert len(await _box_orders(database)) == 3
    await _pay(database, plan, "stx-4", days=90)
    assert await _run_job(database, days=90) == 1
    assert len(await _box_orders(database)) == 4


async def test_a_confirmed_box_ships_to_the_saved_address_and_only_its_member_may_confirm(
    database: Database,
) -> None:
    plan, brand_id = await _box_plan(database)
    await _pay(database, plan, "stx-1")
    await _run_job(database)
    ((order_id, _, _),) = await _box_orders(database)
    ((ask,),) = [await _asks(database)]
    assert ask["order_id"] == order_id and ask["address"] == ""  # no address on file: the member is asked for one
    box_id = int(str(ask["box_id"]))
    address = ShippingAddress("Mei Lin", "+65 5550 1234", "SG", "", "Singapore", "1 Tea Street", "", "049315")
    async with database.uow() as uow:
        with pytest.raises(DomainError, match="box_no_address"):
            await boxes.confirm_box(uow, NOW, MEMBER, box_id)
        with pytest.raises(DomainError, match="box_unknown"):  # someone else's box, by a forged button
            await boxes.confirm_box(uow, NOW, 2002, box_id)
        with pytest.raises(DomainError, match="box_bad_address"):
            await boxes.change_address(uow, NOW, MEMBER, box_id, "Mei Lin, Singapore")
    async with database.uow() as uow:
        line = "Mei Lin, +65 5550 1234, 1 Tea Street, Singapore, 049315, sg"
        box = await boxes.change_address(uow, NOW, MEMBER, box_id, line)
        await uow.commit()
    assert box.status is BoxStatus.CONFIRMED
    assert await _to_ship(database, brand_id) == [order_id]
    async with database.uow() as uow:
        stored = await uow.addresses.for_order(order_id)
    assert stored is not None and stored.lines() == address.lines()


async def test_the_next_box_offers_the_address_on_file_and_confirm_sends_it_there(database: Database) -> None:
    plan, brand_id = await _box_plan(database)
    await _pay(database, plan, "stx-1")
    await _run_job(database)
    (first,) = await _asks(database)
    async with database.uow() as uow:
        line = "Mei Lin, +65 5550 1234, 1 Tea Street, Singapore, 049315, SG"
        await boxes.change_address(uow, NOW, MEMBER, int(str(first["box_id"])), line)
        await uow.commit()

    await _pay(database, plan, "stx-2", days=30)
    assert await _run_job(database, days=30) == 1
    second = next(ask for ask in await _asks(database) if ask["box_id"] != first["box_id"])
    assert "1 Tea Street" in str(second["address"]) and "Mei Lin" in str(second["address"])
    async with database.uow() as uow:
        box = await boxes.confirm_box(uow, NOW + timedelta(days=30), MEMBER, int(str(second["box_id"])))
        again = await boxes.confirm_box(uow, NOW + timedelta(days=30), MEMBER, int(str(second["box_id"])))
        await uow.commit()
    assert box.status is BoxStatus.CONFIRMED and again == box  # a second press changes nothing
    assert sorted(await _to_ship(database, brand_id)) == sorted([first["order_id"], second["order_id"]])
    async with database.uow() as uow:
        stored = await uow.addresses.for_order(int(str(second["order_id"])))
    assert stored is not None and stored.street_line1 == "1 Tea Street"
