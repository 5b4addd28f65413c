"""`circlecart settlement run|report`: the operator's command line for the community's share.

`run` settles every ended month not settled yet (what the hourly job does; running it twice changes
nothing). `report` prints the settled lines as CSV (minor units, a total row per currency) and can write
the same lines' chart as a PNG.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bots.core.share.chart import settlement_chart
from circlecart.errors import CliError
from circlecart.settings import Settings
from domain.clock import Clock
from domain.share import settlement
from domain.share.model import SettlementLine
from domain.share.report import chart_data, settlement_csv
from storage.database import Database
from storage.migrate import upgrade_async


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("settlement", help="the monthly settlement of brands' and communities' shares")
    commands = parser.add_subparsers(title="settlement commands")
    commands.add_parser("run", help="settle every ended month not settled yet").set_defaults(handler=_run)
    report = commands.add_parser("report", help="the settled lines as CSV (stdout, or --output FILE)")
    report.add_argument("--brand", type=int, metavar="BRAND_ID", help="only this brand's lines")
    report.add_argument("--community", type=int, metavar="CHAT_ID", help="only this group's lines")
    report.add_argument("--output", type=Path, metavar="FILE", help="write the CSV to FILE; default: stdout")
    report.add_argument("--chart", type=Path, metavar="FILE", help="also write the chart as a PNG to FILE")
    report.set_defaults(handler=_report)
    parser.set_defaults(handler=_report, brand=None, community=None, output=None, chart=None)


def _run(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    months = asyncio.run(_settle(settings.database_url, settings.platform_fee_bp, clock))
    print(f"settled {', '.join(months)}" if months else "every ended month is settled already")
    return 0


def _report(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    lines = asyncio.run(_lines(settings.database_url, args.brand, args.community))
    for target in (args.output, args.chart):
        if target is not None and not target.parent.is_dir():
            raise CliError(f"cannot write {target}: the folder {target.parent} does not exist")
    content = settlement_csv(lines)
    if args.output is None:
        sys.stdout.write(content.decode())
    else:
        args.output.write_bytes(content)
    if args.chart is not None:
        args.chart.write_bytes(settlement_chart(chart_data(lines), "Settlement by month"))
    return 0


async def _settle(database_url: str, fee_bp: int, clock: Clock) -> list[str]:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database:
        return await settlement.settle_due(database.uow, clock.now(), fee_bp)


async def _lines(database_url: str, brand: int | None, community: int | None) -> list[SettlementLine]:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        return list(await uow.share.lines(brand_id=brand, community_id=community))
