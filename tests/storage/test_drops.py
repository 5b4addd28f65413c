"""Drop repositories on SQLite and PostgreSQL: conditional updates hold under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from domain.drops.beacon import BeaconValue
from domain.drops.model import ClaimStatus, DropClaim, DropMode, DropPlan, DropStatus, EntryStatus, UnitsTaken
from domain.money import Money
from storage.database import Database
from tests.storage.builders import NOW, add_product, later, line_for, new_order


async def _drop(
    database: Database, quantity: int = 10, mode: DropMode = DropMode.FIRST_COME, status: DropStatus = DropStatus.OPEN
) -> int:
    async with database.uow() as uow:
        brand = await uow.brands.add(f"Brand {quantity} {mode} {status}")
        await uow.commit()
    product = await add_product(database, brand_id=brand.id)
    plan = DropPlan(
        brand.id, product.id, quantity, Money(200, "XTR"), later(3600), later(7200), 2, 15, mode, (-1001, -1002)
    )
    async with database.uow() as uow:
        drop = await uow.drops.add(plan, product.title, status, 7, NOW, "seed", "hash")
        await uow.commit()
    return drop.id


async def test_a_drop_is_stored_and_read_back_with_its_plan(database: Database) -> None:
    drop_id = await _drop(database)
    async with database.uow() as uow:
        drop = await uow.drops.get(drop_id)
    assert drop is not None
    assert (drop.quantity, drop.price, drop.per_member_limit, drop.early_access_minutes) == (
        10,
        Money(200, "XTR"),
        2,
        15,
    )
    assert drop.communities == (-1002, -1001)
    assert drop.starts_at == later(3600) and drop.starts_at.tzinfo is not None
    assert (drop.status, drop.claimed, drop.sold, drop.seed_hash) == (DropStatus.OPEN, 0, 0, "hash")


async def test_transitions_are_conditional(database: Database) -> None:
    drop_id = await _drop(database, status=DropStatus.SCHEDULED)
    async with database.uow() as uow:
        assert await uow.drops.transition(drop_id, (DropStatus.SCHEDULED,), DropStatus.OPEN, later(3600))
        assert not await uow.drops.transition(drop_id, (DropStatus.SCHEDULED,), DropStatus.OPEN, later(3601))
        assert not await uow.drops.mark_teaser(drop_id, 60)  # teasers only while scheduled
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None and drop.opened_at == later(3600)


async def test_teasers_are_marked_once_and_only_moving_closer(database: Database) -> None:
    drop_id = await _drop(database, status=DropStatus.SCHEDULED)
    async with database.uow() as uow:
        assert await uow.drops.mark_teaser(drop_id, 1440)
        assert not await uow.drops.mark_teaser(drop_id, 1440)
        assert await uow.drops.mark_teaser(drop_id, 60)
        assert not await uow.drops.mark_teaser(drop_id, 1440)
        await uow.commit()


async def test_50_concurrent_claims_on_10_units_take_exactly_10(database: Database) -> None:
    drop_id = await _drop(database, quantity=10)

    async def claim() -> bool:
        async with database.uow() as uow:
            taken = await uow.drops.claim_units(drop_id, 1, (DropStatus.OPEN,))
            await uow.commit()
        return taken

    results = await asyncio.gather(*(claim() for _ in range(50)))
    assert results.count(True) == 10
    async with database.uow() as uow:
        drop = await uow.drops.get(drop_id)
    assert drop is not None and drop.claimed == 10 and drop.remaining == 0


async def test_a_members_allowance_holds_under_concurrent_takes(database: Database) -> None:
    drop_id = await _drop(database)

    async def take() -> bool:
        async with database.uow() as uow:
            taken = await uow.drops.claim_for_member(drop_id, 42, 1, 2, (DropStatus.OPEN,))
            await uow.commit()
        return taken is UnitsTaken.TAKEN

    assert (await asyncio.gather(*(take() for _ in range(12)))).count(True) == 2
    async with database.uow() as uow:
        assert await uow.drop_claims.allowance_used(drop_id, 42) == 2
        await uow.drop_claims.give_back_allowance(drop_id, 42, 1)
        assert await uow.drops.claim_for_member(drop_id, 42, 1, 2, (DropStatus.OPEN,)) is UnitsTaken.TAKEN
        assert await uow.drops.claim_for_member(drop_id, 42, 1, 2, (DropStatus.OPEN,)) is UnitsTaken.LIMIT_REACHED


async def test_a_rush_of_members_claims_exactly_the_units_and_their_allowances(database: Database) -> None:
    drop_id = await _drop(database, quantity=10)

    async def claim(user_id: int) -> UnitsTaken:
        async with database.uow() as uow:
            taken = await uow.drops.claim_for_member(drop_id, user_id, 1, 2, (DropStatus.OPEN,))
            await uow.commit()
        return taken

    results = await asyncio.gather(*(claim(user) for user in range(1, 31)))
    assert results.count(UnitsTaken.TAKEN) == 10 and results.count(UnitsTaken.SOLD_OUT) == 20
    async with database.uow() as uow:
        drop = await uow.drops.get(drop_id)
        used = [await uow.drop_claims.allowance_used(drop_id, user) for user in range(1, 31)]
    assert drop is not None and drop.claimed == 10
    assert sorted(used) == [0] * 20 + [1] * 10  # a refused claim keeps no allowance


async def test_one_members_racing_claims_stay_within_the_limit(database: Database) -> None:
    drop_id = await _drop(database, quantity=10)

    async def claim() -> UnitsTaken:
        async with database.uow() as uow:
            taken = await uow.drops.claim_for_member(drop_id, 42, 1, 2, (DropStatus.OPEN,))
            await uow.commit()
        return taken

    results = await asyncio.gather(*(claim() for _ in range(12)))
    assert results.count(UnitsTaken.TAKEN) == 2 and results.count(UnitsTaken.LIMIT_REACHED) == 10
    async with database.uow() as uow:
        drop = await uow.drops.get(drop_id)
        assert await uow.drop_claims.allowance_used(drop_id, 42) == 2
    assert drop is not None and drop.claimed == 2


async def test_a_claim_moves_both_counters_or_neither(database: Database) -> None:
    drop_id = await _drop(database, quantity=3)
    async with database.uow() as uow:
        claim = uow.drops.claim_for_member
        assert await claim(drop_id, 7, 3, 2, (DropStatus.OPEN,)) is UnitsTaken.LIMIT_REACHED  # more than the limit
        assert await claim(drop_id, 7, 1, 2, (DropStatus.SCHEDULED,)) is UnitsTaken.SOLD_OUT  # not in the statuses
        assert await claim(drop_id, 7, 2, 2, (DropStatus.OPEN,)) is UnitsTaken.TAKEN
        assert await claim(drop_id, 8, 2, 2, (DropStatus.OPEN,)) is UnitsTaken.SOLD_OUT  # one unit left
        # Both refuse: the member hears about their limit, as when the allowance was checked first.
        assert await claim(drop_id, 7, 2, 2, (DropStatus.OPEN,)) is UnitsTaken.LIMIT_REACHED
        assert await claim(drop_id, 8, 1, 2, (DropStatus.OPEN,)) is UnitsTaken.TAKEN
        assert await claim(drop_id, 9, 1, 2, (DropStatus.OPEN,)) is UnitsTaken.SOLD_OUT
        await uow.commit()
        drop = await uow.drops.get(drop_id)
        used = [await uow.drop_claims.allowance_used(drop_id, user) for user in (7, 8, 9)]
    assert drop is not None and drop.claimed == 3
    assert used == [2, 1, 0]


async def test_a_claim_is_one_statement_on_postgresql_and_two_on_sqlite(database: Database) -> None:
    drop_id = await _drop(database, quantity=3)
    statements: list[str] = []

    def count(*args: object) -> None:
        if not str(args[2]).startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE (see storage.database)
            statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.uow() as uow:
            assert await uow.drops.claim_for_member(drop_id, 7, 1, 2, (DropStatus.OPEN,)) is UnitsTaken.TAKEN
            await uow.commit()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == (1 if database.dialect == "postgresql" else 2)


async def test_sales_are_recorded_and_the_first_to_sell_out_is_stamped(database: Database) -> None:
    drop_id = await _drop(database, quantity=2)
    async with database.uow() as uow:
        await uow.drops.record_sale(drop_id, 1, 200, later(10))
        await uow.drops.record_sale(drop_id, 1, 200, later(20))
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None and (drop.sold, drop.revenue, drop.sold_out_at) == (2, 400, later(20))


async def test_claims_follow_their_holds(database: Database) -> None:
    drop_id = await _drop(database)
    product = await add_product(database)
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(product), user_id=42))
        await uow.drop_claims.add(DropClaim(order.id, drop_id, 42, 1, ClaimStatus.PENDING, None, NOW))
        assert (await uow.drop_claims.open_for(drop_id, 42)).order_id == order.id  # type: ignore[union-attr]
        assert await uow.drop_claims.transition(
            order.id, (ClaimStatus.PENDING,), ClaimStatus.HELD, expires_at=later(60)
        )
        assert await uow.drop_claims.extend(order.id, later(120))
        assert await uow.drop_claims.held_count(drop_id) == 1
        assert [c.order_id for c in await uow.drop_claims.due(later(121), 10)] == [order.id]
        assert await uow.drop_claims.transition(order.id, (ClaimStatus.HELD,), ClaimStatus.PAID, paid_at=later(70))
        assert not await uow.drop_claims.extend(order.id, later(180))
        await uow.commit()
        assert [c.paid_at for c in await uow.drop_claims.paid(drop_id)] == [later(70)]
        assert await uow.drop_claims.open_for(drop_id, 42) is None


async def test_targets_remember_what_the_announcement_shows(database: Database) -> None:
    drop_id = await _drop(database)
    async with database.uow() as uow:
        assert await uow.drops.add_target(drop_id, -1001)
        assert not await uow.drops.add_target(drop_id, -1001)
        await uow.drops.set_announced(drop_id, -1001, 7, "drop:1:edit:-1001:1")
        await uow.commit()
        (target,) = await uow.drops.targets(drop_id)
    assert (target.chat_id, target.announced_remaining, target.last_edit_key) == (-1001, 7, "drop:1:edit:-1001:1")


async def test_raffle_entries_are_ranked_offered_and_passed_on(database: Database) -> None:
    drop_id = await _drop(database, mode=DropMode.RAFFLE)
    async with database.uow() as uow:
        for user in (5, 6, 7):
            assert await uow.drop_fans.enter(drop_id, user, NOW)
        assert not await uow.drop_fans.enter(drop_id, 5, NOW)
        for rank, user in enumerate((7, 5, 6)):
            await uow.drop_fans.set_rank(drop_id, user, rank)
        assert await uow.drop_fans.move_entry(drop_id, 7, (EntryStatus.ENTERED,), EntryStatus.OFFERED, later(60))
        assert [e.user_id for e in await uow.drop_fans.entries(drop_id)] == [7, 5, 6]
        assert [e.user_id for e in await uow.drop_fans.lapsed_offers(later(61), 10)] == [7]
        assert [e.user_id for e in await uow.drop_fans.next_in_line(drop_id, 1)] == [5]
        assert await uow.drop_fans.count(drop_id, (EntryStatus.OFFERED,)) == 1
        await uow.commit()


async def test_raffle_entrants_have_unique_pseudonyms_and_count_only_while_open(database: Database) -> None:
    drop_id = await _drop(database, mode=DropMode.RAFFLE)
    async with database.uow() as uow:
        assert await uow.drop_fans.enter(drop_id, 5, NOW, "e_aaaaaaaaaaaa")
        assert await uow.drops.count_entrant(drop_id)
        found = await uow.drop_fans.by_pseudonym(drop_id, "e_aaaaaaaaaaaa")
        assert found is not None and (found.user_id, found.pseudonym) == (5, "e_aaaaaaaaaaaa")
        assert await uow.drop_fans.by_pseudonym(drop_id, "e_bbbbbbbbbbbb") is None
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with database.uow() as uow:
            await uow.drop_fans.enter(drop_id, 6, NOW, "e_aaaaaaaaaaaa")  # one pseudonym names one entrant
    async with database.uow() as uow:
        assert await uow.drops.transition(drop_id, (DropStatus.OPEN,), DropStatus.CLOSED, later(7200))
        assert not await uow.drops.count_entrant(drop_id)
        assert await uow.drops.freeze_entrants(drop_id, "d" * 64)
        assert not await uow.drops.freeze_entrants(drop_id, "e" * 64)
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None and (drop.entrants, drop.entrants_digest) == (1, "d" * 64)


async def test_a_draw_is_recorded_once_with_its_seed_and_beacon(database: Database) -> None:
    drop_id = await _drop(database, mode=DropMode.RAFFLE)
    value = BeaconValue(42, "AB" * 32, "CD" * 48)
    async with database.uow() as uow:
        assert await uow.drops.mark_drawn(drop_id, later(7300), "5" * 64, value)
        assert not await uow.drops.mark_drawn(drop_id, later(7400), "6" * 64, None)
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None
    assert (drop.draw_seed, drop.beacon_randomness, drop.beacon_signature) == ("5" * 64, "ab" * 32, "cd" * 48)


async def test_brand_staff_and_opt_ins(database: Database) -> None:
    async with database.uow() as uow:
        brand = await uow.brands.add("Kiln")
        assert await uow.brand_staff.add(brand.id, 9, NOW)
        assert not await uow.brand_staff.add(brand.id, 9, NOW)
        assert await uow.brand_staff.is_staff(brand.id, 9) and not await uow.brand_staff.is_staff(brand.id, 8)
        assert await uow.brand_staff.brands_of(9) == [brand.id]
        await uow.brand_optins.set(-1001, brand.id, True, 9, NOW)
        await uow.brand_optins.set(-1002, brand.id, True, 9, NOW)
        await uow.brand_optins.set(-1002, brand.id, False, 9, NOW + timedelta(seconds=1))
        await uow.commit()
        assert await uow.brand_optins.allowed_chats(brand.id) == [-1001]
        assert await uow.brand_optins.for_chat(-1002) == {brand.id: False}
        assert [b.name for b in await uow.brand_staff.all_brands()] == ["Kiln"]


async def test_a_drops_reservation_moves_by_compare_and_set_and_shrinks_as_units_sell(database: Database) -> None:
    drop_id = await _drop(database, quantity=3, status=DropStatus.SCHEDULED)
    async with database.uow() as uow:
        assert await uow.drops.move_reserved(drop_id, 0, 3)
        assert not await uow.drops.move_reserved(drop_id, 0, 3)  # set aside once
        assert await uow.drops.take_reserved(drop_id, 2)
        assert not await uow.drops.take_reserved(drop_id, 2)  # one left
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None and drop.reserved == 1


async def test_a_reported_drop_sells_no_more_units(database: Database) -> None:
    """Its unsold units went back to the product's shelf with the report: a late raffle payment cannot take one."""
    drop_id = await _drop(database, quantity=2, mode=DropMode.RAFFLE, status=DropStatus.CLOSED)
    async with database.uow() as uow:
        assert await uow.drops.claim_units(drop_id, 1, (DropStatus.OPEN, DropStatus.CLOSED))
        assert await uow.drops.mark_reported(drop_id, later(9000))
        assert not await uow.drops.claim_units(drop_id, 1, (DropStatus.OPEN, DropStatus.CLOSED))


async def test_a_refund_moves_a_sale_to_refunded_and_takes_its_revenue_back(database: Database) -> None:
    drop_id = await _drop(database, quantity=3)
    async with database.uow() as uow:
        await uow.drops.record_sale(drop_id, 1, 200, later(3700))
        await uow.drops.record_sale(drop_id, 1, 200, later(3800))
        await uow.drops.record_refund(drop_id, 1, 200)
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None and (drop.sold, drop.refunded, drop.revenue) == (1, 1, 200)


async def test_live_drops_of_a_product_are_the_scheduled_and_open_ones(database: Database) -> None:
    drop_id = await _drop(database, status=DropStatus.SCHEDULED)
    async with database.uow() as uow:
        drop = await uow.drops.get(drop_id)
        assert drop is not None
        assert [d.id for d in await uow.drops.live_for_product(drop.product_id)] == [drop_id]
        assert await uow.drops.transition(drop_id, (DropStatus.SCHEDULED,), DropStatus.CANCELLED, later(10))
        assert await uow.drops.live_for_product(drop.product_id) == []
