"""A large catalog imports in batches, one transaction: a bad line anywhere imports nothing and is named.

Issue 16, item 6. Timings are for `bench/catalog_import.py`; these tests check the behaviour that makes the
import streamed: the file is not built into a list first, each batch costs a fixed number of statements
whatever its size, and all or nothing still holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from circlecart.catalog_io import import_file
from circlecart.errors import CliError
from domain.money import Money
from domain.shop.catalog import IMPORT_BATCH, ImportItem, ImportReport, import_products
from domain.shop.products import NewProduct
from storage.database import Database

HEADER = "sku,title,price,currency,stock,tags,brand\n"


def row(i: int, stock: int = 5) -> str:
    return f"SKU-{i:05d},Print {i},{10 + i % 90}.50,EUR,{stock},art;paper,Studio {i % 3}\n"


def write_catalog(path: Path, rows: int, bad_line: int | None = None) -> Path:
    lines = [HEADER]
    for i in range(rows):
        lines.append(row(i))
    if bad_line is not None:  # line 1 is the header
        lines[bad_line - 1] = "SKU-BAD,Print,12.50,EUR,minus three,art,Studio 0\n"
    path.write_text("".join(lines), encoding="utf-8")
    return path


async def count_products(database_url: str) -> int:
    database = await Database.connect(database_url)
    try:
        async with database.uow() as uow:
            return len(await uow.products.list_all())
    finally:
        await database.dispose()


async def test_a_bad_line_deep_in_a_large_file_imports_nothing_and_is_named(database_url: str, tmp_path: Path) -> None:
    good = write_catalog(tmp_path / "good.csv", 3)
    assert await import_file(database_url, good) == ImportReport(3, 0, 0)

    bad = write_catalog(tmp_path / "catalog.csv", 6000, bad_line=5000)
    with pytest.raises(CliError) as raised:
        await import_file(database_url, bad)
    message = str(raised.value)
    assert "nothing was imported" in message
    assert "line 5000: stock 'minus three' must be a whole number" in message
    assert message.count("line ") == 1
    assert await count_products(database_url) == 3  # the three of before, and not one row of the 6,000


async def test_a_file_that_changes_between_the_check_and_the_write_is_rolled_back(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read twice; if it went bad in between, the rows already written are rolled back."""
    import circlecart.catalog_io as catalog_io

    path = write_catalog(tmp_path / "catalog.csv", 2500)
    check = catalog_io._check

    def check_then_spoil(*args: Any) -> int:
        count = check(*args)
        write_catalog(path, 2500, bad_line=2400)  # after two batches are written
        return count

    monkeypatch.setattr(catalog_io, "_check", check_then_spoil)
    with pytest.raises(CliError) as raised:
        await import_file(database_url, path)
    assert "line 2400:" in str(raised.value)
    assert await count_products(database_url) == 0


async def test_many_problems_are_counted_and_the_first_hundred_listed(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + "".join(f"SKU-{i},Print,0,EUR,1,,\n" for i in range(250)), encoding="utf-8")
    with pytest.raises(CliError) as raised:
        await import_file(database_url, path)
    message = str(raised.value)
    assert message.count("\nline ") == 100 and "line 2: price must be more than 0 EUR" in message
    assert message.rstrip().endswith("... and 150 more problems after these (fix these first)")


def items(count: int, pulled: list[int], stock: int = 3) -> Iterator[ImportItem]:
    for i in range(count):
        pulled[0] += 1
        yield ImportItem(NewProduct(f"SKU-{i:05d}", f"Print {i}", "", Money(500, "EUR"), stock), f"Studio {i % 3}")


async def test_import_products_reads_its_items_a_batch_at_a_time(database: Database) -> None:
    pulled = [0]
    written: list[tuple[int, int]] = []
    async with database.uow() as uow:
        add_many = uow.products.add_many

        async def spy(products: Sequence[NewProduct]) -> None:
            written.append((pulled[0], len(products)))
            await add_many(products)

        uow.products.add_many = spy  # type: ignore[method-assign]
        report = await import_products(uow, items(2500, pulled))
        await uow.commit()
    assert report == ImportReport(2500, 0, 0)
    # a full batch is written while the next is read, and before the one after it starts: never more than
    # two batches read ahead of what is written
    assert [size for _, size in written] == [IMPORT_BATCH, IMPORT_BATCH, 500]
    for batch, (read, _) in enumerate(written[:2], start=1):
        assert batch * IMPORT_BATCH < read <= (batch + 1) * IMPORT_BATCH + 1


async def test_a_batch_costs_the_same_statements_whatever_its_size(database: Database) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        for size, stock in ((10, 3), (IMPORT_BATCH, 3), (IMPORT_BATCH, 4)):
            statements.clear()
            async with database.uow() as uow:
                report = await import_products(uow, items(size, [0], stock))
                await uow.commit()
            kinds = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE")]
            if stock == 3 and size == 10:
                assert report == ImportReport(10, 0, 0)
                # three brands looked up and added, one SELECT of the SKUs, one bulk INSERT
                assert kinds == ["SELECT", "INSERT"] * 3 + ["SELECT", "INSERT"]
            elif stock == 3:
                assert report == ImportReport(IMPORT_BATCH - 10, 0, 10)
                # the brands are known now (looked up again: one import is one call), SKUs, one INSERT
                assert kinds == ["SELECT"] * 3 + ["SELECT", "INSERT"]
            else:
                assert report == ImportReport(0, IMPORT_BATCH, 0)
                assert kinds == ["SELECT"] * 3 + ["SELECT", "UPDATE"]  # one bulk recount, nothing else changed
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)


async def test_a_failure_while_reading_waits_for_the_batch_being_written_and_imports_nothing(
    database: Database,
) -> None:
    def failing() -> Iterator[ImportItem]:
        yield from items(IMPORT_BATCH + 10, [0])
        raise ValueError("the file could not be read further")

    with pytest.raises(ValueError, match="could not be read further"):
        async with database.uow() as uow:
            await import_products(uow, failing())
    async with database.uow() as uow:
        assert await uow.products.list_all() == []


async def test_a_sku_given_twice_to_import_products_updates_the_first(database: Database) -> None:
    first = ImportItem(NewProduct("TEA-1", "Tea", "", Money(500, "EUR"), 3), None)
    second = ImportItem(NewProduct("TEA-1", "Tea, renamed", "", Money(500, "EUR"), 4), None)
    async with database.uow() as uow:
        report = await import_products(uow, [first, second])
        await uow.commit()
    assert report == ImportReport(1, 1, 0)
    async with database.uow() as uow:
        found = await uow.products.get_by_sku("TEA-1")
    assert found is not None and (found.title, found.stock, found.counted) == ("Tea, renamed", 4, 4)
