"""`circlecart export orders|members|payments|points`: CSV for spreadsheets, accounting and migrations.

Rows stream from the database (storage/exports.py) straight into the CSV writer: nothing is gathered in
memory, whatever the size of the shop. CSV goes to standard output unless --output names a file; a progress
bar runs on standard error when it is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from bots.core.i18n import N_
from circlecart import files
from circlecart.errors import CliError
from circlecart.progress import Progress
from circlecart.settings import Settings
from domain.clock import Clock
from storage import exports
from storage.database import Database
from storage.migrate import upgrade_async


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exporter = sub.add_parser("export", help="orders, members, payments or points as CSV (stdout by default)")
    exporter.add_argument("kind", choices=sorted(exports.EXPORTS), help="what to export")
    exporter.add_argument("--since", help="only rows from this date or time on (UTC), e.g. 2026-11-01")
    exporter.add_argument("--format", choices=["csv"], default="csv", help="the file format (csv)")
    exporter.add_argument("--output", type=Path, help="write to this file instead of standard output")
    exporter.set_defaults(handler=_export)


def parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CliError(
            N_("“{value}” is not a date: write it as 2026-11-01, or 2026-11-01T12:00 for a time (UTC)."), value=text
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    since = parse_since(args.since)
    if args.output is None:
        asyncio.run(write(settings.database_url, args.kind, since, sys.stdout))
        return 0
    with files.written(args.output) as handle:
        count = asyncio.run(write(settings.database_url, args.kind, since, handle))
    print(f"{count} {args.kind} rows written to {args.output}", file=sys.stderr)
    return 0


async def write(database_url: str, kind: str, since: datetime | None, out: IO[str]) -> int:
    """Write the export as CSV to `out`, row by row; the number of rows written."""
    await upgrade_async(database_url)
    database = await Database.connect(database_url)
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(exports.EXPORTS[kind].header)
        progress = Progress(f"export {kind}", 0, enabled=None)
        if progress.enabled:
            progress.total = await exports.count(database, kind, since)
        written = 0
        with progress:
            async for row in exports.rows(database, kind, since):
                writer.writerow(row)
                written += 1
                progress.advance()
        return written
    finally:
        await database.dispose()
