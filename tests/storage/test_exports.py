"""Exports stream on SQLite and PostgreSQL: more rows than one batch come out whole, in order, and `since`
leaves older rows out; the count a progress bar uses agrees with what is streamed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from storage import exports
from storage.database import Database
from storage.rewards_tables import points_entries
from tests.storage.builders import NOW

ROWS = exports.BATCH * 2 + 7  # several batches through the server-side cursor, and a partial last one


async def test_a_ledger_larger_than_a_batch_streams_out_whole_and_in_order(database: Database) -> None:
    values = [
        {
            "user_id": 1000 + n % 3,
            "delta": n + 1,
            "reason": "event",
            "reference": f"event:{n}",
            "created_at": NOW + timedelta(minutes=n),
        }
        for n in range(ROWS)
    ]
    async with database.engine.begin() as connection:
        await connection.execute(insert(points_entries), values)

    streamed = exports.rows(database, "points", None)
    first = await anext(streamed)  # rows arrive one by one from an async stream, not as a list
    rest = [row async for row in streamed]
    deltas = [first[3], *(row[3] for row in rest)]
    assert deltas == list(range(1, ROWS + 1))
    assert first[1] == NOW.isoformat() and first[2] == 1000
    assert await exports.count(database, "points", None) == ROWS

    since = NOW + timedelta(minutes=ROWS - 5)
    recent = [row async for row in exports.rows(database, "points", since)]
    assert [row[3] for row in recent] == [ROWS - 4, ROWS - 3, ROWS - 2, ROWS - 1, ROWS]
    assert await exports.count(database, "points", since) == 5


@pytest.mark.parametrize("kind", sorted(exports.EXPORTS))
async def test_an_empty_shop_exports_nothing_but_every_export_runs(database: Database, kind: str) -> None:
    assert [row async for row in exports.rows(database, kind, NOW)] == []
    assert await exports.count(database, kind, None) == 0
