"""A payment as Telegram reports it, for domain tests that record one without the bot."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.money import Money
from domain.shop.payments.received import ReceivedPayment

RECEIVED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def charge(
    payer: int,
    payload: str,
    amount: Money,
    charge_id: str,
    provider_charge_id: str | None = None,
    *,
    expires_at: datetime | None = None,
    recurring: bool = False,
) -> ReceivedPayment:
    return ReceivedPayment(
        telegram_charge_id=charge_id,
        provider_charge_id=provider_charge_id,
        user_id=payer,
        chat_id=payer,
        message_id=None,
        payload=payload,
        amount=amount,
        received_at=RECEIVED_AT,
        subscription_expires_at=expires_at,
        is_recurring=recurring,
    )
