from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, Update, exists, func, insert, select, update

from domain.money import Money
from domain.shop.orders import FULFILMENT_FIELDS, Fulfilment, NewOrder, Order, OrderLine, OrderStatus
from storage.repositories._base import SqlRepository, rowcount
from storage.tables import order_lines, orders, products


def _line(row: RowMapping) -> OrderLine:
    return OrderLine(
        product_id=row["product_id"],
        sku=row["sku"],
        title=row["title"],
        quantity=row["quantity"],
        unit_price=Money(int(row["unit_price_amount"]), row["currency"]),
    )


def _order(row: RowMapping, lines: Iterable[OrderLine]) -> Order:
    return Order(
        id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        community_id=row["community_id"],
        status=OrderStatus(row["status"]),
        lines=tuple(lines),
        created_at=row["created_at"],
        paid_at=row["paid_at"],
        discount=int(row["points_discount"]),
        points_to_spend=int(row["points_to_spend"]),
        shipping=int(row["shipping_amount"]),
        ship_country=row["ship_country"],
        fulfilment=Fulfilment(**{name: row[name] for name in FULFILMENT_FIELDS}),
    )


_NEWEST_FIRST = (orders.c.created_at.desc(), orders.c.id.desc())


def order_transition(
    order_id: int, from_statuses: Sequence[OrderStatus], to_status: OrderStatus, paid_at: datetime | None = None
) -> Update:
    """The order's move to `to_status` if it is in one of `from_statuses` (also part of a drop's hold)."""
    values: dict[str, Any] = {"status": to_status.value}
    if paid_at is not None:
        values["paid_at"] = paid_at
    return (
        update(orders)
        .where(orders.c.id == order_id, orders.c.status.in_([status.value for status in from_statuses]))
        .values(values)
    )


