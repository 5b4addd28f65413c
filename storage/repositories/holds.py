from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update

from domain.shop.orders import HoldStatus, StockHold
from storage.repositories._base import SqlRepository, rowcount
from storage.tables import stock_holds


def _hold(row: RowMapping) -> StockHold:
    return StockHold(
        id=row["id"],
        order_id=row["order_id"],
        product_id=row["product_id"],
        quantity=row["quantity"],
        status=HoldStatus(row["status"]),
        expires_at=row["expires_at"],
    )


class SqlHoldRepository(SqlRepository):
    async def add(self, order_id: int, product_id: int, quantity: int, expires_at: datetime) -> StockHold:
        """Insert an ACTIVE hold (the stock itself is claimed separately, by products.claim_stock)."""
        statement = (
            insert(stock_holds)
            .values(
                order_id=order_id,
                product_id=product_id,
                quantity=quantity,
                status=HoldStatus.ACTIVE.value,
                expires_at=expires_at,
            )
            .returning(stock_holds)
        )
        return _hold((await self._session.execute(statement)).mappings().one())

    async def active_for_order(self, order_id: int) -> StockHold | None:
        """The order's ACTIVE hold (the newest, should there be several)."""
        query = (
            select(stock_holds)
            .where(stock_holds.c.order_id == order_id, stock_holds.c.status == HoldStatus.ACTIVE.value)
            .order_by(stock_holds.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).mappings().first()
        return _hold(row) if row is not None else None

    async def extend(self, hold_id: int, expires_at: datetime) -> bool:
        statement = (
            update(stock_holds)
            .where(stock_holds.c.id == hold_id, stock_holds.c.status == HoldStatus.ACTIVE.value)
            .values(expires_at=expires_at)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def transition(self, hold_id: int, from_status: HoldStatus, to_status: HoldStatus) -> bool:
        statement = (
            update(stock_holds)
            .where(stock_holds.c.id == hold_id, stock_holds.c.status == from_status.value)
            .values(status=to_status.value)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def due(self, now: datetime, limit: int) -> Sequence[StockHold]:
        """ACTIVE holds with expires_at <= now, oldest expiry first (ix_stock_holds_status_expires_at)."""
        if limit <= 0:
            return []
        query = (
            select(stock_holds)
            .where(stock_holds.c.status == HoldStatus.ACTIVE.value, stock_holds.c.expires_at <= now)
            .order_by(stock_holds.c.expires_at, stock_holds.c.id)
            .limit(limit)
        )
        return [_hold(row) for row in (await self._session.execute(query)).mappings()]
