from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from domain.money import Money
from domain.shop.products import Product
from storage.database import Database
from storage.tables import products
from tests.storage.builders import add_product, new_product


async def test_added_product_reads_back_equal(database: Database) -> None:
    async with database.uow() as uow:
        brand = await uow.brands.add("Kiln")
        added = await uow.products.add(
            new_product(
                sku="TEA-1",
                title="青瓷茶具",
                price=Money(1999, "USD"),
                tags=("tea set", "青瓷", 'with "quotes"'),
                photo="AgACAgIAAxkBAAIB",
                brand_id=brand.id,
            )
        )
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.products.get(added.id) == added
        assert await uow.products.get_by_sku("TEA-1") == added
    assert added.price == Money(1999, "USD")
    assert added.tags == ("tea set", "青瓷", 'with "quotes"')


async def test_money_is_exact_integer_minor_units_beyond_32_bits(database: Database) -> None:
    big = Money(9_007_199_254_740_993, "KWD")  # not representable as a float
    product = await add_product(database, price=big)
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None
    assert stored.price == big
    assert type(stored.price.amount) is int


async def test_unknown_product_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.products.get(404) is None
        assert await uow.products.get_by_sku("nope") is None


async def test_skus_are_unique(database: Database) -> None:
    await add_product(database, sku="DUP")
    async with database.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.products.add(new_product(sku="DUP"))


async def test_update_overwrites_every_detail_but_leaves_the_shelf(database: Database) -> None:
    product = await add_product(database, sku="OLD")
    async with database.uow() as uow:
        brand = await uow.brands.add("New brand")
        await uow.commit()
    changed = replace(
        product,
        sku="NEW",
        title="Jade cup",
        description="Hand thrown.",
        price=Money(500, "EUR"),
        stock=3,
        tags=(),
        photo="file-id",
        active=False,
        brand_id=brand.id,
    )
    async with database.uow() as uow:
        await uow.products.update(changed)
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.products.get(product.id) == replace(changed, stock=product.stock)  # recount moves it
        assert await uow.products.get_by_sku("OLD") is None


async def test_updating_a_missing_product_raises(database: Database) -> None:
    product = await add_product(database)
    async with database.uow() as uow:
        with pytest.raises(LookupError):
            await uow.products.update(replace(product, id=product.id + 1000))


async def test_list_active_pages_newest_first_and_counts_only_active(database: Database) -> None:
    made = [await add_product(database, active=index != 2) for index in range(5)]
    active_ids = [p.id for p in reversed(made) if p.active]
    async with database.uow() as uow:
        assert await uow.products.count_active() == 4
        first = await uow.products.list_active(offset=0, limit=3)
        second = await uow.products.list_active(offset=3, limit=3)
    assert [p.id for p in first] + [p.id for p in second] == active_ids


async def test_list_all_includes_inactive_ordered_by_sku(database: Database) -> None:
    for sku, active in (("B", True), ("C", False), ("A", True)):
        await add_product(database, sku=sku, active=active)
    async with database.uow() as uow:
        assert [p.sku for p in await uow.products.list_all()] == ["A", "B", "C"]


async def test_claiming_stock_takes_units(database: Database) -> None:
    product = await add_product(database, stock=5)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 2) is True
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None and stored.stock == 3


async def test_claiming_the_last_units_exactly_succeeds(database: Database) -> None:
    product = await add_product(database, stock=2)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 2) is True
        claimed = await uow.products.get(product.id)
    assert claimed is not None and claimed.stock == 0


async def test_claiming_more_stock_than_left_takes_nothing(database: Database) -> None:
    product = await add_product(database, stock=2)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 3) is False
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None and stored.stock == 2


