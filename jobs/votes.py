"""Scheduled transitions of co-creation votes: polls go up, votes close at their time, pre-orders settle.

Each step is idempotent (a conditional status change, an insert-if-new, a key per notice), so a job may
run late, twice, or at start-up to catch up on what came due while the process was down.
"""

from __future__ import annotations

import logging

from domain.clock import Clock
from domain.messenger import Messenger
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWorkFactory
from domain.shop.payments import refunds
from domain.votes import flow, posting, preorders
from jobs.rewards import policy_of
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)
EVERY = 30


async def close_votes(uow_factory: UnitOfWorkFactory, clock: Clock, messenger: Messenger) -> int:
    """Votes past their closing time: the winner goes on pre-order, results go out, polls are stopped."""
    async with uow_factory() as uow:
        closed = await flow.close_due(uow, clock.now())
        await uow.commit()
    for done in closed:
        log.info("vote %s closed: %s won", done.vote.id, done.vote.winning_title)
    await posting.stop_closed(uow_factory, messenger)
    return len(closed)


async def settle_preorders(
    uow_factory: UnitOfWorkFactory, clock: Clock, messenger: Messenger, policy: RewardsPolicy
) -> int:
    """Pre-orders past their pay-by deadline: they stand, or every payer is refunded (Stars at once)."""
    async with uow_factory() as uow:
        settled = await preorders.settle_due(uow, clock.now(), policy)
        await uow.commit()
    for done in settled:
        log.info("vote %s pre-order %s with %s paid", done.vote.id, "stands" if done.reached else "missed", done.paid)
        for payment in done.star_refunds:
            # The pre-order's own notice tells each payer; the refund itself says nothing more.
            await refunds.refund_stars(uow_factory, clock, messenger, payment, (), answer=False)
    return len(settled)


def job_specs(deps: JobDeps) -> list[JobSpec]:
    policy = policy_of(deps)

    async def woken(count: int) -> int:
        if count:
            deps.wake_outbox()
        return count

    async def post() -> int:
        return await posting.post_pending(deps.uow_factory, deps.messenger)

    async def close() -> int:
        return await woken(await close_votes(deps.uow_factory, deps.clock, deps.messenger))

    async def settle() -> int:
        return await woken(await settle_preorders(deps.uow_factory, deps.clock, deps.messenger, policy))

    return [
        JobSpec("post_vote_polls", post, EVERY),
        JobSpec("close_votes", close, EVERY),
        JobSpec("settle_preorders", settle, EVERY),
    ]
