"""What the payment pipeline needs from storage besides the payments themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.shop.payments.received import InboxEntry, ReceivedPayment


class PaymentInboxRepository(Protocol):
    async def add_if_new(self, payment: ReceivedPayment) -> bool:
        """INSERT ... ON CONFLICT (telegram_charge_id) DO NOTHING: True if stored now, False if it was there."""

    async def claim(self, telegram_charge_id: str) -> InboxEntry | None:
        """The unsettled entry, locked for this transaction (FOR UPDATE on PostgreSQL); None if settled or absent."""

    async def settle(self, entry_id: int, at: datetime) -> None: ...
    async def failed(self, telegram_charge_id: str, error: str) -> None:
        """Count a failed attempt to settle, with why (in its own transaction, after the attempt rolled back)."""

    async def unsettled(self, received_before: datetime, limit: int) -> Sequence[str]:
        """Charge ids still to settle, oldest first."""

    async def known(self, telegram_charge_ids: Sequence[str]) -> set[str]:
        """Which of these charges the inbox or the payments hold."""

    async def cursor(self, name: str) -> int: ...
    async def move_cursor(self, name: str, position: int) -> None: ...

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Payments as Telegram reported them, kept under `pseudonym` (user and private chat)."""