async def test_claiming_stock_of_a_missing_product_is_refused(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.products.claim_stock(12345, 1) is False


async def test_claiming_a_non_positive_quantity_is_a_programming_error(database: Database) -> None:
    product = await add_product(database, stock=2)
    async with database.uow() as uow:
        with pytest.raises(ValueError):
            await uow.products.claim_stock(product.id, 0)
        with pytest.raises(ValueError):
            await uow.products.release_stock(product.id, -1)


async def test_released_stock_goes_back_on_the_shelf(database: Database) -> None:
    product = await add_product(database, stock=1)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1)
        await uow.commit()
    async with database.uow() as uow:
        await uow.products.release_stock(product.id, 1)
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None and stored.stock == 1


async def test_the_schema_refuses_negative_stock(database: Database) -> None:
    product = await add_product(database, stock=1)
    async with database.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.session.execute(update(products).where(products.c.id == product.id).values(stock=-1))


async def test_the_schema_refuses_negative_held_units(database: Database) -> None:
    product = await add_product(database, stock=1)
    async with database.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.session.execute(update(products).where(products.c.id == product.id).values(held=-1))


async def _stored(database: Database, product_id: int) -> Product:
    async with database.uow() as uow:
        stored = await uow.products.get(product_id)
    assert stored is not None
    return stored


async def test_a_held_unit_is_on_the_shelf_but_not_for_sale(database: Database) -> None:
    product = await add_product(database, stock=3)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 2)
        await uow.commit()
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.held, stored.shelf) == (1, 2, 3)


async def test_a_recount_keeps_held_units_held(database: Database) -> None:
    product = await add_product(database, stock=1)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1)  # a member is paying for the only unit
        await uow.products.recount(product.id, 1)  # the brand imports its catalog again: still one unit
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1) is False  # the held unit is not handed out again
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.held, stored.shelf, stored.counted) == (0, 1, 1, 1)


async def test_a_recount_moves_the_shelf_by_the_difference_so_sold_units_stay_sold(database: Database) -> None:
    product = await add_product(database, stock=3)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1)
        await uow.products.sell_held(product.id, 1)  # one sold: two left
        await uow.products.recount(product.id, 3)  # the same file again
        await uow.commit()
    assert (await _stored(database, product.id)).stock == 2
    async with database.uow() as uow:
        await uow.products.recount(product.id, 8)  # five more arrived
        await uow.commit()
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.counted) == (7, 8)


async def test_a_sold_held_unit_leaves_the_shelf(database: Database) -> None:
    product = await add_product(database, stock=2)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1)
        await uow.products.sell_held(product.id, 1)
        await uow.commit()
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.held, stored.shelf) == (1, 0, 1)


async def test_a_count_lowered_below_the_held_units_sells_nothing_more_and_stops_at_zero(database: Database) -> None:
    product = await add_product(database, stock=3)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 2)
        await uow.products.recount(product.id, 1)  # two units fewer; two were already promised
        await uow.commit()
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.held, stored.shelf) == (0, 1, 1)
    async with database.uow() as uow:
        await uow.products.sell_held(product.id, 2)  # both payments complete all the same
        await uow.commit()
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.held, stored.shelf) == (0, 0, 0)


async def test_a_lapsed_hold_under_a_lower_count_gives_back_only_what_the_brand_has(database: Database) -> None:
    product = await add_product(database, stock=3)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 2)
        await uow.products.recount(product.id, 1)
        await uow.products.release_stock(product.id, 2)  # both holds lapse
        await uow.commit()
    stored = await _stored(database, product.id)
    assert (stored.stock, stored.held) == (1, 0)


async def test_restocked_units_are_for_sale_again(database: Database) -> None:
    product = await add_product(database, stock=1)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1)
        await uow.products.sell_held(product.id, 1)
        await uow.products.restock(product.id, 1)
        await uow.commit()
    assert (await _stored(database, product.id)).stock == 1


async def test_recounting_a_missing_product_raises(database: Database) -> None:
    async with database.uow() as uow:
        with pytest.raises(LookupError):
            await uow.products.recount(12345, 1)
