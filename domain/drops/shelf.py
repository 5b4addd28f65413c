"""A drop's units come off its product's shelf, so the shop and the drop never sell one unit twice.

- Scheduling (or confirming a draft) sets the drop's quantity aside on the product's shelf: the shop can no
  longer sell those units, and a drop cannot set aside more than the shop has for sale.
- An edit before the opening gives the units back and sets the new quantity aside (on the new product, if
  it changed); cancelling gives them back.
- A unit the drop sells leaves the shelf. A unit refunded by an operator is not put on sale again (as for
  the shop's own refunds).
- When the drop is over and no payment for it can still complete (when the brand gets its report), the
  units it did not sell go back on the shelf.
- While the product is in its drop (from the start to the end), the shop sells it only through the drop:
  Buy on the product's card opens the drop's invoice, and a shop invoice paid meanwhile is refused at
  pre-checkout (or refunded, if the money came without a hold).

Drops scheduled before this rule set nothing aside (`reserved` 0) and keep selling from their own pool.
"""

from __future__ import annotations

from datetime import datetime

from domain.drops.errors import DropError
from domain.drops.model import Drop, DropStatus
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError

CAS_ATTEMPTS = 5


def in_drop(drop: Drop, now: datetime) -> bool:
    """The drop is running now: the product is sold through it (whether or not its job has opened it yet)."""
    return drop.status in (DropStatus.SCHEDULED, DropStatus.OPEN) and drop.starts_at <= now < drop.ends_at


async def live_drop(uow: UnitOfWork, now: datetime, product_id: int) -> Drop | None:
    """The drop the product is in right now, if any (the one ending first, should there be several)."""
    running = [d for d in await uow.drops.live_for_product(product_id) if in_drop(d, now)]
    return min(running, key=lambda d: (d.ends_at, d.id)) if running else None


async def refuse_if_in_drop(uow: UnitOfWork, now: datetime, product_id: int, title: str) -> None:
    """The shop's own sale of a product in a running drop: refused, the drop sells it."""
    if await live_drop(uow, now, product_id) is not None:
        raise DomainError(ShopError.PRODUCT_IN_DROP, title=title)


async def set_aside(uow: UnitOfWork, drop: Drop) -> None:
    """Take the drop's quantity off its product's shelf, or refuse with how many the shop has for sale."""
    if not await uow.products.claim_stock(drop.product_id, drop.quantity):
        product = await uow.products.get(drop.product_id)
        raise DomainError(DropError.NOT_ENOUGH_STOCK, title=drop.title, stock=product.stock if product else 0)
    if not await uow.drops.move_reserved(drop.id, 0, drop.quantity):
        # Another transaction set units aside for this drop meanwhile; the caller rolls this one back.
        raise DomainError(DropError.NOT_EDITABLE, title=drop.title)


async def give_back(uow: UnitOfWork, drop_id: int) -> int:
    """Put the units the drop still has set aside back on its product's shelf; how many. Exactly once: the
    reservation moves to zero by compare-and-set."""
    for _ in range(CAS_ATTEMPTS):
        drop = await uow.drops.get(drop_id)
        if drop is None or drop.reserved == 0:
            return 0
        if await uow.drops.move_reserved(drop.id, drop.reserved, 0):
            await uow.products.release_stock(drop.product_id, drop.reserved)
            return drop.reserved
    raise RuntimeError(f"the reservation of drop {drop_id} kept changing")


async def sell(uow: UnitOfWork, drop: Drop, quantity: int) -> None:
    """A drop unit was paid for: it leaves the product's shelf (a drop from before the rule has its own pool)."""
    if await uow.drops.take_reserved(drop.id, quantity):
        await uow.products.sell_held(drop.product_id, quantity)
