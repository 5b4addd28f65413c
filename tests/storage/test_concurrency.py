"""Many buyers at once: the conditional UPDATE and ON CONFLICT keep the invariants without app-level locks."""

from __future__ import annotations

import asyncio

from domain.shop.orders import NewPayment, PaymentStatus
from storage.database import Database
from tests.storage.builders import add_product, new_payment


async def test_200_concurrent_buyers_of_50_units_sell_exactly_50(database: Database) -> None:
    product = await add_product(database, stock=50)

    async def buy() -> bool:
        async with database.uow() as uow:
            claimed = await uow.products.claim_stock(product.id, 1)
            await uow.commit()
        return claimed

    results = await asyncio.gather(*(buy() for _ in range(200)))

    assert results.count(True) == 50
    assert results.count(False) == 150
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None and stored.stock == 0


async def test_concurrent_claims_that_read_first_do_not_deadlock_or_fail(database: Database) -> None:
    """A unit of work that reads and then writes (the usual use case shape) must not fail with 'locked'."""
    product = await add_product(database, stock=30)

    async def buy() -> bool:
        async with database.uow() as uow:
            seen = await uow.products.get(product.id)
            assert seen is not None
            claimed = await uow.products.claim_stock(product.id, 1)
            await uow.commit()
        return claimed

    results = await asyncio.gather(*(buy() for _ in range(100)))

    assert results.count(True) == 30
    async with database.uow() as uow:
        stored = await uow.products.get(product.id)
    assert stored is not None and stored.stock == 0


async def test_50_concurrent_deliveries_of_one_charge_record_one_payment(database: Database) -> None:
    payment: NewPayment = new_payment(telegram_charge_id="replayed-charge")

    async def record() -> bool:
        async with database.uow() as uow:
            added = await uow.payments.add_if_new(payment)
            await uow.commit()
        return added is not None

    results = await asyncio.gather(*(record() for _ in range(50)))

    assert results.count(True) == 1
    async with database.uow() as uow:
        recorded = await uow.payments.with_status(PaymentStatus.CAPTURED, 100)
    assert [p.telegram_charge_id for p in recorded] == ["replayed-charge"]
