"""The points ledger as pure rules: entries in, balance, lots and what expires out.

The ledger is append-only. A credit (earning, or spent points given back) opens a *lot* that lapses at
its `expires_at`; debits (spending, taking back, paying off a debt) consume the open lots first in, first
out, oldest expiry first; expiry is itself an entry that closes one lot with what is left of it. Nothing
here is stored: storage keeps the entries and these functions replay them, so every figure a member sees
can be recomputed from the ledger alone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Reason(StrEnum):
    PURCHASE = "purchase"  # a paid order
    REFERRAL = "referral"  # someone the member invited paid their first order
    GROUPBUY = "groupbuy"  # led a group buy that filled
    EVENT = "event"  # community events (granted by later capabilities)
    VOTE = "vote"  # supported the winning design of a co-creation vote (the brand's reward)
    SPEND = "spend"  # a discount at checkout
    RETURN = "return"  # spent points given back because the order was refunded
    CLAWBACK = "clawback"  # earned points taken back because the order was refunded
    SETTLE = "settle"  # a later earning paying off what a clawback could not take
    EXPIRE = "expire"  # what was left of a lot when it lapsed


EARNING_REASONS = frozenset({Reason.PURCHASE, Reason.REFERRAL, Reason.GROUPBUY, Reason.EVENT, Reason.VOTE})


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    user_id: int
    delta: int  # points; positive credits, negative debits (an expiry of an empty lot is 0)
    reason: Reason
    reference: str  # unique with the reason: the same (reason, reference) is recorded once
    created_at: datetime
    expires_at: datetime | None = None  # credits only: when the lot lapses
    order_id: int | None = None  # the order whose refund reverses this entry
    lot_id: int | None = None  # EXPIRE: the lot it closes; CLAWBACK: the lot it takes from first
    shortfall: int = 0  # CLAWBACK: points owed that the balance could not cover

    @property
    def is_credit(self) -> bool:
        return self.delta > 0


@dataclass(frozen=True, slots=True)
class NewEntry:
    user_id: int
    delta: int
    reason: Reason
    reference: str
    created_at: datetime
    expires_at: datetime | None = None
    order_id: int | None = None
    lot_id: int | None = None
    shortfall: int = 0


@dataclass(frozen=True, slots=True)
class Lot:
    entry_id: int
    amount: int
    remaining: int
    expires_at: datetime
    closed: bool  # an EXPIRE entry closed it


def balance(entries: Iterable[Entry]) -> int:
    return sum(entry.delta for entry in entries)


def lots(entries: Sequence[Entry]) -> list[Lot]:
    """Replay the ledger (in id order) and say what is left of every lot."""
    remaining: dict[int, int] = {}
    expiry: dict[int, datetime] = {}
    amount: dict[int, int] = {}
    closed: set[int] = set()
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.reason is Reason.EXPIRE:
            if entry.lot_id is not None and entry.lot_id in remaining:
                remaining[entry.lot_id] += entry.delta
                closed.add(entry.lot_id)
            continue
        if entry.delta > 0:
            assert entry.expires_at is not None, f"credit {entry.id} has no expiry"
            remaining[entry.id] = entry.delta
            amount[entry.id] = entry.delta
            expiry[entry.id] = entry.expires_at
            continue
        _consume(remaining, expiry, closed, -entry.delta, first=entry.lot_id)
    return [
        Lot(lot_id, amount[lot_id], remaining[lot_id], expiry[lot_id], lot_id in closed)
        for lot_id in sorted(remaining, key=lambda i: (expiry[i], i))
    ]


def _consume(
    remaining: dict[int, int], expiry: dict[int, datetime], closed: set[int], points: int, first: int | None
) -> None:
    order = sorted((i for i in remaining if i not in closed and remaining[i] > 0), key=lambda i: (expiry[i], i))
    if first is not None and first in order:
        order.remove(first)
        order.insert(0, first)
    for lot_id in order:
        if points <= 0:
            return
        taken = min(points, remaining[lot_id])
        remaining[lot_id] -= taken
        points -= taken


def consumed_by(entries: Sequence[Entry], debit_id: int) -> list[tuple[int, int]]:
    """Which lots (id, points) one debit took from, replaying the ledger up to it."""
    before = [e for e in entries if e.id < debit_id]
    debit = next((e for e in entries if e.id == debit_id), None)
    if debit is None or debit.delta >= 0:
        return []
    open_before = {lot.entry_id: lot.remaining for lot in lots(before) if not lot.closed}
    open_after = {lot.entry_id: lot.remaining for lot in lots([*before, debit])}
    return [(i, open_before[i] - open_after[i]) for i in open_before if open_before[i] != open_after[i]]


def due_to_expire(entries: Sequence[Entry], now: datetime) -> list[Lot]:
    """Lots whose time has come and that no EXPIRE entry has closed yet (even empty ones, to close them)."""
    return [lot for lot in lots(entries) if not lot.closed and lot.expires_at <= now]


def expiring_between(entries: Sequence[Entry], start: datetime, end: datetime) -> list[Lot]:
    """Open lots with points left that lapse after `start` and no later than `end`."""
    return [lot for lot in lots(entries) if not lot.closed and lot.remaining > 0 and start < lot.expires_at <= end]


def owed(entries: Iterable[Entry]) -> int:
    """Points a clawback could not take (the member had spent them) and later earnings have not paid yet."""
    debt = 0
    for entry in entries:
        if entry.reason is Reason.CLAWBACK:
            debt += entry.shortfall
        elif entry.reason is Reason.SETTLE:
            debt += entry.delta
    return max(debt, 0)


def next_expiry(entries: Sequence[Entry]) -> Lot | None:
    open_lots = [lot for lot in lots(entries) if not lot.closed and lot.remaining > 0]
    return open_lots[0] if open_lots else None


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` later; the 31st becomes the month's last day when it has fewer."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of the moment's day: daily caps count from here."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def day_end(moment: datetime) -> datetime:
    return day_start(moment) + timedelta(days=1)
