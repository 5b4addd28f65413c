"""Giveaways a group's admins run: eligibility checked at entry with the reason given, the raffles' verifiable
draw (a committed secret, a drand round, a published pseudonymous list, the stand-alone script), winners who
claim in private, and a prize that passes on once when its winner does not claim in time."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from domain.moderation.model import EntryStatus, Giveaway
from domain.points import accounts
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy
from tests.scenarios.drops_steps import outbox_drained, travel_to
from tests.scenarios.harness import BOT_USERNAME, Shop
from tests.scenarios.raffle_steps import (
    drand,
    members_who_started_the_bot,
    pseudonym_in,
    published_results,
    raffle_shop,
    verify_script,
)
from tests.support.fake_drand import FakeDrand

__all__ = ["drand", "raffle_shop"]


async def _jobs(shop: Shop) -> None:
    await shop.app.jobs.run_now("moderation_reconcile")  # type: ignore[union-attr]
    await outbox_drained(shop)


async def _give_points(shop: Shop, member: Any, points: int) -> None:
    async with shop.uow() as uow:
        await accounts.earn(
            uow.points, shop.clock.now(), RewardsPolicy(), member.id, Reason.PURCHASE, f"test:{member.id}", points
        )
        await uow.commit()


async def _latest_giveaway(shop: Shop) -> Giveaway:
    async with shop.uow() as uow:
        for number in range(50, 0, -1):
            found = await uow.giveaways.get(number)
            if found is not None:
                return found
    raise AssertionError("no giveaway")


async def _set_up(shop: Shop, ana: Any, group: Any, command: str) -> tuple[Giveaway, Any]:
    await shop.say(ana, group, command)
    await outbox_drained(shop)
    giveaway = await _latest_giveaway(shop)
    announcement = shop.fake.last(group)
    assert announcement is not None and f"Giveaway #{giveaway.id}" in announcement.content
    return giveaway, announcement


def _mentions(text: str, user_id: int) -> bool:
    """The id as a number of its own (not a run of digits inside a hex digest)."""
    return re.search(rf"(?<![0-9a-fA-F]){user_id}(?![0-9a-fA-F])", text) is not None


def _won(shop: Shop, member: Any) -> list[Any]:
    return [m for m in shop.fake.sent(member) if "You won" in m.content]


async def test_a_giveaway_refuses_the_ineligible_with_the_reason_and_its_draw_is_verified_from_published_data(
    raffle_shop: Shop, drand: FakeDrand, tmp_path: Path
) -> None:
    shop = raffle_shop
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    fans = await members_who_started_the_bot(shop, 4)
    poor, outsider = await members_who_started_the_bot(shop, 2)
    for member in (*fans, poor):
        group.add_member(member)
    for fan in fans:
        await _give_points(shop, fan, 120)

    (refused,) = await shop.say(fans[0], group, "/giveaway 2 24 Celadon tea set")
    assert "Only this group's admins can do that." in refused.content
    giveaway, announcement = await _set_up(shop, ana, group, "/giveaway 2 24 Celadon tea set points=100")
    assert "with at least 100 points" in announcement.content
    assert giveaway.beacon_round is not None and f"drand round {giveaway.beacon_round}" in announcement.content

    answer = await shop.press(poor, announcement, text="Enter the giveaway")
    assert answer.show_alert and answer.text == "This giveaway needs at least 100 points; you have 0."
    (not_in_group,) = await shop.say(outsider, None, f"/start gw_{giveaway.id}")
    assert "Only members of the group can enter its giveaway." in not_in_group.content
    toasts = [await shop.press(fan, announcement, text="Enter the giveaway") for fan in fans]
    names = [pseudonym_in(t.text) for t in toasts]
    again = await shop.press(fans[0], announcement, text="Enter the giveaway")
    assert again.text == f"You entered already, as {names[0]}."
    async with shop.uow() as uow:
        entries = await uow.giveaways.entries(giveaway.id)
    assert sorted(e.pseudonym for e in entries) == sorted(names), "one entry each; the refused are not in"

    assert giveaway.closes_at is not None and giveaway.beacon_at is not None
    await travel_to(shop, giveaway.closes_at)
    await _jobs(shop)
    closed = shop.fake.message(group, announcement.message_id)
    assert "Entries closed: 4 entered." in closed.content
    await travel_to(shop, giveaway.beacon_at)
    await _jobs(shop)
    post, published = published_results(shop, group)
    assert f"Giveaway #{giveaway.id} drawn" in post.content
    record = json.loads(published)
    assert sorted(record["entrants"]) == sorted(names) and record["beacon"]["round"] == giveaway.beacon_round
    assert (
        record["beacon"]["fallback"] is False
        and record["beacon"]["randomness"] == drand.value(giveaway.beacon_round)["randomness"]
    )
    assert record["entrants_digest"] in closed.content, "the list was fixed in public before the round came"
    assert not any(_mentions(published.decode(), m.id) for m in (*fans, poor)), "no Telegram id is published"
    winners = [fan for fan in fans if _won(shop, fan)]
    assert len(winners) == 2
    assert sorted(names[fans.index(w)] for w in winners) == sorted(record["winners"])

    saved = tmp_path / f"giveaway-{giveaway.id}.json"
    saved.write_bytes(published)
    checked = await verify_script(saved)
    assert checked.returncode == 0 and "the draw matches the published data" in checked.stdout, checked.stdout
    tampered = dict(record, winners=[*reversed(record["draw_order"])][:2], draw_order=[*reversed(record["draw_order"])])
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    assert (await verify_script(tmp_path / "tampered.json")).returncode == 1

    (again_in_private,) = await shop.say(fans[0], None, f"/giveaway {giveaway.id}")
    assert shop.fake.document_content(again_in_private) == published


async def test_a_winner_who_does_not_claim_in_time_passes_the_prize_on_once(
    raffle_shop: Shop, drand: FakeDrand
) -> None:
    shop = raffle_shop
    ana = shop.member("Ana")
    await shop.say(ana, None, "/start")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    fans = await members_who_started_the_bot(shop, 3)
    for fan in fans:
        group.add_member(fan)
    giveaway, announcement = await _set_up(shop, ana, group, "/giveaway 1 2 Enamel pin claim=1")
    newcomer = shop.member("Nia")
    group.add_member(newcomer)
    sent_away = await shop.press(newcomer, announcement, text="Enter the giveaway")
    assert sent_away.url == f"https://t.me/{BOT_USERNAME}?start=gw_{giveaway.id}", "a winner must be reachable"
    for fan in fans:
        await shop.press(fan, announcement, text="Enter the giveaway")
    assert giveaway.closes_at is not None and giveaway.beacon_at is not None
    await travel_to(shop, giveaway.closes_at)
    await _jobs(shop)
    await travel_to(shop, giveaway.beacon_at)
    await _jobs(shop)

    (first,) = [fan for fan in fans if _won(shop, fan)]
    async with shop.uow() as uow:
        offered = await uow.giveaways.entry(giveaway.id, first.id)
    assert offered is not None and offered.status is EntryStatus.OFFERED and offered.claim_by is not None
    await travel_to(shop, offered.claim_by + timedelta(minutes=1))
    await _jobs(shop)
    await _jobs(shop)  # a second pass, and a late one, pass nothing on again
    await travel_to(shop, offered.claim_by + timedelta(minutes=30))
    await _jobs(shop)

    assert any("ran out" in m.content for m in shop.fake.sent(first))
    (second,) = [fan for fan in fans if fan is not first and _won(shop, fan)]
    assert len(_won(shop, first)) == 1 and len(_won(shop, second)) == 1
    async with shop.uow() as uow:
        statuses = sorted(e.status.value for e in await uow.giveaways.entries(giveaway.id))
    assert statuses == ["entered", "lapsed", "offered"], "passed on exactly once"
    passed = [m for m in shop.fake.sent(group) if "did not claim in time" in m.content]
    assert len(passed) == 1

    late = await shop.press(first, _won(shop, first)[0], text="Claim the prize")
    assert "ran out" in (late.text or "")
    await shop.press(second, _won(shop, second)[0], text="Claim the prize")
    await outbox_drained(shop)
    assert any("claimed Enamel pin" in m.content for m in shop.fake.sent(ana)), "the host learns whom to give it to"
    assert any("claimed Enamel pin" in m.content for m in shop.fake.sent(group)), "the winner is announced"


async def test_a_prize_a_brand_funds_opens_only_with_that_brands_consent(raffle_shop: Shop, drand: FakeDrand) -> None:
    shop = raffle_shop
    ana, bo, mei = shop.member("Ana"), shop.member("Bo"), shop.member("Mei")
    for person in (ana, bo, mei):
        await shop.say(person, None, "/start")
    async with shop.uow() as uow:
        brand = await uow.brands.get_by_name("Celadon Studio")
        await uow.brand_staff.add(brand.id, bo.id, shop.clock.now())
        await uow.commit()
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    group.add_member(mei)

    (waiting,) = await shop.say(ana, group, "/giveaway 1 24 Celadon cup pair brand=Celadon_Studio")
    assert "waits for the brand's consent" in waiting.content
    await outbox_drained(shop)
    first = await _latest_giveaway(shop)
    (asked,) = [m for m in shop.fake.sent(bo) if "funded by Celadon Studio" in m.content]
    assert not [m for m in shop.fake.sent(group) if "Enter the giveaway" in m.button_texts], "not open yet"
    refused = await shop.press(mei, asked, data=shop.app.core.table.codec.encode("gconsent", first.id, 1), forge=True)  # type: ignore[union-attr]
    assert refused.text == "Only staff of the brand that funds the prize can decide."
    await shop.press(bo, asked, text="Agree")
    await outbox_drained(shop)
    (opened,) = [m for m in shop.fake.sent(group) if "Enter the giveaway" in m.button_texts]
    assert f"Giveaway #{first.id}: Celadon cup pair" in opened.content

    await shop.say(ana, group, "/giveaway 1 24 Celadon tea set brand=Celadon_Studio")
    await outbox_drained(shop)
    second = await _latest_giveaway(shop)
    asked = next(m for m in shop.fake.sent(bo) if "Celadon tea set" in m.content)
    await shop.press(bo, asked, text="Decline")
    await outbox_drained(shop)
    assert any("declined to fund giveaway" in m.content for m in shop.fake.sent(ana)), "the host is told"
    assert not [m for m in shop.fake.sent(group) if f"Giveaway #{second.id}" in m.content and m.buttons]
    async with shop.uow() as uow:
        assert (await uow.giveaways.get(second.id)).status.value == "declined"  # type: ignore[union-attr]


async def test_a_giveaway_whose_beacon_never_comes_draws_with_the_stated_fallback_once(
    raffle_shop: Shop, drand: FakeDrand, tmp_path: Path
) -> None:
    shop = raffle_shop
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    fans = await members_who_started_the_bot(shop, 3)
    for fan in fans:
        group.add_member(fan)
    giveaway, announcement = await _set_up(shop, ana, group, "/giveaway 1 1 Enamel pin")
    for fan in fans:
        await shop.press(fan, announcement, text="Enter the giveaway")
    assert giveaway.closes_at is not None and giveaway.beacon_at is not None
    drand.up = False
    await travel_to(shop, giveaway.closes_at)
    await _jobs(shop)
    await travel_to(shop, giveaway.beacon_at + timedelta(minutes=10))
    await _jobs(shop)
    assert not [m for m in shop.fake.sent(group) if m.document is not None], "it waits for the round a while"
    await travel_to(shop, giveaway.beacon_at + timedelta(minutes=31))
    await _jobs(shop)
    drand.up = True
    await _jobs(shop)
    post, published = published_results(shop, group)
    assert "the stated fallback drew" in post.content
    record = json.loads(published)
    assert record["beacon"]["fallback"] is True
    (tmp_path / "g.json").write_bytes(published)
    checked = await verify_script(tmp_path / "g.json")
    assert checked.returncode == 0, checked.stdout
    assert sum(len(_won(shop, fan)) for fan in fans) == 1


async def test_a_giveaway_for_a_plans_members_refuses_others_with_the_plans_name(
    raffle_shop: Shop, drand: FakeDrand
) -> None:
    shop = raffle_shop
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Lovers", admin=ana)
    (created,) = await shop.say(ana, group, "/plan add 100 XTR Tea Club trial=7")
    plan_id = int(created.content.split("#", 1)[1].split()[0])
    member, other = await members_who_started_the_bot(shop, 2)
    for person in (member, other):
        group.add_member(person)
    (plans,) = await shop.say(member, None, "/membership")
    await shop.press(member, plans, text=next(t for t in plans.button_texts if t.startswith("Try free")))

    _, announcement = await _set_up(shop, ana, group, f"/giveaway 1 24 Tea Club mug plan={plan_id}")
    refused = await shop.press(other, announcement, text="Enter the giveaway")
    assert refused.text == "This giveaway is for members of the plan Tea Club."
    entered = await shop.press(member, announcement, text="Enter the giveaway")
    assert entered.text.startswith("You are in as e_")
