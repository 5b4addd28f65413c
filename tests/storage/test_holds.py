from __future__ import annotations

from datetime import UTC

from domain.shop.orders import HoldStatus
from storage.database import Database
from tests.storage.builders import NOW, add_product, later, line_for, new_order


async def _order_id(database: Database) -> tuple[int, int]:
    product = await add_product(database)
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(product)))
        await uow.commit()
    return order.id, product.id


async def test_added_hold_is_active_and_found_for_its_order(database: Database) -> None:
    order_id, product_id = await _order_id(database)
    async with database.uow() as uow:
        hold = await uow.holds.add(order_id, product_id, 2, later(600))
        await uow.commit()
    assert hold.status is HoldStatus.ACTIVE
    assert (hold.order_id, hold.product_id, hold.quantity, hold.expires_at) == (
        order_id,
        product_id,
        2,
        later(600),
    )
    async with database.uow() as uow:
        found = await uow.holds.active_for_order(order_id)
    assert found == hold
    assert found is not None and found.expires_at.tzinfo is UTC


async def test_no_active_hold_after_it_is_released(database: Database) -> None:
    order_id, product_id = await _order_id(database)
    async with database.uow() as uow:
        hold = await uow.holds.add(order_id, product_id, 1, later(600))
        assert await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.RELEASED)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.holds.active_for_order(order_id) is None
        assert await uow.holds.active_for_order(order_id + 1) is None


async def test_hold_transition_happens_once(database: Database) -> None:
    order_id, product_id = await _order_id(database)
    async with database.uow() as uow:
        hold = await uow.holds.add(order_id, product_id, 1, later(600))
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED) is True
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.RELEASED) is False
        assert await uow.holds.transition(hold.id + 100, HoldStatus.ACTIVE, HoldStatus.RELEASED) is False


async def test_extend_moves_expiry_only_while_active(database: Database) -> None:
    order_id, product_id = await _order_id(database)
    async with database.uow() as uow:
        hold = await uow.holds.add(order_id, product_id, 1, later(60))
        assert await uow.holds.extend(hold.id, later(900)) is True
        await uow.commit()
    async with database.uow() as uow:
        found = await uow.holds.active_for_order(order_id)
        assert found is not None and found.expires_at == later(900)
        assert await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED)
        assert await uow.holds.extend(hold.id, later(1800)) is False


async def test_due_lists_active_expired_holds_oldest_first(database: Database) -> None:
    order_id, product_id = await _order_id(database)
    async with database.uow() as uow:
        late = await uow.holds.add(order_id, product_id, 1, later(-10))
        early = await uow.holds.add(order_id, product_id, 1, later(-300))
        exact = await uow.holds.add(order_id, product_id, 1, NOW)
        await uow.holds.add(order_id, product_id, 1, later(1))  # not due yet
        converted = await uow.holds.add(order_id, product_id, 1, later(-500))
        await uow.holds.transition(converted.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED)
        await uow.commit()
    async with database.uow() as uow:
        due = await uow.holds.due(NOW, limit=10)
        assert [h.id for h in due] == [early.id, late.id, exact.id]
        assert [h.id for h in await uow.holds.due(NOW, limit=2)] == [early.id, late.id]
        assert await uow.holds.due(later(-1000), limit=10) == []


async def test_due_compares_instants_not_wall_clocks(database: Database) -> None:
    from datetime import timedelta, timezone

    order_id, product_id = await _order_id(database)
    async with database.uow() as uow:
        hold = await uow.holds.add(order_id, product_id, 1, later(60))
        await uow.commit()
    # 12:00:30 UTC written as 21:00:30+09:00: the hold (12:01 UTC) is not due yet, though 21:00 > 12:01.
    tokyo_now = later(30).astimezone(timezone(timedelta(hours=9)))
    async with database.uow() as uow:
        assert await uow.holds.due(tokyo_now, limit=5) == []
        assert [h.id for h in await uow.holds.due(later(61).astimezone(UTC), limit=5)] == [hold.id]
