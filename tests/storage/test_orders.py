from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from domain.money import Money
from domain.shop.orders import Order, OrderStatus
from domain.shop.products import Product
from storage.database import Database
from tests.storage.builders import NOW, add_product, later, line_for, new_order


async def _add(database: Database, *products: Product, **fields: object) -> Order:
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(*(line_for(p) for p in products), **fields))
        await uow.commit()
    return order


async def test_added_order_is_pending_and_reads_back_equal(database: Database) -> None:
    teapot = await add_product(database, price=Money(1999, "USD"))
    cup = await add_product(database, price=Money(500, "USD"))
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(teapot, 1), line_for(cup, 4)))
        await uow.commit()
    assert order.status is OrderStatus.PENDING
    assert order.paid_at is None
    assert order.total == Money(3999, "USD")
    async with database.uow() as uow:
        assert await uow.orders.get(order.id) == order


async def test_lines_keep_their_order(database: Database) -> None:
    made = [await add_product(database) for _ in range(4)]
    order = await _add(database, *reversed(made))
    async with database.uow() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert [line.product_id for line in stored.lines] == [p.id for p in reversed(made)]


async def test_order_without_community_is_kept(database: Database) -> None:
    product = await add_product(database)
    order = await _add(database, product, community_id=None, chat_id=1001)
    async with database.uow() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None and stored.community_id is None and stored.chat_id == 1001


async def test_unknown_order_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.orders.get(777) is None


async def test_a_line_must_name_an_existing_product(database: Database) -> None:
    product = await add_product(database)
    ghost = Product(id=product.id + 99, sku="X", title="X", description="", price=Money(1, "XTR"), stock=1)
    async with database.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.orders.add(new_order(line_for(ghost)))


async def test_transition_moves_only_from_the_given_statuses(database: Database) -> None:
    order = await _add(database, await add_product(database))
    async with database.uow() as uow:
        assert await uow.orders.transition(order.id, [OrderStatus.HELD], OrderStatus.PAID) is False
        assert await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.HELD) is True
        assert await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.HELD) is False
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None and stored.status is OrderStatus.HELD


async def test_transition_to_paid_records_paid_at(database: Database) -> None:
    order = await _add(database, await add_product(database))
    paid_at = later(30)
    async with database.uow() as uow:
        moved = await uow.orders.transition(
            order.id, [OrderStatus.PENDING, OrderStatus.HELD], OrderStatus.PAID, paid_at=paid_at
        )
        await uow.commit()
    assert moved
    async with database.uow() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert stored.status is OrderStatus.PAID
    assert stored.paid_at == paid_at


async def test_replayed_transition_changes_nothing(database: Database) -> None:
    order = await _add(database, await add_product(database))
    async with database.uow() as uow:
        assert await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.PAID, paid_at=later(1))
        await uow.commit()
    async with database.uow() as uow:
        assert not await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.PAID, paid_at=later(99))
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None and stored.paid_at == later(1)


async def test_transition_of_unknown_order_or_from_no_status_is_false(database: Database) -> None:
    order = await _add(database, await add_product(database))
    async with database.uow() as uow:
        assert await uow.orders.transition(order.id + 50, [OrderStatus.PENDING], OrderStatus.HELD) is False
        assert await uow.orders.transition(order.id, [], OrderStatus.HELD) is False


async def test_find_open_returns_the_newest_open_single_line_order(database: Database) -> None:
    product = await add_product(database)
    other = await add_product(database)
    older = await _add(database, product, created_at=NOW)
    newer = await _add(database, product, created_at=later(60))
    await _add(database, product, other, created_at=later(120))  # two lines: not a quick-buy order
    await _add(database, product, created_at=later(180), chat_id=-42)  # another chat
    await _add(database, product, created_at=later(240), user_id=2)  # another member
    await _add(database, other, created_at=later(300))  # another product
    async with database.uow() as uow:
        found = await uow.orders.find_open(user_id=1001, product_id=product.id, chat_id=-1001234567890)
    assert found is not None and found.id == newer.id
    async with database.uow() as uow:
        await uow.orders.transition(newer.id, [OrderStatus.PENDING], OrderStatus.HELD)
        await uow.commit()
    async with database.uow() as uow:
        found = await uow.orders.find_open(1001, product.id, -1001234567890)
    assert found is not None and found.id == newer.id and found.status is OrderStatus.HELD
    async with database.uow() as uow:
        await uow.orders.transition(newer.id, [OrderStatus.HELD], OrderStatus.PAID, paid_at=later(61))
        await uow.commit()
    async with database.uow() as uow:
        found = await uow.orders.find_open(1001, product.id, -1001234567890)
    assert found is not None and found.id == older.id


async def test_find_open_ignores_closed_orders(database: Database) -> None:
    product = await add_product(database)
    order = await _add(database, product)
    async with database.uow() as uow:
        await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.EXPIRED)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.orders.find_open(1001, product.id, -1001234567890) is None


async def test_list_for_user_is_newest_first_with_lines(database: Database) -> None:
    product = await add_product(database)
    ids = [(await _add(database, product, created_at=later(i))).id for i in range(4)]
    await _add(database, product, user_id=2)
    async with database.uow() as uow:
        listed = await uow.orders.list_for_user(1001, limit=3)
    assert [o.id for o in listed] == list(reversed(ids))[:3]
    assert all(len(o.lines) == 1 and o.lines[0].product_id == product.id for o in listed)
    async with database.uow() as uow:
        assert await uow.orders.list_for_user(999, limit=5) == []
