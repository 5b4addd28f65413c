"""Fulfilment of physical orders: paid -> packed -> shipped (carrier, tracking number) -> delivered, a
cancellation with a refund before shipping, and returns.

Every change is one conditional update of the order's status (`OrderRepository.advance`), so pressing a
button twice, replaying an update or racing another person changes the order once; the member's notice is
queued in the same transaction under a key of the order and the step, so it is sent exactly once.

Who may act: the staff of the brand whose product the order is, and the operator; anyone else gets the same
answer as for an order that does not exist, so a forged order number reveals nothing. Brand staff see and
change only their brand's orders; the checks are here, not in the menus.

Returns: a member asks within the product's window (`return_days`, default 7, after delivery; or after
shipping plus a transit time when nobody marked it delivered), never for a final-sale product. The brand
approves or refuses with a reason; an approved return is refunded, exactly once, when the brand confirms it
received the goods (Stars by the bot, other currencies on the operators' refund list).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.actors import Actor
from domain.brands.roles import brands_of
from domain.errors import DomainError, ErrorCode
from domain.member_registry import can_message
from domain.notices import Notice
from domain.ports import UnitOfWork
from domain.shop.addresses import ShippingAddress
from domain.shop.errors import FulfilmentError
from domain.shop.orders import Order, OrderStatus
from domain.shop.payments.operator_refunds import Refund, money_goes_back
from domain.votes.model import PreorderStatus

NOTICE = "order.fulfilment"  # to the member: one per order and step
RETURN_ASKED = "order.return_asked"  # to the brand's staff (the operators when it has none)
TO_SHIP = (OrderStatus.PAID, OrderStatus.PACKED)
CANCELLABLE = (OrderStatus.PAID, OrderStatus.PACKED)
RETURNABLE = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
MAX_TRACKING = 64
MAX_CARRIER = 40
MAX_REASON = 500
MAX_CSV_LINES = 1000
DEFAULT_RETURN_DAYS = 7
DEFAULT_TRANSIT = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    """How long a return may be asked for when the product does not say, and how long a parcel travels
    (CIRCLECART_RETURN_DAYS, CIRCLECART_RETURN_TRANSIT_DAYS)."""

    days: int = DEFAULT_RETURN_DAYS
    transit: timedelta = DEFAULT_TRANSIT


@dataclass(frozen=True, slots=True)
class OrderToShip:
    order: Order
    brand_id: int | None
    address: ShippingAddress | None  # None once erased (or never given)


@dataclass(frozen=True, slots=True)
class ShipPage:
    orders: tuple[OrderToShip, ...]
    offset: int
    total: int


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    code: ErrorCode
    params: dict[str, object]


# -- who may act ---------------------------------------------------------------------------------------
async def brand_of_order(uow: UnitOfWork, order: Order) -> int | None:
    """The brand that ships the order: its first line's product's brand."""
    for line in order.lines:
        product = await uow.products.get(line.product_id)
        if product is not None and product.brand_id is not None:
            return product.brand_id
    return None


async def require_order_staff(uow: UnitOfWork, actor: Actor, order_id: int) -> Order:
    """The order, if the actor is the operator or staff of its brand; otherwise as if it did not exist."""
    order = await uow.orders.get(order_id)
    if order is None:
        raise DomainError(FulfilmentError.NO_SUCH_ORDER, number=order_id)
    if actor.operator:
        return order
    brand_id = await brand_of_order(uow, order)
    if brand_id is None or not await uow.brand_staff.is_staff(brand_id, actor.user_id):
        raise DomainError(FulfilmentError.NO_SUCH_ORDER, number=order_id)
    return order


async def _visible_brands(uow: UnitOfWork, actor: Actor, brand_id: int | None) -> tuple[int, ...] | None:
    """Brands whose orders the actor sees: None is every brand (the operator, not narrowed to one)."""
    if actor.operator:
        return None if brand_id is None else (brand_id,)
    mine = tuple(brand.id for brand in await brands_of(uow, actor))
    if brand_id is not None:
        return (brand_id,) if brand_id in mine else ()
    return mine


# -- reading -------------------------------------------------------------------------------------------
async def orders_to_ship(
    uow: UnitOfWork, actor: Actor, offset: int = 0, limit: int = 5, brand_id: int | None = None
) -> ShipPage:
    """Paid or packed physical orders of the brands the actor works for, oldest first, with address and items."""
    brands = await _visible_brands(uow, actor, brand_id)
    if brands == ():
        return ShipPage((), 0, 0)
    offset = max(offset, 0)
    total = await uow.orders.count_for_brands(brands, TO_SHIP)
    found = await uow.orders.list_for_brands(brands, TO_SHIP, offset, limit)
    return ShipPage(tuple([await _with_address(uow, order) for order in found]), offset, total)


async def orders_of_brands(
    uow: UnitOfWork, actor: Actor, statuses: Sequence[OrderStatus], brand_id: int | None = None, limit: int = 1000
) -> tuple[Order, ...]:
    brands = await _visible_brands(uow, actor, brand_id)
    if brands == ():
        return ()
    return tuple(await uow.orders.list_for_brands(brands, tuple(statuses), 0, limit))


async def order_details(uow: UnitOfWork, actor: Actor, order_id: int) -> OrderToShip:
    order = await require_order_staff(uow, actor, order_id)
    return await _with_address(uow, order)


async def address_of(uow: UnitOfWork, actor: Actor, order_id: int) -> ShippingAddress | None:
    """The order's address for the brand that ships it or the operator; None once erased."""
    await require_order_staff(uow, actor, order_id)
    return await uow.addresses.for_order(order_id)


