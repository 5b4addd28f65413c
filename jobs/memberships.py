"""Scheduled transitions of memberships: grace and expiry, renewal reminders, removal from the group.

Each job is an idempotent transition, run once at start-up (catching up whatever came due while the process
was down) and then on its interval. Telegram is called only between units of work, never inside one.
"""

from __future__ import annotations

import logging

from domain.memberships import boxes, schedule
from domain.memberships.joining import invoice_payload
from domain.memberships.plans import STARS_SUBSCRIPTION_SECONDS, Plan
from domain.messenger import Messenger, MessengerError, RateLimited, TransientFailure
from domain.outgoing import Invoice
from jobs.spec import JobDeps, JobSpec

log = logging.getLogger(__name__)


async def advance_memberships(deps: JobDeps) -> int:
    async with deps.uow_factory() as uow:
        moved = await schedule.advance_due(uow, deps.clock.now())
        await uow.commit()
    if moved:
        log.info("moved %d memberships into grace or expiry", moved)
        deps.wake_outbox()
    return moved


async def remove_lapsed_members(deps: JobDeps) -> int:
    """Take lapsed members out of members-only groups: claim, re-check, ban+unban, then one message."""
    async with deps.uow_factory() as uow:
        claimed = await schedule.claim_removals(uow, deps.clock.now())
        await uow.commit()
    removed = 0
    for membership in claimed:
        async with deps.uow_factory() as uow:
            current = await schedule.still_removable(uow, deps.clock.now(), membership.id)
            await uow.commit()
        if current is None or current.seat_chat_id is None:
            continue
        try:
            await deps.messenger.remove_member(current.seat_chat_id, current.user_id)
            done = True
        except (RateLimited, TransientFailure) as error:
            log.warning("removing %s from %s failed, will retry: %s", current.user_id, current.seat_chat_id, error)
            continue
        except MessengerError as error:
            # The bot lost its rights or the group is gone: retrying will not help; the owner must act.
            log.error("cannot remove %s from %s: %s", current.user_id, current.seat_chat_id, error)
            done = False
        async with deps.uow_factory() as uow:
            await schedule.finish_removal(uow, deps.clock.now(), current, removed=done)
            await uow.commit()
        removed += done
    if claimed:
        deps.wake_outbox()
    if removed:
        log.info("removed %d lapsed members from members-only groups", removed)
    return removed


async def send_reminders(deps: JobDeps) -> int:
    """Reminders 3 days and 1 day before a period ends (and before grace ends), each with a fresh invoice."""
    async with deps.uow_factory() as uow:
        due = await schedule.reminders_due(uow, deps.clock.now())
    sent = 0
    token = str(deps.options.get("payment_provider_token") or "")
    for reminder in due:
        link = await _invoice_link(deps.messenger, reminder.plan, token)
        async with deps.uow_factory() as uow:
            sent += await schedule.send_reminder(uow, deps.clock.now(), reminder, link)
            await uow.commit()
    if sent:
        deps.wake_outbox()
    return sent


async def _invoice_link(messenger: Messenger, plan: Plan, token: str) -> str | None:
    """A payment link for the plan's current terms; None (the notice then offers a Renew button) if Telegram
    cannot make one now or the currency has no provider."""
    terms = plan.current.terms
    if not terms.is_stars and not token:
        return None
    invoice = Invoice(
        title=plan.name[:32],
        description=f"{plan.name}: {terms.price.display()} / {terms.period_days} days"[:255],
        payload=invoice_payload(plan.current.id),
        currency=terms.price.currency,
        amount=terms.price.amount,
        label=plan.name[:32],
        provider_token="" if terms.is_stars else token,
        subscription_period=STARS_SUBSCRIPTION_SECONDS if terms.is_stars else None,
    )
    try:
        return await messenger.create_invoice_link(invoice)
    except MessengerError as error:
        log.warning("could not make a renewal invoice for plan %s: %s", plan.id, error)
        return None


async def create_boxes(deps: JobDeps) -> int:
    """Each paid period of a plan with a box gets its box order, once; catches up periods paid while down."""
    made = 0
    while True:
        async with deps.uow_factory() as uow:
            batch = await boxes.create_due_boxes(uow, deps.clock.now())
            await uow.commit()
        made += batch
        if batch < boxes.BATCH:
            break
    if made:
        log.info("made %d membership box orders", made)
        deps.wake_outbox()
    return made


def job_specs(deps: JobDeps) -> list[JobSpec]:
    # Order matters at start-up: states first, then removals that depend on them, then reminders.
    return [
        JobSpec("membership_transitions", lambda: advance_memberships(deps), 60),
        JobSpec("membership_removals", lambda: remove_lapsed_members(deps), 60),
        JobSpec("membership_reminders", lambda: send_reminders(deps), 300),
        JobSpec("membership_boxes", lambda: create_boxes(deps), 60),
    ]
