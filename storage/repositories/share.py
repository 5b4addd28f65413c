from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, and_, exists, func, select, update

from domain.share.model import NO_COMMUNITY, Entry, EntryKind, Offer, Sale, SettlementLine
from storage.repositories._base import SqlRepository
from storage.share_tables import share_entries, share_months, share_offers, share_settlements
from storage.tables import order_lines, orders, payments, products


def _offer(row: RowMapping) -> Offer:
    return Offer(
        id=row["id"], brand_id=row["brand_id"], community_id=row["community_id"], rate_bp=row["rate_bp"],
        offered_by=row["offered_by"], offered_at=row["offered_at"], accepted_by=row["accepted_by"],
        accepted_at=row["accepted_at"],
    )  # fmt: skip


def _line(row: RowMapping) -> SettlementLine:
    return SettlementLine(
        row["month"], row["brand_id"], row["community_id"], row["currency"],
        row["gross"], row["refunds"], row["commission"], row["fee"],
    )  # fmt: skip


class SqlShareRepository(SqlRepository):
    async def add_offer(self, brand_id: int, community_id: int, rate_bp: int, by: int, now: datetime) -> Offer:
        values: dict[str, Any] = {
            "brand_id": brand_id, "community_id": community_id, "rate_bp": rate_bp, "offered_by": by, "offered_at": now,
        }  # fmt: skip
        statement = self._insert(share_offers).values(values).returning(*share_offers.c)
        return _offer((await self._session.execute(statement)).mappings().one())

    async def latest_offer(self, brand_id: int, community_id: int) -> Offer | None:
        query = (
            select(share_offers)
            .where(share_offers.c.brand_id == brand_id, share_offers.c.community_id == community_id)
            .order_by(share_offers.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).mappings().first()
        return _offer(row) if row else None

    async def accept_offer(self, offer_id: int, by: int, now: datetime) -> Offer:
        statement = (
            update(share_offers)
            .where(share_offers.c.id == offer_id)
            .values(accepted_by=by, accepted_at=now)
            .returning(*share_offers.c)
        )
        return _offer((await self._session.execute(statement)).mappings().one())

    async def accepted_offers(self) -> Sequence[Offer]:
        query = select(share_offers).where(share_offers.c.accepted_at.is_not(None)).order_by(share_offers.c.id)
        return [_offer(row) for row in (await self._session.execute(query)).mappings()]

    async def _sales(self, *conditions: Any) -> list[Sale]:
        refunded_at = (
            select(func.max(payments.c.refunded_at))
            .where(payments.c.order_id == orders.c.id, payments.c.status == "refunded")
            .scalar_subquery()
        )
        goods = func.sum(order_lines.c.quantity * order_lines.c.unit_price_amount)
        query = (
            select(
                orders.c.id,
                orders.c.community_id,
                orders.c.paid_at,
                orders.c.points_discount,
                func.min(order_lines.c.currency).label("currency"),
                goods.label("goods"),
                func.min(products.c.brand_id).label("brand_id"),
                refunded_at.label("refunded_at"),
            )
            .join(order_lines, order_lines.c.order_id == orders.c.id)
            .join(products, products.c.id == order_lines.c.product_id)
            .where(orders.c.paid_at.is_not(None), products.c.brand_id.is_not(None), *conditions)
            .group_by(orders.c.id, orders.c.community_id, orders.c.paid_at, orders.c.points_discount)
            .order_by(orders.c.id)
        )
        sales = []
        for row in (await self._session.execute(query)).mappings():
            goods_amount = int(row["goods"])
            amount = max(goods_amount - row["points_discount"], 1) if row["points_discount"] else goods_amount
            sales.append(
                Sale(
                    row["id"],
                    row["brand_id"],
                    row["community_id"] or NO_COMMUNITY,
                    row["currency"],
                    amount,
                    row["paid_at"],
                    row["refunded_at"],
                )
            )
        return sales

    def _counted(self, kind: EntryKind) -> Any:
        return exists().where(share_entries.c.order_id == orders.c.id, share_entries.c.kind == kind.value)

    async def unsettled_sales(self, before: datetime) -> Sequence[Sale]:
        return await self._sales(orders.c.paid_at < before, ~self._counted(EntryKind.SALE))

    async def unsettled_refunds(self, before: datetime) -> Sequence[Sale]:
        refunded = exists().where(
            and_(payments.c.order_id == orders.c.id, payments.c.status == "refunded", payments.c.refunded_at < before)
        )
        return await self._sales(refunded, ~self._counted(EntryKind.REFUND))

    async def sale_entries(self, order_ids: Iterable[int]) -> Sequence[Entry]:
        ids = list(order_ids)
        if not ids:
            return []
        query = select(share_entries).where(
            share_entries.c.order_id.in_(ids), share_entries.c.kind == EntryKind.SALE.value
        )
        return [
            Entry(
                r["order_id"],
                EntryKind(r["kind"]),
                r["month"],
                r["brand_id"],
                r["community_id"],
                r["currency"],
                r["amount"],
                r["commission"],
                r["fee"],
                r["rate_bp"],
            )
            for r in (await self._session.execute(query)).mappings()
        ]

    async def add_entries(self, entries: Iterable[Entry]) -> None:
        rows = [
            {
                "order_id": e.order_id,
                "kind": e.kind.value,
                "month": e.month,
                "brand_id": e.brand_id,
                "community_id": e.community_id,
                "currency": e.currency,
                "amount": e.amount,
                "commission": e.commission,
                "fee": e.fee,
                "rate_bp": e.rate_bp,
            }
            for e in entries
        ]
        if rows:
            await self._session.execute(self._insert(share_entries), rows)

    async def mark_settled(self, month: str, now: datetime) -> bool:
        statement = (
            self._insert(share_months)
            .values(month=month, settled_at=now)
            .on_conflict_do_nothing(index_elements=[share_months.c.month])
            .returning(share_months.c.month)
        )
        return (await self._session.execute(statement)).first() is not None

    async def last_settled_month(self) -> str | None:
        month: str | None = (await self._session.execute(select(func.max(share_months.c.month)))).scalar()
        return month

    async def add_lines(self, lines: Iterable[SettlementLine], now: datetime) -> None:
        rows = [
            {
                "month": x.month,
                "brand_id": x.brand_id,
                "community_id": x.community_id,
                "currency": x.currency,
                "gross": x.gross,
                "refunds": x.refunds,
                "commission": x.commission,
                "fee": x.fee,
                "net": x.net,
                "settled_at": now,
            }
            for x in lines
        ]
        if rows:
            await self._session.execute(self._insert(share_settlements), rows)

    async def lines(self, *, brand_id: int | None = None, community_id: int | None = None) -> Sequence[SettlementLine]:
        query = select(share_settlements).order_by(
            share_settlements.c.month, share_settlements.c.brand_id, share_settlements.c.community_id,
            share_settlements.c.currency,
        )  # fmt: skip
        if brand_id is not None:
            query = query.where(share_settlements.c.brand_id == brand_id)
        if community_id is not None:
            query = query.where(share_settlements.c.community_id == community_id)
        return [_line(row) for row in (await self._session.execute(query)).mappings()]

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, share_offers.c.offered_by, share_offers.c.accepted_by)
