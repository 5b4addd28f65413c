"""What a member has ordered."""

from __future__ import annotations

from domain.ports import UnitOfWork
from domain.shop.orders import Order

HISTORY_LIMIT = 10


async def orders_of(uow: UnitOfWork, user_id: int, limit: int = HISTORY_LIMIT) -> tuple[Order, ...]:
    return tuple(await uow.orders.list_for_user(user_id, limit))
