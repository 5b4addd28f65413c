"""Raffle drops: entries, a draw anyone can check, winners paying, unclaimed units passing on."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from circlecart.cli import main
from domain.drops.model import DropMode, EntryStatus
from domain.drops.raffle import draw_order
from tests.scenarios.drops_steps import (
    allow_brand_directly,
    drop_state,
    make_staff,
    outbox_drained,
    press_buy,
    schedule,
    travel_to,
)
from tests.scenarios.harness import Shop


async def _cli(monkeypatch: pytest.MonkeyPatch, shop: Shop, *args: str) -> int:
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", str(shop.app.settings.database_url))
    return await asyncio.to_thread(main, list(args), shop.clock)  # the CLI on the bot's clock


def _private(shop: Shop, user: Any, needle: str) -> list[Any]:
    return [m for m in shop.fake.sent(user) if needle in m.content]


async def test_a_raffle_is_drawn_from_the_committed_seed_and_unclaimed_units_pass_on(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    brand_person = shop.member("Bo")
    await shop.say(brand_person, None, "/start")
    await make_staff(shop, "Celadon Studio", brand_person)
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=2, starts_in=timedelta(minutes=10), mode=DropMode.RAFFLE)
    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop)
    announcement = shop.fake.last(group)
    assert drop.seed_hash is not None and drop.seed_hash in announcement.content  # committed before entries

    entrants = [shop.member(f"Fan{i}") for i in range(6)]
    for member in entrants:
        await shop.say(member, None, "/start")
        answer = await shop.press(member, announcement, text="Enter the raffle")
        assert "You are in the raffle" in answer.text
    again = await shop.press(entrants[0], announcement, text="Enter the raffle")
    assert "entered already" in again.text

    await travel_to(shop, drop.ends_at)
    await outbox_drained(shop)
    state = await drop_state(shop, drop.id)
    assert state.seed is not None
    order = draw_order(state.seed, [m.id for m in entrants])
    by_id = {m.id: m for m in entrants}
    first, second, third = (by_id[user_id] for user_id in order[:3])
    results = shop.fake.last(group)
    assert "Raffle drawn" in results.content and state.seed in results.content
    assert _private(shop, first, "You won") and _private(shop, second, "You won")
    assert not _private(shop, third, "You won")

    assert await _cli(monkeypatch, shop, "drop", "verify", str(drop.id)) == 0
    output = capsys.readouterr().out
    assert "verification OK" in output and f"winners: {first.id} {second.id}" in output
    assert await _cli(monkeypatch, shop, "drop", "verify", str(drop.id), "--seed", "0" * 64) == 1
    assert "verification FAILED" in capsys.readouterr().out

    loser_answer = await press_buy(shop, third, _private(shop, first, "You won")[0], drop.id, third)
    assert "Only raffle winners" in loser_answer.text
    won = _private(shop, first, "You won")[0]
    invoice = await press_buy(shop, first, won, drop.id, first)
    assert (await shop.pay(first, invoice)).accepted

    await travel_to(shop, drop.ends_at + timedelta(minutes=61))  # the second winner let the hour pass
    await outbox_drained(shop)
    async with shop.uow() as uow:
        assert (await uow.drop_fans.entry(drop.id, second.id)).status is EntryStatus.LAPSED
    offer = _private(shop, third, "You won")
    assert offer, "the unit passed to the next entrant in draw order"
    assert (await shop.pay(third, await press_buy(shop, third, offer[0], drop.id, third))).accepted

    await travel_to(shop, shop.clock.now() + timedelta(seconds=1))
    await outbox_drained(shop)
    (report,) = _private(shop, brand_person, "Drop report")
    assert "Units sold: 2 of 2" in report.content
