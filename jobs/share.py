"""The monthly settlement of the community's share (domain/share/settlement.py).

Idempotent: each ended month is claimed before it is settled, so running twice changes nothing; months
missed while the process was down are settled oldest first, one transaction each. The job checks hourly;
the work happens once a month.
"""

from __future__ import annotations

import logging

from domain.share import settlement
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

DEFAULT_FEE_BP = 500
CHECK_SECONDS = 3600.0


async def settle_due_months(deps: JobDeps) -> list[str]:
    fee = deps.options.get("platform_fee_bp", DEFAULT_FEE_BP)
    fee_bp = fee if isinstance(fee, int) else DEFAULT_FEE_BP
    settled = await settlement.settle_due(deps.uow_factory, deps.clock.now(), fee_bp)
    if settled:
        log.info("settled the community share of %s", ", ".join(settled))
    return settled


def job_specs(deps: JobDeps) -> list[JobSpec]:
    async def run() -> list[str]:
        return await settle_due_months(deps)

    return [JobSpec("share_settlement", run, CHECK_SECONDS)]
