"""Forgetting processed updates once Telegram can no longer deliver them again (domain/updates.py)."""

from __future__ import annotations

import logging

from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from domain.updates import forget_old_updates
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600


async def prune_processed_updates(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    async with uow_factory() as uow:
        pruned = await forget_old_updates(uow, clock.now())
        await uow.commit()
    if pruned:
        log.info("forgot %d processed updates", pruned)
    return pruned


def job_specs(deps: JobDeps) -> list[JobSpec]:
    prune = lambda: prune_processed_updates(deps.uow_factory, deps.clock)  # noqa: E731
    return [JobSpec("prune_processed_updates", prune, PRUNE_EVERY_SECONDS)]
