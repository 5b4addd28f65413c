"""/orders: the member's order history."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.shop import views
from domain.shop import digital, order_history


async def orders(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        history = await order_history.orders_of(uow, event.sender.id)
        # Digital orders can have their content sent again, in the private chat only (never in a group).
        resendable = await digital.resendable(uow, history) if event.chat.is_private else frozenset()
    await ctx.messenger.send(event.chat.id, views.order_history(ctx, history, resendable))
