"""`circlecart orders ...`: the brand console's operations at a shell.

The operator sees and changes every brand's physical orders; `--as USER_ID` acts as that Telegram user
instead (brand staff see and change only their brand's orders, exactly as in the bot). Members hear of every
change when the bot next runs: the notices wait in the outbox. Stars refunds of a cancellation or a return are
made by the bot's payments job; other currencies go on the refund list (`circlecart refunds list`).

    circlecart orders list [--all] [--brand NAME]   orders to ship (paid, packed), oldest first
    circlecart orders show ORDER                     one order with its address and items
    circlecart orders pack ORDER
    circlecart orders ship ORDER CARRIER TRACKING
    circlecart orders deliver ORDER
    circlecart orders cancel ORDER                   before shipping; the money goes back
    circlecart orders returns                        returns asked for or approved
    circlecart orders approve-return ORDER | refuse-return ORDER REASON | return-received ORDER
    circlecart orders export [-o FILE]              orders to ship as CSV, with addresses
    circlecart orders import FILE                    order_id,carrier,tracking_number: all or nothing
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from circlecart.errors import CliError
from circlecart.settings import Settings
from domain.actors import Actor
from domain.brands.roles import brand_by_name_or_id
from domain.clock import Clock
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.shop import fulfilment
from domain.shop.fulfilment import OrderToShip
from domain.shop.orders import OrderStatus
from storage.database import Database
from storage.migrate import upgrade_async

T = TypeVar("T")
RETURNS = (OrderStatus.RETURN_REQUESTED, OrderStatus.RETURN_APPROVED)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    orders = sub.add_parser("orders", help="physical orders: ship, deliver, cancel, returns, CSV")
    orders.add_argument("--as", dest="as_user", type=int, help="act as this Telegram user (brand staff)")
    commands = orders.add_subparsers(title="orders commands")
    listing = commands.add_parser("list", help="orders to ship, oldest first")
    listing.add_argument("--brand", help="only this brand's orders")
    listing.set_defaults(handler=_list)
    show = commands.add_parser("show", help="one order with its address and items")
    show.add_argument("order", type=int)
    show.set_defaults(handler=_show)
    for name, helptext in (
        ("pack", "mark an order packed"),
        ("deliver", "mark a shipped order delivered"),
        ("cancel", "cancel an order before it ships; the money goes back"),
        ("approve-return", "approve a member's return"),
        ("return-received", "the returned goods arrived: refund the order"),
    ):
        step = commands.add_parser(name, help=helptext)
        step.add_argument("order", type=int)
        step.set_defaults(handler=_step, step=name)
    ship = commands.add_parser("ship", help="mark an order shipped with a carrier and tracking number")
    ship.add_argument("order", type=int)
    ship.add_argument("carrier")
    ship.add_argument("tracking")
    ship.set_defaults(handler=_step, step="ship")
    refuse = commands.add_parser("refuse-return", help="refuse a member's return, with a reason they read")
    refuse.add_argument("order", type=int)
    refuse.add_argument("reason", nargs="+")
    refuse.set_defaults(handler=_step, step="refuse-return")
    commands.add_parser("returns", help="returns asked for or approved").set_defaults(handler=_returns)
    export = commands.add_parser("export", help="orders to ship as CSV, with addresses (stdout by default)")
    export.add_argument("-o", "--output", type=Path)
    export.add_argument("--brand", help="only this brand's orders")
    export.set_defaults(handler=_export)
    importer = commands.add_parser("import", help="mark orders shipped from a CSV: order_id,carrier,tracking_number")
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=_import)
    orders.set_defaults(handler=_list)


def _actor(args: argparse.Namespace) -> Actor:
    as_user = getattr(args, "as_user", None)
    return Actor(as_user) if as_user is not None else Actor.command_line()


def _run(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async def run() -> T:
        await upgrade_async(settings.database_url)
        async with await Database.connect(settings.database_url) as database, database.uow() as uow:
            result = await work(uow)
            await uow.commit()
            return result

    try:
        return asyncio.run(run())
    except DomainError as error:
        raise CliError(explain(error)) from None


def explain(error: DomainError) -> str:
    """The refusal in the bot's English words, e.g. "There is no order #5 that you can see."."""
    from bots.core.app import build_table

    try:
        return build_table().message_for(error.code.value).format(**error.params)
    except (KeyError, IndexError):
        return str(error)


async def _brand_id(uow: UnitOfWork, name: str | None) -> int | None:
    return (await brand_by_name_or_id(uow, name)).id if name else None


