"""The payment pipeline's jobs: settle what was stored but not settled, retry Stars refunds, and reconcile
with Telegram's own record of the bot's Stars. Each is idempotent: running twice or late changes nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

from domain.groupbuys.closing import card_params
from domain.notices import Notice
from domain.points.policy import RewardsPolicy
from domain.shop.payments import pipeline, reconciler, refunds
from domain.shop.payments.outcome import PaymentResult
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)

SETTLE_EVERY = 15.0
REFUNDS_EVERY = 60.0
RECONCILE_EVERY = 300.0


async def settle_payments(deps: JobDeps, charges: list[str] | None = None) -> int:
    """Settle stored payments no handler finished (the process died, the database was away)."""
    policy = deps.options.get("rewards")
    assert policy is None or isinstance(policy, RewardsPolicy)
    if charges is None:
        async with deps.uow_factory() as uow:
            charges = list(await pipeline.unsettled(uow, deps.clock.now()))
    done = 0
    for charge in charges:
        try:
            async with deps.uow_factory() as uow:
                settled = await pipeline.settle(
                    uow, deps.clock.now(), charge, policy or RewardsPolicy(), deps.owner_ids, answering_now=False
                )
                await uow.commit()
        except Exception as error:
            log.exception("payment %s could not be settled; will try again", charge)
            async with deps.uow_factory() as uow:
                await pipeline.note_failure(uow, charge, repr(error))
                await uow.commit()
            continue
        if settled is None:
            continue
        received, outcome = settled
        done += 1
        log.info("payment %s settled by the job: %s", charge, outcome.result.value)
        if outcome.result is PaymentResult.REFUND and outcome.payment.amount.is_stars:
            await refunds.refund_stars(
                deps.uow_factory,
                deps.clock,
                deps.messenger,
                outcome.payment,
                deps.owner_ids,
                chat_id=received.chat_id,
                title=outcome.title,
                reason=outcome.reason,
            )
        if outcome.group_buy_to_post is not None:
            await _post_card(deps, outcome.group_buy_to_post)
    if done:
        deps.wake_outbox()
    return done


async def _post_card(deps: JobDeps, group_buy_id: int) -> None:
    """The first seat's progress card, through the outbox; the card is linked for edits once it is sent."""
    async with deps.uow_factory() as uow:
        group_buy = await uow.group_buys.get(group_buy_id)
        if group_buy is None or group_buy.card_message_id is not None:
            return
        participants = list(await uow.group_buys.participants(group_buy_id))
        notice = Notice(
            f"gb:{group_buy_id}:post", group_buy.chat_id, "groupbuy.card", card_params(group_buy, participants)
        )
        await uow.outbox.enqueue(notice, deps.clock.now())
        await uow.commit()


async def retry_star_refunds(deps: JobDeps) -> int:
    """Stars refunds that failed when first tried; those Telegram keeps refusing go to the operators."""
    async with deps.uow_factory() as uow:
        due = await refunds.star_refunds_due(uow)
    done = 0
    for payment in due:
        if await refunds.refund_stars(deps.uow_factory, deps.clock, deps.messenger, payment, deps.owner_ids):
            done += 1
    if due:
        deps.wake_outbox()
    return done


async def reconcile_star_payments(deps: JobDeps) -> int:
    """Take in every Stars charge Telegram reports that we never recorded, and settle it."""
    settle_after = deps.options.get("reconcile_settle_after")
    window = (
        timedelta(seconds=float(settle_after)) if isinstance(settle_after, int | float) else reconciler.SETTLE_AFTER
    )
    embedded = bool(deps.options.get("embedded"))
    found = await reconciler.take_in_missing(
        deps.uow_factory, deps.messenger, deps.clock.now(), window, only_ours=embedded
    )
    for charge in found:
        log.warning("reconciler: charge %s was missing from the database; settling it", charge)
    return await settle_payments(deps, found) if found else 0


def job_specs(deps: JobDeps) -> list[JobSpec]:
    every = deps.options.get("reconcile_seconds")
    reconcile_every = float(every) if isinstance(every, int | float) and every > 0 else RECONCILE_EVERY
    return [
        JobSpec("settle_payments", lambda: settle_payments(deps), SETTLE_EVERY),
        JobSpec("retry_star_refunds", lambda: retry_star_refunds(deps), REFUNDS_EVERY),
        JobSpec("reconcile_star_payments", lambda: reconcile_star_payments(deps), reconcile_every),
    ]