class SqlOrderRepository(SqlRepository):
    async def add(self, order: NewOrder) -> Order:
        """Insert the order (status PENDING) with its lines, which keep their given order."""
        statement = (
            insert(orders)
            .values(
                user_id=order.user_id,
                chat_id=order.chat_id,
                community_id=order.community_id,
                status=OrderStatus.PENDING.value,
                created_at=order.created_at,
                paid_at=None,
                points_discount=order.discount,
                points_to_spend=order.points_to_spend,
            )
            .returning(orders.c.id)
        )
        order_id = (await self._session.execute(statement)).scalar_one()
        if order.lines:
            await self._session.execute(
                insert(order_lines),
                [
                    {
                        "order_id": order_id,
                        "position": position,
                        "product_id": line.product_id,
                        "sku": line.sku,
                        "title": line.title,
                        "quantity": line.quantity,
                        "unit_price_amount": line.unit_price.amount,
                        "currency": line.unit_price.currency,
                    }
                    for position, line in enumerate(order.lines)
                ],
            )
        return Order(
            id=order_id,
            user_id=order.user_id,
            chat_id=order.chat_id,
            community_id=order.community_id,
            status=OrderStatus.PENDING,
            lines=tuple(order.lines),
            created_at=order.created_at,
            discount=order.discount,
            points_to_spend=order.points_to_spend,
        )

    async def get(self, order_id: int) -> Order | None:
        found = await self._load(select(orders).where(orders.c.id == order_id))
        return found[0] if found else None

    async def find_open(self, user_id: int, product_id: int, chat_id: int) -> Order | None:
        """The member's newest PENDING or HELD single-line order for this product in this chat."""
        line_count = (
            select(func.count()).select_from(order_lines).where(order_lines.c.order_id == orders.c.id)
        ).scalar_subquery()
        for_product = exists().where(order_lines.c.order_id == orders.c.id, order_lines.c.product_id == product_id)
        query = (
            select(orders)
            .where(
                orders.c.user_id == user_id,
                orders.c.chat_id == chat_id,
                orders.c.status.in_([OrderStatus.PENDING.value, OrderStatus.HELD.value]),
                for_product,
                line_count == 1,
            )
            .order_by(*_NEWEST_FIRST)
            .limit(1)
        )
        found = await self._load(query)
        return found[0] if found else None

    async def list_for_user(self, user_id: int, limit: int) -> Sequence[Order]:
        """Newest first (by created_at, then id)."""
        if limit <= 0:
            return []
        query = select(orders).where(orders.c.user_id == user_id).order_by(*_NEWEST_FIRST).limit(limit)
        return await self._load(query)

    async def transition(
        self,
        order_id: int,
        from_statuses: Sequence[OrderStatus],
        to_status: OrderStatus,
        paid_at: datetime | None = None,
    ) -> bool:
        """UPDATE ... WHERE id = :id AND status IN from_statuses; `paid_at`, when given, is stored too."""
        if not from_statuses:
            return False
        statement = order_transition(order_id, from_statuses, to_status, paid_at)
        return rowcount(await self._session.execute(statement)) == 1

    async def set_shipping(self, order_id: int, amount: int, country: str) -> bool:
        open_statuses = [OrderStatus.PENDING.value, OrderStatus.HELD.value, OrderStatus.EXPIRED.value]
        statement = (
            update(orders)
            .where(orders.c.id == order_id, orders.c.status.in_(open_statuses))
            .values(shipping_amount=amount, ship_country=country)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def advance(
        self,
        order_id: int,
        from_statuses: Sequence[OrderStatus],
        to_status: OrderStatus,
        changes: Mapping[str, object],
    ) -> bool:
        unknown = set(changes) - FULFILMENT_FIELDS
        if unknown or not from_statuses:
            raise ValueError(f"not fulfilment fields: {sorted(unknown)}" if unknown else "no status to move from")
        statement = (
            update(orders)
            .where(orders.c.id == order_id, orders.c.status.in_([status.value for status in from_statuses]))
            .values({"status": to_status.value, **changes})
        )
        return rowcount(await self._session.execute(statement)) == 1

    def _of_brands(
        self, query: Select[Any], brand_ids: Sequence[int] | None, statuses: Sequence[OrderStatus]
    ) -> Select[Any]:
        of_brand = (
            select(order_lines.c.id)
            .join(products, products.c.id == order_lines.c.product_id)
            .where(order_lines.c.order_id == orders.c.id, products.c.kind == "physical")
        )
        if brand_ids is not None:
            of_brand = of_brand.where(products.c.brand_id.in_(list(brand_ids)))
        return query.where(orders.c.status.in_([status.value for status in statuses]), exists(of_brand))

    async def list_for_brands(
        self, brand_ids: Sequence[int] | None, statuses: Sequence[OrderStatus], offset: int, limit: int
    ) -> Sequence[Order]:
        if limit <= 0 or not statuses:
            return []
        query = self._of_brands(select(orders), brand_ids, statuses)
        query = query.order_by(orders.c.paid_at, orders.c.id).offset(max(offset, 0)).limit(limit)
        return await self._load(query)

    async def count_for_brands(self, brand_ids: Sequence[int] | None, statuses: Sequence[OrderStatus]) -> int:
        if not statuses:
            return 0
        query = self._of_brands(select(func.count()).select_from(orders), brand_ids, statuses)
        return int((await self._session.execute(query)).scalar_one())

    async def _load(self, query: Select[Any]) -> list[Order]:
        rows = list((await self._session.execute(query)).mappings())
        if not rows:
            return []
        lines: defaultdict[int, list[OrderLine]] = defaultdict(list)
        line_query = (
            select(order_lines)
            .where(order_lines.c.order_id.in_([row["id"] for row in rows]))
            .order_by(order_lines.c.order_id, order_lines.c.position)
        )
        for line in (await self._session.execute(line_query)).mappings():
            lines[line["order_id"]].append(_line(line))
        return [_order(row, lines[row["id"]]) for row in rows]

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, orders.c.user_id, orders.c.chat_id)  # a private chat's id is theirs
