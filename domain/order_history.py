"""What a member has ordered."""

from __future__ import annotations

from domain.orders import Order
from domain.ports import UnitOfWork

HISTORY_LIMIT = 10


async def orders_of(uow: UnitOfWork, user_id: int, limit: int = HISTORY_LIMIT) -> tuple[Order, ...]:
    return tuple(await uow.orders.list_for_user(user_id, limit))
