"""/orders: the member's order history."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.personal import answer_personally
from bots.core.shop import views
from domain.shop import order_history


async def orders(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        history = await order_history.orders_of(uow, event.sender.id)
    await answer_personally(ctx, event, views.order_history(ctx, history), "orders")
