"""Raffle drops: entrants under pseudonyms, a draw nobody could know before entries closed (a committed secret
mixed with a drand round), results members check with a stand-alone script, winners paying, unclaimed units
passing on."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from circlecart.cli import main
from domain.drops import raffle
from domain.drops.model import EntryStatus
from tests.scenarios.drops_steps import drop_state, outbox_drained, press_buy, travel_to
from tests.scenarios.harness import BOT_USERNAME, Shop
from tests.scenarios.raffle_steps import (
    drand,
    members_who_started_the_bot,
    open_raffle,
    pseudonym_in,
    published_results,
    raffle_shop,
    told_pseudonym,
    verify_script,
)
from tests.support.fake_drand import FakeDrand

__all__ = ["drand", "raffle_shop"]


async def _cli(monkeypatch: pytest.MonkeyPatch, shop: Shop, *args: str) -> int:
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", str(shop.app.settings.database_url))
    return await asyncio.to_thread(main, list(args), shop.clock)  # the CLI on the bot's clock


def _private(shop: Shop, user: Any, needle: str) -> list[Any]:
    return [m for m in shop.fake.sent(user) if needle in m.content]


async def test_members_check_a_raffle_from_its_published_file_alone(
    raffle_shop: Shop,
    drand: FakeDrand,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shop = raffle_shop
    opened = await open_raffle(shop, units=2)
    drop, group, announcement = opened.drop, opened.group, opened.announcement
    assert drop.seed_hash in announcement.content, "the secret is committed before entries open"
    assert f"drand round {drop.beacon_round}" in announcement.content, "so is the beacon round"
    assert drop.beacon_at is not None and drop.beacon_at > drop.ends_at

    fans = await members_who_started_the_bot(shop, 5)
    toasts = [await shop.press(fan, announcement, text="Enter the raffle") for fan in fans]
    names = {fan.id: await told_pseudonym(shop, fan) for fan in fans}
    for fan, toast in zip(fans, toasts, strict=True):
        assert f"You are in the raffle as {names[fan.id]}" in toast.text
    again = await shop.press(fans[0], announcement, text="Enter the raffle")
    assert f"entered already, as {names[fans[0].id]}" in again.text
    assert len(set(names.values())) == 5

    await travel_to(shop, drop.ends_at)
    await outbox_drained(shop)
    closed = shop.fake.message(group, announcement.message_id)
    digest = raffle.entrants_digest(names.values())
    assert "Raffle entries closed" in closed.content and "5 entered" in closed.content
    assert digest in closed.content, "the entrant list is fixed in public before the round comes"
    assert drand.asked == [], "nobody asks for the round before its time"

    await travel_to(shop, drop.beacon_at)
    await outbox_drained(shop)
    round_value = drand.value(drop.beacon_round)
    post, published = published_results(shop, group)
    assert "Raffle drawn" in post.content and str(round_value["randomness"]) in post.content
    assert post.document["file_name"] == f"raffle-{drop.id}.json"
    record = json.loads(published)
    assert sorted(record["entrants"]) == sorted(names.values()) and record["entrants_digest"] == digest
    assert record["beacon"]["round"] == drop.beacon_round and record["beacon"]["fallback"] is False
    # An id is a number on its own: its digits may well occur inside a hex digest or the beacon's randomness.
    assert not any(re.search(rf"(?<![0-9a-fA-F]){fan.id}(?![0-9a-fA-F])", published.decode()) for fan in fans), (
        "no Telegram id is published"
    )
    winners = [fan for fan in fans if _private(shop, fan, "You won")]
    assert sorted(names[w.id] for w in winners) == sorted(record["winners"])

    saved = tmp_path / f"raffle-{drop.id}.json"
    saved.write_bytes(published)
    checked = await verify_script(saved, "--me", names[fans[0].id])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "the draw matches the published data" in checked.stdout
    assert f"{names[fans[0].id]} is number" in checked.stdout

    tampered = dict(record, draw_order=[*reversed(record["draw_order"])])
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    refused = await verify_script(tmp_path / "tampered.json")
    assert refused.returncode == 1 and "draw order differs" in refused.stdout
    smuggled = dict(record, entrants=[*record["entrants"], "e_000000000000"])
    (tmp_path / "smuggled.json").write_text(json.dumps(smuggled))
    refused = await verify_script(tmp_path / "smuggled.json")
    assert refused.returncode == 1 and "does not match its published digest" in refused.stdout

    (page,) = await shop.say(fans[1], None, f"/raffle {drop.id}")
    assert f"You entered as {names[fans[1].id]}" in page.content and "Your place in the draw" in page.content
    assert shop.fake.document_content(page) == published, "the same file, in private"

    assert await _cli(monkeypatch, shop, "drop", "verify", str(drop.id)) == 0
    assert "verification OK" in capsys.readouterr().out

    await travel_to(shop, drop.beacon_at + timedelta(hours=2))  # the job fires again, late: nothing more
    await outbox_drained(shop)
    published_results(shop, group)
    assert drand.asked == [drop.beacon_round]


async def test_a_member_who_never_started_the_bot_is_sent_to_the_private_chat_to_enter(
    raffle_shop: Shop, drand: FakeDrand
) -> None:
    shop = raffle_shop
    opened = await open_raffle(shop, units=1)
    newcomer = shop.member("Nia")
    opened.group.add_member(newcomer)

    answer = await shop.press(newcomer, opened.announcement, text="Enter the raffle")
    assert answer.url == f"https://t.me/{BOT_USERNAME}?start=rf_{opened.drop.id}"
    async with shop.uow() as uow:
        entry = await uow.drop_fans.entry(opened.drop.id, newcomer.id)
    assert entry is None, "not entered into a draw they could not be told about"

    (welcome,) = await shop.say(newcomer, None, f"/start rf_{opened.drop.id}")  # what the link opens
    assert "You are in the raffle" in welcome.content
    name = pseudonym_in(welcome.content)
    async with shop.uow() as uow:
        entry = await uow.drop_fans.entry(opened.drop.id, newcomer.id)
    assert entry is not None and entry.pseudonym == name

    again = await shop.press(newcomer, opened.announcement, text="Enter the raffle")
    assert again.url is None and f"entered already, as {name}" in again.text


async def test_winners_pay_and_unclaimed_units_pass_on_in_draw_order(
    raffle_shop: Shop, drand: FakeDrand, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = raffle_shop
    opened = await open_raffle(shop, units=2)
    drop = opened.drop
    fans = await members_who_started_the_bot(shop, 6)
    for fan in fans:
        await shop.press(fan, opened.announcement, text="Enter the raffle")
    await travel_to(shop, drop.ends_at)
    assert drop.beacon_at is not None
    await travel_to(shop, drop.beacon_at)
    await outbox_drained(shop)

    state = await drop_state(shop, drop.id)
    async with shop.uow() as uow:
        ranked = sorted(await uow.drop_fans.entries(drop.id), key=lambda e: e.rank)
    by_id = {fan.id: fan for fan in fans}
    first, second, third = (by_id[e.user_id] for e in ranked[:3])
    assert state.draw_seed is not None and [e.pseudonym for e in ranked] == list(
        raffle.draw_order(state.draw_seed, [e.pseudonym for e in ranked])
    )
    assert _private(shop, first, "You won") and _private(shop, second, "You won")
    assert not _private(shop, third, "You won")
    assert not _private(shop, opened.brand_person, "Drop report"), "no report before the winners had their turn"

    assert await _cli(monkeypatch, shop, "drop", "verify", str(drop.id), "--seed", "0" * 64) == 1
    assert "verification FAILED" in capsys.readouterr().out

    loser_answer = await press_buy(shop, third, _private(shop, first, "You won")[0], drop.id, third)
    assert "Only raffle winners" in loser_answer.text
    won = _private(shop, first, "You won")[0]
    invoice = await press_buy(shop, first, won, drop.id, first)
    assert (await shop.pay(first, invoice)).accepted

    await travel_to(shop, drop.beacon_at + timedelta(minutes=61))  # the second winner let the hour pass
    await outbox_drained(shop)
    async with shop.uow() as uow:
        assert (await uow.drop_fans.entry(drop.id, second.id)).status is EntryStatus.LAPSED
    offer = _private(shop, third, "You won")
    assert offer, "the unit passed to the next entrant in draw order"
    assert (await shop.pay(third, await press_buy(shop, third, offer[0], drop.id, third))).accepted

    await travel_to(shop, shop.clock.now() + timedelta(seconds=1))
    await outbox_drained(shop)
    (report,) = _private(shop, opened.brand_person, "Drop report")
    assert "Units sold: 2 of 2" in report.content
