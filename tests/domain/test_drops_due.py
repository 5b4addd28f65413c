"""What time makes due for a drop, without storage: teasers, opening, closing, the raffle draw, the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.drops.beacon import FALLBACK_AFTER, QUICKNET, draw_round
from domain.drops.due import Close, Draw, Moment, Open, Report, Teaser, due_transitions, moments
from domain.drops.model import Drop, DropMode, DropStatus
from domain.money import Money

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
START = NOW + timedelta(hours=30)
END = START + timedelta(hours=2)
LEADS = (24 * 60, 60)
ROUND = draw_round(QUICKNET, END)


def drop(**changes: object) -> Drop:
    base = Drop(
        id=7,
        brand_id=1,
        product_id=1,
        title="Celadon tea set",
        quantity=10,
        price=Money(200, "XTR"),
        starts_at=START,
        ends_at=END,
        per_member_limit=1,
        early_access_minutes=0,
        mode=DropMode.FIRST_COME,
        status=DropStatus.SCHEDULED,
        communities=(),
        created_by=0,
        created_at=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def raffle(**changes: object) -> Drop:
    """A raffle drawn with the drand round after its end, as raffles are scheduled now."""
    return drop(
        mode=DropMode.RAFFLE,
        seed="5eed",
        seed_hash="ha5h",
        pseudonym_key="key",
        beacon_chain=ROUND.chain_hash,
        beacon_round=ROUND.round,
        beacon_at=ROUND.at,
        **changes,
    )


def old_raffle(**changes: object) -> Drop:
    """A raffle scheduled before beacons: drawn from its secret alone, as it closes."""
    return drop(mode=DropMode.RAFFLE, seed="5eed", seed_hash="ha5h", **changes)


# -- teasers -----------------------------------------------------------------------------------------------


def test_a_scheduled_drop_far_from_its_start_has_nothing_due() -> None:
    assert due_transitions(drop(), NOW, LEADS) == ()


def test_a_scheduled_drop_is_due_a_teaser_when_its_lead_comes() -> None:
    assert due_transitions(drop(), START - timedelta(hours=24), LEADS) == (Teaser(24 * 60),)
    assert due_transitions(drop(last_teaser_minutes=24 * 60), START - timedelta(hours=1), LEADS) == (Teaser(60),)


def test_after_downtime_only_the_latest_teaser_is_due() -> None:
    # No "a day to go" half an hour before the start.
    assert due_transitions(drop(), START - timedelta(minutes=30), LEADS) == (Teaser(60),)


def test_a_teaser_that_went_out_is_not_due_again() -> None:
    assert due_transitions(drop(last_teaser_minutes=24 * 60), START - timedelta(hours=2), LEADS) == ()
    assert due_transitions(drop(last_teaser_minutes=60), START - timedelta(minutes=30), LEADS) == ()


def test_a_shop_without_teasers_sends_none() -> None:
    assert due_transitions(drop(), START - timedelta(minutes=30), ()) == ()


# -- opening and closing -----------------------------------------------------------------------------------


def test_a_scheduled_drop_whose_start_has_passed_is_due_to_open() -> None:
    assert due_transitions(drop(), START, LEADS) == (Open(),)
    # A teaser at the start would be late: the announcement is the news now.
    assert due_transitions(drop(), START + timedelta(minutes=5), LEADS) == (Open(),)


def test_an_open_drop_before_its_end_has_nothing_due() -> None:
    assert due_transitions(drop(status=DropStatus.OPEN), END - timedelta(seconds=1), LEADS) == ()


def test_an_open_drop_whose_end_has_passed_is_due_to_close_and_then_to_report() -> None:
    assert due_transitions(drop(status=DropStatus.OPEN), END, LEADS) == (Close(), Report())


def test_a_drop_missed_from_before_its_start_to_after_its_end_opens_closes_and_reports_in_one_pass() -> None:
    assert due_transitions(drop(), END + timedelta(days=2), LEADS) == (Open(), Close(), Report())


def test_a_closed_drop_not_yet_reported_is_due_its_report() -> None:
    # Whether a hold or an offer still waits for a payment is for lifecycle.report_if_done to find out.
    assert due_transitions(drop(status=DropStatus.CLOSED), END + timedelta(minutes=1), LEADS) == (Report(),)


def test_a_closed_drop_already_reported_has_nothing_due() -> None:
    reported = drop(status=DropStatus.CLOSED, reported_at=END + timedelta(minutes=20))
    assert due_transitions(reported, END + timedelta(days=1), LEADS) == ()


@pytest.mark.parametrize("status", [DropStatus.CANCELLED, DropStatus.DRAFT])
@pytest.mark.parametrize("at", [START - timedelta(minutes=30), START, END, ROUND.at + FALLBACK_AFTER])
def test_a_cancelled_drop_or_a_draft_has_nothing_due(status: DropStatus, at: datetime) -> None:
    assert due_transitions(drop(status=status), at, LEADS) == ()
    assert due_transitions(raffle(status=status), at, LEADS) == ()


# -- the raffle draw ---------------------------------------------------------------------------------------


def test_a_closed_raffle_waits_for_its_beacon_round_and_reports_nothing_before_its_draw() -> None:
    closed = raffle(status=DropStatus.CLOSED)
    assert ROUND.at > END  # the round comes after entries close, so nobody can know it while they are open
    assert due_transitions(closed, ROUND.at - timedelta(seconds=1), LEADS) == ()


def test_a_closed_raffle_is_due_to_draw_once_its_beacon_round_is_out() -> None:
    closed = raffle(status=DropStatus.CLOSED)
    assert due_transitions(closed, ROUND.at, LEADS) == (Draw(ROUND, fallback=False), Report())


def test_a_raffle_whose_round_never_came_may_draw_by_the_stated_fallback() -> None:
    closed = raffle(status=DropStatus.CLOSED)
    overdue = ROUND.at + FALLBACK_AFTER
    assert due_transitions(closed, overdue - timedelta(seconds=1), LEADS)[0] == Draw(ROUND, fallback=False)
    assert due_transitions(closed, overdue, LEADS) == (Draw(ROUND, fallback=True), Report())


def test_a_raffle_that_closes_after_its_round_came_draws_in_the_same_pass() -> None:
    assert due_transitions(raffle(status=DropStatus.OPEN), ROUND.at, LEADS) == (
        Close(),
        Draw(ROUND, fallback=False),
        Report(),
    )
    assert due_transitions(raffle(status=DropStatus.OPEN), END, LEADS) == (Close(),)


def test_a_drawn_raffle_is_not_drawn_again() -> None:
    drawn = raffle(status=DropStatus.CLOSED, drawn_at=ROUND.at)
    assert due_transitions(drawn, ROUND.at + FALLBACK_AFTER, LEADS) == (Report(),)
    assert due_transitions(replace(drawn, reported_at=ROUND.at + FALLBACK_AFTER), ROUND.at, LEADS) == ()


def test_a_raffle_from_before_beacons_draws_as_it_closes_so_its_report_is_due_with_the_close() -> None:
    assert due_transitions(old_raffle(status=DropStatus.OPEN), END, LEADS) == (Close(), Report())
    # Closed but never drawn (it had no secret): nothing the clock can bring.
    assert due_transitions(old_raffle(status=DropStatus.CLOSED), END + timedelta(days=1), LEADS) == ()


ORDER = (Teaser, Open, Close, Draw, Report)


@given(
    st.sampled_from(list(DropStatus)),
    st.sampled_from(["first_come", "raffle", "old_raffle"]),
    st.integers(min_value=-2 * 24 * 3600, max_value=2 * 24 * 3600),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, 24 * 60, 60]),
)
def test_what_is_due_comes_in_the_lifecycle_order_each_at_most_once(
    status: DropStatus, kind: str, seconds: int, drawn: bool, reported: bool, last_teaser: int | None
) -> None:
    make = {"first_come": drop, "raffle": raffle, "old_raffle": old_raffle}[kind]
    d = make(
        status=status,
        drawn_at=ROUND.at if drawn else None,
        reported_at=ROUND.at if reported else None,
        last_teaser_minutes=last_teaser,
    )
    due = due_transitions(d, START + timedelta(seconds=seconds), LEADS)
    places = [ORDER.index(type(transition)) for transition in due]
    assert places == sorted(set(places))
    if d.status in (DropStatus.DRAFT, DropStatus.CANCELLED):
        assert due == ()
    if d.status is DropStatus.CLOSED and reported:
        assert all(isinstance(transition, Draw) for transition in due)


# -- the moments timers wake the reconciler at --------------------------------------------------------------


def test_a_scheduled_drop_has_a_moment_for_each_teaser_its_start_and_its_end() -> None:
    assert moments(drop(), LEADS, NOW) == (
        Moment("drop:7:teaser:1440", START - timedelta(hours=24)),
        Moment("drop:7:teaser:60", START - timedelta(hours=1)),
        Moment("drop:7:open", START),
        Moment("drop:7:close", END),
    )


def test_only_moments_still_ahead_are_kept() -> None:
    assert moments(drop(), LEADS, START - timedelta(minutes=30)) == (
        Moment("drop:7:open", START),
        Moment("drop:7:close", END),
    )
    assert moments(drop(status=DropStatus.OPEN), LEADS, END) == ()


def test_a_raffle_has_moments_for_its_draw_and_its_fallback_until_it_is_drawn() -> None:
    draw_moments = (
        Moment("drop:7:draw", ROUND.at),
        Moment("drop:7:draw-fallback", ROUND.at + FALLBACK_AFTER),
    )
    assert moments(raffle(status=DropStatus.OPEN), LEADS, START) == (Moment("drop:7:close", END), *draw_moments)
    assert moments(raffle(status=DropStatus.CLOSED), LEADS, END) == draw_moments
    assert moments(raffle(status=DropStatus.CLOSED, drawn_at=ROUND.at), LEADS, END) == ()
    assert moments(raffle(status=DropStatus.CANCELLED), LEADS, NOW) == ()
    assert moments(old_raffle(status=DropStatus.OPEN), LEADS, START) == (Moment("drop:7:close", END),)


@pytest.mark.parametrize("make", [drop, raffle, old_raffle])
def test_at_every_moment_of_a_fresh_drop_something_new_comes_due(make: object) -> None:
    fresh = make()  # type: ignore[operator]
    for moment in moments(fresh, LEADS, NOW):
        before = due_transitions(fresh, moment.at - timedelta(seconds=1), LEADS)
        assert due_transitions(fresh, moment.at, LEADS) != before, moment.key
