"""The outbox sender: delivers queued notices within Telegram's limits, retrying what can be retried.

Delivery is at-least-once with the window made as small as it can be: an entry is leased, sent, and
marked sent right away; a sender that dies between the two leaves a lapsed lease, and the entry is sent
again. Stopping the process normally finishes the message in flight first, so a restart sends nothing twice;
if Telegram keeps that message waiting past STOP_GRACE, the send is cut and the entries still leased are
handed back, due at once for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from domain import member_registry
from domain.clock import Clock
from domain.messenger import Messenger, RateLimited, RecipientUnavailable, Rejected, TransientFailure
from domain.moderation import settings as community_settings
from domain.moderation.model import CommunitySettings
from domain.notices import NoticeRenderer, NoticeStatus, OutboxEntry
from domain.outgoing import MessageRef
from domain.ports import UnitOfWorkFactory
from domain.privacy.pseudonyms import is_pseudonym
from jobs.telegram_limits import TelegramLimits

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
        batch: int = 100,
    ) -> None:
        self.uow_factory = uow_factory
        self.messenger = messenger
        self.renderer = renderer
        self.clock = clock
        self.limits = limits or TelegramLimits()
        self.supported = supported_languages
        self.default_language = default_language
        self.batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
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
        """Finish the message in flight (within STOP_GRACE), hand the rest of the batch back, and end."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, timeout=STOP_GRACE)
            await self._hand_back_leased()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                delay = await self.drain_once()
            except Exception:
                log.exception("outbox drain failed; trying again shortly")
                self._failed()
                delay = 1.0
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    # -- one pass --------------------------------------------------------------------------------------
    async def drain_once(self) -> float:
        """Send what is due and allowed; return how long to wait before the next pass."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            entries = await uow.outbox.claim_due(now, self.batch, now + LEASE)
            ruled = await community_settings.groups_with_rules(uow, [e.notice for e in entries])
            await uow.commit()
        self._leased = (list(entries), now + LEASE)  # what a stop that cuts this batch short hands back
        if not entries:
            return 0.5
        soonest = 0.5
        for entry in entries:
            if self._stopping:
                await self._defer(entry, 0.0)
                continue
            held = await self._held_back(entry, ruled, now)
            if held is not None:
                await self._hold(entry, held)
                continue
            wait = self.limits.reserve(entry.notice.chat_id)
            if wait > 0:
                await self._defer(entry, wait)
                soonest = min(soonest, wait)
                continue
            await self._deliver(entry)
        return 0.0 if len(entries) == self.batch else soonest

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

    async def _deliver(self, entry: OutboxEntry) -> None:
        notice = entry.notice
        if is_pseudonym(notice.chat_id):
            # A forgotten member's records carry a pseudonym, which is nobody Telegram knows: a notice a job
            # queued for it since goes nowhere.
            await self._give_up(entry, NoticeStatus.UNDELIVERABLE, "a forgotten member")
            return
        try:
            view = self.renderer.render(notice, await self._language(entry))
            if notice.edit_message_id is not None:
                await self.messenger.edit(MessageRef(chat_id=notice.chat_id, message_id=notice.edit_message_id), view)
                message_id: int | None = notice.edit_message_id
            else:
                message_id = (await self.messenger.send(notice.chat_id, view)).message_id
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
            async with self.uow_factory() as uow:
                await uow.outbox.mark_sent(entry.id, self.clock.now(), message_id)
                await uow.commit()

    async def _language(self, entry: OutboxEntry) -> str:
        member_id = entry.notice.language_of or (entry.notice.chat_id if entry.notice.chat_id > 0 else None)
        if member_id is not None:
            async with self.uow_factory() as uow:
                member = await uow.members.get(member_id)
            if member is not None:
                return member.language(self.supported, self.default_language)
        else:
            async with self.uow_factory() as uow:
                community = await uow.communities.get(entry.notice.chat_id)
            if community is not None and community.language in self.supported:
                return community.language
        return self.default_language

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
        """Not an attempt: the limits said wait. The entry keeps its attempts."""
        async with self.uow_factory() as uow:
            await uow.outbox.retry_later(entry.id, self.clock.now() + timedelta(seconds=seconds), "", count=False)
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
