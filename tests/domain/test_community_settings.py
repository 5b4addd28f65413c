"""When a group's announcement may go out: quiet hours (also across midnight and in the group's time zone) and
the daily cap move it later, never earlier and never into quiet hours; parsing what admins and hosts type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.moderation import giveaways, meetups
from domain.moderation.errors import GiveawayError, MeetupError
from domain.moderation.model import CommunitySettings

DAY = datetime(2026, 11, 22, tzinfo=UTC)


def test_quiet_hours_across_midnight_hold_until_the_morning() -> None:
    group = CommunitySettings(-1, quiet_start=22, quiet_end=8)
    assert group.hold_until(DAY.replace(hour=21, minute=59), 0) is None
    assert group.hold_until(DAY.replace(hour=23, minute=30), 0) == DAY.replace(hour=8) + timedelta(days=1)
    assert group.hold_until(DAY.replace(hour=3), 0) == DAY.replace(hour=8)
    assert group.hold_until(DAY.replace(hour=8), 0) is None


def test_quiet_hours_are_on_the_groups_clock() -> None:
    group = CommunitySettings(-1, quiet_start=22, quiet_end=8, timezone="Asia/Shanghai")  # UTC+8
    assert group.hold_until(DAY.replace(hour=13), 0) is None  # 21:00 in Shanghai
    assert group.hold_until(DAY.replace(hour=15), 0) == DAY + timedelta(hours=24)  # 23:00 -> 08:00 Shanghai


def test_the_daily_cap_moves_the_rest_to_the_groups_next_day_outside_its_quiet_hours() -> None:
    group = CommunitySettings(-1, daily_cap=2)
    assert group.hold_until(DAY.replace(hour=12), 1) is None
    assert group.hold_until(DAY.replace(hour=12), 2) == DAY + timedelta(days=1)
    quiet = CommunitySettings(-1, daily_cap=2, quiet_start=0, quiet_end=7)
    assert quiet.hold_until(DAY.replace(hour=12), 2) == DAY + timedelta(days=1, hours=7)


@given(
    moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    start=st.integers(0, 23),
    length=st.integers(1, 23),
    cap=st.one_of(st.none(), st.integers(1, 5)),
    sent=st.integers(0, 6),
    zone=st.sampled_from(["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
)
def test_an_announcement_is_only_ever_held_later_and_out_of_quiet_hours(
    moment: datetime, start: int, length: int, cap: int | None, sent: int, zone: str
) -> None:
    group = CommunitySettings(-1, quiet_start=start, quiet_end=(start + length) % 24, timezone=zone, daily_cap=cap)
    held = group.hold_until(moment, sent)
    quiet = group.in_quiet_hours(moment)
    over_cap = cap is not None and sent >= cap
    assert (held is None) == (not quiet and not over_cap)
    if held is not None:
        assert held > moment and not group.in_quiet_hours(held)
        if over_cap:
            assert held >= group.day_bounds(moment)[1], "the cap is the day's"


def test_a_giveaway_request_reads_its_options() -> None:
    request = giveaways.parse_request("2 48 Celadon tea set points=100 plan=3 joined=2026-11-01 brand=Celadon_Studio")
    assert (request.units, request.hours, request.prize) == (2, 48, "Celadon tea set")
    assert request.eligibility.min_points == 100 and request.eligibility.plan_id == 3
    assert request.eligibility.joined_before == datetime(2026, 11, 1, tzinfo=UTC)
    assert request.brand == "Celadon Studio" and request.claim_hours == giveaways.DEFAULT_CLAIM_HOURS


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0 48 Pin", GiveawayError.BAD_UNITS),
        ("² 48 Pin", GiveawayError.BAD_UNITS),
        ("1 0 Pin", GiveawayError.BAD_HOURS),
        ("1 2", GiveawayError.BAD_PRIZE),
        ("1 2 Pin pionts=3", GiveawayError.BAD_OPTION),
        ("1 2 Pin joined=yesterday", GiveawayError.BAD_DATE),
    ],
)
def test_a_malformed_giveaway_is_refused_with_what_is_wrong(text: str, code: GiveawayError) -> None:
    with pytest.raises(DomainError) as refused:
        giveaways.parse_request(text)
    assert refused.value.code is code


def test_a_meetup_request_reads_the_groups_wall_clock() -> None:
    request = meetups.parse_request("2026-12-05 18:30 12 Tea tasting at the studio points=50")
    assert request.starts_local == datetime(2026, 12, 5, 18, 30) and request.capacity == 12
    assert request.title == "Tea tasting at the studio" and request.points == 50
    for text, code in (
        ("tomorrow 18:30 12 Tea", MeetupError.BAD_TIME),
        ("2026-12-05 18:30 0 Tea", MeetupError.BAD_CAPACITY),
        ("2026-12-05 18:30 5", MeetupError.BAD_TITLE),
        ("2026-12-05 18:30 5 Tea points=5000", MeetupError.BAD_POINTS),
    ):
        with pytest.raises(DomainError) as refused:
            meetups.parse_request(text)
        assert refused.value.code is code, text
