"""Membership rules: the state machine, perks as pure functions, plan terms from text, versioned prices."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actors import Actor
from domain.errors import DomainError
from domain.memberships import joining, lifecycle, management, perks
from domain.memberships.lifecycle import Membership, MembershipStatus, Seat
from domain.memberships.plan_text import parse_new_plan
from domain.memberships.plans import Benefits, PlanVersion, Terms, validate_terms
from domain.money import Money
from tests.domain.charges import charge
from tests.domain.memberships_fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 1, tzinfo=UTC)
VERSION = PlanVersion(1, 1, 1, Terms(price=Money(500, "USD"), period_days=30, grace_days=3), NOW)


def _member(status: MembershipStatus = MembershipStatus.ACTIVE, days_left: int = 10, **fields: Any) -> Membership:
    end = NOW + timedelta(days=days_left)
    values: dict[str, Any] = {"grace_end": end + timedelta(days=3)}
    values.update(fields)
    return Membership(1, 7, 1, 1, status, NOW - timedelta(days=20), end, **values)


def test_paying_early_extends_from_the_end_of_the_running_period() -> None:
    paid, change = lifecycle.apply_payment(_member(days_left=10), VERSION, NOW, "ch", None)
    assert paid.period_end == NOW + timedelta(days=40) and change is lifecycle.Change.RENEWED
    assert paid.grace_end == paid.period_end + timedelta(days=3)


def test_paying_in_grace_continues_the_missed_period_and_after_expiry_starts_now() -> None:
    grace = _member(MembershipStatus.GRACE, days_left=-1)
    assert lifecycle.apply_payment(grace, VERSION, NOW, "ch", None)[0].period_end == NOW + timedelta(days=29)
    expired = _member(MembershipStatus.EXPIRED, days_left=-60)
    paid, change = lifecycle.apply_payment(expired, VERSION, NOW, "ch", None)
    assert paid.period_end == NOW + timedelta(days=30) and change is lifecycle.Change.STARTED


def test_telegrams_expiration_date_is_the_authority_for_stars() -> None:
    expiration = NOW + timedelta(days=30, hours=5)
    paid, _ = lifecycle.apply_payment(_member(days_left=0), VERSION, NOW, "stx", expiration)
    assert paid.period_end == expiration and paid.stars and paid.charge_id == "stx"


def test_cancelling_keeps_perks_to_the_period_end_without_grace() -> None:
    cancelled = lifecycle.cancel(_member(days_left=10), NOW)
    assert cancelled.status is MembershipStatus.CANCELLED and cancelled.grace_end == cancelled.period_end
    assert cancelled.has_perks(NOW + timedelta(days=9)) and not cancelled.has_perks(NOW + timedelta(days=10))
    with pytest.raises(DomainError, match="already_cancelled"):
        lifecycle.cancel(cancelled, NOW)
    assert lifecycle.cancel(_member(MembershipStatus.GRACE, days_left=-1), NOW).status is MembershipStatus.EXPIRED


def test_time_moves_active_to_grace_to_expired_and_a_late_job_jumps_straight_to_expired() -> None:
    member = _member(days_left=0)
    assert lifecycle.due_status(member, NOW - timedelta(seconds=1)) is None
    assert lifecycle.due_status(member, NOW) is MembershipStatus.GRACE
    assert lifecycle.due_status(member, NOW + timedelta(days=90)) is MembershipStatus.EXPIRED
    stars = replace(member, stars=True)
    assert lifecycle.due_status(stars, NOW + timedelta(minutes=30)) is None  # Telegram's renewal may be in flight


def test_removal_only_after_paid_period_and_grace() -> None:
    seated = _member(days_left=0, seat=Seat.IN, seat_chat_id=-1)
    assert lifecycle.removal_reason(seated, NOW + timedelta(days=2)) is None  # grace
    assert lifecycle.removal_reason(seated, NOW + timedelta(days=3)) == "lapsed"
    assert lifecycle.claim_removal(seated, NOW + timedelta(days=3)).seat is Seat.REMOVING
    with pytest.raises(DomainError):
        lifecycle.claim_removal(seated, NOW)


def test_a_trial_is_once_per_person_and_plan() -> None:
    version = replace(VERSION, terms=replace(VERSION.terms, trial_days=7))
    lifecycle.may_start_trial(None, version, NOW)
    with pytest.raises(DomainError, match="trial_used"):
        lifecycle.may_start_trial(_member(MembershipStatus.EXPIRED, -30, trial_used=True), version, NOW)
    with pytest.raises(DomainError, match="no_trial"):
        lifecycle.may_start_trial(None, VERSION, NOW)


# -- perks -----------------------------------------------------------------------------------------------


def test_member_price_takes_the_best_benefit_in_the_products_currency() -> None:
    price = Money(1999, "USD")
    ten_off = Benefits(discount_percent=10)
    fixed = Benefits(member_prices=(("TEA", Money(1500, "USD")), ("INK", Money(9, "XTR"))))
    assert perks.member_price(price, "TEA", [ten_off]) == Money(1800, "USD")  # 199.9 discount rounds down
    assert perks.member_price(price, "TEA", [ten_off, fixed]) == Money(1500, "USD")
    assert perks.member_price(price, "INK", [fixed]) == price  # another currency does not apply
    assert perks.member_price(price, "TEA", []) == price


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=100))
def test_a_discount_never_raises_a_price_nor_goes_below_zero(amount: int, percent: int) -> None:
    result = perks.discounted(Money(amount, "XTR"), percent)
    assert 0 <= result.amount <= amount


def test_points_multiplier_and_early_access_are_the_best_of_the_members_plans() -> None:
    benefits = [Benefits(points_multiplier_percent=150, early_access_minutes=30), Benefits(early_access_minutes=60)]
    assert perks.multiplier_percent(benefits) == 150 and perks.multiplier_percent([]) == 100
    assert perks.multiply_points(25, 150) == 37
    minutes = perks.early_minutes(benefits)
    opens = NOW + timedelta(hours=1)
    assert perks.may_enter_early(NOW, opens, minutes) and not perks.may_enter_early(NOW, opens, 59)


def test_plan_terms_are_read_exactly_from_the_owners_words() -> None:
    name, terms = parse_new_plan("4.99 usd Tea Club days=30 trial=7 discount=10% points=1.5 early=60 TEA=3.50".split())
    assert name == "Tea Club" and terms.price == Money(499, "USD") and terms.trial_days == 7
    assert terms.benefits == Benefits(10, (("TEA", Money(350, "USD")),), 150, 60)
    with pytest.raises(DomainError, match="bad_command"):
        parse_new_plan(["100", "XTR", "Club", "points=1.234"])
    with pytest.raises(DomainError, match="stars_period"):
        validate_terms(Terms(price=Money(100, "XTR"), period_days=7))


# -- versions and roles ----------------------------------------------------------------------------------


def test_a_price_change_is_a_new_version_and_current_members_are_told_before_they_renew() -> None:
    async def play() -> None:
        uow: Any = FakeUnitOfWork()
        owner = Actor(5, admin_of=frozenset({-100}))
        plan = await management.create_plan(uow, NOW, owner, "Club", -100, VERSION.terms)
        await joining.record_payment(uow, NOW, charge(7, f"mb:{plan.current.id}", Money(500, "USD"), "ch1", "p1"))
        change = await management.change_price(uow, NOW, owner, plan.id, Money(600, "USD"))
        assert change.version.number == 2 and change.told == 1
        member = await uow.memberships.get_for(7, plan.id)
        assert member.version_id == plan.current.id  # keeps the old terms until renewal
        with pytest.raises(DomainError, match="terms_changed"):
            await joining.check_pre_checkout(uow, NOW, 7, f"mb:{plan.current.id}", Money(500, "USD"))
        await joining.record_payment(uow, NOW, charge(7, f"mb:{change.version.id}", Money(600, "USD"), "ch2", "p2"))
        assert (await uow.memberships.get_for(7, plan.id)).version_id == change.version.id
        stranger = Actor(9, admin_of=frozenset({-200}))
        with pytest.raises(DomainError, match="not_owner"):
            await management.change_price(uow, NOW, stranger, plan.id, Money(1, "USD"))

    asyncio.run(play())


def test_reminders_come_3_days_and_1_day_before_the_end_and_a_late_job_sends_only_the_latest() -> None:
    from domain.memberships.schedule import reminder_tag

    member = _member(days_left=5)
    assert reminder_tag(member, NOW) is None
    assert reminder_tag(member, NOW + timedelta(days=2))[0] == "3d"
    assert reminder_tag(member, NOW + timedelta(days=4, hours=1))[0] == "1d"
    assert reminder_tag(replace(member, stars=True), NOW + timedelta(days=4, hours=1)) is None  # renews itself
    grace = _member(MembershipStatus.GRACE, days_left=-2)
    assert reminder_tag(grace, NOW) == ("grace1d", grace.grace_end)
