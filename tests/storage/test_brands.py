from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from domain.shop.products import Brand
from storage.database import Database


async def test_added_brand_is_found_by_id_and_by_name(database: Database) -> None:
    async with database.uow() as uow:
        brand = await uow.brands.add("Longquan Kiln")
        await uow.commit()
    assert brand.name == "Longquan Kiln"
    async with database.uow() as uow:
        assert await uow.brands.get(brand.id) == brand
        assert await uow.brands.get_by_name("Longquan Kiln") == brand


async def test_unknown_brand_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.brands.get(999) is None
        assert await uow.brands.get_by_name("Nobody") is None


async def test_brand_names_are_unique(database: Database) -> None:
    async with database.uow() as uow:
        await uow.brands.add("Same")
        await uow.commit()
    async with database.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.brands.add("Same")


async def test_brands_get_distinct_ids(database: Database) -> None:
    async with database.uow() as uow:
        first = await uow.brands.add("One")
        second = await uow.brands.add("Two")
        await uow.commit()
    assert first != second
    assert isinstance(first, Brand) and first.id != second.id
