"""Scheduled transitions of what moderators run: giveaways closing, drawing and passing lapsed prizes on, and
meetup reminders an hour before.

Each is an idempotent transition performed in its own short transaction (a conditional update decides who
did it), so a second pass, a late fire or a restart does nothing twice, and the periodic pass catches up
whatever came due while the process was down. A giveaway's beacon round is fetched here, outside any
transaction; until it comes the job asks again on every pass, and after beacon.FALLBACK_AFTER the stated
fallback draws (as for drop raffles).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from domain.drops.beacon import FALLBACK_AFTER, Beacon, BeaconUnavailable, BeaconValue
from domain.moderation import giveaways, meetups
from domain.moderation.model import Giveaway, GiveawayStatus
from jobs.beacon import DEFAULT_URL, DrandHttpBeacon
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

RECONCILE_EVERY = 10.0
BATCH = 100


@dataclass
class ModerationReport:
    closed: list[int] = field(default_factory=list)
    drawn: list[int] = field(default_factory=list)
    passed_on: int = 0
    reminded: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.closed or self.drawn or self.passed_on or self.reminded)


class ModerationJobs:
    def __init__(self, deps: JobDeps, beacon: Beacon | None = None) -> None:
        self.deps = deps
        url = deps.options.get("beacon_url")
        self.beacon: Beacon = beacon or DrandHttpBeacon(url if isinstance(url, str) else DEFAULT_URL)
        self._lock = asyncio.Lock()

    async def reconcile(self) -> ModerationReport:
        async with self._lock:
            report = await self._reconcile()
        if report.anything:
            log.info("moderation reconciled: %s", report)
            self.deps.wake_outbox()
        return report

    async def _reconcile(self) -> ModerationReport:
        report = ModerationReport()
        clock, uow_factory = self.deps.clock, self.deps.uow_factory
        async with uow_factory() as uow:
            due = await uow.giveaways.due(clock.now(), BATCH)
        for giveaway in due:
            if giveaway.status is GiveawayStatus.OPEN:
                async with uow_factory() as uow:
                    if await giveaways.close_entries(uow, clock.now(), giveaway):
                        report.closed.append(giveaway.id)
                    await uow.commit()
            elif giveaway.status is GiveawayStatus.CLOSED:
                await self._draw(giveaway, report)
        async with uow_factory() as uow:
            lapsed = await uow.giveaways.lapsed_offers(clock.now(), BATCH)
        for entry in lapsed:
            async with uow_factory() as uow:
                await giveaways.pass_on(uow, clock.now(), entry)
                await uow.commit()
            report.passed_on += 1
        now = clock.now()
        async with uow_factory() as uow:
            soon = await uow.meetups.due_reminders(now, now + meetups.REMINDER_LEAD, BATCH)
        for meetup in soon:
            async with uow_factory() as uow:
                report.reminded += await meetups.send_reminders(uow, clock.now(), meetup)
                await uow.commit()
        return report

    async def _draw(self, giveaway: Giveaway, report: ModerationReport) -> None:
        assert giveaway.beacon_chain is not None and giveaway.beacon_round is not None
        assert giveaway.beacon_at is not None
        value: BeaconValue | None = None
        try:
            value = await self.beacon.fetch(giveaway.beacon_chain, giveaway.beacon_round)
        except BeaconUnavailable as error:
            if self.deps.clock.now() < giveaway.beacon_at + FALLBACK_AFTER:
                log.info(
                    "giveaway %s: beacon round %s not available yet (%s)", giveaway.id, giveaway.beacon_round, error
                )
                return
            log.warning("giveaway %s: beacon round never came (%s); the stated fallback draws", giveaway.id, error)
        async with self.deps.uow_factory() as uow:
            if await giveaways.draw(uow, self.deps.clock.now(), giveaway, value):
                report.drawn.append(giveaway.id)
            await uow.commit()


def job_specs(deps: JobDeps) -> list[JobSpec]:
    jobs = ModerationJobs(deps)
    return [JobSpec("moderation_reconcile", jobs.reconcile, RECONCILE_EVERY)]
