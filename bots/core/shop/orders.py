"""/orders: the member's order history."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.personal import answer_personally
from bots.core.shop import views
from domain.shop import digital, order_history


async def orders(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        history = await order_history.orders_of(uow, event.sender.id)
        # Digital orders can have their content sent again; the answer always lands in the private chat.
        resendable = await digital.resendable(uow, history)
    await answer_personally(ctx, event, views.order_history(ctx, history, resendable), "orders")
