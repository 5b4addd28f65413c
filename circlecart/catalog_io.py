"""Catalog files in and out of the database, for the `circlecart catalog` commands."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from bots.core.i18n import N_
from circlecart import files
from circlecart.errors import CliError
from circlecart.progress import Progress
from domain.shop.catalog import ImportItem, ImportReport, import_products
from domain.shop.catalog_file import (
    CatalogEntry,
    CatalogFileError,
    CatalogFormat,
    CatalogProblems,
    detect_format,
    dump_catalog,
    read_catalog,
)
from domain.shop.products import NewProduct
from storage.database import Database
from storage.migrate import upgrade_async


async def import_file(database_url: str, path: Path) -> ImportReport:
    """Check the whole file, then write it in one transaction: a file with any problem imports nothing.

    The file is read twice, a line at a time, and never held whole: first every product is checked (no
    database touched, so a bad file is refused at once and never waits on the write lock), then read again
    and written in batches. The second pass knows how many products there are, so its bar is exact.
    """
    fmt = detect_format(str(path))
    # opened before the bar is drawn, so that a note on the file's encoding gets a line of its own
    with files.read_lines(path) as lines, Progress(f"check {path.name}", _count_lines(path)) as checking:
        count = await asyncio.to_thread(_check, path, lines, fmt, checking)
    await upgrade_async(database_url)
    database = await Database.connect(database_url)
    try:
        with Progress(f"import {path.name}", count) as progress:
            async with database.uow() as uow:
                problems = CatalogProblems()
                with files.read_lines(path, announce=False) as lines:
                    entries = read_catalog(lines, fmt, problems)
                    report = await import_products(uow, _items(entries, problems), progress.advance)
                if problems:  # the file changed since it was checked: the transaction is rolled back
                    raise _refused(path, problems.error())
                await uow.commit()
    finally:
        await database.dispose()
    return report


def _refused(path: Path, error: CatalogFileError) -> CliError:
    # every bad line is named: nothing is imported
    return CliError(N_("{path} has problems, so nothing was imported:\n{problems}"), path=path, problems=error)


def _count_lines(path: Path) -> int:
    """The file's lines, counted in raw chunks (a fraction of a second for 200,000 rows): the checking bar's
    total. 0 when the file cannot be read; reading it says why."""
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0


def _check(path: Path, lines: Iterable[str], fmt: CatalogFormat, progress: Progress) -> int:
    """Every product checked, the file read once: the number of products, or a CliError naming each problem."""
    problems = CatalogProblems()
    count = 0
    for entry in read_catalog(lines, fmt, problems):
        count += 1
        if entry.line > progress.done:
            progress.advance(entry.line - progress.done)
    if problems:
        raise _refused(path, problems.error())
    progress.advance(max(progress.total - progress.done, 0))  # the trailing lines of the file: checked
    return count


def _items(entries: Iterable[CatalogEntry], problems: CatalogProblems) -> Iterator[ImportItem]:
    for e in entries:
        if problems:
            continue  # read on to count every problem, but write nothing more: it will be rolled back
        yield ImportItem(
            NewProduct(
                e.sku,
                e.title,
                e.description,
                e.price,
                e.stock,
                e.tags,
                e.photo,
                e.active,
                kind=e.kind,
                content=e.content,
                final_sale=e.final_sale,
                return_days=e.return_days,
            ),
            e.brand,
        )


async def export_text(database_url: str, fmt: Literal["yaml", "csv"]) -> str:
    await upgrade_async(database_url)
    database = await Database.connect(database_url)
    try:
        async with database.uow() as uow:
            products = await uow.products.list_all()
            brands = {p.brand_id: await uow.brands.get(p.brand_id) for p in products if p.brand_id}
    finally:
        await database.dispose()
    entries = [
        CatalogEntry(
            sku=p.sku,
            title=p.title,
            description=p.description,
            price=p.price,
            stock=p.counted,  # the count as last imported: importing the file back changes nothing
            tags=p.tags,
            photo=p.photo,
            active=p.active,
            brand=(b.name if p.brand_id and (b := brands.get(p.brand_id)) else None),
            line=0,
            kind=p.kind,
            content=p.content,
            final_sale=p.final_sale,
            return_days=p.return_days,
        )
        for p in products
    ]
    return dump_catalog(entries, fmt)