async def _with_address(uow: UnitOfWork, order: Order) -> OrderToShip:
    return OrderToShip(order, await brand_of_order(uow, order), await uow.addresses.for_order(order.id))


# -- the steps -----------------------------------------------------------------------------------------
async def _tell(uow: UnitOfWork, now: datetime, order: Order, step: str, **params: str | int | None) -> None:
    if not await can_message(uow, order.user_id):
        return
    line = order.lines[0]
    notice = Notice(
        key=f"order:{order.id}:{step}",
        chat_id=order.user_id,
        kind=NOTICE,
        params={"order": order.id, "step": step, "title": line.title, "quantity": line.quantity, **params},
        language_of=order.user_id,
    )
    await uow.outbox.enqueue(notice, now)


async def _advance(
    uow: UnitOfWork,
    order: Order,
    from_statuses: Sequence[OrderStatus],
    to_status: OrderStatus,
    **changes: object,
) -> Order:
    if order.status not in from_statuses or not await uow.orders.advance(
        order.id, tuple(from_statuses), to_status, changes
    ):
        current = await uow.orders.get(order.id)
        status = (current or order).status
        raise DomainError(FulfilmentError.WRONG_STATE, number=order.id, status=status.value)
    moved = await uow.orders.get(order.id)
    assert moved is not None
    return moved


async def _shippable(uow: UnitOfWork, order: Order) -> None:
    for line in order.lines:
        product = await uow.products.get(line.product_id)
        if product is None or product.kind != "physical":
            raise DomainError(FulfilmentError.NOT_SHIPPABLE, number=order.id)
    # A pre-order's payment is paid money, but the pre-order may still miss its minimum and refund every payer:
    # nothing of it moves before the minimum is reached.
    preordered = await uow.votes.line_for_order(order.id)
    vote = await uow.votes.get(preordered.vote_id) if preordered is not None else None
    if vote is not None and vote.preorder is not PreorderStatus.REACHED:
        raise DomainError(FulfilmentError.PREORDER_COLLECTING, number=order.id)


async def pack(uow: UnitOfWork, now: datetime, actor: Actor, order_id: int) -> Order:
    order = await require_order_staff(uow, actor, order_id)
    await _shippable(uow, order)
    packed = await _advance(uow, order, (OrderStatus.PAID,), OrderStatus.PACKED, packed_at=now)
    await _tell(uow, now, packed, "packed")
    return packed


