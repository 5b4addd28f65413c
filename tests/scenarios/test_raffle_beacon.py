"""A raffle waits for its drand round: drawn with it when the relay answers, even late; with the stated
fallback, said plainly, when it has not answered 30 minutes after the round's time; and only once.

The relay is a local fake (tests/support/fake_drand.py) on the shop's clock. Waiting for a beacon is the
jobs' business, the same on either framework, so these stories run on aiogram only.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from domain.drops.beacon import FALLBACK_AFTER
from tests.scenarios.drops_steps import drop_state, outbox_drained, travel_to
from tests.scenarios.harness import Shop
from tests.scenarios.raffle_steps import (
    OpenRaffle,
    drand,
    members_who_started_the_bot,
    open_raffle,
    published_results,
    raffle_shop,
    verify_script,
)
from tests.support.fake_drand import FakeDrand

__all__ = ["drand", "raffle_shop"]


@pytest.fixture
def framework() -> str:
    return "aiogram"


async def _entries_closed(shop: Shop) -> OpenRaffle:
    opened = await open_raffle(shop, units=1)
    for fan in await members_who_started_the_bot(shop, 3):
        await shop.press(fan, opened.announcement, text="Enter the raffle")
    await travel_to(shop, opened.drop.ends_at)
    await outbox_drained(shop)
    return opened


def _results_posts(shop: Shop, opened: OpenRaffle) -> int:
    return len([m for m in shop.fake.sent(opened.group) if m.document is not None])


async def test_the_draw_uses_the_round_the_relay_answers_with(raffle_shop: Shop, drand: FakeDrand) -> None:
    opened = await _entries_closed(raffle_shop)
    drop = await drop_state(raffle_shop, opened.drop.id)
    assert drop.beacon_at is not None and drop.beacon_round is not None

    await travel_to(raffle_shop, drop.beacon_at - timedelta(seconds=10))
    assert drand.asked == [] and _results_posts(raffle_shop, opened) == 0

    await travel_to(raffle_shop, drop.beacon_at)
    await outbox_drained(raffle_shop)
    drawn = await drop_state(raffle_shop, drop.id)
    assert drawn.beacon_randomness == drand.value(drop.beacon_round)["randomness"]
    post, published = published_results(raffle_shop, opened.group)
    assert json.loads(published)["beacon"]["randomness"] == drawn.beacon_randomness
    assert "fallback" not in post.content


async def test_a_relay_that_stays_down_leads_to_the_stated_fallback_after_30_minutes(
    raffle_shop: Shop, drand: FakeDrand, tmp_path: Path
) -> None:
    opened = await _entries_closed(raffle_shop)
    drop = await drop_state(raffle_shop, opened.drop.id)
    assert drop.beacon_at is not None
    drand.up = False

    await travel_to(raffle_shop, drop.beacon_at)
    await travel_to(raffle_shop, drop.beacon_at + FALLBACK_AFTER - timedelta(minutes=1))
    assert len(drand.asked) >= 2, "asked again at each pass"
    assert (await drop_state(raffle_shop, drop.id)).drawn_at is None, "still waiting for the round"

    await travel_to(raffle_shop, drop.beacon_at + FALLBACK_AFTER)
    await outbox_drained(raffle_shop)
    drawn = await drop_state(raffle_shop, drop.id)
    assert drawn.drawn_at is not None and drawn.beacon_randomness is None and drawn.beacon_fallback
    post, published = published_results(raffle_shop, opened.group)
    assert "could not be fetched within 30 minutes" in post.content and "stated fallback" in post.content
    assert json.loads(published)["beacon"]["fallback"] is True
    (tmp_path / "raffle.json").write_bytes(published)
    checked = await verify_script(tmp_path / "raffle.json")
    assert checked.returncode == 0 and "stated fallback drew" in checked.stdout

    drand.up = True  # the relay comes back: the draw stands, once
    await travel_to(raffle_shop, drop.beacon_at + FALLBACK_AFTER + timedelta(minutes=5))
    await outbox_drained(raffle_shop)
    assert (await drop_state(raffle_shop, drop.id)).draw_seed == drawn.draw_seed
    assert _results_posts(raffle_shop, opened) == 1


async def test_a_relay_that_answers_late_but_within_the_bound_is_used(raffle_shop: Shop, drand: FakeDrand) -> None:
    opened = await _entries_closed(raffle_shop)
    drop = await drop_state(raffle_shop, opened.drop.id)
    assert drop.beacon_at is not None and drop.beacon_round is not None
    drand.up = False
    await travel_to(raffle_shop, drop.beacon_at)
    assert (await drop_state(raffle_shop, drop.id)).drawn_at is None

    drand.up = True
    await travel_to(raffle_shop, drop.beacon_at + timedelta(minutes=10))
    await outbox_drained(raffle_shop)
    drawn = await drop_state(raffle_shop, drop.id)
    assert drawn.beacon_randomness == drand.value(drop.beacon_round)["randomness"] and not drawn.beacon_fallback
    post, _ = published_results(raffle_shop, opened.group)
    assert str(drawn.beacon_randomness) in post.content
