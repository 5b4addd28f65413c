"""The payment pipeline: store what Telegram reported, then settle it exactly once.

`receive` is the first thing done with a payment, a single insert in its own transaction, so that a
crash or an outage right after it loses nothing. `settle` then takes the stored payment under a lock,
lets its kind decide (paid, seated, refund), queues the member's one answer and marks it settled, all in
one transaction: settling twice, or from two places at once, is harmless. Whatever is left unsettled
(the process died, the database was away) is settled by a job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.shop.payments import answers
from domain.shop.payments.kinds import Settled, settle_kind
from domain.shop.payments.outcome import PaymentResult
from domain.shop.payments.received import ReceivedPayment, Source

# The handler that settles a payment answers the member itself, at once; the outbox holds the same answer
# back for this long, and sends it only if the handler died before it could.
REPLY_GRACE = timedelta(seconds=60)
# The job leaves payments this young to the handler that is settling them.
IN_FLIGHT = timedelta(seconds=30)


async def receive(uow: UnitOfWork, payment: ReceivedPayment) -> bool:
    """Store the payment as received. True if it is new; False for a replay (same charge)."""
    return await uow.payment_inbox.add_if_new(payment)


async def settle(
    uow: UnitOfWork,
    now: datetime,
    telegram_charge_id: str,
    policy: RewardsPolicy,
    operators: Sequence[int],
    answering_now: bool,
    grace: timedelta = REPLY_GRACE,
) -> tuple[ReceivedPayment, Settled] | None:
    """Settle one stored payment; None if it was settled already (or never stored).

    `answering_now`: the caller will send the member's answer itself right after committing, so the
    outbox's copy waits `grace` before it counts as undelivered.
    """
    entry = await uow.payment_inbox.claim(telegram_charge_id)
    if entry is None:
        return None
    received = entry.payment
    held_until = now + grace if answering_now else None
    settled = await settle_kind(uow, now, policy, received, held_until)
    if settled.answer is not None:
        await uow.outbox.enqueue(settled.answer, now)
    if settled.result is PaymentResult.REFUND and not received.amount.is_stars:
        reason = settled.reason or ShopError.ORDER_CLOSED
        owed = answers.refund_owed(
            settled.payment, reason, operators, chat_id=received.chat_id, not_before=held_until, title=settled.title
        )
        for notice in owed:
            await uow.outbox.enqueue(notice, now)
    if received.source is Source.RECONCILER:
        for notice in answers.reconciled(received, settled.result.value, operators):
            await uow.outbox.enqueue(notice, now)
    await uow.payment_inbox.settle(entry.id, now)
    return received, settled


async def unsettled(uow: UnitOfWork, now: datetime, limit: int = 100) -> Sequence[str]:
    """Charges stored but not settled, old enough that no handler is still on them."""
    return await uow.payment_inbox.unsettled(now - IN_FLIGHT, limit)


async def note_failure(uow: UnitOfWork, telegram_charge_id: str, error: str) -> None:
    """An attempt to store or settle the payment failed (after it rolled back): count it, say why."""
    await uow.payment_inbox.failed(telegram_charge_id, error)
