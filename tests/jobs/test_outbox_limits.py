"""The outbox keeps Telegram's limits exactly, on a clock the test moves: no 429, nothing early, nothing twice.

The fake Bot API server limits floods exactly as Telegram does (1 message/s a chat, 20/min a group, 30/s
a bot; 1,000/s with allow_paid_broadcast). The sender, its limits and the fake all read one virtual clock
that moves only when the sender waits, so the HTTP round trips take no time on it and nothing races.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from domain.notices import Notice, NoticeStatus
from domain.outgoing import View
from jobs.outbox import OutboxSender
from jobs.telegram_limits import Slot, TelegramLimits
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import Shop, running_shop

START = 50_000.0


@dataclass
class VirtualClock:
    """Monotonic seconds for the limits and the fake, and the domain's datetime, moving together."""

    epoch: datetime
    t: float = START

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.epoch + timedelta(seconds=self.t - START)

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


# -- the limits alone ----------------------------------------------------------------------------------------
def test_a_full_second_says_exactly_when_the_next_send_may_go() -> None:
    now = [100.0]
    limits = TelegramLimits(clock=lambda: now[0])
    slots = [limits.book(-i) for i in range(1, 31)]
    assert all(isinstance(s, Slot) and not s.paid for s in slots)
    assert limits.book(-99) == float("inf")  # all 30 still in flight: the window starts when they come back
    for i, slot in enumerate(slots):
        now[0] = 100.0 + 0.01 * i
        limits.finished(slot)  # type: ignore[arg-type]
    now[0] = 100.5
    assert limits.book(-99) == pytest.approx(0.5)  # the first came back at 100.0: its second ends at 101.0
    now[0] = 101.0
    assert isinstance(limits.book(-99), Slot)
    assert limits.chat_wait(-1) == pytest.approx(0.0)
    now[0] = 101.005
    limits.finished(Slot(-99, paid=False))
    assert limits.chat_wait(-99) == pytest.approx(1.0)  # a chat's next message: a second after the last came back


def test_a_group_gets_twenty_a_minute_counted_from_when_they_came_back() -> None:
    now = [0.0]
    limits = TelegramLimits(clock=lambda: now[0])
    for i in range(20):
        now[0] = 2.0 * i
        slot = limits.book(-5)
        assert isinstance(slot, Slot)
        now[0] += 0.25
        limits.finished(slot)
    now[0] = 40.0
    assert limits.book(-5) == pytest.approx(60.25 - 40.0)
    assert isinstance(limits.book(7), Slot)  # other chats are not held back


def test_paid_broadcasts_pay_only_past_the_free_thirty_and_stop_at_their_own_rate() -> None:
    now = [0.0]
    limits = TelegramLimits(clock=lambda: now[0], paid_per_second=40)
    slots = [limits.book(i) for i in range(1, 41)]
    assert [s.paid for s in slots if isinstance(s, Slot)] == [False] * 30 + [True] * 10
    assert limits.book(41) == float("inf")
    without = TelegramLimits(clock=lambda: now[0])
    assert [isinstance(without.book(i), Slot) for i in range(1, 32)] == [True] * 30 + [False]


