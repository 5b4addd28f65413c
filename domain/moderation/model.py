"""The community's settings as a value, and what they mean for an announcement due now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MAX_DAILY_CAP = 100
MAX_NOTICE_LENGTH = 800
DEFAULT_TIMEZONE = "UTC"


class Feature(StrEnum):
    DROPS = "drops"
    GROUP_BUYS = "groupbuys"
    VOTES = "votes"
    GIVEAWAYS = "giveaways"
    MEETUPS = "meetups"


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    chat_id: int
    shop_enabled: bool = True
    disabled: frozenset[Feature] = frozenset()  # every feature is allowed until an admin turns it off
    quiet_start: int | None = None  # hour of the day (0-23) in `timezone`; None: no quiet hours
    quiet_end: int | None = None
    timezone: str = DEFAULT_TIMEZONE
    daily_cap: int | None = None  # announcements to the group per day (in `timezone`); None: no cap
    risk_notice: str | None = None  # None: the default text
    updated_by: int | None = None
    updated_at: datetime | None = None

    def allows(self, feature: Feature) -> bool:
        return feature not in self.disabled

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def in_quiet_hours(self, now: datetime) -> bool:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return False
        hour = now.astimezone(self.zone).hour
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= hour < self.quiet_end
        return hour >= self.quiet_start or hour < self.quiet_end

    def quiet_hours_end(self, now: datetime) -> datetime:
        """The next moment quiet hours end, after `now` (call while in quiet hours)."""
        local = now.astimezone(self.zone)
        end_hour = self.quiet_end if self.quiet_end is not None else 0
        end = datetime.combine(local.date(), time(end_hour), tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), time(end_hour), tzinfo=self.zone)
        return end.astimezone(now.tzinfo)

    def day_bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The group's day containing `now`, in its time zone, as UTC moments [start, end)."""
        local = now.astimezone(self.zone)
        start = datetime.combine(local.date(), time(0), tzinfo=self.zone)
        end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self.zone)
        return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)

    def hold_until(self, now: datetime, sent_today: int) -> datetime | None:
        """When an announcement to the group due `now` may go out, if not now: the end of quiet hours, or the
        start of the next day once `sent_today` reached the cap (and not in that day's quiet hours)."""
        moment = now
        today_ends = self.day_bounds(now)[1]
        capped = self.daily_cap is not None and sent_today >= self.daily_cap
        for _ in range(4):  # quiet hours, the next day, that day's quiet hours: settled by then
            if self.in_quiet_hours(moment):
                moment = self.quiet_hours_end(moment)
            elif capped and moment < today_ends:
                moment = today_ends
            else:
                break
        return None if moment == now else moment


# -- giveaways ----------------------------------------------------------------------------------------
class GiveawayStatus(StrEnum):
    AWAITING_BRAND = "awaiting_brand"  # a brand funds the prize and has not consented yet
    OPEN = "open"  # entries taken until closes_at
    CLOSED = "closed"  # the entrant list is fixed and published; the draw waits for its beacon round
    DRAWN = "drawn"
    DECLINED = "declined"  # the brand said no: it never opened


class EntryStatus(StrEnum):
    ENTERED = "entered"
    OFFERED = "offered"  # drawn: the prize is theirs to claim until claim_by
    CLAIMED = "claimed"
    LAPSED = "lapsed"  # did not claim in time: the prize passed on


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who may enter besides being in the group now (always required)."""

    plan_id: int | None = None  # a membership of this plan that gives perks now
    min_points: int = 0
    joined_before: datetime | None = None  # known to the shop since before this moment


@dataclass(frozen=True, slots=True)
class NewGiveaway:
    chat_id: int
    prize: str
    units: int
    hours: int  # the entry window, from the opening
    claim_hours: int
    eligibility: Eligibility
    brand_id: int | None  # None: the community bought the prize
    created_by: int
    created_at: datetime
    secret: str
    pseudonym_key: str


@dataclass(frozen=True, slots=True)
class Giveaway:
    id: int
    chat_id: int
    prize: str
    units: int
    hours: int
    claim_hours: int
    eligibility: Eligibility
    brand_id: int | None
    created_by: int
    created_at: datetime
    status: GiveawayStatus
    secret: str
    pseudonym_key: str
    opened_at: datetime | None = None
    closes_at: datetime | None = None
    beacon_chain: str | None = None
    beacon_round: int | None = None
    beacon_at: datetime | None = None
    entrants: int = 0
    entrants_digest: str | None = None
    randomness: str | None = None
    signature: str | None = None
    draw_seed: str | None = None
    drawn_at: datetime | None = None

    @property
    def claim_window(self) -> timedelta:
        return timedelta(hours=self.claim_hours)


@dataclass(frozen=True, slots=True)
class GiveawayEntry:
    giveaway_id: int
    user_id: int
    pseudonym: str
    entered_at: datetime
    status: EntryStatus = EntryStatus.ENTERED
    rank: int | None = None  # place in the draw order (0 first), once drawn
    claim_by: datetime | None = None


# -- meetups ------------------------------------------------------------------------------------------
class RsvpStatus(StrEnum):
    GOING = "going"
    WAITING = "waiting"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class NewMeetup:
    chat_id: int
    title: str
    starts_at: datetime
    capacity: int
    points: int
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Meetup:
    id: int
    chat_id: int
    title: str
    starts_at: datetime
    capacity: int
    points: int
    created_by: int
    created_at: datetime
    going: int = 0  # places taken
    reminded_at: datetime | None = None
    code: str | None = None
    code_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Rsvp:
    id: int
    meetup_id: int
    user_id: int
    status: RsvpStatus
    created_at: datetime
    checked_in_at: datetime | None = None
