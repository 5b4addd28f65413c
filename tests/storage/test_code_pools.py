"""Pools of codes on SQLite and PostgreSQL: every code goes to one order, however many buyers pay at once."""

from __future__ import annotations

import asyncio

from domain.money import Money
from storage.database import Database
from tests.storage.builders import NOW, add_product, line_for, new_order


async def _orders(database: Database, product_id: int, how_many: int) -> list[int]:
    async with database.uow() as uow:
        product = await uow.products.get(product_id)
        assert product is not None
        ids = [(await uow.orders.add(new_order(line_for(product), user_id=2000 + n))).id for n in range(how_many)]
        await uow.commit()
    return ids


async def test_sixty_buyers_paying_at_the_same_moment_for_forty_codes_get_forty_different_codes(
    database: Database,
) -> None:
    product = await add_product(database, price=Money(100, "XTR"), kind="digital", content="pool", stock=100)
    codes = [f"TICKET-{n:03d}" for n in range(40)]
    async with database.uow() as uow:
        await uow.codes.add(product.id, codes, NOW)
        await uow.commit()
    orders = await _orders(database, product.id, 60)

    async def pay(order_id: int) -> str | None:
        async with database.uow() as uow:
            code = await uow.codes.claim(product.id, order_id, NOW)
            await uow.commit()
        return code

    given = await asyncio.gather(*(pay(order_id) for order_id in orders))

    handed_out = [code for code in given if code is not None]
    assert len(handed_out) == 40 and sorted(handed_out) == codes  # each code once, none invented
    assert given.count(None) == 20  # the pool ran dry for the last twenty
    async with database.uow() as uow:
        assert await uow.codes.count(product.id) == (0, 40)
        for order_id, code in zip(orders, given, strict=True):
            assert list(await uow.codes.for_order(order_id)) == ([code] if code else [])


async def test_a_code_is_refused_twice_in_a_pool_and_released_codes_are_free_again(database: Database) -> None:
    product = await add_product(database, price=Money(100, "XTR"), kind="digital", content="pool")
    (order_id,) = await _orders(database, product.id, 1)
    async with database.uow() as uow:
        await uow.codes.add(product.id, ["A-1", "A-2"], NOW)
        assert await uow.codes.existing(product.id, ["A-2", "A-3"]) == {"A-2"}
        assert await uow.codes.claim(product.id, order_id, NOW) == "A-1"
        await uow.codes.release(order_id)
        assert await uow.codes.count(product.id) == (2, 0)
        await uow.commit()


async def test_a_low_pool_warns_once_until_it_is_filled_up_again(database: Database) -> None:
    product = await add_product(database, price=Money(100, "XTR"), kind="digital", content="pool")
    async with database.uow() as uow:
        await uow.codes.add(product.id, ["B-1", "B-2"], NOW)
        assert await uow.codes.low(2, 10) == [(product.id, 2)]
        assert await uow.codes.mark_warned(product.id)
        assert not await uow.codes.mark_warned(product.id)
        assert await uow.codes.low(2, 10) == []
        await uow.codes.rearm(product.id)
        assert await uow.codes.low(1, 10) == []  # two free codes are above a threshold of one
        await uow.commit()
