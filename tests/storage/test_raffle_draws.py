"""Raffle draws through the real repositories: a closed raffle takes no more entries and draws once from its
frozen list; a raffle scheduled before pseudonyms keeps its scheme and still verifies with the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from circlecart.drops_commands import verify
from domain.drops import buying, lifecycle, raffle
from domain.drops.beacon import FALLBACK_AFTER, QUICKNET, BeaconValue, draw_round
from domain.drops.model import DropMode, DropPlan, DropStatus, RaffleEntry
from domain.errors import DomainError
from domain.members import Member
from domain.money import Money
from storage.database import Database
from tests.storage.builders import NOW, add_product, later
from tests.support.fake_drand import beacon_json

CLAIM = timedelta(hours=1)
FANS = (4001, 4002, 4003)


async def _open_raffle(database: Database, verifiable: bool) -> int:
    async with database.uow() as uow:
        brand = await uow.brands.add(f"Kiln {verifiable}")
        for user_id in (*FANS, 4009):
            await uow.members.save(Member(user_id, f"Fan {user_id}", started_bot=True, created_at=NOW))
        await uow.commit()
    product = await add_product(database, brand_id=brand.id)
    plan = DropPlan(brand.id, product.id, 2, Money(200, "XTR"), NOW, later(3600), 1, 0, DropMode.RAFFLE)
    secret = raffle.new_seed()
    async with database.uow() as uow:
        drop = await uow.drops.add(
            plan,
            product.title,
            DropStatus.OPEN,
            7,
            NOW,
            secret,
            raffle.commitment(secret),
            pseudonym_key=raffle.new_pseudonym_key() if verifiable else None,
            beacon=draw_round(QUICKNET, plan.ends_at) if verifiable else None,
        )
        for user_id in FANS:
            assert (await buying.enter_raffle(uow, later(60), drop.id, user_id)).added
        await uow.commit()
    return drop.id


async def test_a_closed_raffle_takes_no_entry_and_draws_once_from_its_frozen_list(database: Database) -> None:
    drop_id = await _open_raffle(database, verifiable=True)
    async with database.uow() as uow:
        assert await lifecycle.close_drop(uow, later(3600), drop_id, CLAIM)
        await uow.commit()
        closed = await uow.drops.get(drop_id)
    assert closed is not None and closed.beacon_at is not None and closed.beacon_round is not None
    async with database.uow() as uow:
        with pytest.raises(DomainError, match=r"drop\.ended"):
            await buying.enter_raffle(uow, later(3599), drop_id, 4009)  # a late entry with a stale clock
    names = [e.pseudonym for e in await _entries(database, drop_id)]
    assert closed.entrants == 3 and closed.entrants_digest == raffle.entrants_digest(n for n in names if n)

    value = beacon_json(QUICKNET, closed.beacon_round)
    beacon = BeaconValue(closed.beacon_round, str(value["randomness"]), str(value["signature"]))
    async with database.uow() as uow:
        assert not await lifecycle.draw(uow, closed.beacon_at - timedelta(seconds=1), drop_id, CLAIM, beacon)
        assert not await lifecycle.draw(uow, closed.beacon_at, drop_id, CLAIM, None), "the fallback waits 30 min"
        assert await lifecycle.draw(uow, closed.beacon_at, drop_id, CLAIM, beacon)
        assert not await lifecycle.draw(uow, closed.beacon_at + FALLBACK_AFTER, drop_id, CLAIM, None)
        await uow.commit()
        drawn = await uow.drops.get(drop_id)
        assert drawn is not None
        record = await lifecycle.published_record(uow, drawn)
    assert record is not None and raffle.verify_record(record).ok and record.randomness == value["randomness"]


async def test_a_raffle_from_before_pseudonyms_draws_at_close_by_its_secret_and_verifies(
    database: Database, database_url: str
) -> None:
    drop_id = await _open_raffle(database, verifiable=False)
    async with database.uow() as uow:
        assert await lifecycle.close_drop(uow, later(3600), drop_id, CLAIM)
        await uow.commit()
        drop = await uow.drops.get(drop_id)
    assert drop is not None and drop.drawn_at is not None and drop.seed is not None
    checked = await verify(database_url, drop_id)
    assert checked.ok and checked.record is None
    assert checked.order == raffle.draw_order(drop.seed, FANS)


async def _entries(database: Database, drop_id: int) -> list[RaffleEntry]:
    async with database.uow() as uow:
        return list(await uow.drop_fans.entries(drop_id))