def _line(shown: OrderToShip) -> str:
    order = shown.order
    items = ", ".join(f"{line.quantity} x {line.title}" for line in order.lines)
    where = " / ".join(shown.address.lines()) if shown.address else f"(address erased) {order.ship_country or ''}"
    tracking = (
        f"\t{order.fulfilment.carrier} {order.fulfilment.tracking_number}" if order.fulfilment.tracking_number else ""
    )
    return f"#{order.id}\t{order.status.value}\t{order.total.display()}\t{items}\t{where}{tracking}"


def _list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    actor = _actor(args)

    async def work(uow: UnitOfWork) -> list[str]:
        brand_id = await _brand_id(uow, getattr(args, "brand", None))
        page = await fulfilment.orders_to_ship(uow, actor, 0, 1000, brand_id)
        return [_line(shown) for shown in page.orders]

    lines = _run(settings, work)
    print("\n".join(lines) if lines else "no orders to ship")
    return 0


def _returns(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    actor = _actor(args)

    async def work(uow: UnitOfWork) -> list[str]:
        found = await fulfilment.orders_of_brands(uow, actor, RETURNS)
        shown = [await fulfilment.order_details(uow, actor, order.id) for order in found]
        return [f"{_line(one)}\treason: {one.order.fulfilment.return_reason}" for one in shown]

    lines = _run(settings, work)
    print("\n".join(lines) if lines else "no returns to handle")
    return 0


def _show(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    actor = _actor(args)

    async def work(uow: UnitOfWork) -> OrderToShip:
        return await fulfilment.order_details(uow, actor, args.order)

    shown = _run(settings, work)
    order = shown.order
    print(f"order #{order.id}: {order.status.value}, {order.total.display()}, member {order.user_id}")
    for line in order.lines:
        print(f"  {line.quantity} x {line.title} ({line.sku})")
    print("  " + ("\n  ".join(shown.address.lines()) if shown.address else f"address erased; {order.ship_country}"))
    done = order.fulfilment
    if done.tracking_number:
        print(f"  {done.carrier} tracking {done.tracking_number}")
    if done.return_reason:
        print(f"  return asked: {done.return_reason}")
    return 0


def _step(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    actor = _actor(args)
    owners = settings.owner_ids
    now = clock.now()

    async def work(uow: UnitOfWork) -> str:
        order_id = args.order
        if args.step == "pack":
            return (await fulfilment.pack(uow, now, actor, order_id)).status.value
        if args.step == "ship":
            return (await fulfilment.ship(uow, now, actor, order_id, args.carrier, args.tracking)).status.value
        if args.step == "deliver":
            return (await fulfilment.deliver(uow, now, actor, order_id)).status.value
        if args.step == "cancel":
            return (await fulfilment.cancel(uow, now, actor, order_id, owners)).order.status.value
        if args.step == "approve-return":
            return (await fulfilment.decide_return(uow, now, actor, order_id, approve=True)).status.value
        if args.step == "refuse-return":
            reason = " ".join(args.reason)
            return (await fulfilment.decide_return(uow, now, actor, order_id, False, reason)).status.value
        return (await fulfilment.return_received(uow, now, actor, order_id, owners)).order.status.value

    status = _run(settings, work)
    print(f"order #{args.order} is now {status}; the member is told")
    return 0


def _export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    actor = _actor(args)

    async def work(uow: UnitOfWork) -> bytes:
        return await fulfilment.export_to_ship(uow, actor, await _brand_id(uow, args.brand))

    content = _run(settings, work)
    if args.output is None:
        sys.stdout.write(content.decode())
    else:
        args.output.write_bytes(content)
        rows = max(content.count(b"\n") - 1, 0)
        print(f"wrote {rows} orders to {args.output}")
    return 0


def _import(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    actor = _actor(args)
    try:
        content = args.file.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error.strerror}") from None

    async def run() -> tuple[int, list[str]]:
        await upgrade_async(settings.database_url)
        async with await Database.connect(settings.database_url) as database, database.uow() as uow:
            shipped, problems = await fulfilment.import_tracking(uow, clock.now(), actor, content)
            if problems:
                await uow.rollback()
                return 0, [f"line {p.line}: {explain(DomainError(p.code, **p.params))}" for p in problems]
            await uow.commit()
            return len(shipped), []

    count, problems = asyncio.run(run())
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        raise CliError(f"{args.file}: nothing imported, {len(problems)} problem(s)")
    print(f"{count} orders marked shipped; their members are told")
    return 0
