from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    Update,
    and_,
    bindparam,
    case,
    column,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    update,
)

from domain.money import Money
from domain.shop.products import NewProduct, Product
from storage.repositories._base import SqlRepository, rowcount
from storage.tables import products, tags_from_text, tags_to_text

MAX_SEARCH_WORDS = 12
MAX_WORD_LENGTH = 64

# The FTS5 table made by the migrations (not in the metadata): rowid is products.id.
# The statements of a catalog page and a card, built once: they run on nearly every button press.
_BY_ID = select(products).where(products.c.id == bindparam("product_id"))
_ACTIVE_PAGE = (
    select(products)
    .where(products.c.active.is_(True))
    .order_by(products.c.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_ACTIVE_COUNT = select(func.count()).select_from(products).where(products.c.active.is_(True))

_products_fts = table("products_fts", column("rowid"))
# bm25 weights per FTS5 column, in the order the migration declares them: title, description, tags.
_BM25 = "bm25(products_fts, 10.0, 2.0, 5.0)"
# The stored tsvector column the PostgreSQL migration adds (generated from title, tags and description).
_search_vector: ColumnElement[Any] = literal_column("products.search_vector")
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


def _product(row: RowMapping) -> Product:
    shelf, held = int(row["stock"]), int(row["held"])
    return Product(
        id=row["id"],
        sku=row["sku"],
        title=row["title"],
        description=row["description"],
        price=Money(int(row["price_amount"]), row["currency"]),
        stock=max(0, shelf - held),
        tags=tags_from_text(row["tags"]),
        photo=row["photo"],
        active=row["active"],
        brand_id=row["brand_id"],
        # More held than on the shelf: the brand counted fewer units than payments and drops already hold.
        held=min(held, shelf),
        counted=int(row["counted"]),
        kind=row["kind"],
        content=row["content"],
        final_sale=bool(row["final_sale"]),
        return_days=row["return_days"],
    )


def _details(product: NewProduct | Product) -> dict[str, Any]:
    """Every column but the stock counters, which change only through their own statements."""
    return {
        "sku": product.sku,
        "title": product.title,
        "description": product.description,
        "price_amount": product.price.amount,
        "currency": product.price.currency,
        "tags": tags_to_text(product.tags),
        "photo": product.photo,
        "active": product.active,
        "brand_id": product.brand_id,
        "kind": product.kind,
        "content": product.content,
        "final_sale": product.final_sale,
        "return_days": product.return_days,
    }


def search_words(text: str) -> list[str]:
    """The user's words: maximal runs of letters, digits and combining marks, lower-cased.

    Everything else (quotes, '*', ':', '&', '|', '!', '(', '-', '^', '+', '_', ...) separates words, so no
    FTS5 or tsquery operator can survive into a query. At most MAX_SEARCH_WORDS words of MAX_WORD_LENGTH.
    """
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in "LNM":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return [word[:MAX_WORD_LENGTH].lower() for word in words[:MAX_SEARCH_WORDS]]


def fts5_query(words: Sequence[str]) -> str:
    """Every word as a quoted FTS5 string (implicit AND); the last one also as a prefix."""
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_text(words: Sequence[str]) -> str:
    """Every word ANDed for to_tsquery; the last one also as a prefix (':*')."""
    return " & ".join(words) + ":*"


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _positive(operation: str, quantity: int) -> None:
    if quantity < 1:
        raise ValueError(f"{operation} needs a positive quantity, got {quantity}")


def _less(counter: Any, quantity: int) -> Any:
    """`counter - quantity`, stopping at zero (the columns are checked never to go negative)."""
    return case((counter >= quantity, counter - quantity), else_=0)


def _recounted(count: ColumnElement[int]) -> dict[str, Any]:
    """What a recount sets: shelf += count - counted (stopping at zero), counted = count."""
    moved = products.c.stock + count - products.c.counted
    return {"stock": case((moved > 0, moved), else_=0), "counted": count}


class SqlProductRepository(SqlRepository):
    async def get(self, product_id: int) -> Product | None:
        return await self._one(_BY_ID, {"product_id": product_id})

    async def get_by_sku(self, sku: str) -> Product | None:
        return await self._one(select(products).where(products.c.sku == sku))

    async def add(self, product: NewProduct) -> Product:
        values = _details(product) | {"stock": product.stock, "counted": product.stock}  # nothing held yet
        statement = insert(products).values(values).returning(products.c.id)
        product_id = (await self._session.execute(statement)).scalar_one()
        return Product(
            id=product_id,
            sku=product.sku,
            title=product.title,
            description=product.description,
            price=product.price,
            stock=product.stock,
            tags=product.tags,
            photo=product.photo,
            active=product.active,
            brand_id=product.brand_id,
            counted=product.stock,
            kind=product.kind,
            content=product.content,
            final_sale=product.final_sale,
            return_days=product.return_days,
        )

    async def update(self, product: Product) -> None:
        """Overwrite the product's details (not its shelf or held units); LookupError if there is none."""
        statement = update(products).where(products.c.id == product.id).values(_details(product))
        if rowcount(await self._session.execute(statement)) != 1:
            raise LookupError(f"no product with id {product.id}")

    async def recount(self, product_id: int, count: int) -> None:
        """One UPDATE: shelf += count - counted (stopping at zero), counted = count. The held units are left as
        they are, so they stay off sale; units sold since the last count are already off the shelf."""
        if count < 0:
            raise ValueError(f"a count of {count} units")
        statement = update(products).where(products.c.id == product_id).values(_recounted(literal(count)))
        if rowcount(await self._session.execute(statement)) != 1:
            raise LookupError(f"no product with id {product_id}")

    async def get_many_by_sku(self, skus: Sequence[str]) -> dict[str, Product]:
        if not skus:
            return {}
        found = await self._many(select(products).where(products.c.sku.in_(skus)))
        return {product.sku: product for product in found}

    async def add_many(self, new: Sequence[NewProduct]) -> None:
        # Core executemany, no RETURNING: the driver sends the rows in bulk (sqlite3 executemany, asyncpg's
        # pipelined executemany) instead of a round trip and a statement compilation per row.
        rows = [_details(product) | {"stock": product.stock, "counted": product.stock} for product in new]
        if rows:
            await self._session.execute(insert(products), rows)

    async def update_many(self, changes: Sequence[tuple[Product, int]]) -> None:
        if any(count < 0 for _, count in changes):
            raise ValueError("a negative count")
        rows = [_details(product) | {"_id": product.id, "_count": count} for product, count in changes]
        if rows:
            await self._session.execute(self._recount_statement(), rows)

    async def recount_many(self, counts: Sequence[tuple[int, int]]) -> None:
        if any(count < 0 for _, count in counts):
            raise ValueError("a negative count")
        if counts:
            rows = [{"_id": product_id, "_count": count} for product_id, count in counts]
            await self._session.execute(self._recount_statement(), rows)

    def _recount_statement(self) -> Update:
        """`recount` with the id and count as parameters; the other keys of each row set those columns too.

        Kept apart from the details because SQLite's full-text trigger fires on every UPDATE that sets the
        title, description or tags, changed or not: a count alone should not re-index the product."""
        return update(products).where(products.c.id == bindparam("_id")).values(_recounted(bindparam("_count")))

    async def list_active(self, offset: int, limit: int) -> Sequence[Product]:
        return await self._many(_ACTIVE_PAGE, {"offset": max(offset, 0), "limit": max(limit, 0)})

    async def count_active(self) -> int:
        return int((await self._session.execute(_ACTIVE_COUNT)).scalar_one())

    async def list_all(self) -> Sequence[Product]:
        return await self._many(select(products).order_by(products.c.sku))

    async def search(self, text: str, limit: int) -> Sequence[Product]:
        words = search_words(text)
        if not words or limit <= 0:
            return []
        found = await self._many(self._full_text_query(words).limit(limit))
        if found:
            return found
        # Full-text tokenisers keep a run of CJK characters as one word, so '茶' never matches the word
        # '青瓷茶具'. Fall back to substrings of the title and tags (every word must occur in one of them).
        # (On SQLite, LIKE folds case for ASCII letters only.)
        matches: list[ColumnElement[bool]] = [
            or_(
                products.c.title.ilike(_like_pattern(word), escape="\\"),
                products.c.tags.ilike(_like_pattern(word), escape="\\"),
            )
            for word in words
        ]
        query = (
            select(products)
            .where(products.c.active.is_(True), and_(*matches))
            .order_by(products.c.id.desc())
            .limit(limit)
        )
        return await self._many(query)

    def _full_text_query(self, words: Sequence[str]) -> Select[Any]:
        active = products.c.active.is_(True)
        if self._dialect == "sqlite":
            return (
                select(products)
                .join(_products_fts, _products_fts.c.rowid == products.c.id)
                .where(text("products_fts MATCH :fts_query").bindparams(fts_query=fts5_query(words)), active)
                .order_by(text(_BM25), products.c.id)
            )
        query = func.to_tsquery(_SIMPLE, tsquery_text(words))
        return (
            select(products)
            .where(_search_vector.op("@@")(query), active)
            .order_by(func.ts_rank(_search_vector, query).desc(), products.c.id)
        )

    async def claim_stock(self, product_id: int, quantity: int) -> bool:
        """One conditional UPDATE: holds the units only if that many are for sale. Never read-then-write."""
        _positive("claim_stock", quantity)
        statement = (
            update(products)
            .where(products.c.id == product_id, products.c.stock - products.c.held >= quantity)
            .values(held=products.c.held + quantity)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def release_stock(self, product_id: int, quantity: int) -> None:
        _positive("release_stock", quantity)
        statement = update(products).where(products.c.id == product_id).values(held=_less(products.c.held, quantity))
        await self._session.execute(statement)

    async def sell_held(self, product_id: int, quantity: int) -> None:
        """Both counters in one UPDATE. The shelf stops at zero: a brand may have counted fewer units than
        were already held, and the held ones are sold all the same (they were promised first)."""
        _positive("sell_held", quantity)
        statement = (
            update(products)
            .where(products.c.id == product_id)
            .values(stock=_less(products.c.stock, quantity), held=_less(products.c.held, quantity))
        )
        await self._session.execute(statement)

    async def restock(self, product_id: int, quantity: int) -> None:
        _positive("restock", quantity)
        statement = update(products).where(products.c.id == product_id).values(stock=products.c.stock + quantity)
        await self._session.execute(statement)

    async def _one(self, query: Select[Any], parameters: dict[str, Any] | None = None) -> Product | None:
        row = (await self._session.execute(query, parameters)).mappings().first()
        return _product(row) if row is not None else None

    async def _many(self, query: Select[Any], parameters: dict[str, Any] | None = None) -> list[Product]:
        return [_product(row) for row in (await self._session.execute(query, parameters)).mappings()]
