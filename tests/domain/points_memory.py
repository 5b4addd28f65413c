"""An in-memory PointsRepository with the storage's semantics, so the use cases can run under hypothesis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from domain.points.ledger import Entry, NewEntry, Reason


class MemoryPoints:
    def __init__(self) -> None:
        self.rows: list[Entry] = []
        self.accounts: dict[int, int] = {}
        self.reminded: set[int] = set()

    async def lock(self, user_id: int) -> int:
        return self.accounts.setdefault(user_id, 0)

    async def append(self, entry: NewEntry) -> Entry | None:
        if any(e.reason is entry.reason and e.reference == entry.reference for e in self.rows):
            return None
        balance = self.accounts.get(entry.user_id, 0) + entry.delta
        if balance < 0:  # the CHECK constraint of points_accounts
            raise ValueError(f"balance of {entry.user_id} would be {balance}")
        self.accounts[entry.user_id] = balance
        stored = Entry(len(self.rows) + 1, **{f: getattr(entry, f) for f in NewEntry.__dataclass_fields__})
        self.rows.append(stored)
        return replace(stored)

    async def get(self, reason: Reason, reference: str) -> Entry | None:
        return next((e for e in self.rows if e.reason is reason and e.reference == reference), None)

    async def entries(self, user_id: int) -> Sequence[Entry]:
        return [e for e in self.rows if e.user_id == user_id]

    async def recent(self, user_id: int, limit: int) -> Sequence[Entry]:
        return [e for e in reversed(self.rows) if e.user_id == user_id and e.delta][:limit]

    async def balance(self, user_id: int) -> int:
        return self.accounts.get(user_id, 0)

    async def earned_between(self, user_id: int, reason: Reason, start: datetime, end: datetime) -> int:
        return sum(
            e.delta
            for e in self.rows
            if e.user_id == user_id and e.reason is reason and e.delta > 0 and start <= e.created_at < end
        )

    async def for_order(self, order_id: int) -> Sequence[Entry]:
        return [e for e in self.rows if e.order_id == order_id]

    async def users_with_lots_due(self, now: datetime, limit: int) -> Sequence[int]:
        closed = {e.lot_id for e in self.rows if e.reason is Reason.EXPIRE}
        due = {
            e.user_id for e in self.rows if e.delta > 0 and e.expires_at and e.expires_at <= now and e.id not in closed
        }
        return sorted(due)[:limit]

    async def users_with_lots_expiring(self, start: datetime, end: datetime, limit: int) -> Sequence[int]:
        closed = {e.lot_id for e in self.rows if e.reason is Reason.EXPIRE}
        found = {
            e.user_id
            for e in self.rows
            if e.delta > 0
            and e.expires_at is not None
            and start < e.expires_at <= end
            and e.id not in closed
            and e.id not in self.reminded
        }
        return sorted(found)[:limit]

    async def mark_reminded(self, lot_id: int, at: datetime) -> bool:
        if lot_id in self.reminded:
            return False
        self.reminded.add(lot_id)
        return True
