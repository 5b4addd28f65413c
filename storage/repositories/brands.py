from __future__ import annotations

from sqlalchemy import RowMapping, insert, select

from domain.shop.products import Brand
from storage.repositories._base import SqlRepository
from storage.tables import brands


def _brand(row: RowMapping) -> Brand:
    return Brand(id=row["id"], name=row["name"])


class SqlBrandRepository(SqlRepository):
    async def get(self, brand_id: int) -> Brand | None:
        row = (await self._session.execute(select(brands).where(brands.c.id == brand_id))).mappings().first()
        return _brand(row) if row is not None else None

    async def get_by_name(self, name: str) -> Brand | None:
        row = (await self._session.execute(select(brands).where(brands.c.name == name))).mappings().first()
        return _brand(row) if row is not None else None

    async def add(self, name: str) -> Brand:
        """Insert; a name already taken raises IntegrityError (names are unique)."""
        brand_id = (await self._session.execute(insert(brands).values(name=name).returning(brands.c.id))).scalar_one()
        return Brand(id=brand_id, name=name)
