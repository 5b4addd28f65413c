"""Retrying Stars refunds that failed when they were first attempted (network errors, 5xx)."""

from __future__ import annotations

import logging

from domain import payments
from domain.clock import Clock
from domain.messenger import Messenger, MessengerError, Rejected
from domain.ports import UnitOfWorkFactory
from jobs.scheduler import JobDeps, JobSpec

log = logging.getLogger(__name__)


async def retry_star_refunds(uow_factory: UnitOfWorkFactory, clock: Clock, messenger: Messenger) -> int:
    async with uow_factory() as uow:
        due = await payments.star_refunds_due(uow)
    done = 0
    for payment in due:
        try:
            await messenger.refund_star_payment(payment.user_id, payment.telegram_charge_id)
        except Rejected as error:
            if "ALREADY_REFUNDED" not in str(error).upper():
                log.error("refund of %s rejected: %s", payment.telegram_charge_id, error)
                continue
        except MessengerError as error:
            log.warning("refund of %s still failing: %s", payment.telegram_charge_id, error)
            continue
        async with uow_factory() as uow:
            if await payments.complete_refund(uow, clock.now(), payment):
                done += 1
            await uow.commit()
    return done


def job_specs(deps: JobDeps) -> list[JobSpec]:
    return [JobSpec("retry_star_refunds", lambda: retry_star_refunds(deps.uow_factory, deps.clock, deps.messenger), 60)]
