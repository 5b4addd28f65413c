"""Digital goods' job: warn brand staff when a pool of codes runs low (once each time it falls to the
threshold). Idempotent: a pool's warning is noted by a conditional update with the notices it queues."""

from __future__ import annotations

import logging

from domain.shop import digital
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

LOW_POOLS_EVERY = 60.0


async def warn_low_pools(deps: JobDeps) -> int:
    low_at = deps.options.get("codes_low_at")
    threshold = low_at if isinstance(low_at, int) else digital.DEFAULT_LOW_AT
    async with deps.uow_factory() as uow:
        warned = await digital.warn_low_pools(uow, deps.clock.now(), threshold, deps.owner_ids)
        await uow.commit()
    if warned:
        log.info("pools of codes running low, staff warned: products %s", warned)
        deps.wake_outbox()
    return len(warned)


def job_specs(deps: JobDeps) -> list[JobSpec]:
    return [JobSpec("warn_low_code_pools", lambda: warn_low_pools(deps), LOW_POOLS_EVERY)]
