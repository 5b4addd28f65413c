"""Releasing stock held by payments that were never completed."""

from __future__ import annotations

import logging

from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from domain.shop.checkout import release_expired_holds
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)


async def release_holds(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    async with uow_factory() as uow:
        released = await release_expired_holds(uow, clock.now())
        await uow.commit()
    if released:
        log.info("released %d expired stock holds", released)
    return released


def job_specs(deps: JobDeps) -> list[JobSpec]:
    return [JobSpec("release_holds", lambda: release_holds(deps.uow_factory, deps.clock), 30)]
