"""The moderator's daily digest, played in a group through the fake Bot API server on both frameworks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from circlecart.app import CircleCart
from jobs.assistant import DIGEST_JOB
from tests.scenarios.harness import Shop


async def kept(shop: Shop, group: Any) -> list[Any]:
    async with shop.uow() as uow:
        return list(await uow.digests.messages(group.id, shop.clock.now() - timedelta(days=30)))


async def digests_to(shop: Shop, moderator: Any) -> list[Any]:
    await shop.outbox_drained()
    return [m for m in shop.fake.sent(moderator) if "Daily digest" in (m.text or "")]


async def test_the_digest_is_off_by_default_and_only_admins_switch_it(shop: Shop) -> None:
    ana = shop.member("Ana")
    group = await shop.group_with_bot("Tea Circle", admin=ana)
    mei = shop.member("Mei")
    await shop.say(mei, group, "hello everyone, is the tea set back?")
    assert await kept(shop, group) == []  # off by default: nothing is kept

    (refused,) = await shop.say(mei, group, "/digest on")
    assert "Only this group's admins" in refused.text
    (status,) = await shop.say(mei, group, "/digest")
    assert "off" in status.text

    (told,) = await shop.say(ana, group, "/digest on")
    assert "daily digest is on" in told.text and "48 hours" in told.text  # the group is told
    await shop.say(mei, group, "does the celadon tea set come with cups?")
    assert [m.text for m in await kept(shop, group)] == ["does the celadon tea set come with cups?"]

    (refused,) = await shop.say(mei, group, "/digest off")
    assert "Only this group's admins" in refused.text
    (off,) = await shop.say(ana, group, "/digest off")
    assert "daily digest is off" in off.text
    assert await kept(shop, group) == []  # turning it off deletes what was kept
    await shop.say(mei, group, "still there?")
    assert await kept(shop, group) == []


async def test_the_moderator_gets_one_digest_a_day_and_old_messages_are_deleted(shop: Shop) -> None:
    ana = shop.member("Ana")
    await shop.say(ana, None, "/start")
    group = await shop.group_with_bot("Tea Circle", admin=ana)
    await shop.say(ana, group, "/digest on")
    mei, jun, spammer = shop.member("Mei"), shop.member("Jun"), shop.member("Max")
    await shop.say(mei, group, "does the celadon tea set come with cups?")
    await shop.say(jun, group, "when does the lotus print restock?")
    await shop.say(mei, group, "my teapot arrived cracked, terrible packing, I want a refund")
    await shop.say(spammer, group, "free USDT airdrop, claim now https://bit.ly/claim-usdt")
    await shop.say(jun, group, "I love my Great Wave art print, thanks!")

    shop.clock.advance(timedelta(hours=20))  # the next morning, past the digest hour (08:00 UTC)
    await shop.app.jobs.run_now(DIGEST_JOB)
    (digest,) = await digests_to(shop, ana)
    text = digest.text
    assert "5 messages" in text
    assert "does the celadon tea set come with cups?" in text and "lotus print restock" in text
    assert "teapot arrived cracked" in text
    assert "Celadon tea set" in text and "Great Wave art print" in text
    assert "bit.ly/claim-usdt" in text
    assert f"t.me/c/{str(group.id)[4:]}/" in text  # links to the messages
    await shop.app.jobs.run_now(DIGEST_JOB)
    assert len(await digests_to(shop, ana)) == 1  # once a day

    shop.clock.advance(timedelta(hours=30))  # past the 48 h window
    await shop.app.jobs.run_now(DIGEST_JOB)
    assert await kept(shop, group) == []  # the raw text is gone; the digests remain with the moderator


async def test_a_digest_missed_while_the_bot_was_down_comes_at_start(shop: Shop) -> None:
    ana = shop.member("Ana")
    await shop.say(ana, None, "/start")
    group = await shop.group_with_bot("Tea Circle", admin=ana)
    await shop.say(ana, group, "/digest on")
    await shop.say(shop.member("Mei"), group, "anyone going to the tea fair?")
    await shop.app.stop()
    shop.clock.advance(timedelta(days=1))  # down through the next digest hour
    shop.app = CircleCart(shop.app.settings, clock=shop.clock, update_listeners=[shop.tracker.done])
    await shop.app.start()  # the start-up catch-up runs every job once
    (digest,) = await digests_to(shop, ana)
    assert "anyone going to the tea fair?" in digest.text
    await shop.app.jobs.run_now(DIGEST_JOB)
    assert len(await digests_to(shop, ana)) == 1
