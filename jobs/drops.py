"""Scheduled transitions of drops: teasers, opening, live counts, closing, raffle draws and hand-offs, the report.

Two mechanisms drive the same idempotent transitions:
- timers (jobs/timers.py, kept in the shop's own database as `drop_scheduler_jobs`) wake the reconciler at
  each drop's exact moments (teasers, start, end);
- a periodic reconciler (`drops_reconcile`) performs every transition that has come due, so a restart, a
  missed fire or a clock jump is caught up, and it (re)sets the timers for upcoming moments.

A raffle draws once its beacon round is due: the reconciler fetches the round (outside any transaction) and
draws with it; while the beacon cannot be fetched it asks again on every pass, and once
beacon.FALLBACK_AFTER has passed since the round's time it draws with the stated fallback. The draw itself
is a conditional update, so a second pass, a late fire or a restart draws nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.drops import buying, due, lifecycle
from domain.drops.beacon import FALLBACK_AFTER, Beacon, BeaconUnavailable, BeaconValue
from domain.drops.model import Drop, DropStatus
from domain.drops.rules import parse_leads
from jobs.beacon import DEFAULT_URL, DrandHttpBeacon
from jobs.spec import JobDeps, JobSpec
from jobs.timers import Timers, fire

log = logging.getLogger(__name__)

TIMERS_TABLE = "drop_scheduler_jobs"
RECONCILE_EVERY = 10.0
COUNTS_EVERY = 3.0

__all__ = ["fire"]  # timers stored by earlier versions name jobs.drops:fire


@dataclass(frozen=True, slots=True)
class DropJobOptions:
    teasers: tuple[int, ...] = lifecycle.DEFAULT_TEASERS
    claim_window: timedelta = lifecycle.DEFAULT_RAFFLE_CLAIM
    database_url: str | None = None  # None: no date-triggered jobs, the periodic reconciler alone
    reconcile_seconds: float = RECONCILE_EVERY
    beacon_url: str = DEFAULT_URL  # a drand HTTP relay

    @classmethod
    def from_options(cls, options: dict[str, object]) -> DropJobOptions:
        teasers = options.get("drop_teasers")
        claim = options.get("drop_claim_minutes")
        url = options.get("database_url")
        beacon_url = options.get("beacon_url")
        return cls(
            teasers=parse_leads(teasers) if isinstance(teasers, str) else lifecycle.DEFAULT_TEASERS,
            claim_window=timedelta(minutes=claim) if isinstance(claim, int) else lifecycle.DEFAULT_RAFFLE_CLAIM,
            database_url=url if isinstance(url, str) else None,
            beacon_url=beacon_url if isinstance(beacon_url, str) else DEFAULT_URL,
        )


def moments_of(drop: Drop, teasers: tuple[int, ...], now: datetime) -> list[tuple[str, datetime]]:
    """The future moments at which this drop has something to do."""
    moments: list[tuple[str, datetime]] = []
    if drop.status is DropStatus.SCHEDULED:
        for lead in teasers:
            moments.append((f"drop:{drop.id}:teaser:{lead}", drop.starts_at - timedelta(minutes=lead)))
        moments.append((f"drop:{drop.id}:open", drop.starts_at))
    if drop.status in (DropStatus.SCHEDULED, DropStatus.OPEN):
        moments.append((f"drop:{drop.id}:close", drop.ends_at))
    if (
        drop.verifiable
        and drop.drawn_at is None
        and drop.beacon_at is not None
        and drop.status is not DropStatus.CANCELLED
    ):
        moments.append((f"drop:{drop.id}:draw", drop.beacon_at))
        moments.append((f"drop:{drop.id}:draw-fallback", drop.beacon_at + FALLBACK_AFTER))
    return [(job_id, at) for job_id, at in moments if at > now]


@dataclass
class ReconcileReport:
    teasers: int = 0
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    drawn: list[int] = field(default_factory=list)
    reported: list[int] = field(default_factory=list)
    released: int = 0
    passed_on: int = 0

    @property
    def anything(self) -> bool:
        return bool(
            self.teasers or self.opened or self.closed or self.drawn or self.reported or self.released or self.passed_on
        )


class DropJobs:
    def __init__(self, deps: JobDeps, options: DropJobOptions, beacon: Beacon | None = None) -> None:
        self.deps = deps
        self.options = options
        self.beacon: Beacon = beacon or DrandHttpBeacon(options.beacon_url)
        self.timers = Timers(options.database_url, TIMERS_TABLE, deps.clock) if options.database_url else None
        self._lock = asyncio.Lock()

    async def reconcile(self) -> ReconcileReport:
        """Every transition that has come due, each its own short transaction; safe to run any time."""
        async with self._lock:
            report = await self._reconcile()
        if report.anything:
            log.info("drops reconciled: %s", report)
            self.deps.wake_outbox()
        return report

    async def _reconcile(self) -> ReconcileReport:
        report = ReconcileReport()
        clock, uow_factory = self.deps.clock, self.deps.uow_factory
        async with uow_factory() as uow:
            report.released = await buying.release_lapsed_holds(uow, clock.now())
            await uow.commit()
        async with uow_factory() as uow:
            drops = await uow.drops.with_status((DropStatus.SCHEDULED, DropStatus.OPEN, DropStatus.CLOSED))
        for drop in drops:
            now = clock.now()
            if drop.status is DropStatus.SCHEDULED:
                lead = due.due_teaser(drop, now, self.options.teasers)
                if lead is not None:
                    async with uow_factory() as uow:
                        report.teasers += await lifecycle.send_teaser(uow, now, drop, lead)
                        await uow.commit()
                if now >= drop.starts_at:
                    async with uow_factory() as uow:
                        if await lifecycle.open_drop(uow, now, drop.id):
                            report.opened.append(drop.id)
                        await uow.commit()
            if drop.status is not DropStatus.CLOSED and now >= drop.ends_at:
                async with uow_factory() as uow:
                    if await lifecycle.close_drop(uow, now, drop.id, self.options.claim_window):
                        report.closed.append(drop.id)
                    await uow.commit()
            if drop.is_raffle and drop.drawn_at is None:
                await self._draw_if_due(drop.id, report)
            if drop.status is DropStatus.CLOSED and drop.reported_at is not None:
                continue
            async with uow_factory() as uow:
                if await lifecycle.report_if_done(uow, now, drop.id, self.deps.owner_ids):
                    report.reported.append(drop.id)
                await uow.commit()
        async with uow_factory() as uow:
            lapsed = await uow.drop_fans.lapsed_offers(clock.now(), 100)
        for entry in lapsed:
            async with uow_factory() as uow:
                if await lifecycle.pass_on_lapsed_offer(
                    uow, clock.now(), entry.drop_id, entry.user_id, self.options.claim_window
                ):
                    report.passed_on += 1
                await uow.commit()
        await self._ensure_timers(drops)
        return report

    async def _draw_if_due(self, drop_id: int, report: ReconcileReport) -> None:
        """Fetch the raffle's beacon round once it is due, and draw with it (or with the stated fallback)."""
        clock, uow_factory = self.deps.clock, self.deps.uow_factory
        async with uow_factory() as uow:
            drop = await uow.drops.get(drop_id)
        if drop is None or not due.draw_due(drop, clock.now()):
            return
        assert drop.beacon_chain is not None and drop.beacon_round is not None
        value: BeaconValue | None = None
        try:
            value = await self.beacon.fetch(drop.beacon_chain, drop.beacon_round)
        except BeaconUnavailable as error:
            if due.fallback_due(drop, clock.now()):
                log.warning(
                    "drop %s: beacon round %s never came (%s); the stated fallback draws",
                    drop_id,
                    drop.beacon_round,
                    error,
                )
            else:
                log.info(
                    "drop %s: beacon round %s not available yet (%s); asking again", drop_id, drop.beacon_round, error
                )
                return
        async with uow_factory() as uow:
            if await lifecycle.draw(uow, clock.now(), drop_id, self.options.claim_window, value):
                report.drawn.append(drop_id)
            await uow.commit()

    async def _ensure_timers(self, drops: Iterable[Drop]) -> None:
        if self.timers is None:
            return
        now = self.deps.clock.now()
        moments = [m for drop in drops for m in moments_of(drop, self.options.teasers, now)]
        loop = asyncio.get_running_loop()
        try:
            await asyncio.to_thread(self.timers.start, loop, self.reconcile)
            await asyncio.to_thread(self.timers.ensure, moments)
        except Exception:
            # The periodic reconciler still performs every transition; only punctuality suffers.
            log.exception("could not update the drops' date-triggered jobs")

    async def refresh_counts(self) -> int:
        """Edit each live announcement's remaining count (debounced in lifecycle.refresh_announcements)."""
        async with self._lock:
            edited = await self._refresh_counts()
        if edited:
            self.deps.wake_outbox()
        return edited

    async def _refresh_counts(self) -> int:
        edited = 0
        async with self.deps.uow_factory() as uow:
            drops = await uow.drops.with_status((DropStatus.OPEN, DropStatus.CLOSED))
        for drop in drops:
            if drop.status is DropStatus.CLOSED and drop.reported_at is not None:
                continue
            async with self.deps.uow_factory() as uow:
                edited += await lifecycle.refresh_announcements(uow, self.deps.clock.now(), drop)
                await uow.commit()
        return edited

    def stop(self) -> None:
        if self.timers is not None:
            self.timers.shutdown()


def job_specs(deps: JobDeps) -> list[JobSpec]:
    options = DropJobOptions.from_options(deps.options)
    jobs = DropJobs(deps, options)
    deps.stop_hooks.append(jobs.stop)
    return [
        JobSpec("drops_reconcile", jobs.reconcile, options.reconcile_seconds),
        JobSpec("drops_counts", jobs.refresh_counts, COUNTS_EVERY),
    ]
