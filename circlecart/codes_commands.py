"""`circlecart codes import SKU FILE` and `circlecart codes count SKU`: the operator's command line for the
pools of unique codes digital products deliver (e-tickets, licence keys).

The same upload as brand staff sending a file in the private chat: one code per line, all or nothing, every
problem reported by line, a code already in the pool refused.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from circlecart.errors import CliError
from circlecart.settings import Settings
from domain.actors import Actor
from domain.clock import Clock
from domain.shop import digital
from storage.database import Database
from storage.migrate import upgrade_async


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    codes = sub.add_parser("codes", help="pools of unique codes of digital products (e-tickets, licence keys)")
    commands = codes.add_subparsers(title="codes commands")
    importer = commands.add_parser("import", help="add FILE's codes (one per line) to the pool of product SKU")
    importer.add_argument("sku")
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=_import)
    count = commands.add_parser("count", help="how many codes of product SKU are left and given out")
    count.add_argument("sku")
    count.set_defaults(handler=_count)


def _import(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {args.file}: {error}") from error
    done = asyncio.run(_upload(settings, args.sku, text, clock))
    print(f"added {done.added} codes to {done.product.sku}: {done.free} left")
    return 0


def _count(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    pool = asyncio.run(_pool(settings.database_url, args.sku))
    print(f"{pool.product.sku}: {pool.free} left, {pool.given} given out")
    return 0


async def _upload(settings: Settings, sku: str, text: str, clock: Clock) -> digital.Uploaded:
    await upgrade_async(settings.database_url)
    async with await Database.connect(settings.database_url) as database, database.uow() as uow:
        try:
            done = await digital.upload_codes(uow, clock.now(), Actor.command_line(), sku, text, settings.codes_low_at)
        except digital.CodesFileError as error:
            raise CliError(f"no codes were added; the file has {len(error.problems)} problem(s):\n{error}") from error
        await uow.commit()
    return done


async def _pool(database_url: str, sku: str) -> digital.PoolCount:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        return await digital.count_codes(uow, Actor.command_line(), sku)
