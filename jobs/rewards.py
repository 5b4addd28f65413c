"""Scheduled transitions of rewards: group-buy deadlines, points expiry and reminders, referral rewards.

Each job is an idempotent transition (conditional updates, insert-if-new ledger entries and reminders),
so it may run late, twice, or at start-up to catch up on what came due while the process was down.
"""

from __future__ import annotations

import logging

from domain.clock import Clock
from domain.groupbuys import closing
from domain.messenger import Messenger
from domain.points import accounts, reminders
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWorkFactory
from domain.referrals import rewards as referral_rewards
from domain.shop.payments import refunds
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)
BATCH = 200


async def close_group_buys(uow_factory: UnitOfWorkFactory, clock: Clock, messenger: Messenger) -> int:
    """Cancel group buys short at their deadline and refund their Stars payments."""
    async with uow_factory() as uow:
        cancelled = await closing.cancel_due(uow, clock.now())
        await uow.commit()
    for group in cancelled:
        log.info("group buy %s cancelled at its deadline with %s paid", group.group_buy.id, len(group.star_refunds))
        for payment in group.star_refunds:
            # The group's cancellation notice tells each member; the refund itself says nothing more.
            await refunds.refund_stars(uow_factory, clock, messenger, payment, (), answer=False)
    return len(cancelled)


async def expire_points(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    now = clock.now()
    async with uow_factory() as uow:
        users = list(await uow.points.users_with_lots_due(now, BATCH))
    expired = 0
    for user_id in users:  # one short transaction per member
        async with uow_factory() as uow:
            expired += await accounts.expire_due(uow.points, now, user_id)
            await uow.commit()
    if expired:
        log.info("expired %d points of %d members", expired, len(users))
    return expired


async def remind_points_expiry(uow_factory: UnitOfWorkFactory, clock: Clock, policy: RewardsPolicy) -> int:
    now = clock.now()
    async with uow_factory() as uow:
        users = list(await uow.points.users_with_lots_expiring(now, now + policy.reminder_window, BATCH))
    reminded = 0
    for user_id in users:
        async with uow_factory() as uow:
            if await reminders.remind_expiring(uow, now, policy, user_id):
                reminded += 1
            await uow.commit()
    return reminded


async def release_referral_rewards(uow_factory: UnitOfWorkFactory, clock: Clock, policy: RewardsPolicy) -> int:
    async with uow_factory() as uow:
        released = await referral_rewards.release_due(uow, clock.now(), policy)
        await uow.commit()
    return sum(1 for r in released if r.entry is not None)


def policy_of(deps: JobDeps) -> RewardsPolicy:
    policy = deps.options.get("rewards")
    return policy if isinstance(policy, RewardsPolicy) else RewardsPolicy()


def job_specs(deps: JobDeps) -> list[JobSpec]:
    policy = policy_of(deps)

    async def woken(count: int) -> int:
        if count:
            deps.wake_outbox()
        return count

    async def close() -> int:
        return await woken(await close_group_buys(deps.uow_factory, deps.clock, deps.messenger))

    async def remind() -> int:
        return await woken(await remind_points_expiry(deps.uow_factory, deps.clock, policy))

    async def release() -> int:
        return await woken(await release_referral_rewards(deps.uow_factory, deps.clock, policy))

    return [
        JobSpec("close_group_buys", close, 30),
        JobSpec("expire_points", lambda: expire_points(deps.uow_factory, deps.clock), 3600),
        JobSpec("remind_points_expiry", remind, 3600),
        JobSpec("release_referral_rewards", release, 600),
    ]
