"""Scheduled transitions of drops: teasers, opening, live counts, closing, raffle draws and hand-offs, the report.

Two mechanisms drive the same idempotent transitions:
- timers (jobs/timers.py, kept in the shop's own database as `drop_scheduler_jobs`) wake the reconciler at
  each drop's exact moments (teasers, start, end);
- a periodic reconciler (`drops_reconcile`) performs every transition that has come due, so a restart, a
  missed fire or a clock jump is caught up, and it (re)sets the timers for upcoming moments.

What is due, and when, the domain decides (domain/drops/due.py); this job performs it, each transition in its
own short transaction, and does the I/O the domain cannot: a raffle's beacon round is fetched here, outside
any transaction. While it cannot be fetched the reconciler asks again on every pass, until the domain says
the stated fallback draws. The draw itself is a conditional update, so a second pass, a late fire or a
restart draws nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import assert_never

from domain.drops import buying, due, lifecycle
from domain.drops.beacon import Beacon, BeaconUnavailable, BeaconValue
from domain.drops.due import Close, Draw, Open, Report, Teaser, Transition
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
            for transition in due.due_transitions(drop, now, self.options.teasers):
                await self._perform(drop, transition, now, report)
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

    async def _perform(self, drop: Drop, transition: Transition, now: datetime, report: ReconcileReport) -> None:
        if isinstance(transition, Draw):
            await self._draw(drop.id, transition, report)  # its beacon is fetched outside any transaction
            return
        async with self.deps.uow_factory() as uow:
            match transition:
                case Teaser(lead=lead):
                    report.teasers += await lifecycle.send_teaser(uow, now, drop, lead)
                case Open():
                    if await lifecycle.open_drop(uow, now, drop.id):
                        report.opened.append(drop.id)
                case Close():
                    if await lifecycle.close_drop(uow, now, drop.id, self.options.claim_window):
                        report.closed.append(drop.id)
                case Report():
                    if await lifecycle.report_if_done(uow, now, drop.id, self.deps.owner_ids):
                        report.reported.append(drop.id)
                case _:
                    assert_never(transition)
            await uow.commit()

    async def _draw(self, drop_id: int, draw: Draw, report: ReconcileReport) -> None:
        """Fetch the raffle's beacon round and draw with it (or, once it is long overdue, with the stated fallback)."""
        value: BeaconValue | None = None
        try:
            value = await self.beacon.fetch(draw.beacon.chain_hash, draw.beacon.round)
        except BeaconUnavailable as error:
            if not draw.fallback:
                log.info(
                    "drop %s: beacon round %s not available yet (%s); asking again", drop_id, draw.beacon.round, error
                )
                return
            log.warning(
                "drop %s: beacon round %s never came (%s); the stated fallback draws", drop_id, draw.beacon.round, error
            )
        # The fetch may have taken a while: the draw and its offers' deadlines count from now.
        async with self.deps.uow_factory() as uow:
            if await lifecycle.draw(uow, self.deps.clock.now(), drop_id, self.options.claim_window, value):
                report.drawn.append(drop_id)
            await uow.commit()

    async def _ensure_timers(self, drops: Iterable[Drop]) -> None:
        if self.timers is None:
            return
        now = self.deps.clock.now()
        moments = [m for drop in drops for m in due.moments(drop, self.options.teasers, now)]
        await self.timers.update(self.reconcile, moments)

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

    async def stop(self) -> None:
        if self.timers is not None:
            await self.timers.close()


def job_specs(deps: JobDeps) -> list[JobSpec]:
    options = DropJobOptions.from_options(deps.options)
    jobs = DropJobs(deps, options)
    deps.stop_hooks.append(jobs.stop)
    return [
        JobSpec("drops_reconcile", jobs.reconcile, options.reconcile_seconds),
        JobSpec("drops_counts", jobs.refresh_counts, COUNTS_EVERY),
    ]
