"""A payment exactly as Telegram reported it: what the inbox stores before anything is decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.money import Money
from domain.shop.addresses import ShippingAddress


class Source(StrEnum):
    UPDATE = "update"  # a successful_payment update
    RECONCILER = "reconciler"  # found in Telegram's transaction list, never seen as an update


@dataclass(frozen=True, slots=True)
class ReceivedPayment:
    telegram_charge_id: str
    provider_charge_id: str | None
    user_id: int
    chat_id: int  # where to answer: the chat the payment message came in, or the payer's private chat
    message_id: int | None
    payload: str
    amount: Money
    received_at: datetime
    source: Source = Source.UPDATE
    subscription_expires_at: datetime | None = None
    is_recurring: bool = False
    shipping: ShippingAddress | None = None  # physical goods: name, phone and address from the payment form


@dataclass(frozen=True, slots=True)
class InboxEntry:
    id: int
    payment: ReceivedPayment
    settled_at: datetime | None
    attempts: int
    last_error: str | None
