"""The in-process APScheduler and the periodic jobs every capability declares.

Every job is an idempotent transition, so the start-up catch-up simply runs each once before the
schedule takes over: whatever came due while the process was down is handled then. Each capability
lists its jobs in its own module as `job_specs(deps)`; FEATURES below collects them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jobs.spec import Job, JobDeps, JobSpecs

log = logging.getLogger(__name__)

FailureListener = Callable[[str], None]  # hears the name of each job whose run failed (metrics)


def _feature_specs() -> list[JobSpecs]:
    # Imported here so that each capability's job module is the one place that names its jobs.
    from jobs import (
        assistant,
        digital,
        drops,
        fulfilment,
        holds,
        memberships,
        moderation,
        payments,
        rewards,
        share,
        updates,
        votes,
    )

    return [
        holds.job_specs,
        payments.job_specs,
        digital.job_specs,
        rewards.job_specs,
        memberships.job_specs,
        drops.job_specs,
        moderation.job_specs,
        updates.job_specs,
        assistant.job_specs,
        fulfilment.job_specs,
        votes.job_specs,
        share.job_specs,
    ]


class ShopJobs:
    def __init__(self, deps: JobDeps, features: Sequence[JobSpecs] | None = None) -> None:
        self.specs = [spec for feature in (features or _feature_specs()) for spec in feature(deps)]
        self._stop_hooks = deps.stop_hooks
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.failure_listeners: list[FailureListener] = []

    async def catch_up(self) -> None:
        for spec in self.specs:
            await _run_logged(spec.name, spec.run, self.failure_listeners)

    def start(self) -> None:
        for spec in self.specs:
            self.scheduler.add_job(
                _run_scheduled,
                "interval",
                seconds=spec.every_seconds,
                args=(spec.name, spec.run, self.failure_listeners),
                id=spec.name,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for hook in self._stop_hooks:
            try:
                await hook()
            except Exception:
                log.exception("a job stop hook failed")

    async def run_now(self, name: str) -> None:
        """Run one job immediately (operators and tests): the same idempotent transition as on schedule."""
        for spec in self.specs:
            if spec.name == name:
                await spec.run()
                return
        raise KeyError(name)


async def _run_scheduled(name: str, job: Job, failure_listeners: Sequence[FailureListener] = ()) -> None:
    """A run APScheduler started. Its shutdown cancels a run in flight: the transaction rolls back and the
    transition runs again at the next start's catch-up, so this ends quietly instead of logging an error."""
    try:
        await _run_logged(name, job, failure_listeners)
    except asyncio.CancelledError:
        log.info("job %s was interrupted by the shutdown; it runs again at the next start", name)


async def _run_logged(name: str, job: Job, failure_listeners: Sequence[FailureListener] = ()) -> None:
    try:
        await job()
    except Exception:
        log.exception("job %s failed; it will run again on schedule", name)
        for listener in failure_listeners:
            listener(name)