# -- the sender against the fake server ------------------------------------------------------------------------
@pytest.fixture
async def quiet_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    """A running shop whose own outbox sender is stopped: the test drives one on its virtual clock."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, url, str(STARS_CATALOG), paid_broadcast=True) as shop:
        assert shop.app.sender is not None
        assert shop.app.sender.limits.paid_per_second == 1000  # the setting reached the sender
        await shop.app.sender.stop()
        table = shop.app.core.table  # type: ignore[union-attr]
        table.notice("test.hello", lambda ctx, params: View(ctx.t("Hello, {name}!", name=str(params["name"]))))
        yield shop


def _sender(shop: Shop, clock: VirtualClock, limits: TelegramLimits) -> OutboxSender:
    app = shop.app
    assert app.database is not None and app.messenger is not None and app._renderer is not None
    return OutboxSender(app.database.uow, app.messenger, app._renderer, clock, limits=limits, sleep=clock.sleep)


async def _drain(shop: Shop, sender: OutboxSender, clock: VirtualClock, keys: list[str]) -> None:
    """Passes of the sender until every notice is done; between passes the clock jumps to the next one."""
    for _ in range(2000):
        delay = await sender.drain_once()
        await sender.settle()
        async with shop.uow() as uow:
            entries = [await uow.outbox.get_by_key(k) for k in keys]
        if all(e is not None and e.status is not NoticeStatus.PENDING for e in entries):
            return
        clock.t += delay
    raise AssertionError("the outbox did not drain")


async def _enqueue(shop: Shop, at: datetime, notices: list[Notice]) -> None:
    async with shop.uow() as uow:
        for notice in notices:
            await uow.outbox.enqueue(notice, at)
        await uow.commit()


async def test_a_burst_to_groups_and_members_keeps_every_limit_and_earns_no_429(quiet_shop: Shop) -> None:
    shop = quiet_shop
    clock = VirtualClock(shop.clock.now())
    shop.fake.clock = clock.monotonic
    shop.fake.flood_limit(per_chat_per_second=1, per_group_per_minute=20, global_per_second=30)
    groups = [shop.fake.group(-1003000000000 - i, f"Circle {i}") for i in range(40)]
    members = [shop.fake.user(8_000_000 + i, f"M{i}") for i in range(50)]
    for member in members:
        member.start_bot()
    busy = groups[0]
    notices = [Notice(f"g:{g.id}", g.id, "test.hello", {"name": "all"}) for g in groups]
    notices += [Notice(f"busy:{i}", busy.id, "test.hello", {"name": str(i)}) for i in range(24)]
    notices += [Notice(f"m:{m.id}:{i}", m.id, "test.hello", {"name": str(i)}) for m in members for i in (1, 2)]
    await _enqueue(shop, clock.now(), notices)

    await _drain(shop, _sender(shop, clock, TelegramLimits(clock=clock.monotonic)), clock, [n.key for n in notices])

    assert shop.fake.flood_events == []
    chats = {g.id for g in groups} | {m.id for m in members}
    sends = [s for s in shop.fake.sends if s.chat_id in chats]
    assert len(sends) == len(notices)  # each exactly once
    times = sorted(s.at for s in sends)
    assert all(b - a >= 1.0 for a, b in zip(times, times[30:], strict=False))  # 30 in any second, no more
    by_chat: dict[object, list[float]] = {}
    for send in sends:
        by_chat.setdefault(send.chat_id, []).append(send.at)
    for chat_id, at in by_chat.items():
        assert all(b - a >= 1.0 for a, b in pairwise(at)), chat_id
    busy_times = by_chat[busy.id]
    assert len(busy_times) == 25
    assert all(b - a >= 60.0 for a, b in zip(busy_times, busy_times[20:], strict=False))  # 20 a minute
    assert not any(s.paid for s in sends)  # the free 30 a second never cost a Star


async def test_paid_broadcast_sends_past_the_free_thirty_with_allow_paid_broadcast(quiet_shop: Shop) -> None:
    shop = quiet_shop
    clock = VirtualClock(shop.clock.now())
    shop.fake.clock = clock.monotonic
    shop.fake.flood_limit(per_chat_per_second=1, per_group_per_minute=20, global_per_second=30)
    members = [shop.fake.user(9_000_000 + i, f"P{i}") for i in range(100)]
    for member in members:
        member.start_bot()
    notices = [Notice(f"p:{m.id}", m.id, "test.hello", {"name": "P"}) for m in members]
    await _enqueue(shop, clock.now(), notices)
    limits = TelegramLimits(clock=clock.monotonic, paid_per_second=1000)

    await _drain(shop, _sender(shop, clock, limits), clock, [n.key for n in notices])

    assert shop.fake.flood_events == []
    sends = [s for s in shop.fake.sends if s.chat_id in {m.id for m in members}]
    assert len(sends) == 100 and {s.at for s in sends} == {START}  # all within the first second
    assert sum(s.paid for s in sends) == 70  # the first 30 are free; only the rest carry the flag
    flagged = [c for c in shop.fake.calls if c.method == "sendMessage" and c.params.get("allow_paid_broadcast")]
    assert len(flagged) == 70
