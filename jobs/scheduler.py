"""The in-process APScheduler and the periodic jobs of the shopping loop.

Every job is an idempotent transition, so the start-up catch-up simply runs each once before the
schedule takes over: whatever came due while the process was down is handled then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.clock import Clock
from domain.messenger import Messenger
from domain.ports import UnitOfWorkFactory
from jobs.holds import release_holds
from jobs.refunds import retry_star_refunds

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]


class ShopJobs:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, messenger: Messenger) -> None:
        self.jobs: dict[str, tuple[Job, int]] = {
            "release_holds": (lambda: release_holds(uow_factory, clock), 30),
            "retry_star_refunds": (lambda: retry_star_refunds(uow_factory, clock, messenger), 60),
        }
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    async def catch_up(self) -> None:
        for name, (job, _) in self.jobs.items():
            await _run_logged(name, job)

    def start(self) -> None:
        for name, (job, seconds) in self.jobs.items():
            self.scheduler.add_job(
                _run_logged,
                "interval",
                seconds=seconds,
                args=(name, job),
                id=name,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


async def _run_logged(name: str, job: Job) -> None:
    try:
        await job()
    except Exception:
        log.exception("job %s failed; it will run again on schedule", name)
