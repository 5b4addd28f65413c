"""Membership boxes: a plan's monthly box, one physical order per membership and paid period.

Each recorded membership payment is a paid period. `create_due_boxes` (a job, caught up at start-up) gives
every paid period of a plan version with `box=SKU` its box: a row keyed by (membership, period end) under a
unique constraint, so a replayed renewal or a job firing twice creates nothing more. The box order is included
in the membership: its line costs nothing, no payment is recorded for it, so it earns no commission and no
points. It waits (PENDING) until the member confirms the address it ships to; only then is it PAID, with its
address stored like any physical order's, and the brand's `/ship` console lists it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from domain.errors import DomainError
from domain.memberships.errors import MembershipError
from domain.money import Money
from domain.notices import Notice
from domain.shop.addresses import ShippingAddress
from domain.shop.orders import NewOrder, OrderLine, OrderStatus

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

ASK = "membership.box_ask"  # the notice: the box is ready, confirm the address on file (or give one)
SHIPPING = "membership.box_confirmed"
BATCH = 100


class BoxStatus(StrEnum):
    AWAITING = "awaiting"  # waiting for the member to confirm where it goes
    CONFIRMED = "confirmed"  # the order is PAID and in the brand's console


@dataclass(frozen=True, slots=True)
class Box:
    id: int
    membership_id: int
    period_end: datetime
    user_id: int
    order_id: int | None
    status: BoxStatus
    created_at: datetime
    confirmed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DuePeriod:
    """A paid period whose plan version includes a box and that has no box yet."""

    membership_id: int
    user_id: int
    period_end: datetime
    box_sku: str
    plan_name: str


class BoxRepository(Protocol):
    async def due(self, limit: int) -> Sequence[DuePeriod]:
        """Paid periods (membership payments) of versions with a box and without a box row, oldest first."""

    async def claim(self, period: DuePeriod, now: datetime) -> Box | None:
        """Insert the box of (membership, period end); None if it already exists (a replay, a second run)."""

    async def set_order(self, box_id: int, order_id: int) -> None: ...
    async def get(self, box_id: int) -> Box | None: ...
    async def confirm(self, box_id: int, now: datetime) -> bool:
        """AWAITING -> CONFIRMED, once."""


async def create_due_boxes(uow: UnitOfWork, now: datetime) -> int:
    """Give each paid period its box order and ask the member to confirm the address; how many were made."""
    made = 0
    for period in await uow.boxes.due(BATCH):
        product = await uow.products.get_by_sku(period.box_sku)
        if product is None or product.kind != "physical":
            continue  # the product left the catalog after the plan named it: nothing to send
        box = await uow.boxes.claim(period, now)
        if box is None:
            continue
        line = OrderLine(product.id, product.sku, product.title, 1, Money(0, product.price.currency))
        order = await uow.orders.add(NewOrder(period.user_id, period.user_id, None, (line,), now))
        await uow.boxes.set_order(box.id, order.id)
        await uow.outbox.enqueue(await ask_notice(uow, box, order.id, product.title, period.plan_name), now)
        made += 1
    return made


async def ask_notice(uow: UnitOfWork, box: Box, order_id: int, title: str, plan: str) -> Notice:
    saved = await uow.addresses.saved_for(box.user_id)
    address = "\n".join(saved.lines()) if saved is not None and not saved.empty else ""
    return Notice(
        key=f"box:{box.id}:ask",
        chat_id=box.user_id,
        kind=ASK,
        params={"box_id": box.id, "order_id": order_id, "product": title, "plan": plan, "address": address},
        language_of=box.user_id,
    )


async def _own_box(uow: UnitOfWork, user_id: int, box_id: int) -> Box:
    box = await uow.boxes.get(box_id)
    if box is None or box.user_id != user_id or box.order_id is None:
        raise DomainError(MembershipError.BOX_UNKNOWN)  # someone else's box reads as no box at all
    return box


async def confirm_box(uow: UnitOfWork, now: datetime, user_id: int, box_id: int) -> Box:
    """The member confirms their saved address: the order is stored with it, PAID, and goes to the console."""
    box = await _own_box(uow, user_id, box_id)
    if box.status is BoxStatus.CONFIRMED:
        return box
    saved = await uow.addresses.saved_for(user_id)
    if saved is None or saved.empty:
        raise DomainError(MembershipError.BOX_NO_ADDRESS)
    assert box.order_id is not None
    await uow.addresses.store(box.order_id, user_id, saved, now)
    if not await uow.boxes.confirm(box.id, now):
        return box
    await uow.orders.transition(box.order_id, (OrderStatus.PENDING,), OrderStatus.PAID, paid_at=now)
    return await _own_box(uow, user_id, box_id)


async def change_address(uow: UnitOfWork, now: datetime, user_id: int, box_id: int, line: str) -> Box:
    """The member sends a new address for the box: it becomes their saved address, then the box is confirmed."""
    box = await _own_box(uow, user_id, box_id)
    if box.status is BoxStatus.CONFIRMED:
        return box
    address = parse_address(line)
    assert box.order_id is not None
    await uow.addresses.store(box.order_id, user_id, address, now)
    return await confirm_box(uow, now, user_id, box_id)


async def awaiting_box(uow: UnitOfWork, user_id: int, box_id: int) -> Box:
    """The member's box still waiting for an address (to start the Change dialog); refused otherwise."""
    return await _own_box(uow, user_id, box_id)


_COUNTRY = re.compile(r"[A-Za-z]{2}")
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,30}")


def parse_address(line: str) -> ShippingAddress:
    """`Name, phone, street, city, postcode, country code`: six comma-separated parts, none empty, a phone of
    digits, a two-letter country code. Anything else is refused with the expected shape."""
    parts = [part.strip() for part in line.strip().split(",")]
    if len(parts) != 6 or any(not part for part in parts) or len(line) > 512:
        raise DomainError(MembershipError.BOX_BAD_ADDRESS)
    name, phone, street, city, post_code, country = parts
    if _PHONE.fullmatch(phone) is None or _COUNTRY.fullmatch(country) is None or len(post_code) > 32:
        raise DomainError(MembershipError.BOX_BAD_ADDRESS)
    return ShippingAddress(
        name=name[:256],
        phone=phone,
        country_code=country.upper(),
        city=city[:256],
        street_line1=street[:256],
        post_code=post_code,
    )
