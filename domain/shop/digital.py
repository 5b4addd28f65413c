"""Digital goods: what a paid digital order receives at once, and the pools of codes brands upload.

A digital product's `content` (see the catalog file) says what it delivers: a Telegram file (sent with
sendDocument by its file_id), a link, or `pool`: one unique code per unit, drawn from the pool of codes
(e-tickets, licence keys) its brand uploads.

Delivery is part of the payment pipeline's "after paid" step (`domain.shop.after_paid`): in the transaction
that makes the order paid, the codes are claimed (one atomic conditional UPDATE each, so no code ever goes
to two orders) and the delivery is queued in the outbox under the key `digital:<order>`. The outbox sends it
after the commit and keeps trying until it is out, so a crash loses nothing; a replayed payment never reaches
this step again, and if it did the key would be taken, so nothing is sent twice. A paid order whose pool has
run dry is not delivered: its payment goes back (Stars by the bot, other currencies by a person) and the
member is told why. `/orders` sends the same content again to its buyer, never a new code.

A pool's brand staff are warned, through the outbox, when the pool falls to the low threshold: once each time
it falls there (an upload that fills it above the threshold arms the next warning).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.actors import Actor
from domain.brands.roles import require_brand_staff
from domain.errors import DomainError, ErrorCode, LineProblemsError
from domain.member_registry import can_message
from domain.notices import Notice, NoticeParams
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.shop.orders import Order, OrderStatus
from domain.shop.products import Product

DELIVERY = "digital.delivery"  # the notice kind of a delivery (and of its resend, rendered the same way)
POOL_LOW = "digital.pool_low"  # to the brand's staff
POOL_EMPTY = "digital.pool_empty"  # to the brand's staff: a paid order could not get a code

CODE_MAX = 255
CODES_PER_UPLOAD = 10_000
DEFAULT_LOW_AT = 10


class CodesFileError(LineProblemsError):
    """The uploaded codes have problems; nothing was added. `problems` lists each as (line, message)."""

    def __init__(self, problems: Sequence[tuple[int, str]]) -> None:
        super().__init__(ShopError.CODES_INVALID, problems)


@dataclass(frozen=True, slots=True)
class PoolCount:
    product: Product
    free: int
    given: int


@dataclass(frozen=True, slots=True)
class Uploaded:
    product: Product
    added: int
    free: int


# -- the pool ------------------------------------------------------------------------------------------


def parse_codes(text: str) -> list[str]:
    """One code per line (blank lines skipped, surrounding spaces stripped). All or nothing: CodesFileError
    lists every bad line, and a code given twice in the file."""
    problems: list[tuple[int, str]] = []
    codes: list[str] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        code = raw.strip()
        if not code:
            continue
        if len(code) > CODE_MAX:
            problems.append((number, f"the code is {len(code)} characters long; the limit is {CODE_MAX}"))
        elif any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in code):
            problems.append((number, "the code contains a control character"))
        elif code in first_line:
            problems.append((number, f"code {code!r} is also on line {first_line[code]}"))
        else:
            first_line[code] = number
            codes.append(code)
    if not codes and not problems:
        problems.append((0, "the file holds no code: write one code per line"))
    if len(codes) > CODES_PER_UPLOAD:
        problems.append((0, f"the file holds {len(codes)} codes; upload at most {CODES_PER_UPLOAD:,} at a time"))
    if problems:
        raise CodesFileError(problems)
    return codes


async def _pool_product(uow: UnitOfWork, actor: Actor, sku: str) -> Product:
    """The digital product whose pool `actor` manages: its brand's staff, or the operator."""
    product = await uow.products.get_by_sku(sku.strip())
    if product is None:
        raise DomainError(ShopError.CODES_UNKNOWN_PRODUCT, sku=sku.strip()[:40])
    if product.brand_id is None:
        actor.require_operator(refusal=ShopError.CODES_NOT_ALLOWED)
    else:
        await require_brand_staff(uow, actor, product.brand_id)
    if product.delivers != "pool":
        raise DomainError(ShopError.CODES_NOT_A_POOL, sku=product.sku)
    return product


async def upload_codes(
    uow: UnitOfWork, now: datetime, actor: Actor, sku: str, text: str, low_at: int = DEFAULT_LOW_AT
) -> Uploaded:
    """Add the file's codes to the product's pool, all or nothing; a code already in the pool is refused."""
    product = await _pool_product(uow, actor, sku)
    codes = parse_codes(text)
    taken = await uow.codes.existing(product.id, codes)
    if taken:
        lines = {code: number for number, code in _numbered(text)}
        raise CodesFileError([(lines[code], f"code {code!r} is already in the pool") for code in sorted(taken)])
    await uow.codes.add(product.id, codes, now)
    free, _ = await uow.codes.count(product.id)
    if free > low_at:
        await uow.codes.rearm(product.id)
    return Uploaded(product, len(codes), free)


def _numbered(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1)]


async def count_codes(uow: UnitOfWork, actor: Actor, sku: str) -> PoolCount:
    product = await _pool_product(uow, actor, sku)
    free, given = await uow.codes.count(product.id)
    return PoolCount(product, free, given)


