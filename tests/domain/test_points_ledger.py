"""The points ledger under random earn, spend, refund and expire sequences, against a plain FIFO model.

The use cases run over an in-memory repository with the storage's semantics (unique (reason, reference),
a balance that refuses to go negative). The reference model below is written independently: a list of
lots consumed oldest expiry first. After every step the balance must be >= 0, equal the sum of the
ledger and equal the model's; every expiry must take exactly what the model says lapsed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.points import accounts, ledger
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy
from tests.domain.points_memory import MemoryPoints

USER = 7
START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
POLICY = RewardsPolicy(expiry_months=12, daily_caps=MappingProxyType({}))


# -- the reference model --------------------------------------------------------------------------------


@dataclass
class Lot:
    seq: int
    amount: int
    expires_at: datetime
    remaining: int
    expired: int = 0
    open: bool = True


@dataclass
class Model:
    lots: list[Lot] = field(default_factory=list)
    seq: int = 0
    owed: int = 0
    earned_lot: dict[int, Lot] = field(default_factory=dict)  # order -> the lot its earning opened
    spent: dict[int, list[tuple[Lot, int]]] = field(default_factory=dict)  # order -> lots a spend took from
    reversed: set[int] = field(default_factory=set)

    @property
    def balance(self) -> int:
        return sum(lot.remaining for lot in self.lots if lot.open)

    def add_lot(self, amount: int, expires_at: datetime) -> Lot:
        self.seq += 1
        lot = Lot(self.seq, amount, expires_at, amount)
        self.lots.append(lot)
        return lot

    def take(self, points: int, first: Lot | None = None) -> list[tuple[Lot, int]]:
        order = sorted((lot for lot in self.lots if lot.open and lot.remaining), key=lambda x: (x.expires_at, x.seq))
        if first is not None and first in order:
            order.remove(first)
            order.insert(0, first)
        taken: list[tuple[Lot, int]] = []
        for lot in order:
            if points == 0:
                break
            amount = min(points, lot.remaining)
            lot.remaining -= amount
            points -= amount
            taken.append((lot, amount))
        assert points == 0
        return taken

    def expire(self, now: datetime) -> int:
        expired = 0
        for lot in self.lots:
            if lot.open and lot.expires_at <= now:
                lot.open = False
                lot.expired = lot.remaining
                expired += lot.remaining
                lot.remaining = 0
        return expired

    def earn(self, order: int, points: int, now: datetime) -> None:
        lot = self.add_lot(points, ledger.add_months(now, POLICY.expiry_months))
        self.earned_lot[order] = lot
        if self.owed:
            settle = min(self.owed, points)
            self.take(settle)
            self.owed -= settle

    def spend(self, order: int, points: int, now: datetime) -> bool:
        self.expire(now)
        if points > self.balance:
            return False
        self.spent[order] = self.take(points)
        return True

    def refund(self, order: int, now: datetime) -> None:
        if order in self.reversed:
            return
        self.reversed.add(order)
        if order in self.spent:
            taken = self.spent[order]
            back = sum(amount for _, amount in taken)
            self.add_lot(back, max(lot.expires_at for lot, _ in taken))
        if order in self.earned_lot:
            self.expire(now)
            lot = self.earned_lot[order]
            target = lot.amount - lot.expired
            take = min(target, self.balance)
            if take:
                self.take(take, first=lot)
            self.owed += target - take


# -- the steps ------------------------------------------------------------------------------------------

steps = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500)),
        st.tuples(st.just("spend"), st.integers(1, 600)),
        st.tuples(st.just("refund"), st.integers(0, 30)),
        st.tuples(st.just("advance"), st.integers(1, 200)),  # days
        st.tuples(st.just("expire"), st.just(0)),
        st.tuples(st.just("replay"), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=40,
)


async def _play(program: list[tuple[str, int]]) -> None:
    repo = MemoryPoints()
    model = Model()
    now = START
    orders: list[int] = []
    next_order = 1
    for kind, value in program:
        if kind == "earn":
            order, next_order = next_order, next_order + 1
            orders.append(order)
            entry = await accounts.earn(repo, now, POLICY, USER, Reason.PURCHASE, f"order:{order}", value, order)
            assert entry is not None and entry.delta == value
            model.earn(order, value, now)
        elif kind == "spend":
            order, next_order = next_order, next_order + 1
            try:
                await accounts.spend(repo, now, USER, value, f"order:{order}", order)
            except DomainError as error:
                assert error.code == "points.not_enough"
                assert not model.spend(order, value, now)
            else:
                orders.append(order)
                assert model.spend(order, value, now)
        elif kind == "refund" and orders:
            order = orders[value % len(orders)]
            await accounts.reverse_order(repo, now, order)
            model.refund(order, now)
        elif kind == "replay" and orders:
            # Replaying a refund or an earning changes nothing.
            order = orders[value % len(orders)]
            before = list(repo.rows)
            if order in model.reversed:
                await accounts.reverse_order(repo, now, order)
            elif order in model.earned_lot:
                again = await accounts.earn(repo, now, POLICY, USER, Reason.PURCHASE, f"order:{order}", 1, order)
                assert again is None
            assert repo.rows == before
        elif kind == "advance":
            now += timedelta(days=value)
        elif kind == "expire":
            expired = await accounts.expire_due(repo, now, USER)
            assert expired == model.expire(now), "expiry must take exactly the lapsed lots, oldest first"

        balance = await repo.balance(USER)
        assert balance >= 0
        assert balance == ledger.balance(repo.rows), "the balance is the sum of the ledger"
        assert balance == model.balance
        assert ledger.owed(repo.rows) == model.owed
        # Replaying the ledger gives what is left of each lot.
        open_left = sum(lot.remaining for lot in ledger.lots(repo.rows) if not lot.closed)
        assert open_left == balance


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_random_earn_spend_refund_expire_sequences_keep_the_ledger_whole(program: list[tuple[str, int]]) -> None:
    asyncio.run(_play(program))


async def test_expiry_takes_the_oldest_points_first() -> None:
    repo = MemoryPoints()
    await accounts.earn(repo, START, POLICY, USER, Reason.PURCHASE, "order:1", 100, 1)
    later = START + timedelta(days=60)
    await accounts.earn(repo, later, POLICY, USER, Reason.PURCHASE, "order:2", 100, 2)
    await accounts.spend(repo, later, USER, 30, "order:3", 3)  # from the older lot

    assert await accounts.expire_due(repo, START + timedelta(days=366), USER) == 70
    assert await repo.balance(USER) == 100
    assert await accounts.expire_due(repo, START + timedelta(days=366), USER) == 0  # idempotent
    assert await accounts.expire_due(repo, later + timedelta(days=366), USER) == 100
    assert await repo.balance(USER) == 0


async def test_a_refund_takes_back_earned_points_and_what_was_spent_is_owed() -> None:
    repo = MemoryPoints()
    await accounts.earn(repo, START, POLICY, USER, Reason.PURCHASE, "order:1", 100, 1)
    await accounts.spend(repo, START, USER, 80, "order:2", 2)

    await accounts.reverse_order(repo, START, 1)  # 20 left to take, 80 owed
    assert await repo.balance(USER) == 0
    assert ledger.owed(repo.rows) == 80

    await accounts.earn(repo, START, POLICY, USER, Reason.PURCHASE, "order:3", 50, 3)
    assert await repo.balance(USER) == 0 and ledger.owed(repo.rows) == 30
    await accounts.reverse_order(repo, START, 2)  # the spend comes back: 80 returned
    assert await repo.balance(USER) == 80


async def test_daily_caps_limit_each_reason() -> None:
    repo = MemoryPoints()
    capped = RewardsPolicy(daily_caps=MappingProxyType({Reason.PURCHASE.value: 150}))
    first = await accounts.earn(repo, START, capped, USER, Reason.PURCHASE, "order:1", 100, 1)
    second = await accounts.earn(repo, START, capped, USER, Reason.PURCHASE, "order:2", 100, 2)
    third = await accounts.earn(repo, START, capped, USER, Reason.PURCHASE, "order:3", 100, 3)
    assert (first and first.delta, second and second.delta, third) == (100, 50, None)
    tomorrow = await accounts.earn(repo, START + timedelta(days=1), capped, USER, Reason.PURCHASE, "order:4", 100, 4)
    assert tomorrow is not None and tomorrow.delta == 100


def test_months_are_calendar_months() -> None:
    assert ledger.add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert ledger.add_months(datetime(2026, 3, 15, tzinfo=UTC), 12) == datetime(2027, 3, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "currency", "percent", "points"),
    [(250, "XTR", 100, 250), (1999, "USD", 100, 19), (250, "XTR", 150, 375), (0, "XTR", 100, 0)],
)
def test_points_for_an_order_are_whole_units_times_the_multiplier(
    amount: int, currency: str, percent: int, points: int
) -> None:
    from domain.money import Money
    from domain.points.policy import points_for

    assert points_for(Money(amount, currency), RewardsPolicy(), percent) == points
