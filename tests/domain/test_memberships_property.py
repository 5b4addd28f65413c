"""Property: over any sequence of payments, cancellations, renewals, trials, plans closing and opening, join
requests and clock moves, with several plans and several members-only groups (two plans sharing a group, a
plan with a group of its own), nobody is removed from a group or declined while any plan granting that group
is paid for them, nobody lapsed past grace stays, and `members dry-run` names exactly whom the job removes.

The oracle is independent of the domain's own state: it only knows what was paid for (Telegram's expiration
dates and trials), per member and plan, and which plan grants which group.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actors import Actor
from domain.errors import DomainError
from domain.memberships import cancelling, groups, joining, management, schedule
from domain.memberships.plans import Terms
from domain.money import Money
from tests.domain import charges
from tests.domain.memberships_fakes import FakeUnitOfWork

SHARED, OWN = -100500, -100600  # two members-only groups
PLAN_GROUPS = {1: SHARED, 2: SHARED, 3: OWN}  # plans 1 and 2 share a group; plan 3 has its own
GRACE = timedelta(days=3)
TRIAL = timedelta(days=5)
PERIOD = timedelta(days=30)
START = datetime(2026, 1, 1, tzinfo=UTC)
USERS = (1, 2, 3)
PLANS = tuple(PLAN_GROUPS)
GROUPS = (SHARED, OWN)

events = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(USERS), st.sampled_from(PLANS)),
        st.tuples(st.just("pay_again"), st.sampled_from(USERS), st.sampled_from(PLANS)),  # a redelivered charge
        st.tuples(st.just("trial"), st.sampled_from(USERS), st.sampled_from(PLANS)),
        st.tuples(st.just("cancel"), st.sampled_from(USERS), st.sampled_from(PLANS)),
        st.tuples(st.just("join"), st.sampled_from(USERS), st.sampled_from(GROUPS)),
        st.tuples(st.just("close"), st.just(0), st.sampled_from(PLANS)),
        st.tuples(st.just("open"), st.just(0), st.sampled_from(PLANS)),
        st.tuples(st.just("jobs"), st.just(0), st.just(0)),
        st.tuples(st.just("wait"), st.just(0), st.integers(min_value=1, max_value=60 * 24 * 45)),  # minutes
    ),
    max_size=50,
)

Step = tuple[str, int, int]


@dataclass
class World:
    uow: Any = field(default_factory=FakeUnitOfWork)
    now: datetime = START
    in_group: set[tuple[int, int]] = field(default_factory=set)  # (member, group)
    paid_until: dict[tuple[int, int], datetime] = field(default_factory=dict)  # (member, plan): paid or trialled
    last_charge: dict[tuple[int, int], str] = field(default_factory=dict)
    charges: int = 0
    removals: list[tuple[int, int, datetime]] = field(default_factory=list)  # (member, group, paid until)

    def paid(self, user: int, group: int) -> datetime:
        """Until when some plan granting `group` is paid (or trialled) for `user`."""
        ends = [self.paid_until.get((user, plan), START) for plan, chat in PLAN_GROUPS.items() if chat == group]
        return max(ends, default=START)


async def _setup(world: World) -> None:
    terms = Terms(price=Money(100, "XTR"), trial_days=TRIAL.days, grace_days=GRACE.days)
    for number, group in PLAN_GROUPS.items():
        plan = await management.create_plan(world.uow, START, Actor.command_line(), f"Club {number}", None, terms)
        assert plan.id == number
        await world.uow.plans.set_group(plan.id, group, f"https://t.me/+{number}")


async def _pay(world: World, user: int, plan_id: int, charge: str) -> None:
    plan = await world.uow.plans.get(plan_id)
    expiration = world.now + PERIOD
    outcome = await joining.record_payment(
        world.uow,
        world.now,
        charges.charge(user, f"mb:{plan.current.id}", Money(100, "XTR"), charge, expires_at=expiration, recurring=True),
    )
    if outcome.result is joining.PaymentResult.PAID:
        world.paid_until[(user, plan_id)] = max(world.paid_until.get((user, plan_id), START), expiration)


async def _jobs(world: World) -> None:
    await schedule.advance_due(world.uow, world.now)
    preview = {
        (p.membership.user_id, p.membership.seat_chat_id) for p in await schedule.removal_preview(world.uow, world.now)
    }
    removed: set[tuple[int, int | None]] = set()
    for claimed in await schedule.claim_removals(world.uow, world.now):
        current = await schedule.still_removable(world.uow, world.now, claimed.id)
        if current is None:
            continue
        group = current.seat_chat_id
        assert group is not None
        paid = world.paid(current.user_id, group)
        assert world.now >= paid, "a paying member was removed"
        assert (current.user_id, group) not in removed, "removed twice at once"
        removed.add((current.user_id, group))
        world.removals.append((current.user_id, group, paid))
        world.in_group.discard((current.user_id, group))
        await schedule.finish_removal(world.uow, world.now, current, removed=True)
    assert removed == preview, "members dry-run disagrees with the removal job"


async def _play(steps: list[Step]) -> World:
    world = World()
    await _setup(world)
    for kind, user, arg in steps:
        if kind == "pay":
            world.charges += 1
            world.last_charge[(user, arg)] = f"ch{world.charges}"
            await _pay(world, user, arg, world.last_charge[(user, arg)])
        elif kind == "pay_again" and (user, arg) in world.last_charge:
            before = dict(world.uow.memberships.rows)
            await _pay(world, user, arg, world.last_charge[(user, arg)])
            assert world.uow.memberships.rows == before, "a duplicate charge changed a membership"
        elif kind == "trial":
            try:
                await joining.start_trial(world.uow, world.now, user, arg)
            except DomainError:
                pass
            else:
                key = (user, arg)
                world.paid_until[key] = max(world.paid_until.get(key, START), world.now + TRIAL)
        elif kind == "cancel":
            membership = await world.uow.memberships.get_for(user, arg)
            if membership is not None:
                try:
                    await cancelling.cancel(world.uow, world.now, user, membership.id)
                except DomainError:
                    pass
        elif kind in ("close", "open"):
            await management.set_active(world.uow, Actor.command_line(), arg, kind == "open")
        elif kind == "join":
            decision = await groups.decide_join(world.uow, world.now, arg, user)
            approved = decision is not None and decision.approve
            if world.now < world.paid(user, arg):
                assert approved, "a paying member was declined"
            if approved:
                assert world.now < world.paid(user, arg) + GRACE, "a lapsed member was let in"
                world.in_group.add((user, arg))
        elif kind == "jobs":
            await _jobs(world)
            for member, group in world.in_group:
                assert world.now < world.paid(member, group) + GRACE, "a lapsed member stayed past grace"
        elif kind == "wait":
            world.now += timedelta(minutes=arg)
    return world


@settings(max_examples=300, deadline=None)
@given(events)
def test_nobody_is_removed_or_declined_while_any_plan_of_the_group_is_paid(steps: list[Step]) -> None:
    asyncio.run(_play(steps))


@settings(max_examples=200, deadline=None)
@given(events)
def test_a_member_is_removed_at_most_once_per_lapse(steps: list[Step]) -> None:
    world = asyncio.run(_play([*steps, ("jobs", 0, 0), ("jobs", 0, 0)]))
    assert len(world.removals) == len(set(world.removals))


def test_the_simulation_does_remove_a_lapsed_member() -> None:
    joined = [("pay", 1, 1), ("join", 1, SHARED)]
    world = asyncio.run(_play([*joined, ("wait", 0, 60 * 24 * 32), ("jobs", 0, 0), ("jobs", 0, 0)]))
    assert (1, SHARED) in world.in_group, "in grace: still in"
    world = asyncio.run(_play([*joined, ("wait", 0, 60 * 24 * 34), ("jobs", 0, 0), ("jobs", 0, 0)]))
    assert world.in_group == set() and [(u, g) for u, g, _ in world.removals] == [(1, SHARED)]


def test_a_member_admitted_on_one_plan_who_pays_another_of_the_same_group_stays() -> None:
    steps: list[Step] = [
        ("pay", 1, 1),
        ("join", 1, SHARED),
        ("wait", 0, 60 * 24 * 20),
        ("pay", 1, 2),  # plan 2 grants the same group, paid until day 50
        ("wait", 0, 60 * 24 * 15),  # day 35: plan 1 is past its period and grace
        ("jobs", 0, 0),
    ]
    world = asyncio.run(_play(steps))
    assert (1, SHARED) in world.in_group and world.removals == []
    seats = [(m.plan_id, m.seat.value) for m in world.uow.memberships.rows.values()]
    assert sorted(seats) == [(1, "none"), (2, "in")], "plan 2's membership now holds the seat"
    assert any(key.startswith("mb:1:expired") for key in world.uow.outbox.notices), "plan 1's end is still told"

    # When plan 2 lapses too, the member leaves once.
    world = asyncio.run(_play([*steps, ("wait", 0, 60 * 24 * 20), ("jobs", 0, 0), ("jobs", 0, 0)]))
    assert (1, SHARED) not in world.in_group and [(u, g) for u, g, _ in world.removals] == [(1, SHARED)]


def test_a_plan_with_a_group_of_its_own_does_not_keep_anyone_in_another_group() -> None:
    steps: list[Step] = [("pay", 1, 1), ("join", 1, SHARED), ("pay", 1, 3), ("wait", 0, 60 * 24 * 34), ("jobs", 0, 0)]
    world = asyncio.run(_play(steps))
    assert [(u, g) for u, g, _ in world.removals] == [(1, SHARED)]


def test_a_paid_member_of_a_closed_plan_is_still_let_in() -> None:
    world = asyncio.run(_play([("pay", 1, 3), ("close", 0, 3), ("join", 1, OWN), ("join", 2, OWN)]))
    assert world.in_group == {(1, OWN)}
