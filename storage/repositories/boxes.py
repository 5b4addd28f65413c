"""Membership boxes: one row per membership and paid period (see domain/memberships/boxes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import RowMapping

from domain.memberships.boxes import Box, BoxStatus, DuePeriod
from storage.memberships_tables import (
    membership_boxes,
    membership_payments,
    membership_plan_versions,
    membership_plans,
    memberships,
)
from storage.repositories._base import SqlRepository, rowcount


def _box(row: RowMapping) -> Box:
    return Box(
        id=row["id"],
        membership_id=row["membership_id"],
        period_end=row["period_end"],
        user_id=row["user_id"],
        order_id=row["order_id"],
        status=BoxStatus(row["status"]),
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
    )


class SqlBoxRepository(SqlRepository):
    async def due(self, limit: int) -> Sequence[DuePeriod]:
        p, v, b = membership_payments, membership_plan_versions, membership_boxes
        query: Any = (
            select(
                p.c.membership_id,
                memberships.c.user_id,
                p.c.period_end,
                v.c.box_sku,
                membership_plans.c.name,
            )
            .join(v, v.c.id == p.c.version_id)
            .join(memberships, memberships.c.id == p.c.membership_id)
            .join(membership_plans, membership_plans.c.id == p.c.plan_id)
            .outerjoin(b, and_(b.c.membership_id == p.c.membership_id, b.c.period_end == p.c.period_end))
            .where(v.c.box_sku.is_not(None), b.c.id.is_(None))
            .order_by(p.c.paid_at, p.c.id)
            .limit(limit)
        )
        rows = (await self._session.execute(query)).all()
        return [DuePeriod(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    async def claim(self, period: DuePeriod, now: datetime) -> Box | None:
        statement = (
            self._insert(membership_boxes)
            .values(
                membership_id=period.membership_id,
                period_end=period.period_end,
                user_id=period.user_id,
                order_id=None,
                status=BoxStatus.AWAITING.value,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["membership_id", "period_end"])
            .returning(membership_boxes)
        )
        row = (await self._session.execute(statement)).mappings().first()
        return _box(row) if row is not None else None

    async def set_order(self, box_id: int, order_id: int) -> None:
        await self._session.execute(
            update(membership_boxes).where(membership_boxes.c.id == box_id).values(order_id=order_id)
        )

    async def get(self, box_id: int) -> Box | None:
        query = select(membership_boxes).where(membership_boxes.c.id == box_id)
        row = (await self._session.execute(query)).mappings().first()
        return _box(row) if row is not None else None

    async def confirm(self, box_id: int, now: datetime) -> bool:
        statement = (
            update(membership_boxes)
            .where(membership_boxes.c.id == box_id, membership_boxes.c.status == BoxStatus.AWAITING.value)
            .values(status=BoxStatus.CONFIRMED.value, confirmed_at=now)
        )
        return rowcount(await self._session.execute(statement)) == 1
