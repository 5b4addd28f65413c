"""The outbox sender: delivers queued notices within Telegram's limits, retrying what can be retried.

Delivery is at-least-once with the window made as small as it can be: an entry is leased, sent, and
marked sent as soon as it came back; a sender that dies between the two leaves a lapsed lease, and the
entry is sent again. Sends overlap: each starts the moment the limits allow it (TelegramLimits books the
slot), so a broadcast goes at Telegram's rate rather than at one round trip at a time. Stopping the process
normally finishes the messages in flight first, so a restart sends nothing twice; if Telegram keeps them
waiting past STOP_GRACE, the sends are cut and the entries still leased are handed back, due at once for the
next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from domain import member_registry
from domain.clock import Clock
from domain.messenger import Messenger, RateLimited, RecipientUnavailable, Rejected, TransientFailure
from domain.moderation import settings as community_settings
from domain.moderation.model import CommunitySettings
from domain.notices import NoticeRenderer, NoticeStatus, OutboxEntry
from domain.outgoing import MessageRef
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.privacy.pseudonyms import is_pseudonym
from jobs.telegram_limits import Slot, TelegramLimits

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
STOP_GRACE = 10.0  # seconds a stopping sender lets the message in flight finish before cutting it


class OutboxSender:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        messenger: Messenger,
        renderer: NoticeRenderer,
        clock: Clock,
        limits: TelegramLimits | None = None,
        supported_languages: tuple[str, ...] = ("en",),
        default_language: str = "en",
        batch: int | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_in_flight: int = 100,
    ) -> None:
        self.uow_factory = uow_factory
        self.messenger = messenger
        self.renderer = renderer
        self.clock = clock
        self.limits = limits or TelegramLimits()
        self.supported = supported_languages
        self.default_language = default_language
        # A batch is a few seconds of sending: few claims, and every lease ends long before it lapses.
        self.batch = batch or max(100, 3 * self.limits.ceiling)
        self._sleep = sleep or self._wait_or_stop
        # Enough round trips at once to keep 1,000/s going; more would only queue for connections (aiogram's
        # pool holds 100) and CPU, and make every one of them slower.
        self.max_in_flight = max_in_flight
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()  # cuts short a wait for the limits
        self._in_flight: set[asyncio.Task[None]] = set()
        self._came_back = asyncio.Event()
        self._unrecorded: dict[int, int] = {}  # chats with a send whose outcome is not written down yet
        self._marks: list[tuple[int, datetime, int | None, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None
        # Hear each failure: a notice given up as failed, or a drain that broke (metrics count them).
        self.failure_listeners: list[Callable[[], None]] = []
        self._leased: tuple[list[OutboxEntry], datetime | None] = ([], None)

    # -- running in the background ---------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next tick."""
        self._wake.set()

    async def stop(self) -> None:
        """Finish the messages in flight (within STOP_GRACE), hand the rest of the batch back, and end."""
        self._stopping = True
        self._stopped.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, timeout=STOP_GRACE)
        else:
            await self._cut_in_flight()
        await self._hand_back_leased()

    async def _run(self) -> None:
        try:
            while not self._stopping:
                try:
                    delay = await self.drain_once()
                except Exception:
                    log.exception("outbox drain failed; trying again shortly")
                    self._failed()
                    delay = 1.0
                self._wake.clear()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=delay)
            await self.settle()
        finally:
            await self._cut_in_flight()

    async def settle(self) -> None:
        """Wait for the sends in flight to come back and be recorded."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)

    async def _cut_in_flight(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*list(self._in_flight), return_exceptions=True)

    async def _wait_or_stop(self, seconds: float) -> None:
        """Sleep until the limits allow the next send; a stop cuts it short."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), timeout=seconds)

    # -- one pass --------------------------------------------------------------------------------------
    async def drain_once(self) -> float:
        """Start sending what is due and allowed; return how long to wait before the next pass.

        Each send starts the moment the limits allow it and runs on its own, so the round trips of many
        overlap; the next pass may claim more while they are still in flight (their leases keep them out).
        A notice whose chat must wait is made due again at the exact moment it may go.
        """
        now = self.clock.now()
        async with self.uow_factory() as uow:
            entries = await uow.outbox.claim_due(now, self.batch, now + LEASE)
            ruled = await community_settings.groups_with_rules(uow, [e.notice for e in entries])
            languages = await self._languages(uow, entries)
            await uow.commit()
        self._leased = (list(entries), now + LEASE)  # what a stop that cuts this batch short hands back
        if not entries:
            return 0.5
        soonest = 0.5
        deferred: list[tuple[OutboxEntry, float]] = []
        for entry in entries:
            if self._stopping:
                break
            if is_pseudonym(entry.notice.chat_id):
                # A forgotten member's records carry a pseudonym, which is nobody Telegram knows: a notice a
                # job queued for it since goes nowhere.
                await self._give_up(entry, NoticeStatus.UNDELIVERABLE, "a forgotten member")
                continue
            if self._unrecorded.get(entry.notice.chat_id):
                # Its last send is not written down yet: a daily cap must count it, and the chat's interval
                # starts when it came back anyway.
                deferred.append((entry, self.limits.chat_interval))
                continue
            held = await self._held_back(entry, ruled, now)
            if held is not None:
                await self._hold(entry, held)
                continue
            slot = await self._book(entry.notice.chat_id)
            if isinstance(slot, float):
                deferred.append((entry, slot))
                soonest = min(soonest, slot)
                continue
            if slot is None:  # stopping
                break
            chat_id = entry.notice.chat_id
            self._unrecorded[chat_id] = self._unrecorded.get(chat_id, 0) + 1
            task = asyncio.create_task(self._send(entry, slot, languages[entry.id]), name=f"outbox-send-{entry.id}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        if deferred:
            await self._defer_all(deferred)
        return 0.0 if len(entries) == self.batch else soonest

    async def _book(self, chat_id: int) -> Slot | float | None:
        """A slot as soon as the bot-wide limit allows; the seconds to wait instead when this chat's own
        limits hold it back (the entry is deferred, the others go on); None when stopping."""
        while not self._stopping:
            chat_wait = self.limits.chat_wait(chat_id)
            if chat_wait > 0:
                # A send to this chat still in flight: its window starts when it comes back.
                return self.limits.chat_interval if math.isinf(chat_wait) else chat_wait
            if self.limits.in_flight >= self.max_in_flight:
                self._came_back.clear()
                await self._came_back.wait()
                continue
            slot = self.limits.book(chat_id)
            if isinstance(slot, Slot):
                return slot
            if math.isinf(slot):  # every slot is taken by a send in flight
                self._came_back.clear()
                await self._came_back.wait()
            else:
                await self._sleep(slot)
        return None

    async def _send(self, entry: OutboxEntry, slot: Slot, language: str) -> None:
        try:
            await self._deliver(entry, slot, language)
        except Exception:
            log.exception("outbox: notice %s could not be recorded after sending", entry.notice.key)
            self._failed()
        finally:
            chat_id = entry.notice.chat_id
            left = self._unrecorded.get(chat_id, 0) - 1
            if left > 0:
                self._unrecorded[chat_id] = left
            else:
                self._unrecorded.pop(chat_id, None)

    async def _mark_sent(self, entry_id: int, message_id: int | None) -> None:
        """Record the send, together with the others that came back meanwhile: at a thousand a second one
        transaction each would be most of the work. The first waits for nobody, so the window in which a
        crash sends a notice twice stays as small as before."""
        done = asyncio.get_running_loop().create_future()
        self._marks.append((entry_id, self.clock.now(), message_id, done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._write_marks(), name="outbox-mark-sent")
        await done

    async def _write_marks(self) -> None:
        while self._marks:
            marks, self._marks = self._marks, []
            try:
                async with self.uow_factory() as uow:
                    for entry_id, at, message_id, _ in marks:
                        await uow.outbox.mark_sent(entry_id, at, message_id)
                    await uow.commit()
            except Exception as error:  # their leases lapse and they are sent again: at least once
                for *_, done in marks:
                    if not done.done():
                        done.set_exception(error)
            else:
                for *_, done in marks:
                    if not done.done():
                        done.set_result(None)

    def _finish(self, slot: Slot) -> None:
        self.limits.finished(slot)
        self._came_back.set()

    async def _hand_back_leased(self) -> None:
        """After a stop that cut the batch short: the entries still under this sender's lease (neither sent,
        given up nor deferred) are made due now, so the next start sends them without waiting out the lease."""
        entries, lease_until = self._leased
        self._leased = ([], None)
        if not entries or lease_until is None:
            return
        try:
            async with self.uow_factory() as uow:
                for entry in entries:
                    current = await uow.outbox.get_by_key(entry.notice.key)
                    if (
                        current is not None
                        and current.status is NoticeStatus.PENDING
                        and current.next_attempt_at == lease_until
                    ):
                        await uow.outbox.retry_later(entry.id, self.clock.now(), "cut short by a shutdown", count=False)
                await uow.commit()
        except Exception as error:  # their leases lapse instead; the next start sends them a minute later
            log.warning("outbox: could not hand the notices of a cut batch back at shutdown: %s", error)

    async def _deliver(self, entry: OutboxEntry, slot: Slot, language: str) -> None:
        notice = entry.notice
        try:
            try:
                view = self.renderer.render(notice, language)
                if notice.edit_message_id is not None:
                    target = MessageRef(chat_id=notice.chat_id, message_id=notice.edit_message_id)
                    await self.messenger.edit(target, view)
                    message_id: int | None = notice.edit_message_id
                else:
                    sent = await self.messenger.send(notice.chat_id, view, paid_broadcast=slot.paid)
                    message_id = sent.message_id
            finally:
                self._finish(slot)
        except RateLimited as error:
            log.info("outbox: 429 for chat %s, retry after %ss", notice.chat_id, error.retry_after)
            self.limits.pause(notice.chat_id, error.retry_after)
            await self._defer(entry, error.retry_after)
        except TransientFailure as error:
            await self._retry(entry, str(error))
        except RecipientUnavailable as error:
            log.info("outbox: %s cannot be reached: %s", notice.chat_id, error)
            await self._give_up(entry, NoticeStatus.UNDELIVERABLE, str(error))
            if notice.chat_id > 0:
                async with self.uow_factory() as uow:
                    await member_registry.mark_blocked(uow, notice.chat_id)
                    await uow.commit()
        except Rejected as error:
            log.error("outbox: Telegram rejected notice %s: %s", notice.key, error)
            await self._give_up(entry, NoticeStatus.FAILED, str(error))
        except Exception as error:
            log.exception("outbox: notice %s could not be rendered or sent", notice.key)
            await self._give_up(entry, NoticeStatus.FAILED, repr(error))
        else:
            await self._mark_sent(entry.id, message_id)

    async def _languages(self, uow: UnitOfWork, entries: Sequence[OutboxEntry]) -> dict[int, str]:
        """Each entry's language, by entry id: its member's, else its group's, else the default. Two queries
        for the whole batch."""
        member_of = {
            e.id: e.notice.language_of or (e.notice.chat_id if e.notice.chat_id > 0 else None) for e in entries
        }
        members = await uow.members.get_many({m for m in member_of.values() if m is not None})
        groups = await uow.communities.get_many({e.notice.chat_id for e in entries if member_of[e.id] is None})
        languages: dict[int, str] = {}
        for entry in entries:
            member_id = member_of[entry.id]
            language = self.default_language
            if member_id is not None:
                member = members.get(member_id)
                if member is not None:
                    language = member.language(self.supported, self.default_language)
            else:
                community = groups.get(entry.notice.chat_id)
                if community is not None and community.language in self.supported:
                    language = community.language
            languages[entry.id] = language
        return languages

    async def _held_back(
        self, entry: OutboxEntry, ruled: dict[int, CommunitySettings], now: datetime
    ) -> datetime | None:
        """A group's quiet hours or daily cap of announcements hold this one back until the returned moment."""
        settings = ruled.get(entry.notice.chat_id)
        if settings is None or not community_settings.is_announcement(entry.notice):
            return None
        if settings.daily_cap is None:
            return settings.hold_until(now, 0)
        async with self.uow_factory() as uow:  # what went out today counts up to this very entry
            return await community_settings.announcement_hold(uow, settings, now)

    async def _hold(self, entry: OutboxEntry, until: datetime) -> None:
        """Not an attempt and not dropped: due again when the group's quiet hours end or its new day starts."""
        log.info("outbox: notice %s to group %s held back until %s", entry.notice.key, entry.notice.chat_id, until)
        async with self.uow_factory() as uow:
            await uow.outbox.retry_later(entry.id, until, "held back by the group's settings", count=False)
            await uow.commit()

    async def _defer(self, entry: OutboxEntry, seconds: float) -> None:
        await self._defer_all([(entry, seconds)])

    async def _defer_all(self, waits: list[tuple[OutboxEntry, float]]) -> None:
        """Not an attempt: the limits said wait. The entries keep their attempts."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            for entry, seconds in waits:
                await uow.outbox.retry_later(entry.id, now + timedelta(seconds=seconds), "", count=False)
            await uow.commit()

    async def _retry(self, entry: OutboxEntry, error: str) -> None:
        if entry.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(entry, NoticeStatus.FAILED, error)
            return
        backoff = min(MAX_BACKOFF, 2.0**entry.attempts)
        log.warning("outbox: notice %s failed (%s); retrying in %.0fs", entry.notice.key, error, backoff)
        async with self.uow_factory() as uow:
            await uow.outbox.retry_later(entry.id, self.clock.now() + timedelta(seconds=backoff), error)
            await uow.commit()

    def _failed(self) -> None:
        for listener in self.failure_listeners:
            listener()

    async def _give_up(self, entry: OutboxEntry, status: NoticeStatus, error: str) -> None:
        if status is NoticeStatus.FAILED:
            self._failed()
        async with self.uow_factory() as uow:
            await uow.outbox.give_up(entry.id, status, error)
            await uow.commit()
