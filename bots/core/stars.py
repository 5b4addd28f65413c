"""Telegram's Stars transactions as the domain reads them, from either framework's objects.

Both aiogram and python-telegram-bot model a transaction the same way (id, amount, date, source,
receiver, the partner's user, invoice payload and subscription period), so one conversion serves both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.messenger import StarTransaction


def star_transaction(transaction: Any) -> StarTransaction:
    source = getattr(transaction, "source", None)
    partner = source if source is not None else getattr(transaction, "receiver", None)
    user = getattr(partner, "user", None)
    period = getattr(source, "subscription_period", None)
    if isinstance(period, timedelta):
        period = int(period.total_seconds())
    date = transaction.date
    if isinstance(date, int | float):
        date = datetime.fromtimestamp(date, UTC)
    elif date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    return StarTransaction(
        id=str(transaction.id),
        amount=int(transaction.amount),
        date=date,
        user_id=getattr(user, "id", None),
        incoming=source is not None and getattr(source, "type", "") == "user",
        payload=getattr(source, "invoice_payload", None) if source is not None else None,
        subscription_period=int(period) if period else None,
    )
