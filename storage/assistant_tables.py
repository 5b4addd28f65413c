"""SQLModel tables of the shop assistant (daily usage, handed-over requests) and the moderator's digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Table, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class AssistantUsageRow(SQLModel, table=True):
    """Requests and tokens per day: per member (subject = the member's id) and for the shop (subject 0)."""

    __tablename__ = "assistant_usage"

    day: date = Field(sa_type=Date, primary_key=True)
    subject: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    requests: int = Field(default=0, sa_type=Integer, nullable=False)
    tokens: int = Field(default=0, sa_type=BigInteger, nullable=False)


class HandoverRow(SQLModel, table=True):
    """A member's request the assistant handed over to the shop's people."""

    __tablename__ = "assistant_handovers"
    __table_args__ = (Index("ix_assistant_handovers_created_at", "created_at"),)

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    member_id: int = Field(sa_type=BigInteger, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    text: str = Field(sa_type=Text, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class DigestGroupRow(SQLModel, table=True):
    """A group's digest switch (off unless its admins turned it on), who gets it, and the last day sent."""

    __tablename__ = "digest_groups"

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    enabled: bool = Field(default=False, sa_type=Boolean, nullable=False)
    moderator_id: int = Field(sa_type=BigInteger, nullable=False)
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_digest_day: date | None = Field(default=None, sa_type=Date, nullable=True)


class DigestMessageRow(SQLModel, table=True):
    """A group message kept for the digest while it is on; deleted after the retention window."""

    __tablename__ = "digest_messages"
    __table_args__ = (Index("ix_digest_messages_sent_at", "sent_at"),)

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    message_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    reply_to: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    text: str = Field(sa_type=String(4096), nullable=False)
    sent_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


assistant_usage: Table = AssistantUsageRow.__table__  # type: ignore[attr-defined]
assistant_handovers: Table = HandoverRow.__table__  # type: ignore[attr-defined]
digest_groups: Table = DigestGroupRow.__table__  # type: ignore[attr-defined]
digest_messages: Table = DigestMessageRow.__table__  # type: ignore[attr-defined]
