"""Fulfilment's job: erase shipping addresses a retention time after their order was delivered or returned.

Idempotent and catching up by construction: each run erases whatever came due, however late it runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from domain.shop import fulfilment
from domain.shop.addresses import DEFAULT_RETENTION
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

ERASE_EVERY = 3600.0


def retention(deps: JobDeps) -> timedelta:
    days = deps.options.get("address_retention_days")
    return timedelta(days=days) if isinstance(days, int) and days >= 0 else DEFAULT_RETENTION


async def erase_addresses(deps: JobDeps) -> int:
    erased = 0
    while True:
        async with deps.uow_factory() as uow:
            count = await fulfilment.erase_expired_addresses(uow, deps.clock.now(), retention(deps))
            await uow.commit()
        erased += count
        if count < 500:
            break
    if erased:
        log.info("erased %s shipping addresses past their retention time", erased)
    return erased


def job_specs(deps: JobDeps) -> list[JobSpec]:
    return [JobSpec("erase_addresses", lambda: erase_addresses(deps), ERASE_EVERY)]
