"""The moderator's digest: forget group messages past the retention window; send each day's digest once.

Both are idempotent: the prune deletes by age, and a digest is sent under a conditional move of the group's
last digest day (with its outbox notice keyed by group and day), so a late, doubled or catch-up run sends it
once. A process that was down at the digest hour sends the missed digest at its start-up catch-up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from domain.assistant import digest
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

EVERY_SECONDS = 600
DIGEST_JOB = "assistant_digest"


async def run_digest(deps: JobDeps) -> int:
    now = deps.clock.now()
    hours = int(str(deps.options.get("digest_retention_hours", 48)))
    hour = int(str(deps.options.get("digest_hour", 8)))
    async with deps.uow_factory() as uow:
        pruned = await digest.forget_old_messages(uow, now, timedelta(hours=hours))
        await uow.commit()
    if pruned:
        log.info("digest: deleted %d group messages older than %dh", pruned, hours)
    sent = await digest.send_due(deps.uow_factory, now, hour)
    if sent:
        log.info("digest: queued %d daily digests", sent)
        deps.wake_outbox()
    return sent


def job_specs(deps: JobDeps) -> list[JobSpec]:
    return [JobSpec(DIGEST_JOB, lambda: run_digest(deps), EVERY_SECONDS)]
