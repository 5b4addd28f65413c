"""Earning, spending, expiring and reversing points: the use cases over the ledger.

Every change locks the member's account first, then appends entries keyed by (reason, reference), so a
replayed update finds its entry and changes nothing, and two concurrent changes cannot both spend the
same points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import DomainError
from domain.points import ledger
from domain.points.errors import PointsError
from domain.points.ledger import Entry, NewEntry, Reason
from domain.points.policy import RewardsPolicy
from domain.points.ports import PointsRepository

if TYPE_CHECKING:  # the unit of work's port imports this package's ports
    from domain.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Summary:
    balance: int
    next_expiry: ledger.Lot | None
    recent: tuple[Entry, ...]
    owed: int


async def earn(
    points_repo: PointsRepository,
    now: datetime,
    policy: RewardsPolicy,
    user_id: int,
    reason: Reason,
    reference: str,
    points: int,
    order_id: int | None = None,
) -> Entry | None:
    """Credit points once per (reason, reference), within the daily cap. None if nothing was credited."""
    if reason not in ledger.EARNING_REASONS:
        raise ValueError(f"{reason} is not an earning")
    if points <= 0 or await points_repo.get(reason, reference) is not None:
        return None
    await points_repo.lock(user_id)
    cap = policy.daily_cap(reason)
    if cap is not None:
        today = await points_repo.earned_between(user_id, reason, ledger.day_start(now), ledger.day_end(now))
        points = min(points, max(0, cap - today))
    if points <= 0:
        return None
    entry = await points_repo.append(
        NewEntry(
            user_id,
            points,
            reason,
            reference,
            now,
            expires_at=ledger.add_months(now, policy.expiry_months),
            order_id=order_id,
        )
    )
    if entry is None:
        return None
    debt = ledger.owed(await points_repo.entries(user_id))
    if debt > 0:
        # Points taken back from a refunded order the member had already spent are paid from new earnings.
        await points_repo.append(
            NewEntry(user_id, -min(debt, points), Reason.SETTLE, f"entry:{entry.id}", now, order_id=order_id)
        )
    return entry


async def spend(
    points_repo: PointsRepository, now: datetime, user_id: int, points: int, reference: str, order_id: int | None
) -> Entry | None:
    """Debit points for a discount. None if this reference was already spent (a replay)."""
    if points <= 0:
        raise DomainError(PointsError.BAD_AMOUNT)
    existing = await points_repo.get(Reason.SPEND, reference)
    if existing is not None:
        return None
    await points_repo.lock(user_id)
    await expire_due(points_repo, now, user_id)
    available = await points_repo.balance(user_id)
    if points > available:
        raise DomainError(PointsError.NOT_ENOUGH, balance=available, points=points)
    return await points_repo.append(NewEntry(user_id, -points, Reason.SPEND, reference, now, order_id=order_id))


async def expire_due(points_repo: PointsRepository, now: datetime, user_id: int) -> int:
    """Close every lapsed lot of the member with an EXPIRE entry of what was left. Returns points expired."""
    await points_repo.lock(user_id)
    expired = 0
    for lot in ledger.due_to_expire(await points_repo.entries(user_id), now):
        entry = await points_repo.append(
            NewEntry(user_id, -lot.remaining, Reason.EXPIRE, f"lot:{lot.entry_id}", now, lot_id=lot.entry_id)
        )
        if entry is not None:
            expired += lot.remaining
    return expired


async def reverse_order(points_repo: PointsRepository, now: datetime, order_id: int) -> list[Entry]:
    """The order was refunded: give back the points spent on it, then take back the points it earned.

    Giving back first means a member who spent points on the refunded order itself can still cover what
    it earned. What cannot be taken (already spent elsewhere) is recorded as owed and paid off by the next
    earnings, so no path leaves points behind from a refunded order. Idempotent per entry reversed.
    """
    made: list[Entry] = []
    related = list(await points_repo.for_order(order_id))
    for spent in (e for e in related if e.reason is Reason.SPEND):
        made.extend(await _give_back(points_repo, now, spent))
    for earned in (e for e in related if e.reason in ledger.EARNING_REASONS):
        taken = await _take_back(points_repo, now, earned)
        if taken is not None:
            made.append(taken)
    return made


async def give_back(points_repo: PointsRepository, now: datetime, spent: Entry) -> list[Entry]:
    """Return the points of one SPEND entry (a checkout that never became a paid order). Idempotent."""
    return await _give_back(points_repo, now, spent)


async def _give_back(points_repo: PointsRepository, now: datetime, spent: Entry) -> list[Entry]:
    reference = f"entry:{spent.id}"
    if await points_repo.get(Reason.RETURN, reference) is not None:
        return []
    await points_repo.lock(spent.user_id)
    entries = await points_repo.entries(spent.user_id)
    taken_from = ledger.consumed_by(entries, spent.id)
    expiries = {lot.entry_id: lot.expires_at for lot in ledger.lots(entries)}
    # The points come back with the latest expiry they had: a refund the member did not cause must not
    # cost them points, and it cannot lengthen their life beyond what they had either.
    expires_at = max((expiries[lot_id] for lot_id, _ in taken_from), default=now)
    entry = await points_repo.append(
        NewEntry(spent.user_id, -spent.delta, Reason.RETURN, reference, now, expires_at=expires_at)
    )
    return [entry] if entry is not None else []


async def _take_back(points_repo: PointsRepository, now: datetime, earned: Entry) -> Entry | None:
    reference = f"entry:{earned.id}"
    if await points_repo.get(Reason.CLAWBACK, reference) is not None:
        return None
    await points_repo.lock(earned.user_id)
    await expire_due(points_repo, now, earned.user_id)
    entries = await points_repo.entries(earned.user_id)
    # Points of this lot that already expired are gone; only the rest can be owed.
    expired = -sum(e.delta for e in entries if e.reason is Reason.EXPIRE and e.lot_id == earned.id)
    target = earned.delta - expired
    available = ledger.balance(entries)
    take = max(0, min(target, available))
    return await points_repo.append(
        NewEntry(
            earned.user_id,
            -take,
            Reason.CLAWBACK,
            reference,
            now,
            lot_id=earned.id,
            shortfall=target - take,
        )
    )


async def summary(points_repo: PointsRepository, user_id: int, history: int = 8) -> Summary:
    entries = await points_repo.entries(user_id)
    recent = tuple(await points_repo.recent(user_id, history))
    return Summary(ledger.balance(entries), ledger.next_expiry(entries), recent, ledger.owed(entries))


async def current_summary(uow: UnitOfWork, now: datetime, user_id: int) -> Summary:
    """What /points shows: lapsed lots are closed first, so the balance is one the member can spend."""
    await expire_due(uow.points, now, user_id)
    return await summary(uow.points, user_id)
