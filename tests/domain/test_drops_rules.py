"""Drop rules without storage: the state machine, plan checks, early access, teasers, reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.drops.due import due_teaser
from domain.drops.model import TRANSITIONS, ClaimStatus, Drop, DropClaim, DropMode, DropPlan, DropStatus, can_move
from domain.drops.reports import MAX_BUCKETS, build_report
from domain.drops.rules import check_can_buy, parse_leads, sales_start_for, validate_plan
from domain.drops.shelf import in_drop
from domain.errors import DomainError
from domain.money import Money

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def plan(**changes: object) -> DropPlan:
    base = DropPlan(1, 1, 10, Money(200, "XTR"), NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    return replace(base, **changes)  # type: ignore[arg-type]


def drop(**changes: object) -> Drop:
    base = Drop(
        id=1,
        brand_id=1,
        product_id=1,
        title="Celadon tea set",
        quantity=10,
        price=Money(200, "XTR"),
        starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(hours=2),
        per_member_limit=1,
        early_access_minutes=30,
        mode=DropMode.FIRST_COME,
        status=DropStatus.SCHEDULED,
        communities=(),
        created_by=0,
        created_at=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@given(st.lists(st.sampled_from(list(DropStatus)), max_size=12))
def test_no_walk_leaves_a_closed_or_cancelled_drop(steps: list[DropStatus]) -> None:
    status = DropStatus.DRAFT
    for step in steps:
        if can_move(status, step):
            status = step
    assert TRANSITIONS[DropStatus.CLOSED] == TRANSITIONS[DropStatus.CANCELLED] == frozenset()
    assert not can_move(DropStatus.OPEN, DropStatus.SCHEDULED)
    assert not can_move(DropStatus.OPEN, DropStatus.CANCELLED)  # an open drop ends by closing


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"quantity": 0}, "drop.bad_quantity"),
        ({"price": Money(0, "XTR")}, "drop.bad_price"),
        ({"per_member_limit": 0}, "drop.bad_limit"),
        ({"early_access_minutes": -1}, "drop.bad_early_access"),
        ({"starts_at": NOW - timedelta(minutes=1)}, "drop.starts_in_past"),
        ({"early_access_minutes": 90}, "drop.starts_in_past"),  # members would already be buying
        ({"ends_at": NOW + timedelta(hours=1)}, "drop.bad_duration"),
        ({"ends_at": NOW + timedelta(days=40)}, "drop.bad_duration"),
        ({"starts_at": datetime(2027, 1, 1)}, "drop.bad_time"),
    ],
)
def test_a_bad_plan_is_refused_with_its_reason(changes: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        validate_plan(plan(**changes), NOW)
    assert refused.value.code == code


def test_a_good_plan_passes() -> None:
    validate_plan(plan(), NOW)


@given(st.booleans(), st.integers(min_value=0, max_value=600))
def test_early_access_is_for_members_only_and_by_the_minutes_given(is_member: bool, minutes: int) -> None:
    d = drop(early_access_minutes=minutes)
    start = sales_start_for(d, is_member)
    assert start == (d.starts_at - timedelta(minutes=minutes) if is_member else d.starts_at)


def test_who_may_buy_when() -> None:
    scheduled = drop()
    with pytest.raises(DomainError, match=r"drop\.not_open"):
        check_can_buy(scheduled, NOW, is_member=True)
    check_can_buy(scheduled, scheduled.starts_at - timedelta(minutes=30), is_member=True)
    with pytest.raises(DomainError, match=r"drop\.not_open"):
        check_can_buy(scheduled, scheduled.starts_at - timedelta(minutes=30), is_member=False)
    opened = drop(status=DropStatus.OPEN)
    check_can_buy(opened, opened.starts_at, is_member=False)
    with pytest.raises(DomainError, match=r"drop\.sold_out"):
        check_can_buy(replace(opened, claimed=10), opened.starts_at, is_member=False)
    with pytest.raises(DomainError, match=r"drop\.ended"):
        check_can_buy(opened, opened.ends_at, is_member=False)
    with pytest.raises(DomainError, match=r"drop\.ended"):
        check_can_buy(drop(status=DropStatus.CLOSED), opened.starts_at, is_member=False)
    with pytest.raises(DomainError, match=r"drop\.cancelled"):
        check_can_buy(drop(status=DropStatus.CANCELLED), opened.starts_at, is_member=False)
    with pytest.raises(DomainError, match=r"drop\.raffle_only"):
        check_can_buy(drop(status=DropStatus.OPEN, mode=DropMode.RAFFLE), opened.starts_at, is_member=False)


def test_only_the_latest_due_teaser_goes_out() -> None:
    d = drop(starts_at=NOW + timedelta(hours=30), ends_at=NOW + timedelta(hours=31))
    leads = (1440, 60)
    assert due_teaser(d, NOW, leads) is None
    assert due_teaser(d, d.starts_at - timedelta(hours=24), leads) == 1440
    assert due_teaser(replace(d, last_teaser_minutes=1440), d.starts_at - timedelta(hours=2), leads) is None
    assert due_teaser(replace(d, last_teaser_minutes=1440), d.starts_at - timedelta(minutes=59), leads) == 60
    # After downtime, only the latest one: no "a day to go" an hour before.
    assert due_teaser(d, d.starts_at - timedelta(minutes=30), leads) == 60
    assert due_teaser(replace(d, last_teaser_minutes=60), d.starts_at - timedelta(minutes=30), leads) is None
    assert due_teaser(d, d.starts_at, leads) is None


def test_teaser_leads_are_read_from_text() -> None:
    assert parse_leads("24h, 1h,30m") == (1440, 60, 30)
    assert parse_leads("") == ()
    assert parse_leads("2d") == (2880,)
    with pytest.raises(ValueError):
        parse_leads("soon")


@given(st.lists(st.integers(min_value=0, max_value=6 * 3600), max_size=120))
def test_the_report_counts_every_sale_once_in_at_most_60_bars(offsets: list[int]) -> None:
    opened = replace(drop(status=DropStatus.CLOSED), opened_at=NOW, closed_at=NOW + timedelta(hours=6))
    sales = [
        DropClaim(i, 1, i, 1, ClaimStatus.PAID, None, NOW, paid_at=NOW + timedelta(seconds=s))
        for i, s in enumerate(offsets)
    ]
    report = build_report(opened, sales, NOW + timedelta(hours=7))
    assert sum(report.timeline) == report.sold == len(offsets)
    assert len(report.timeline) <= MAX_BUCKETS + 1


def test_a_product_is_in_its_drop_from_the_start_to_the_end_whatever_the_jobs_did() -> None:
    scheduled = drop(status=DropStatus.SCHEDULED)
    assert not in_drop(scheduled, scheduled.starts_at - timedelta(seconds=1))
    assert in_drop(scheduled, scheduled.starts_at)  # still SCHEDULED: the opening job may be late
    assert in_drop(replace(scheduled, status=DropStatus.OPEN), scheduled.ends_at - timedelta(seconds=1))
    assert not in_drop(replace(scheduled, status=DropStatus.OPEN), scheduled.ends_at)
    assert not in_drop(replace(scheduled, status=DropStatus.CANCELLED), scheduled.starts_at)
