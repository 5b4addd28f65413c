"""Pools of unique codes: uploaded by a brand, given out one per unit by an atomic conditional UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, insert, select, update

from storage.digital_tables import code_pools, digital_codes
from storage.repositories._base import SqlRepository, in_chunks, rowcount

_CLAIM_ATTEMPTS = 1000  # each lost race means another order got a code: this bounds a pool being emptied


class SqlCodeRepository(SqlRepository):
    async def existing(self, product_id: int, codes: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in in_chunks(codes):
            statement = select(digital_codes.c.code).where(
                digital_codes.c.product_id == product_id, digital_codes.c.code.in_(chunk)
            )
            found.update((await self._session.execute(statement)).scalars())
        return found

    async def add(self, product_id: int, codes: Sequence[str], now: datetime) -> None:
        if codes:
            rows = [{"product_id": product_id, "code": code, "uploaded_at": now} for code in codes]
            await self._session.execute(insert(digital_codes), rows)
        pool = self._insert(code_pools).values(product_id=product_id, low_warned=False)
        await self._session.execute(pool.on_conflict_do_nothing(index_elements=["product_id"]))

    async def claim(self, product_id: int, order_id: int, now: datetime) -> str | None:
        for _ in range(_CLAIM_ATTEMPTS):
            free = (
                select(digital_codes.c.id)
                .where(digital_codes.c.product_id == product_id, digital_codes.c.order_id.is_(None))
                .order_by(digital_codes.c.id)
                .limit(1)
            )
            statement = (
                update(digital_codes)
                .where(digital_codes.c.id == free.scalar_subquery(), digital_codes.c.order_id.is_(None))
                .values(order_id=order_id, claimed_at=now)
                .returning(digital_codes.c.code)
            )
            code = (await self._session.execute(statement)).scalar_one_or_none()
            if code is not None:
                return str(code)
            # Nothing taken: either the pool has no free code, or another buyer took this one first (PostgreSQL:
            # the UPDATE waited for their transaction, then found the code given); the next statement sees it.
            if await self._free(product_id) == 0:
                return None
        return None

    async def _free(self, product_id: int) -> int:
        statement = select(func.count()).where(
            digital_codes.c.product_id == product_id, digital_codes.c.order_id.is_(None)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def release(self, order_id: int) -> None:
        statement = (
            update(digital_codes).where(digital_codes.c.order_id == order_id).values(order_id=None, claimed_at=None)
        )
        await self._session.execute(statement)

    async def for_order(self, order_id: int) -> Sequence[str]:
        statement = (
            select(digital_codes.c.code).where(digital_codes.c.order_id == order_id).order_by(digital_codes.c.id)
        )
        return [str(code) for code in (await self._session.execute(statement)).scalars()]

    async def count(self, product_id: int) -> tuple[int, int]:
        statement = select(func.count(), func.count(digital_codes.c.order_id)).where(
            digital_codes.c.product_id == product_id
        )
        total, given = (await self._session.execute(statement)).one()
        return int(total) - int(given), int(given)

    async def rearm(self, product_id: int) -> None:
        statement = update(code_pools).where(code_pools.c.product_id == product_id).values(low_warned=False)
        await self._session.execute(statement)

    async def low(self, threshold: int, limit: int) -> Sequence[tuple[int, int]]:
        free = func.count(digital_codes.c.id)
        statement = (
            select(code_pools.c.product_id, free)
            .select_from(
                code_pools.outerjoin(
                    digital_codes,
                    and_(digital_codes.c.product_id == code_pools.c.product_id, digital_codes.c.order_id.is_(None)),
                )
            )
            .where(code_pools.c.low_warned.is_(False))
            .group_by(code_pools.c.product_id)
            .having(free <= threshold)
            .order_by(code_pools.c.product_id)
            .limit(limit)
        )
        return [(int(product_id), int(count)) for product_id, count in (await self._session.execute(statement)).all()]

    async def mark_warned(self, product_id: int) -> bool:
        statement = (
            update(code_pools)
            .where(code_pools.c.product_id == product_id, code_pools.c.low_warned.is_(False))
            .values(low_warned=True)
        )
        return rowcount(await self._session.execute(statement)) == 1
