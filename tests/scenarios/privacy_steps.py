"""Story steps for privacy scenarios: reading every table the way an auditor would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, String, Text, func, select
from sqlmodel import SQLModel

from storage.tables import order_lines, orders
from tests.scenarios.harness import Shop


async def where_it_is_stored(shop: Shop, user_id: int, *words: str) -> list[str]:
    """Every place, in every table of the metadata (tables added later included), that still holds one of
    `words` in a text column or `user_id` in a number column: `table.column = value`."""
    return await stored_anywhere(shop.uow, user_id, *words)


async def stored_anywhere(uow_factory: Callable[[], Any], user_id: int, *words: str) -> list[str]:
    found: list[str] = []
    async with uow_factory() as uow:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await uow.session.execute(select(table))).mappings():
                for column in table.columns:
                    value = row[column.name]
                    if value is None:
                        continue
                    if isinstance(column.type, String | Text) and any(w in str(value) for w in words):
                        found.append(f"{table.name}.{column.name} = {value!r}")
                    elif isinstance(column.type, Integer) and value == user_id:
                        found.append(f"{table.name}.{column.name} = {value!r}")
                    elif isinstance(value, bytes) and any(w.encode() in value for w in words):
                        found.append(f"{table.name}.{column.name} holds it (binary)")
    return found


async def paid_totals(shop: Shop) -> tuple[int, int]:
    """(paid orders, the sum of their lines) as the brand's accounts add them up."""
    async with shop.uow() as uow:
        line_total = func.sum(order_lines.c.unit_price_amount * order_lines.c.quantity)
        query = (
            select(func.count(func.distinct(orders.c.id)), line_total)
            .select_from(orders.join(order_lines, order_lines.c.order_id == orders.c.id))
            .where(orders.c.status == "paid")
        )
        count, total = (await uow.session.execute(query)).one()
    return int(count), int(total or 0)


def documents(shop: Shop, chat: Any) -> list[Any]:
    return [m for m in shop.fake.sent(chat) if m.document is not None]
