"""Comparing Telegram's record of the bot's Stars with ours: a charge we never heard of is taken in.

Telegram lists the bot's Stars transactions oldest first. The reconciler reads on from where it stopped
(a cursor), and stores every incoming payment that neither the inbox nor the payments hold, marked as
found by the reconciler, so the pipeline settles it like any other: recorded if it still can be, else
refunded, and the operators are told either way. It never reads past transactions younger than
`settle_after`: their updates may still be on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.messenger import Messenger, StarTransaction
from domain.money import STARS, Money
from domain.ports import UnitOfWorkFactory
from domain.shop.payments.kinds import owns
from domain.shop.payments.received import ReceivedPayment, Source

CURSOR = "stars"
PAGE = 100
SETTLE_AFTER = timedelta(minutes=2)


async def take_in_missing(
    uow_factory: UnitOfWorkFactory,
    messenger: Messenger,
    now: datetime,
    settle_after: timedelta = SETTLE_AFTER,
    only_ours: bool = False,
) -> list[str]:
    """Store the charges Telegram has and we lack; returns their charge ids (to settle now).

    `only_ours`: embedded in a host bot, whose own Stars sales are in the same list, take only payloads
    circlecart issued; standalone, every charge is ours to record or refund."""
    async with uow_factory() as uow:
        position = await uow.payment_inbox.cursor(CURSOR)
    found: list[str] = []
    while True:
        page = list(await messenger.star_transactions(position, PAGE))
        settled = _old_enough(page, now - settle_after)
        payments = [
            t
            for t in settled
            if t.incoming and t.user_id is not None and t.payload is not None and (owns(t.payload) or not only_ours)
        ]
        async with uow_factory() as uow:
            known = await uow.payment_inbox.known([t.id for t in payments])
            for transaction in payments:
                if transaction.id not in known and await uow.payment_inbox.add_if_new(_received(transaction, now)):
                    found.append(transaction.id)
            position += len(settled)
            await uow.payment_inbox.move_cursor(CURSOR, position)
            await uow.commit()
        if len(settled) < len(page) or len(page) < PAGE:
            return found


def _old_enough(page: Sequence[StarTransaction], before: datetime) -> list[StarTransaction]:
    taken: list[StarTransaction] = []
    for transaction in page:
        if transaction.date > before:
            break
        taken.append(transaction)
    return taken


def _received(transaction: StarTransaction, now: datetime) -> ReceivedPayment:
    assert transaction.user_id is not None and transaction.payload is not None
    period = transaction.subscription_period
    return ReceivedPayment(
        telegram_charge_id=transaction.id,
        provider_charge_id=None,
        user_id=transaction.user_id,
        chat_id=transaction.user_id,  # the member's private chat with the bot
        message_id=None,
        payload=transaction.payload,
        amount=Money(transaction.amount, STARS),
        received_at=now,
        source=Source.RECONCILER,
        subscription_expires_at=transaction.date + timedelta(seconds=period) if period else None,
        is_recurring=bool(period),
    )
