"""/orders: the member's order history, with each order's state and tracking number."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.shop import views
from domain.shop import fulfilment, order_history


async def orders(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        history = await order_history.orders_of(uow, event.sender.id)
        returnable = await fulfilment.returnable(uow, ctx.now(), history, ctx.settings.returns)
    # Return buttons only in the private chat: the reason is asked there.
    shown = returnable if event.chat.is_private else frozenset()
    await ctx.messenger.send(event.chat.id, views.order_history(ctx, history, shown))
