"""SQLModel tables of what moderators run: community settings, giveaways and their entries, meetups and RSVPs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Index, Integer, String, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class CommunitySettingsRow(SQLModel, table=True):
    """A group's own settings; a group without a row has the defaults (shop on, every feature allowed)."""

    __tablename__ = "community_settings"

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    shop_enabled: bool = Field(default=True, sa_type=Boolean, nullable=False)
    disabled_features: str = Field(default="", sa_type=String(200), nullable=False)  # comma-separated
    quiet_start: int | None = Field(default=None, sa_type=Integer, nullable=True)
    quiet_end: int | None = Field(default=None, sa_type=Integer, nullable=True)
    timezone: str = Field(default="UTC", sa_type=String(64), nullable=False)
    daily_cap: int | None = Field(default=None, sa_type=Integer, nullable=True)
    risk_notice: str | None = Field(default=None, sa_type=Text, nullable=True)
    updated_by: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class GiveawayRow(SQLModel, table=True):
    __tablename__ = "giveaways"
    __table_args__ = (
        CheckConstraint("units > 0", name="ck_giveaways_units_positive"),
        Index("ix_giveaways_status", "status"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    prize: str = Field(sa_type=String(200), nullable=False)
    units: int = Field(sa_type=Integer, nullable=False)
    hours: int = Field(sa_type=Integer, nullable=False)
    claim_hours: int = Field(sa_type=Integer, nullable=False)
    plan_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    min_points: int = Field(default=0, sa_type=BigInteger, nullable=False)
    joined_before: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    brand_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    created_by: int = Field(sa_type=BigInteger, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    secret: str = Field(sa_type=String(64), nullable=False)
    pseudonym_key: str = Field(sa_type=String(64), nullable=False)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    beacon_chain: str | None = Field(default=None, sa_type=String(64), nullable=True)
    beacon_round: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    beacon_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    entrants: int = Field(default=0, sa_type=Integer, nullable=False)
    entrants_digest: str | None = Field(default=None, sa_type=String(64), nullable=True)
    randomness: str | None = Field(default=None, sa_type=String(64), nullable=True)
    signature: str | None = Field(default=None, sa_type=String(256), nullable=True)
    draw_seed: str | None = Field(default=None, sa_type=String(64), nullable=True)
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class GiveawayEntryRow(SQLModel, table=True):
    __tablename__ = "giveaway_entries"
    __table_args__ = (
        UniqueConstraint("giveaway_id", "pseudonym", name="uq_giveaway_entries_giveaway_id_pseudonym"),
        Index("ix_giveaway_entries_status_claim_by", "status", "claim_by"),
    )

    giveaway_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    pseudonym: str = Field(sa_type=String(32), nullable=False)
    entered_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    rank: int | None = Field(default=None, sa_type=Integer, nullable=True)
    claim_by: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class MeetupRow(SQLModel, table=True):
    __tablename__ = "meetups"
    __table_args__ = (
        CheckConstraint("going >= 0 AND going <= capacity", name="ck_meetups_going_within_capacity"),
        Index("ix_meetups_starts_at", "starts_at"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    title: str = Field(sa_type=String(200), nullable=False)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    capacity: int = Field(sa_type=Integer, nullable=False)
    points: int = Field(default=0, sa_type=Integer, nullable=False)
    created_by: int = Field(sa_type=BigInteger, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    going: int = Field(default=0, sa_type=Integer, nullable=False)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    code: str | None = Field(default=None, sa_type=String(16), nullable=True)
    code_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class MeetupRsvpRow(SQLModel, table=True):
    __tablename__ = "meetup_rsvps"
    __table_args__ = (
        UniqueConstraint("meetup_id", "user_id", name="uq_meetup_rsvps_meetup_id_user_id"),
        Index("ix_meetup_rsvps_meetup_id_status", "meetup_id", "status"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    meetup_id: int = Field(sa_type=Integer, nullable=False)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    queued_at: int = Field(default=0, sa_type=BigInteger, nullable=False)  # place in the queue: a sequence
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


community_settings: Table = CommunitySettingsRow.__table__  # type: ignore[attr-defined]
giveaways: Table = GiveawayRow.__table__  # type: ignore[attr-defined]
giveaway_entries: Table = GiveawayEntryRow.__table__  # type: ignore[attr-defined]
meetups: Table = MeetupRow.__table__  # type: ignore[attr-defined]
meetup_rsvps: Table = MeetupRsvpRow.__table__  # type: ignore[attr-defined]