def clean_tracking(carrier: str, tracking: str) -> tuple[str, str]:
    carrier = " ".join(carrier.split())
    tracking = "".join(tracking.split())
    if not 1 <= len(carrier) <= MAX_CARRIER:
        raise DomainError(FulfilmentError.BAD_CARRIER, max=MAX_CARRIER)
    if not 3 <= len(tracking) <= MAX_TRACKING or not all(c.isalnum() or c in "-_./" for c in tracking):
        raise DomainError(FulfilmentError.BAD_TRACKING, max=MAX_TRACKING)
    return carrier, tracking


async def ship(uow: UnitOfWork, now: datetime, actor: Actor, order_id: int, carrier: str, tracking: str) -> Order:
    """Paid or packed -> shipped with a carrier and tracking number; the member is told once."""
    carrier, tracking = clean_tracking(carrier, tracking)
    order = await require_order_staff(uow, actor, order_id)
    await _shippable(uow, order)
    shipped = await _advance(
        uow, order, TO_SHIP, OrderStatus.SHIPPED, carrier=carrier, tracking_number=tracking, shipped_at=now
    )
    await _tell(uow, now, shipped, "shipped", carrier=carrier, tracking=tracking)
    return shipped


async def deliver(uow: UnitOfWork, now: datetime, actor: Actor, order_id: int) -> Order:
    order = await require_order_staff(uow, actor, order_id)
    delivered = await _advance(uow, order, (OrderStatus.SHIPPED,), OrderStatus.DELIVERED, delivered_at=now)
    await uow.addresses.close(order.id, now)
    # A free order (a membership's box) has no return to ask for: its notice does not offer one.
    await _tell(uow, now, delivered, "delivered_free" if delivered.free else "delivered")
    return delivered


async def cancel(
    uow: UnitOfWork, now: datetime, actor: Actor, order_id: int, operators: Sequence[int], reason: str = ""
) -> Refund:
    """Before it ships: the order is cancelled and its money goes back (Stars by the bot, other currencies on
    the operators' refund list). A free order (a membership's box) is only cancelled: there is nothing to give
    back, so it must not wait on the refund list; the result then lists no payments."""
    order = await require_order_staff(uow, actor, order_id)
    if order.free:
        cancelled = await _advance(uow, order, CANCELLABLE, OrderStatus.CANCELLED, closed_at=now)
        await uow.addresses.close(order.id, now)
        await _tell(uow, now, cancelled, "cancelled_free", reason=_reason(reason, required=False))
        return Refund(cancelled, ())
    refund = await money_goes_back(uow, now, order, CANCELLABLE, operators)
    if refund is None:
        current = await uow.orders.get(order.id)
        raise DomainError(FulfilmentError.WRONG_STATE, number=order.id, status=(current or order).status.value)
    await _tell(uow, now, order, "cancelled", amount=order.total.display(), reason=_reason(reason, required=False))
    return refund


# -- returns -------------------------------------------------------------------------------------------
def _reason(text: str, required: bool = True) -> str:
    text = " ".join(text.split())[:MAX_REASON]
    if required and len(text) < 3:
        raise DomainError(FulfilmentError.BAD_REASON)
    return text


async def return_window_end(uow: UnitOfWork, order: Order, policy: ReturnPolicy) -> datetime | None:
    """When the order's return window closes; None if it has not shipped. Raises for a final-sale product."""
    windows = []
    for line in order.lines:
        product = await uow.products.get(line.product_id)
        if product is None:
            continue
        if product.final_sale:
            raise DomainError(FulfilmentError.FINAL_SALE, title=product.title)
        windows.append(policy.days if product.return_days is None else product.return_days)
    days = min(windows, default=policy.days)
    done = order.fulfilment
    if done.delivered_at is not None:
        return done.delivered_at + timedelta(days=days)
    if done.shipped_at is not None:
        return done.shipped_at + policy.transit + timedelta(days=days)
    return None


