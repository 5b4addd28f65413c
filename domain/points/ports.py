"""What the points use cases need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.points.ledger import Entry, NewEntry, Reason


class PointsRepository(Protocol):
    async def lock(self, user_id: int) -> int:
        """Create the member's account if needed and lock it until the transaction ends; returns its balance.

        Every change to one member's points goes through this first, so concurrent earnings and spendings
        of the same member are serialised (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite).
        """

    async def append(self, entry: NewEntry) -> Entry | None:
        """Insert the entry keyed by (reason, reference) and add its delta to the account balance.

        None when that (reason, reference) was already recorded (INSERT ... ON CONFLICT DO NOTHING): a replay.
        The account's balance can never go below zero (a CHECK constraint refuses it).
        """

    async def get(self, reason: Reason, reference: str) -> Entry | None: ...
    async def entries(self, user_id: int) -> Sequence[Entry]:
        """Every entry of the member, oldest first (by id)."""

    async def recent(self, user_id: int, limit: int) -> Sequence[Entry]:
        """Newest first."""

    async def balance(self, user_id: int) -> int:
        """The account's balance (0 for a member without one); always the sum of the member's entries."""

    async def earned_between(self, user_id: int, reason: Reason, start: datetime, end: datetime) -> int:
        """Points credited for `reason` with created_at in [start, end)."""

    async def for_order(self, order_id: int) -> Sequence[Entry]:
        """Entries of any member that name this order, oldest first."""

    async def users_with_lots_due(self, now: datetime, limit: int) -> Sequence[int]:
        """Members with a credit whose expires_at <= now and that no EXPIRE entry closed yet."""

    async def users_with_lots_expiring(self, start: datetime, end: datetime, limit: int) -> Sequence[int]:
        """Members with an unexpired credit lapsing in (start, end] about which no reminder was recorded."""

    async def mark_reminded(self, lot_id: int, at: datetime) -> bool:
        """Record that the member was reminded of this lot; False if that was already recorded."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """The member's account and ledger entries move to `pseudonym` whole (the ledger stays append-only and
        adds up); reminders of their lots are erased."""
