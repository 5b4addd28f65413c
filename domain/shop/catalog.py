"""Browsing and finding products, and loading the catalog from a file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.shop.products import NewProduct, Product

PAGE_SIZE = 5
SEARCH_LIMIT = 10
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True, slots=True)
class CatalogPage:
    products: tuple[Product, ...]
    page: int  # 0-based, clamped into range
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


async def browse(uow: UnitOfWork, page: int, page_size: int = PAGE_SIZE) -> CatalogPage:
    total = await uow.products.count_active()
    pages = max(1, -(-total // page_size))
    # A stale "next" button after products were removed lands on the last page rather than an empty one.
    page = min(max(page, 0), pages - 1)
    products = await uow.products.list_active(page * page_size, page_size)
    return CatalogPage(tuple(products), page, pages)


async def search(uow: UnitOfWork, text: str, limit: int = SEARCH_LIMIT) -> tuple[Product, ...]:
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    if not text:
        return ()
    return tuple(await uow.products.search(text, limit))


async def product(uow: UnitOfWork, product_id: int) -> Product:
    found = await uow.products.get(product_id)
    if found is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    return found


async def product_by_sku(uow: UnitOfWork, sku: str) -> Product:
    found = await uow.products.get_by_sku(sku)
    if found is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    return found


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ImportItem:
    product: NewProduct
    brand_name: str | None


IMPORT_BATCH = 1000  # products looked up and written together: a few statements per thousand rows


async def import_products(
    uow: UnitOfWork,
    items: Iterable[ImportItem],
    progress: Callable[[], None] | None = None,
    batch_size: int = IMPORT_BATCH,
) -> ImportReport:
    """Upsert by SKU inside the caller's transaction, so a failure imports nothing.

    A file's `stock` is the brand's count. It moves the shelf by the difference from the count the previous
    import stated, so re-importing an unchanged file changes nothing, and units held or sold since stay
    taken: an import never hands out a unit twice (see `ProductRepository.recount`).

    `items` may be a generator reading a file: they are taken `batch_size` at a time, each batch costing one
    SELECT of the SKUs it names and one bulk statement per kind of write, and each brand is looked up once.
    """
    brands: dict[str, int] = {}
    report = ImportReport(0, 0, 0)
    batch: dict[str, ImportItem] = {}
    # The batch read before is written while the next one is read: reading (parsing, checking) is this
    # process's work and writing mostly PostgreSQL's, in its own process, so on two cores they overlap
    # (200,000 rows: 12.9 s against 15.8 s written in line; on SQLite, whose calls run in this thread, the
    # same). One batch at most is being written, so the unit of work is never used twice at once.
    writing: asyncio.Task[ImportReport] | None = None
    try:
        for read, item in enumerate(items, start=1):
            if progress is not None:
                progress()  # one more product looked at (a progress bar, for an operator's long import)
            if item.product.sku in batch or len(batch) >= batch_size:
                # a SKU given twice within a batch is written in order: its first row lands before it is compared
                if writing is not None:
                    report = _sum(report, await writing)
                writing = asyncio.create_task(_import_batch(uow, list(batch.values()), brands))
                batch = {}
            batch[item.product.sku] = item
            if writing is not None and read % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the writing batch takes its next step (sends its next statement)
        if writing is not None:
            report = _sum(report, await writing)
            writing = None
        if batch:
            report = _sum(report, await _import_batch(uow, list(batch.values()), brands))
    finally:
        if writing is not None:  # reading or writing failed: the write ends before the caller rolls back
            await asyncio.wait([writing])
            if not writing.cancelled():
                writing.exception()  # seen: the first failure is the one raised
    return report


_YIELD_EVERY = 50


async def _import_batch(uow: UnitOfWork, items: Sequence[ImportItem], brands: dict[str, int]) -> ImportReport:
    for name in {item.brand_name for item in items if item.brand_name and item.brand_name not in brands}:
        brand = await uow.brands.get_by_name(name) or await uow.brands.add(name)
        brands[name] = brand.id
    existing = await uow.products.get_many_by_sku([item.product.sku for item in items])
    created: list[NewProduct] = []
    changed: list[tuple[Product, int]] = []
    recounts: list[tuple[int, int]] = []
    unchanged = 0
    for item in items:
        incoming = replace(item.product, brand_id=brands[item.brand_name] if item.brand_name else None)
        found = existing.get(incoming.sku)
        if found is None:
            created.append(incoming)
            continue
        details = {f: getattr(incoming, f) for f in _DETAILS}
        merged = replace(found, **details)
        if merged == found and incoming.stock == found.counted:
            unchanged += 1
            continue
        # one UPDATE per product at most: new details carry the count along (the same count moves nothing)
        if merged != found:
            changed.append((merged, incoming.stock))
        else:
            recounts.append((found.id, incoming.stock))
    if created:
        await uow.products.add_many(created)
    if changed:
        await uow.products.update_many(changed)
    if recounts:
        await uow.products.recount_many(recounts)
    return ImportReport(len(created), len(items) - len(created) - unchanged, unchanged)


_DETAILS = tuple(f for f in NewProduct.__dataclass_fields__ if f != "stock")


def _sum(a: ImportReport, b: ImportReport) -> ImportReport:
    return ImportReport(a.created + b.created, a.updated + b.updated, a.unchanged + b.unchanged)