async def returnable(uow: UnitOfWork, now: datetime, orders: Sequence[Order], policy: ReturnPolicy) -> frozenset[int]:
    """Which of the member's orders a return can be asked for now (for the Return buttons of /orders)."""
    found = set()
    for order in orders:
        if order.status not in RETURNABLE or order.fulfilment.return_requested_at is not None or order.free:
            continue
        try:
            ends = await return_window_end(uow, order, policy)
        except DomainError:
            continue  # final sale
        if ends is not None and now <= ends:
            found.add(order.id)
    return frozenset(found)


async def may_return(uow: UnitOfWork, now: datetime, user_id: int, order_id: int, policy: ReturnPolicy) -> Order:
    """The member's order, if a return can be asked for now; otherwise why not (final sale, window closed)."""
    order = await uow.orders.get(order_id)
    if order is None or order.user_id != user_id:
        raise DomainError(FulfilmentError.NO_SUCH_ORDER, number=order_id)
    if order.status not in RETURNABLE or order.fulfilment.return_requested_at is not None:
        raise DomainError(FulfilmentError.NOT_RETURNABLE, number=order_id)
    if order.free:  # no money to return: a problem with it goes to the shop's people (the assistant's hand-over)
        raise DomainError(FulfilmentError.NOTHING_PAID, number=order_id)
    ends = await return_window_end(uow, order, policy)
    if ends is None:
        raise DomainError(FulfilmentError.NOT_RETURNABLE, number=order_id)
    if now > ends:
        raise DomainError(FulfilmentError.WINDOW_CLOSED, number=order_id, date=ends.strftime("%Y-%m-%d"))
    return order


async def request_return(
    uow: UnitOfWork, now: datetime, user_id: int, order_id: int, reason: str, policy: ReturnPolicy
) -> Order:
    """The member asks to send the order back, with a reason. A final-sale product, an order past its window
    or one asked about before is refused with why; the brand's staff are told of a request."""
    order = await may_return(uow, now, user_id, order_id, policy)
    reason = _reason(reason)
    asked = await _advance(
        uow, order, RETURNABLE, OrderStatus.RETURN_REQUESTED, return_requested_at=now, return_reason=reason
    )
    brand_id = await brand_of_order(uow, order)
    staff = list(await uow.brand_staff.staff_of(brand_id)) if brand_id is not None else []
    for person in staff:
        notice = Notice(
            key=f"order:{order.id}:return_asked:{person}",
            chat_id=person,
            kind=RETURN_ASKED,
            params={"order": order.id, "title": order.lines[0].title, "reason": reason},
            language_of=person,
        )
        await uow.outbox.enqueue(notice, now)
    await _tell(uow, now, asked, "return_requested", reason=reason)
    return asked


async def decide_return(
    uow: UnitOfWork, now: datetime, actor: Actor, order_id: int, approve: bool, reason: str = ""
) -> Order:
    """The brand approves a return (the member sends it back) or refuses it with a reason."""
    order = await require_order_staff(uow, actor, order_id)
    if approve:
        decided = await _advance(uow, order, (OrderStatus.RETURN_REQUESTED,), OrderStatus.RETURN_APPROVED)
        await _tell(uow, now, decided, "return_approved")
        return decided
    reason = _reason(reason)
    back = OrderStatus.DELIVERED if order.fulfilment.delivered_at is not None else OrderStatus.SHIPPED
    decided = await _advance(uow, order, (OrderStatus.RETURN_REQUESTED,), back, return_answer=reason)
    await _tell(uow, now, decided, "return_refused", reason=reason)
    return decided


async def return_received(
    uow: UnitOfWork, now: datetime, actor: Actor, order_id: int, operators: Sequence[int]
) -> Refund:
    """The brand has the goods back: the approved return is refunded, exactly once."""
    order = await require_order_staff(uow, actor, order_id)
    refund = await money_goes_back(uow, now, order, (OrderStatus.RETURN_APPROVED,), operators)
    if refund is None:
        current = await uow.orders.get(order.id)
        raise DomainError(FulfilmentError.WRONG_STATE, number=order.id, status=(current or order).status.value)
    await _tell(uow, now, order, "return_refunded", amount=order.total.display())
    return refund


