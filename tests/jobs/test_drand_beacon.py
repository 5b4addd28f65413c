"""The drand client asks a relay over real HTTP and accepts only the round it asked for, well formed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.drops.beacon import QUICKNET, BeaconUnavailable, consistent
from jobs.beacon import DrandHttpBeacon
from tests.support.clock import FakeClock
from tests.support.fake_drand import FakeDrand

ROUND = 27946612  # published at 2026-04-20 00:00:00 UTC


@pytest.fixture
async def drand() -> AsyncIterator[FakeDrand]:
    clock = FakeClock(QUICKNET.time_of(ROUND))
    relay = FakeDrand(clock.now)
    await relay.start()
    try:
        yield relay
    finally:
        await relay.stop()


async def test_a_published_round_is_fetched_and_checks_out(drand: FakeDrand) -> None:
    value = await DrandHttpBeacon(drand.base_url).fetch(QUICKNET.chain_hash, ROUND)
    assert value.round == ROUND and value.randomness == drand.value(ROUND)["randomness"]
    assert consistent(value, ROUND)
    assert drand.asked == [ROUND]


async def test_a_round_not_published_yet_is_not_available(drand: FakeDrand) -> None:
    with pytest.raises(BeaconUnavailable, match="HTTP 425"):
        await DrandHttpBeacon(drand.base_url).fetch(QUICKNET.chain_hash, ROUND + 1)


async def test_a_relay_that_is_down_or_gone_is_not_available(drand: FakeDrand) -> None:
    beacon = DrandHttpBeacon(drand.base_url, timeout=2.0)
    drand.up = False
    with pytest.raises(BeaconUnavailable, match="HTTP 503"):
        await beacon.fetch(QUICKNET.chain_hash, ROUND)
    await drand.stop()
    with pytest.raises(BeaconUnavailable, match="ConnectError"):
        await beacon.fetch(QUICKNET.chain_hash, ROUND)


async def test_an_answer_whose_randomness_is_not_its_signatures_hash_is_refused(drand: FakeDrand) -> None:
    drand.lies = True
    with pytest.raises(BeaconUnavailable, match="does not hash its signature"):
        await DrandHttpBeacon(drand.base_url).fetch(QUICKNET.chain_hash, ROUND)


async def test_an_unknown_chain_is_not_available(drand: FakeDrand) -> None:
    with pytest.raises(BeaconUnavailable, match="HTTP 404"):
        await DrandHttpBeacon(drand.base_url + "/").fetch("ab" * 32, ROUND)
