"""Catalog files in and out of the database, for the `circlecart catalog` commands."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Literal

from bots.core.i18n import N_
from circlecart import files
from circlecart.errors import CliError
from circlecart.progress import Progress
from domain.shop.catalog import ImportItem, ImportReport, import_products
from domain.shop.catalog_file import CatalogEntry, CatalogFileError, detect_format, dump_catalog, parse_catalog
from domain.shop.products import NewProduct
from storage.database import Database
from storage.migrate import upgrade_async


async def import_file(database_url: str, path: Path) -> ImportReport:
    fmt = detect_format(str(path))
    text = await asyncio.to_thread(files.read_text, path)
    try:
        entries = parse_catalog(text, fmt)
    except CatalogFileError as error:  # every bad line is named: nothing is imported
        raise CliError(
            N_("{path} has problems, so nothing was imported:\n{problems}"), path=path, problems=error
        ) from None
    items = [
        ImportItem(
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
        for e in entries
    ]
    await upgrade_async(database_url)
    database = await Database.connect(database_url)
    try:
        with Progress(f"import {path.name}", len(items)) as progress:
            async with database.uow() as uow:
                report = await import_products(uow, items, progress.advance)
                await uow.commit()
    finally:
        await database.dispose()
    return report


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
