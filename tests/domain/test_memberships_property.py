"""Property: over any sequence of payments, cancellations, renewals, join requests and clock moves, nobody is
removed from the members-only group while their period is paid, and nobody lapsed past grace stays in it.

The oracle is independent of the domain's own state: it only knows what was paid for (Telegram's expiration
dates and trials) and what the member did.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.memberships import cancelling, groups, joining, management, schedule
from domain.memberships.plans import Terms
from domain.money import Money
from tests.domain.memberships_fakes import FakeUnitOfWork

GROUP = -100500
GRACE = timedelta(days=3)
PERIOD = timedelta(days=30)
START = datetime(2026, 1, 1, tzinfo=UTC)
USERS = (1, 2, 3)

events = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(USERS)),
        st.tuples(st.just("pay_again"), st.sampled_from(USERS)),  # Telegram redelivers the last charge
        st.tuples(st.just("trial"), st.sampled_from(USERS)),
        st.tuples(st.just("cancel"), st.sampled_from(USERS)),
        st.tuples(st.just("join"), st.sampled_from(USERS)),
        st.tuples(st.just("jobs"), st.just(0)),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=60 * 24 * 45)),  # minutes
    ),
    max_size=40,
)


@dataclass
class World:
    uow: Any = field(default_factory=FakeUnitOfWork)
    now: datetime = START
    in_group: set[int] = field(default_factory=set)
    paid_until: dict[int, datetime] = field(default_factory=dict)  # what was paid (or trialled) for
    cancelled: set[int] = field(default_factory=set)
    last_charge: dict[int, str] = field(default_factory=dict)
    charges: int = 0
    removals: list[tuple[int, datetime]] = field(default_factory=list)
    lapses: list[tuple[int, datetime]] = field(default_factory=list)  # (member, paid until) at each removal
    plan_id: int = 0


async def _setup(world: World) -> None:
    terms = Terms(price=Money(100, "XTR"), trial_days=5, grace_days=GRACE.days)
    plan = await management.create_plan(world.uow, START, management.OPERATOR, "Tea Club", None, terms)
    await world.uow.plans.set_group(plan.id, GROUP, "https://t.me/+x")
    world.plan_id = plan.id


async def _pay(world: World, user: int, charge: str) -> None:
    plan = await world.uow.plans.get(world.plan_id)
    expiration = world.now + PERIOD
    outcome = await joining.record_payment(
        world.uow, world.now, user, f"mb:{plan.current.id}", Money(100, "XTR"), charge, None, expiration, True
    )
    if outcome.result is joining.PaymentResult.PAID:
        world.paid_until[user] = max(world.paid_until.get(user, START), expiration)
        world.cancelled.discard(user)


async def _jobs(world: World) -> None:
    await schedule.advance_due(world.uow, world.now)
    for claimed in await schedule.claim_removals(world.uow, world.now):
        current = await schedule.still_removable(world.uow, world.now, claimed.id)
        if current is None:
            continue
        world.removals.append((current.user_id, world.now))
        world.lapses.append((current.user_id, world.paid_until.get(current.user_id, START)))
        assert world.now >= world.paid_until.get(current.user_id, START), "removed while the period is paid"
        world.in_group.discard(current.user_id)
        await schedule.finish_removal(world.uow, world.now, current, removed=True)


async def _play(steps: list[tuple[str, int]]) -> World:
    world = World()
    await _setup(world)
    for kind, arg in steps:
        if kind == "pay":
            world.charges += 1
            world.last_charge[arg] = f"ch{world.charges}"
            await _pay(world, arg, world.last_charge[arg])
        elif kind == "pay_again" and arg in world.last_charge:
            before = dict(world.uow.memberships.rows)
            await _pay(world, arg, world.last_charge[arg])
            assert world.uow.memberships.rows == before, "a duplicate charge changed a membership"
        elif kind == "trial":
            try:
                await joining.start_trial(world.uow, world.now, arg, world.plan_id)
            except DomainError:
                pass
            else:
                world.paid_until[arg] = max(world.paid_until.get(arg, START), world.now + timedelta(days=5))
        elif kind == "cancel":
            membership = await world.uow.memberships.get_for(arg, world.plan_id)
            if membership is not None:
                try:
                    await cancelling.cancel(world.uow, world.now, arg, membership.id)
                except DomainError:
                    pass
                else:
                    world.cancelled.add(arg)
        elif kind == "join":
            decision = await groups.decide_join(world.uow, world.now, GROUP, arg)
            assert decision is not None
            if decision.approve:
                assert world.now < world.paid_until.get(arg, START) + GRACE, "a lapsed member was let in"
                world.in_group.add(arg)
        elif kind == "jobs":
            await _jobs(world)
            for user in world.in_group:
                assert world.now < world.paid_until.get(user, START) + GRACE, "a lapsed member stayed past grace"
        elif kind == "wait":
            world.now += timedelta(minutes=arg)
    return world


@settings(max_examples=300, deadline=None)
@given(events)
def test_nobody_is_removed_while_paid_and_nobody_lapsed_stays_past_grace(steps: list[tuple[str, int]]) -> None:
    asyncio.run(_play(steps))


@settings(max_examples=200, deadline=None)
@given(events)
def test_a_member_is_removed_at_most_once_per_lapse(steps: list[tuple[str, int]]) -> None:
    world = asyncio.run(_play([*steps, ("jobs", 0), ("jobs", 0)]))
    lapses = [(user, world_paid) for user, world_paid in world.lapses]
    assert len(lapses) == len(set(lapses))


def test_the_simulation_does_remove_a_lapsed_member() -> None:
    world = asyncio.run(_play([("pay", 1), ("join", 1), ("wait", 60 * 24 * 32), ("jobs", 0), ("jobs", 0)]))
    assert 1 in world.in_group, "in grace: still in"
    world = asyncio.run(_play([("pay", 1), ("join", 1), ("wait", 60 * 24 * 34), ("jobs", 0), ("jobs", 0)]))
    assert world.in_group == set() and [u for u, _ in world.removals] == [1]
