"""A pre-checkout's hold on SQLite and PostgreSQL: the claim, the order, the allowance and the drop's unit move
together or not at all, under concurrency, and on PostgreSQL in one statement that leaves no lock behind."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from domain.drops.buying import pre_checkout_hold
from domain.drops.model import ClaimStatus, DropClaim, DropPlan, DropStatus, UnitsHold, UnitsTaken
from domain.money import Money
from domain.shop.orders import OrderStatus
from storage.database import Database
from tests.storage.builders import NOW, add_product, later, line_for, new_order

EXPIRES = NOW + timedelta(minutes=15)


async def _drop(database: Database, quantity: int, limit: int = 2) -> tuple[int, int]:
    async with database.uow() as uow:
        brand = await uow.brands.add(f"Brand {quantity} {limit}")
        await uow.commit()
    product = await add_product(database, brand_id=brand.id)
    plan = DropPlan(brand.id, product.id, quantity, Money(200, "XTR"), later(3600), later(7200), limit, 0)
    async with database.uow() as uow:
        drop = await uow.drops.add(plan, product.title, DropStatus.OPEN, 7, NOW, "seed", "hash")
        await uow.commit()
    return drop.id, product.id


async def _waiting_claim(database: Database, drop_id: int, product_id: int, user_id: int) -> UnitsHold:
    """An order for one unit of the drop and its claim, waiting for a pre-checkout (as Buy leaves them)."""
    async with database.uow() as uow:
        product = await uow.products.get(product_id)
        drop = await uow.drops.get(drop_id)
        assert product is not None and drop is not None
        order = await uow.orders.add(new_order(line_for(product), user_id=user_id))
        claim = DropClaim(order.id, drop_id, user_id, 1, ClaimStatus.PENDING, None, NOW)
        await uow.drop_claims.add(claim)
        await uow.commit()
    return pre_checkout_hold(drop, claim, EXPIRES)


async def _hold(database: Database, hold: UnitsHold) -> UnitsTaken:
    async with database.autocommit() as uow:
        taken = await uow.drops.hold_units(hold)
        await uow.commit()
    return taken


async def _state(database: Database, hold: UnitsHold) -> tuple[ClaimStatus, OrderStatus, int, int]:
    """The claim's and the order's status, the member's allowance used and the drop's claimed units."""
    async with database.reader() as uow:
        claim = await uow.drop_claims.get(hold.order_id)
        order = await uow.orders.get(hold.order_id)
        drop = await uow.drops.get(hold.drop_id)
        used = await uow.drop_claims.allowance_used(hold.drop_id, hold.user_id)
    assert claim is not None and order is not None and drop is not None
    return claim.status, order.status, used, drop.claimed


async def test_a_hold_moves_the_claim_the_order_the_allowance_and_the_unit(database: Database) -> None:
    drop_id, product_id = await _drop(database, quantity=3)
    hold = await _waiting_claim(database, drop_id, product_id, user_id=7)
    assert await _hold(database, hold) is UnitsTaken.TAKEN
    assert await _state(database, hold) == (ClaimStatus.HELD, OrderStatus.HELD, 1, 1)
    async with database.reader() as uow:
        claim = await uow.drop_claims.get(hold.order_id)
    assert claim is not None and claim.expires_at == EXPIRES


async def test_a_refused_hold_writes_nothing(database: Database) -> None:
    drop_id, product_id = await _drop(database, quantity=1, limit=1)
    first = await _waiting_claim(database, drop_id, product_id, user_id=7)
    second = await _waiting_claim(database, drop_id, product_id, user_id=8)
    over_limit = await _waiting_claim(database, drop_id, product_id, user_id=7)
    assert await _hold(database, first) is UnitsTaken.TAKEN
    assert await _hold(database, second) is UnitsTaken.SOLD_OUT
    assert await _state(database, second) == (ClaimStatus.PENDING, OrderStatus.PENDING, 0, 1)
    limited = replace(over_limit, limit=1)
    assert await _hold(database, limited) is UnitsTaken.LIMIT_REACHED
    assert await _state(database, over_limit) == (ClaimStatus.PENDING, OrderStatus.PENDING, 1, 1)
    # Holding an order that is held already moves nothing more.
    assert await _hold(database, first) is UnitsTaken.NOT_WAITING
    assert await _state(database, first) == (ClaimStatus.HELD, OrderStatus.HELD, 1, 1)


async def test_a_member_at_the_limit_is_refused_while_units_remain(database: Database) -> None:
    drop_id, product_id = await _drop(database, quantity=5, limit=1)
    first = await _waiting_claim(database, drop_id, product_id, user_id=7)
    second = await _waiting_claim(database, drop_id, product_id, user_id=7)
    assert await _hold(database, replace(first, limit=1)) is UnitsTaken.TAKEN
    assert await _hold(database, replace(second, limit=1)) is UnitsTaken.LIMIT_REACHED
    assert await _state(database, second) == (ClaimStatus.PENDING, OrderStatus.PENDING, 1, 1)


async def test_an_order_that_moved_on_is_not_held(database: Database) -> None:
    """A late payment refused meanwhile left the order to be refunded: its pre-checkout holds nothing."""
    drop_id, product_id = await _drop(database, quantity=5)
    hold = await _waiting_claim(database, drop_id, product_id, user_id=7)
    async with database.uow() as uow:
        assert await uow.orders.transition(hold.order_id, (OrderStatus.PENDING,), OrderStatus.REFUND_DUE)
        await uow.commit()
    assert await _hold(database, hold) is UnitsTaken.NOT_WAITING
    assert await _state(database, hold) == (ClaimStatus.PENDING, OrderStatus.REFUND_DUE, 0, 0)


async def test_a_hold_takes_no_unit_from_a_drop_not_in_the_statuses_asked(database: Database) -> None:
    drop_id, product_id = await _drop(database, quantity=3)
    hold = await _waiting_claim(database, drop_id, product_id, user_id=7)
    closed_only = replace(hold, drop_statuses=(DropStatus.CLOSED,))
    assert await _hold(database, closed_only) is UnitsTaken.SOLD_OUT
    assert await _state(database, hold) == (ClaimStatus.PENDING, OrderStatus.PENDING, 0, 0)


async def test_racing_holds_of_many_members_hold_exactly_the_units_there_are(database: Database) -> None:
    drop_id, product_id = await _drop(database, quantity=10)
    holds = [await _waiting_claim(database, drop_id, product_id, user_id=100 + n) for n in range(30)]
    results = await asyncio.gather(*(_hold(database, hold) for hold in holds))
    assert results.count(UnitsTaken.TAKEN) == 10 and results.count(UnitsTaken.SOLD_OUT) == 20
    states = [await _state(database, hold) for hold in holds]
    held = [state for state in states if state[0] is ClaimStatus.HELD]
    waiting = [state for state in states if state[0] is ClaimStatus.PENDING]
    assert len(held) == 10 and all(state[1:3] == (OrderStatus.HELD, 1) for state in held)
    assert len(waiting) == 20 and all(state[1:3] == (OrderStatus.PENDING, 0) for state in waiting)
    assert {state[3] for state in states} == {10}


async def test_racing_holds_of_one_order_hold_it_once(database: Database) -> None:
    drop_id, product_id = await _drop(database, quantity=10)
    hold = await _waiting_claim(database, drop_id, product_id, user_id=7)
    results = await asyncio.gather(*(_hold(database, hold) for _ in range(8)))
    assert results.count(UnitsTaken.TAKEN) == 1 and results.count(UnitsTaken.NOT_WAITING) == 7
    assert await _state(database, hold) == (ClaimStatus.HELD, OrderStatus.HELD, 1, 1)


async def test_a_hold_is_one_statement_on_postgresql(postgres_database: Database) -> None:
    drop_id, product_id = await _drop(postgres_database, quantity=3)
    hold = await _waiting_claim(postgres_database, drop_id, product_id, user_id=7)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(postgres_database.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await _hold(postgres_database, hold) is UnitsTaken.TAKEN
    finally:
        event.remove(postgres_database.engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1


async def test_a_hold_that_loses_the_last_unit_while_it_waits_writes_nothing(
    postgres_database: Database, postgres_url: str
) -> None:
    """The hold waits on the drop's row, which another session sells out meanwhile: it is refused in its one
    statement, and no allowance was moved that would need giving back."""
    drop_id, product_id = await _drop(postgres_database, quantity=3)
    hold = await _waiting_claim(postgres_database, drop_id, product_id, user_id=7)
    other = await asyncpg.connect(_dsn(postgres_url))
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(postgres_database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with other.transaction():
            await other.execute("SELECT 1 FROM drops WHERE id = $1 FOR UPDATE", drop_id)
            waiting = asyncio.create_task(_hold(postgres_database, hold))
            await _until_a_session_waits_on_a_lock(other)
            await other.execute("UPDATE drops SET claimed = quantity WHERE id = $1", drop_id)
        assert await waiting is UnitsTaken.SOLD_OUT
    finally:
        event.remove(postgres_database.engine.sync_engine, "before_cursor_execute", count)
        await other.close()
    assert len(statements) == 1
    assert await _state(postgres_database, hold) == (ClaimStatus.PENDING, OrderStatus.PENDING, 0, 3)


async def _until_a_session_waits_on_a_lock(observer: asyncpg.Connection) -> None:
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    for _ in range(2000):  # polls until it happens (at most 20 s): the test never depends on how fast
        if await observer.fetchval(query):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the hold never waited on the drop's row")


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_a_hold_in_an_autocommit_unit_leaves_the_drop_unlocked_before_its_commit(
    postgres_database: Database, postgres_url: str
) -> None:
    """What makes a rush fast on PostgreSQL: the next buyer does not wait for this one's COMMIT."""
    drop_id, product_id = await _drop(postgres_database, quantity=3)
    hold = await _waiting_claim(postgres_database, drop_id, product_id, user_id=7)
    other = await asyncpg.connect(_dsn(postgres_url))
    try:
        async with postgres_database.autocommit() as uow:
            assert await uow.drops.hold_units(hold) is UnitsTaken.TAKEN
            # Still inside the unit of work, before any commit: another session locks the row at once
            # (NOWAIT raises if it is locked) and already reads the unit as claimed.
            claimed = await other.fetchval("SELECT claimed FROM drops WHERE id = $1 FOR UPDATE NOWAIT", drop_id)
            assert claimed == 1
        async with postgres_database.uow() as uow:
            assert await uow.drops.claim_units(drop_id, 1, (DropStatus.OPEN,))
            # An ordinary unit of work keeps its lock until the end of its transaction.
            with pytest.raises(asyncpg.LockNotAvailableError):
                await other.fetchval("SELECT claimed FROM drops WHERE id = $1 FOR UPDATE NOWAIT", drop_id)
    finally:
        await other.close()


async def test_a_hold_extended_after_it_lapsed_is_not_released_by_a_stale_reading(database: Database) -> None:
    """The expiry job lists lapsed holds, then releases each: a pre-checkout that extended one in between
    keeps it, and its unit."""
    drop_id, product_id = await _drop(database, quantity=3)
    hold = await _waiting_claim(database, drop_id, product_id, user_id=7)
    assert await _hold(database, hold) is UnitsTaken.TAKEN
    after_expiry = EXPIRES + timedelta(seconds=1)
    async with database.uow() as uow:
        listed = await uow.drop_claims.due(after_expiry, 10)
        assert [claim.order_id for claim in listed] == [hold.order_id]
        assert await uow.drop_claims.extend(hold.order_id, after_expiry + timedelta(minutes=15))
        released = await uow.drop_claims.transition(
            hold.order_id, (ClaimStatus.HELD,), ClaimStatus.RELEASED, lapsed_by=after_expiry
        )
        await uow.commit()
    assert not released
    assert await _state(database, hold) == (ClaimStatus.HELD, OrderStatus.HELD, 1, 1)
