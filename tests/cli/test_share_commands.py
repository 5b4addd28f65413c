"""`circlecart settlement run|report`: the operator settles missed months and reads the same CSV and chart."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from circlecart.cli import main
from domain.money import Money
from domain.shop.orders import OrderStatus
from storage.database import Database
from storage.migrate import upgrade_async
from tests.storage.builders import add_product, line_for, new_order

GROUP = -1001777


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


async def _a_january_sale(url: str) -> None:
    await upgrade_async(url)
    async with await Database.connect(url) as database:
        async with database.uow() as uow:
            brand = await uow.brands.add("Celadon Works")
            await uow.commit()
        product = await add_product(database, brand_id=brand.id, price=Money(2_000, "EUR"))
        paid = datetime(2026, 1, 20, tzinfo=UTC)
        async with database.uow() as uow:
            order = await uow.orders.add(new_order(line_for(product), community_id=GROUP, created_at=paid))
            await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.PAID, paid_at=paid)
            await uow.commit()


def test_the_operator_settles_missed_months_once_and_reads_the_csv_and_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    asyncio.run(_a_january_sale(url))
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", url)
    monkeypatch.setenv("CIRCLECART_PLATFORM_FEE_BP", "250")
    clock = FixedClock(datetime(2026, 3, 2, tzinfo=UTC))

    assert main(["settlement", "run"], clock=clock) == 0
    assert capsys.readouterr().out == "settled 2026-01, 2026-02\n"
    assert main(["settlement", "run"], clock=clock) == 0
    assert capsys.readouterr().out == "every ended month is settled already\n"

    chart = tmp_path / "chart.png"
    assert main(["settlement", "report", "--community", str(GROUP), "--chart", str(chart)], clock=clock) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["month"], r["currency"], r["gross"], r["commission"], r["platform_fee"], r["net"]) for r in rows] == [
        ("2026-01", "EUR", "2000", "0", "50", "1950"),
        ("total", "EUR", "2000", "0", "50", "1950"),
    ]
    assert chart.read_bytes().startswith(b"\x89PNG")
