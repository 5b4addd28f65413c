"""Browsing and finding products, and loading the catalog from a file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


async def import_products(
    uow: UnitOfWork, items: Sequence[ImportItem], progress: Callable[[], None] | None = None
) -> ImportReport:
    """Upsert by SKU inside the caller's transaction, so a failure imports nothing.

    A file's `stock` is the brand's count. It moves the shelf by the difference from the count the previous
    import stated, so re-importing an unchanged file changes nothing, and units held or sold since stay
    taken: an import never hands out a unit twice (see `ProductRepository.recount`).
    """
    created = updated = unchanged = 0
    for item in items:
        if progress is not None:
            progress()  # one more product looked at (a progress bar, for an operator's long import)
        brand_id = None
        if item.brand_name:
            brand = await uow.brands.get_by_name(item.brand_name) or await uow.brands.add(item.brand_name)
            brand_id = brand.id
        incoming = replace(item.product, brand_id=brand_id)
        existing = await uow.products.get_by_sku(incoming.sku)
        if existing is None:
            await uow.products.add(incoming)
            created += 1
            continue
        details = {f: getattr(incoming, f) for f in NewProduct.__dataclass_fields__ if f != "stock"}
        merged = replace(existing, **details)
        if merged == existing and incoming.stock == existing.counted:
            unchanged += 1
            continue
        if merged != existing:
            await uow.products.update(merged)
        if incoming.stock != existing.counted:
            await uow.products.recount(existing.id, incoming.stock)
        updated += 1
    return ImportReport(created, updated, unchanged)