# -- addresses -----------------------------------------------------------------------------------------
async def erase_expired_addresses(uow: UnitOfWork, now: datetime, retention: timedelta, limit: int = 500) -> int:
    """The retention job: erase the addresses of orders closed at least `retention` ago; the order keeps
    its country. Safe to run late or twice."""
    return await uow.addresses.erase_closed_before(now - max(retention, timedelta(0)), limit)


# -- CSV -----------------------------------------------------------------------------------------------
EXPORT_COLUMNS = (
    "order_id",
    "status",
    "sku",
    "title",
    "quantity",
    "name",
    "phone",
    "street_line1",
    "street_line2",
    "post_code",
    "city",
    "state",
    "country_code",
    "shipping_option",
    "carrier",
    "tracking_number",
)
IMPORT_COLUMNS = ("order_id", "carrier", "tracking_number")


def export_csv(rows: Sequence[OrderToShip]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        order, address = row.order, row.address or ShippingAddress()
        line = order.lines[0]
        writer.writerow(
            (
                order.id,
                order.status.value,
                line.sku,
                line.title,
                line.quantity,
                address.name,
                address.phone,
                address.street_line1,
                address.street_line2,
                address.post_code,
                address.city,
                address.state,
                address.country_code or order.ship_country or "",
                address.shipping_option_id,
                order.fulfilment.carrier or "",
                order.fulfilment.tracking_number or "",
            )
        )
    return out.getvalue().encode()


async def export_to_ship(uow: UnitOfWork, actor: Actor, brand_id: int | None = None) -> bytes:
    """Every order the actor's brands still have to ship, as CSV (with addresses)."""
    found = await orders_of_brands(uow, actor, TO_SHIP, brand_id)
    return export_csv([await _with_address(uow, order) for order in found])


@dataclass(frozen=True, slots=True)
class TrackingLine:
    line: int
    order_id: int
    carrier: str
    tracking: str


def parse_tracking_csv(content: bytes) -> tuple[list[TrackingLine], list[CsvProblem]]:
    """`order_id,carrier,tracking_number` lines (a header line is optional); problems by line number."""
    problems: list[CsvProblem] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [CsvProblem(1, FulfilmentError.CSV_BAD_LINE, {"line": 1})]
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_CSV_LINES + 1:
        return [], [CsvProblem(0, FulfilmentError.CSV_TOO_BIG, {"max": MAX_CSV_LINES})]
    parsed: list[TrackingLine] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells and cells[0].lower() == "order_id":
            continue
        if len(cells) != 3 or not cells[0].removeprefix("#").isdigit() or len(cells[0]) > 12:
            problems.append(CsvProblem(number, FulfilmentError.CSV_BAD_LINE, {"line": number}))
            continue
        order_id = int(cells[0].removeprefix("#"))
        if order_id in seen:
            problems.append(
                CsvProblem(number, FulfilmentError.CSV_DUPLICATE, {"number": order_id, "line": seen[order_id]})
            )
            continue
        seen[order_id] = number
        try:
            carrier, tracking = clean_tracking(cells[1], cells[2])
        except DomainError as error:
            problems.append(CsvProblem(number, error.code, dict(error.params)))
            continue
        parsed.append(TrackingLine(number, order_id, carrier, tracking))
    if not parsed and not problems:
        problems.append(CsvProblem(0, FulfilmentError.CSV_EMPTY, {}))
    return parsed, problems


async def import_tracking(
    uow: UnitOfWork, now: datetime, actor: Actor, content: bytes
) -> tuple[tuple[Order, ...], tuple[CsvProblem, ...]]:
    """Mark every listed order shipped, all or nothing: with any problem, nothing is changed (the caller
    rolls back) and every problem is reported with its line."""
    lines, problems = parse_tracking_csv(content)
    shipped: list[Order] = []
    for line in lines:
        try:
            shipped.append(await ship(uow, now, actor, line.order_id, line.carrier, line.tracking))
        except DomainError as error:
            problems.append(CsvProblem(line.line, error.code, dict(error.params)))
    problems.sort(key=lambda problem: problem.line)
    return (tuple(shipped), ()) if not problems else ((), tuple(problems))
