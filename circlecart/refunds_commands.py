"""`circlecart refunds list|done`: the operator's command line for refunds a person has to make.

The same list and the same "done" as `/refunds` and `/refunded N` in the bot, for an operator at a shell.
A member told of a refund done here hears it when the bot next runs (the notice waits in the outbox).
"""

from __future__ import annotations

import argparse
import asyncio

from bots.core.i18n import N_
from circlecart.errors import CliError
from circlecart.settings import Settings
from domain.actors import Actor
from domain.clock import Clock
from domain.shop.errors import ShopError
from domain.shop.payments import refunds
from storage.database import Database
from storage.migrate import upgrade_async


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    refund = sub.add_parser("refunds", help="refunds owed by a person (other currencies, refused Stars refunds)")
    commands = refund.add_subparsers(title="refunds commands")
    commands.add_parser("list", help="every refund owed: number, member, amount, why").set_defaults(handler=_list)
    done = commands.add_parser("done", help="record that refund NUMBER was made by hand; the member is told")
    done.add_argument("number", type=int)
    done.add_argument("--by", type=int, help="the operator's Telegram id (default: the first of CIRCLECART_OWNER_IDS)")
    done.set_defaults(handler=_done)
    refund.set_defaults(handler=_list)


def _list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    for line in asyncio.run(_owed(settings.database_url)):
        print(line)
    return 0


def _done(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    by = args.by if args.by is not None else (settings.owner_ids[0] if settings.owner_ids else None)
    if by is None:
        raise CliError(N_("Say who made the refund: --by OPERATOR_ID, or set CIRCLECART_OWNER_IDS."))
    amount = asyncio.run(_mark_done(settings.database_url, args.number, by, clock))
    print(f"refund #{args.number} of {amount} is recorded as done by {by}; the member is told")
    return 0


async def _owed(database_url: str) -> list[str]:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        owed = await refunds.owed_by_people(uow, Actor.command_line(), limit=1000)
    if not owed:
        return ["no refunds are owed"]
    return [
        f"#{p.id}\tmember {p.user_id}\t{p.amount.display()}\t{p.refund_reason or ShopError.ORDER_CLOSED}\t"
        f"charge {p.provider_charge_id or p.telegram_charge_id}"
        for p in owed
    ]


async def _mark_done(database_url: str, number: int, by: int, clock: Clock) -> str:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        payment = await refunds.mark_done(uow, clock.now(), Actor.command_line(by), number)
        if payment is None:
            raise CliError(N_("No refund #{number} is owed (see circlecart refunds list)."), number=number)
        await uow.commit()
    return payment.amount.display()