async def require_codes(uow: UnitOfWork, product: Product, quantity: int) -> None:
    """At pre-checkout: a pool with fewer free codes than the order needs refuses in the payment form, before
    any money is taken. (A code is claimed only with the payment, so two forms open at once can both pass;
    the payment the pool cannot serve then is refunded.)"""
    if product.delivers == "pool" and (await uow.codes.count(product.id))[0] < quantity:
        raise DomainError(ShopError.PRODUCT_SOLD_OUT, title=product.title)


# -- delivery ------------------------------------------------------------------------------------------


def delivery_key(order_id: int) -> str:
    return f"digital:{order_id}"


async def deliver(uow: UnitOfWork, now: datetime, order: Order) -> ErrorCode | None:
    """The paid order's content, queued for its buyer; the reason it cannot be delivered (a pool ran dry:
    nothing is claimed then), or None. Orders of other goods deliver nothing here."""
    line = order.lines[0]
    product = await uow.products.get(line.product_id)
    if product is None or product.delivers is None:
        return None
    if product.delivers == "pool":
        have = len(await uow.codes.for_order(order.id))
        for _ in range(line.quantity - have):
            if await uow.codes.claim(product.id, order.id, now) is None:
                await uow.codes.release(order.id)
                await _tell_staff_empty(uow, now, product, order)
                return ShopError.DIGITAL_OUT_OF_CODES
    params = await delivery_params(uow, order, product)
    if await can_message(uow, order.user_id):
        # Only to the buyer's private chat, never to the group the sale started in. A buyer who never
        # opened it gets the content from /orders once they do.
        notice = Notice(delivery_key(order.id), order.user_id, DELIVERY, params, language_of=order.user_id)
        await uow.outbox.enqueue(notice, now)
    return None


async def delivery_params(uow: UnitOfWork, order: Order, product: Product) -> NoticeParams:
    kind = product.delivers
    codes = await uow.codes.for_order(order.id) if kind == "pool" else ()
    return {
        "order": order.id,
        "title": order.lines[0].title,
        "kind": kind,
        "content": product.content if kind in ("file", "link") else None,
        "codes": "\n".join(codes),
    }


async def resend(uow: UnitOfWork, actor: Actor, order_id: int) -> NoticeParams:
    """What the order delivered, to send again to its buyer (the same codes: never new ones)."""
    order = await uow.orders.get(order_id)
    if order is None or order.user_id != actor.user_id:
        raise DomainError(ShopError.RESEND_NOT_YOURS, number=order_id)  # nobody learns whose it is
    product = await uow.products.get(order.lines[0].product_id)
    if product is None or product.delivers is None:
        raise DomainError(ShopError.RESEND_NOTHING, number=order_id)
    if order.status is not OrderStatus.PAID:
        raise DomainError(ShopError.RESEND_NOT_PAID, number=order_id)
    params = await delivery_params(uow, order, product)
    if product.delivers == "pool" and not params["codes"]:
        raise DomainError(ShopError.RESEND_NOTHING, number=order_id)
    return params


async def resendable(uow: UnitOfWork, orders: Sequence[Order]) -> frozenset[int]:
    """The orders among `orders` whose content /orders can send again."""
    found: set[int] = set()
    for order in orders:
        if order.status is not OrderStatus.PAID:
            continue
        product = await uow.products.get(order.lines[0].product_id)
        if product is not None and product.delivers is not None:
            found.add(order.id)
    return frozenset(found)


# -- telling the brand ---------------------------------------------------------------------------------


async def _staff(uow: UnitOfWork, product: Product, operators: Sequence[int]) -> list[int]:
    staff = list(await uow.brand_staff.staff_of(product.brand_id)) if product.brand_id is not None else []
    return staff or list(operators)


async def _tell_staff_empty(uow: UnitOfWork, now: datetime, product: Product, order: Order) -> None:
    for user_id in await _staff(uow, product, ()):
        notice = Notice(
            f"digital:empty:{order.id}:{user_id}",
            user_id,
            POOL_EMPTY,
            {"sku": product.sku, "title": product.title, "order": order.id},
            language_of=user_id,
        )
        await uow.outbox.enqueue(notice, now)


async def warn_low_pools(
    uow: UnitOfWork, now: datetime, low_at: int, operators: Sequence[int], limit: int = 100
) -> list[int]:
    """Tell the staff of every pool that fell to `low_at` free codes or fewer, once per fall. Returns the
    products warned about."""
    warned: list[int] = []
    for product_id, free in await uow.codes.low(low_at, limit):
        product = await uow.products.get(product_id)
        if product is None or not await uow.codes.mark_warned(product_id):
            continue
        given = (await uow.codes.count(product_id))[1]
        for user_id in await _staff(uow, product, operators):
            notice = Notice(
                f"digital:low:{product_id}:{given}:{user_id}",
                user_id,
                POOL_LOW,
                {"sku": product.sku, "title": product.title, "free": free, "threshold": low_at},
                language_of=user_id,
            )
            await uow.outbox.enqueue(notice, now)
        warned.append(product_id)
    return warned
