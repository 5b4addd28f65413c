"""Notices go out through the outbox: within Telegram's limits, retried, never lost, never doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.notices import Notice, NoticeStatus
from domain.outgoing import View
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import Shop, running_shop


def _declare_test_notice(shop: Shop) -> None:
    table = shop.app.core.table  # type: ignore[union-attr]
    if "test.hello" not in table.notices:
        table.notice("test.hello", lambda ctx, params: View(ctx.t("Hello, {name}!", name=str(params["name"]))))


async def _enqueue(shop: Shop, *notices: Notice) -> list[bool]:
    async with shop.uow() as uow:
        stored = [await uow.outbox.enqueue(n, shop.clock.now()) for n in notices]
        await uow.commit()
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    return stored


async def _until_sent(shop: Shop, keys: list[str], timeout: float = 20) -> None:
    async def all_done() -> bool:
        async with shop.uow() as uow:
            entries = [await uow.outbox.get_by_key(k) for k in keys]
        return all(e is not None and e.status is not NoticeStatus.PENDING for e in entries)

    deadline = asyncio.get_running_loop().time() + timeout
    while not await all_done():
        assert asyncio.get_running_loop().time() < deadline, "the outbox did not drain in time"
        await asyncio.sleep(0.1)


async def test_a_notice_is_sent_once_in_the_members_language_even_if_enqueued_twice(shop: Shop) -> None:
    _declare_test_notice(shop)
    li = shop.member("李", language_code="zh")
    await shop.say(li, None, "/help")
    hello = Notice("test:1", li.id, "test.hello", {"name": "李"})
    assert await _enqueue(shop, hello, hello) == [True, False]
    await _until_sent(shop, ["test:1"])
    assert [m.text for m in shop.fake.sent(li)].count("Hello, 李!") == 1


async def test_a_burst_answered_with_429_still_arrives_and_never_before_retry_after(shop: Shop) -> None:
    _declare_test_notice(shop)
    members = [shop.member(f"M{i}") for i in range(12)]
    for member in members:
        member.start_bot()
    shop.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, count=3)
    shop.fake.flood_limit(per_chat_per_second=1, per_group_per_minute=20, global_per_second=30)
    notices = [Notice(f"burst:{m.id}:{i}", m.id, "test.hello", {"name": m.first_name}) for m in members for i in (1, 2)]
    await _enqueue(shop, *notices)
    await _until_sent(shop, [n.key for n in notices], timeout=30)
    for member in members:
        assert len([m for m in shop.fake.sent(member) if m.text.startswith("Hello")]) == 2
    assert shop.fake.flood_violations == []  # nothing went out before its retry_after
    assert len(shop.fake.injected_failures) == 3


async def test_a_member_who_blocked_the_bot_is_marked_and_not_retried(shop: Shop) -> None:
    _declare_test_notice(shop)
    jun = shop.member("Jun")
    await shop.say(jun, None, "/help")
    jun.block_bot()
    await _enqueue(shop, Notice("blocked:1", jun.id, "test.hello", {"name": "Jun"}))
    await _until_sent(shop, ["blocked:1"])
    async with shop.uow() as uow:
        assert (await uow.outbox.get_by_key("blocked:1")).status is NoticeStatus.UNDELIVERABLE
        assert (await uow.members.get(jun.id)).blocked_bot


async def test_notices_survive_a_restart_and_none_is_sent_twice(framework: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    keys: list[str] = []
    async with running_shop(framework, url, str(STARS_CATALOG)) as shop:
        _declare_test_notice(shop)
        members = [shop.member(f"R{i}") for i in range(5)]
        for member in members:
            member.start_bot()
        # Ten notices per member: the 1-per-second chat limit keeps most of them queued at the stop.
        notices = [
            Notice(f"restart:{m.id}:{i}", m.id, "test.hello", {"name": f"{i}"}) for m in members for i in range(10)
        ]
        keys = [n.key for n in notices]
        await _enqueue(shop, *notices)
        await asyncio.sleep(1.5)
        fake = shop.fake
        fake_port = fake.port
    assert fake_port is not None
    # A new process on the same database finishes the job.
    async with running_shop(framework, url) as again:
        _declare_test_notice(again)
        for member in members:
            again.fake.user(member.id, member.first_name).start_bot()
        await _until_sent(again, keys, timeout=60)
        second_run = {m.id: [x.text for x in again.fake.sent(m.id)] for m in members}
    first_run = {m.id: [x.text for x in fake.sent(m)] for m in members}
    for member in members:
        texts = first_run[member.id] + second_run[member.id]
        assert sorted(texts) == sorted(f"Hello, {i}!" for i in range(10)), (member.id, texts)
