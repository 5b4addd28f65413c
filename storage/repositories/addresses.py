from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, delete, select, update

from domain.shop.addresses import ShippingAddress
from storage.fulfilment_tables import ADDRESS_COLUMNS, saved_addresses, shipping_addresses
from storage.repositories._base import SqlRepository, rowcount


def _address(row: RowMapping) -> ShippingAddress:
    return ShippingAddress(**{name: row[name] for name in ADDRESS_COLUMNS})


def _columns(address: ShippingAddress) -> dict[str, Any]:
    values = asdict(address)
    return {name: values[name] for name in ADDRESS_COLUMNS}


class SqlAddressRepository(SqlRepository):
    async def store(self, order_id: int, user_id: int, address: ShippingAddress, now: datetime) -> bool:
        values = _columns(address)
        statement = (
            self._insert(shipping_addresses)
            .values(order_id=order_id, user_id=user_id, stored_at=now, closed_at=None, **values)
            .on_conflict_do_nothing(index_elements=[shipping_addresses.c.order_id])
            .returning(shipping_addresses.c.order_id)
        )
        stored = (await self._session.execute(statement)).first() is not None
        if stored:
            saved = (
                self._insert(saved_addresses)
                .values(user_id=user_id, updated_at=now, **values)
                .on_conflict_do_update(index_elements=[saved_addresses.c.user_id], set_={"updated_at": now, **values})
            )
            await self._session.execute(saved)
        return stored

    async def for_order(self, order_id: int) -> ShippingAddress | None:
        query = select(shipping_addresses).where(shipping_addresses.c.order_id == order_id)
        row = (await self._session.execute(query)).mappings().first()
        return _address(row) if row is not None else None

    async def saved_for(self, user_id: int) -> ShippingAddress | None:
        query = select(saved_addresses).where(saved_addresses.c.user_id == user_id)
        row = (await self._session.execute(query)).mappings().first()
        return _address(row) if row is not None else None

    async def close(self, order_id: int, at: datetime) -> bool:
        statement = (
            update(shipping_addresses)
            .where(shipping_addresses.c.order_id == order_id, shipping_addresses.c.closed_at.is_(None))
            .values(closed_at=at)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def erase_closed_before(self, moment: datetime, limit: int) -> int:
        due = (
            select(shipping_addresses.c.order_id)
            .where(shipping_addresses.c.closed_at.is_not(None), shipping_addresses.c.closed_at <= moment)
            .order_by(shipping_addresses.c.closed_at)
            .limit(limit)
        )
        order_ids = list((await self._session.execute(due)).scalars())
        if not order_ids:
            return 0
        statement = delete(shipping_addresses).where(shipping_addresses.c.order_id.in_(order_ids))
        return rowcount(await self._session.execute(statement))

    async def forget_member(self, user_id: int) -> int:
        erased = rowcount(
            await self._session.execute(delete(shipping_addresses).where(shipping_addresses.c.user_id == user_id))
        )
        saved = rowcount(
            await self._session.execute(delete(saved_addresses).where(saved_addresses.c.user_id == user_id))
        )
        return erased + saved
