"""Fill a migrated database with a large shop, fast: members, branded products, a points ledger, memberships.

For tests that count SQL statements at two sizes and for `bench/memory.py`. Rows are written at the storage
level, not through the domain: PostgreSQL gets them by COPY (asyncpg ``copy_records_to_table``), SQLite by
SQLAlchemy Core ``executemany`` in chunks. Every size gives the same shape, so only the number of rows differs:

- members ``FIRST_MEMBER_ID, FIRST_MEMBER_ID + 1, ...`` (ids far from the ones the scenario harness hands out);
- products ``BULK-000000, ...`` active, in stock, Stars-priced, each with one of ``BRANDS`` brands, titled
  ``Bulk item N`` with the tags ``bulk`` and a colour;
- ``ledger_rows`` purchase entries, dealt round-robin to the members (so member ``FIRST_MEMBER_ID`` has
  ``ceil(ledger_rows / members)`` of them), each lot expiring a year after the shop's clock, with the
  accounts' balances matching;
- `seed_memberships`: an active membership of one plan for every member (for /membership and join requests).

Only tables and columns that exist since the "before" commit of issue 16 are written, so the benches that use
this also run there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.memberships_tables
import storage.rewards_tables
import storage.tables  # noqa: F401  (the tables register in SQLModel's metadata)
from storage.database import create_engine

FIRST_MEMBER_ID = 7_000_000_000
BRANDS = ("Celadon Works", "Crane & Pine", "Moonlit Kiln", "Tidewater Tea")
PRICE = 100  # Stars
STOCK = 1_000_000  # never sold out, whatever a bench buys
POINTS_PER_ENTRY = 10
COLOURS = ("jade", "ochre", "indigo", "ivory", "cinnabar")
_CHUNK = 10_000


@dataclass(frozen=True)
class LargeShop:
    members: int
    products: int
    ledger_rows: int

    @property
    def first_member(self) -> int:
        return FIRST_MEMBER_ID

    def member_id(self, index: int) -> int:
        return FIRST_MEMBER_ID + index % self.members

    def sku(self, index: int) -> str:
        return f"BULK-{index % self.products:06d}"


def _member_rows(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        # id, first_name, username, telegram_language, chosen_language, started_bot, blocked_bot, created_at
        yield (FIRST_MEMBER_ID + index, f"Member {index}", f"member{index}", "en", None, True, False, now)


def _product_rows(count: int, brand_ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        colour = COLOURS[index % len(COLOURS)]
        yield (
            index + 1,  # id
            f"BULK-{index:06d}",  # sku
            f"Bulk item {index} {colour}",  # title
            f"A {colour} thing from the bulk shelf.",  # description
            PRICE,  # price_amount
            "XTR",  # currency
            STOCK,  # stock
            0,  # held
            STOCK,  # counted
            f'["bulk", "{colour}"]',  # tags
            None,  # photo
            True,  # active
            brand_ids[index % len(brand_ids)],  # brand_id
            "physical",  # kind
            None,  # content
            False,  # final_sale
            None,  # return_days
        )


_PRODUCT_COLUMNS = (
    "id",
    "sku",
    "title",
    "description",
    "price_amount",
    "currency",
    "stock",
    "held",
    "counted",
    "tags",
    "photo",
    "active",
    "brand_id",
    "kind",
    "content",
    "final_sale",
    "return_days",
)
_MEMBER_COLUMNS = (
    "id",
    "first_name",
    "username",
    "telegram_language",
    "chosen_language",
    "started_bot",
    "blocked_bot",
    "created_at",
)
_ENTRY_COLUMNS = ("id", "user_id", "delta", "reason", "reference", "created_at", "expires_at", "shortfall")
_MEMBERSHIP_COLUMNS = (
    "user_id",
    "plan_id",
    "version_id",
    "status",
    "started_at",
    "period_end",
    "grace_end",
    "stars",
    "trial_used",
    "seat",
    "revision",
)


def _entry_rows(count: int, members: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    expires = now + timedelta(days=365)
    for index in range(count):
        created = now - timedelta(minutes=count - index)
        yield (index + 1, FIRST_MEMBER_ID + index % members, POINTS_PER_ENTRY, "purchase", f"bulk-{index}", created,
               expires, 0)  # fmt: skip


def _account_rows(members: int, ledger_rows: int) -> Iterator[tuple[int, int]]:
    for index in range(members):
        entries = ledger_rows // members + (1 if index < ledger_rows % members else 0)
        if entries:
            yield (FIRST_MEMBER_ID + index, entries * POINTS_PER_ENTRY)


def _membership_rows(
    members: int, plan_id: int, version_id: int, now: datetime, skip: frozenset[int]
) -> Iterator[tuple[Any, ...]]:
    period_end = now + timedelta(days=30)
    for index in range(members):
        user_id = FIRST_MEMBER_ID + index
        if user_id not in skip:
            yield (user_id, plan_id, version_id, "active", now, period_end, period_end + timedelta(days=3), True,
                   False, "none", 0)  # fmt: skip


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = _CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def seed_large_shop(url: str, size: LargeShop, now: datetime) -> None:
    """Write `size` into the migrated, empty database at `url` (ids of products and entries start at 1)."""
    brands = [(index + 1, name) for index, name in enumerate(BRANDS)]
    brand_ids = [brand_id for brand_id, _ in brands]
    tables: list[tuple[str, Sequence[str], Iterator[tuple[Any, ...]]]] = [
        ("brands", ("id", "name"), iter(brands)),
        ("members", _MEMBER_COLUMNS, _member_rows(size.members, now)),
        ("products", _PRODUCT_COLUMNS, _product_rows(size.products, brand_ids)),
        ("points_entries", _ENTRY_COLUMNS, _entry_rows(size.ledger_rows, size.members, now)),
        ("points_accounts", ("user_id", "balance"), _account_rows(size.members, size.ledger_rows)),
    ]
    await _write(url, tables, sequences=("brands", "products", "points_entries"))


async def seed_memberships(
    url: str, size: LargeShop, plan_id: int, version_id: int, now: datetime, skip: Sequence[int] = ()
) -> None:
    """An active membership of plan `plan_id` for every seeded member but those in `skip`."""
    rows = _membership_rows(size.members, plan_id, version_id, now, frozenset(skip))
    await _write(url, [("memberships", _MEMBERSHIP_COLUMNS, rows)], sequences=())


async def _write(
    url: str, tables: Sequence[tuple[str, Sequence[str], Iterator[tuple[Any, ...]]]], sequences: Sequence[str]
) -> None:
    if _is_postgres(url):
        connection = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            async with connection.transaction():
                for name, columns, rows in tables:
                    for chunk in _chunks(rows, 100_000):
                        await connection.copy_records_to_table(name, records=chunk, columns=list(columns))
                for name in sequences:
                    # COPY gave explicit ids: move the serial past them, as the app's own inserts will follow
                    await connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                    )
                analyzed = ", ".join(name for name, _, _ in tables)
            await connection.execute(f"ANALYZE {analyzed}")
        finally:
            await connection.close()
        return
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for name, columns, rows in tables:
                table = SQLModel.metadata.tables[name]  # the app's own types: UTCDateTime stores as the app reads
                for chunk in _chunks(rows):
                    await connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in chunk])
    finally:
        await engine.dispose()
