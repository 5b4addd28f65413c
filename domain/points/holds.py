"""Points held by a checkout: spent together with the stock hold, given back when the hold is released.

A discounted order costs its points at pre-checkout, in the same transaction that claims the stock, so the
points are gone exactly while a unit is held for the member. Each hold spends under its own reference
(`hold:<id>`), so a hold that lapses and a later one for the same order never share an entry, and a
replayed pre-checkout or payment finds the entry already there. Releasing the hold without a payment
gives the points back once (a RETURN keyed by the spend); a paid order that is later refunded gives them
back through `accounts.reverse_order`, which finds the spend by its order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import DomainError
from domain.money import Money
from domain.points import accounts, ledger
from domain.points.errors import PointsError
from domain.points.ledger import Entry, Reason
from domain.points.ports import PointsRepository
from domain.shop.orders import Order


@dataclass(frozen=True, slots=True)
class PointsDiscount:
    """What a member takes off an order with points: `discount` costs exactly `points`."""

    points: int
    discount: Money


def hold_reference(hold_id: int) -> str:
    return f"hold:{hold_id}"


async def spendable(points_repo: PointsRepository, now: datetime, user_id: int) -> int:
    """The balance less what lapsed and is not yet closed by an expiry entry; reads only."""
    entries = await points_repo.entries(user_id)
    lapsed = sum(lot.remaining for lot in ledger.due_to_expire(entries, now))
    return max(0, ledger.balance(entries) - lapsed)


async def has_enough(points_repo: PointsRepository, now: datetime, user_id: int, points: int) -> bool:
    """Lock the member's account, close lapsed lots and say whether `points` can be spent now.

    The lock stays until the transaction ends, so a spend later in the same transaction cannot fall short.
    """
    await points_repo.lock(user_id)
    await accounts.expire_due(points_repo, now, user_id)
    return await points_repo.balance(user_id) >= points


async def spend_for_hold(points_repo: PointsRepository, now: datetime, order: Order, hold_id: int) -> Entry | None:
    """Spend the order's points for this hold; None for an order without points or an already spent hold."""
    if order.points_to_spend <= 0:
        return None
    try:
        return await accounts.spend(
            points_repo, now, order.user_id, order.points_to_spend, hold_reference(hold_id), order.id
        )
    except DomainError as error:
        if error.code is PointsError.NOT_ENOUGH:
            raise DomainError(PointsError.NO_LONGER_ENOUGH, points=order.points_to_spend) from error
        raise


async def give_back_for_hold(points_repo: PointsRepository, now: datetime, hold_id: int) -> int:
    """The hold was released unpaid: return what it spent. Returns the points given back (0 on a replay)."""
    spent = await points_repo.get(Reason.SPEND, hold_reference(hold_id))
    if spent is None:
        return 0
    return sum(entry.delta for entry in await accounts.give_back(points_repo, now, spent))
