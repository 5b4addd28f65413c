"""/orders: the member's order history, with each order's state and tracking number."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.personal import answer_personally
from bots.core.shop import views
from domain.shop import digital, fulfilment, order_history


async def orders(ctx: Context, event: CommandEvent) -> None:
    async with ctx.reading() as uow:
        history = await order_history.orders_of(uow, event.sender.id)
        # The answer always lands in the private chat, where a file can be sent again and a return's reason
        # asked for.
        resendable = await digital.resendable(uow, history)
        returnable = await fulfilment.returnable(uow, ctx.now(), history, ctx.settings.returns)
    await answer_personally(ctx, event, views.order_history(ctx, history, resendable, returnable), "orders")
