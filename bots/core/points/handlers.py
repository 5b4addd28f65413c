"""/points, Buy with points on the shop's product card, and the notices of points."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.i18n import N_
from bots.core.personal import answer_personally
from bots.core.points import views
from bots.core.shop import handlers as shop
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Command, HandlerTable
from domain.errors import ErrorCode
from domain.points import accounts
from domain.points.errors import PointsError
from domain.shop import checkout

EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})

ERRORS: dict[ErrorCode, str] = {
    PointsError.NOT_ENOUGH: N_("You have {balance} points; that needs {points}."),
    PointsError.BAD_AMOUNT: N_("Give a positive number of points."),
    PointsError.NO_OFFER: N_("Your points do not buy a discount on this right now. Tap Buy to pay the full price."),
    PointsError.NO_LONGER_ENOUGH: N_("You no longer have enough points; press Buy again."),
}


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
    table.command(Command("points", points, N_("Your points"), EVERYWHERE))
    table.action("buypts", shop.buy_with_points, int)  # points at checkout; the card is the shop's
    table.notice("points.earned", views.points_earned)
    table.notice("points.expiring", views.points_expiring)
    table.notice(checkout.POINTS_RETURNED, views.points_returned)
    table.errors(ERRORS)


async def points(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        summary = await accounts.current_summary(uow, ctx.now(), event.sender.id)
        await uow.commit()
    await answer_personally(ctx, event, views.points_view(ctx, summary), "points")
