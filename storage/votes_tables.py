"""SQLModel tables of co-creation votes: the vote, its poll per community, ballots and pre-order lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class VoteRow(SQLModel, table=True):
    __tablename__ = "votes"
    __table_args__ = (
        Index("ix_votes_status_closes_at", "status", "closes_at"),
        Index("ix_votes_preorder_pay_by", "preorder", "pay_by"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    brand_id: int = Field(sa_type=Integer, nullable=False)
    question: str = Field(sa_type=String(255), nullable=False)
    options: str = Field(sa_type=Text, nullable=False)  # JSON: [{title, amount, currency, photo}]
    closes_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    price_amount: int = Field(sa_type=BigInteger, nullable=False)  # the pre-order's price, minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    minimum: int = Field(sa_type=Integer, nullable=False)
    pay_by: datetime = Field(sa_type=UTCDateTime, nullable=False)
    reward: str = Field(sa_type=String(16), nullable=False)
    reward_points: int = Field(default=0, sa_type=Integer, nullable=False)
    early_hours: int = Field(default=0, sa_type=Integer, nullable=False)
    kind: str = Field(sa_type=String(16), nullable=False)
    proposer_id: int = Field(sa_type=BigInteger, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    preorder: str = Field(sa_type=String(16), nullable=False)
    winner: int | None = Field(default=None, sa_type=Integer, nullable=True)
    product_id: int | None = Field(default=None, sa_type=Integer, nullable=True)


class VotePollRow(SQLModel, table=True):
    __tablename__ = "vote_polls"
    __table_args__ = (
        UniqueConstraint("vote_id", "chat_id", name="uq_vote_polls_vote_id_chat_id"),
        UniqueConstraint("poll_id", name="uq_vote_polls_poll_id"),
        ForeignKeyConstraint(["vote_id"], ["votes.id"], name="fk_vote_polls_vote_id_votes"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    vote_id: int = Field(sa_type=Integer, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    poll_id: str | None = Field(default=None, sa_type=String(64), nullable=True)
    message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    stopped: bool = Field(default=False, sa_type=Boolean, nullable=False)


class VoteBallotRow(SQLModel, table=True):
    """One ballot per member and vote, whichever community's poll they answered first."""

    __tablename__ = "vote_ballots"
    __table_args__ = (ForeignKeyConstraint(["vote_id"], ["votes.id"], name="fk_vote_ballots_vote_id_votes"),)

    vote_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    option: int = Field(sa_type=Integer, nullable=False)
    voted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class PreorderLineRow(SQLModel, table=True):
    __tablename__ = "vote_preorders"
    __table_args__ = (
        ForeignKeyConstraint(["vote_id"], ["votes.id"], name="fk_vote_preorders_vote_id_votes"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_vote_preorders_order_id_orders"),
        Index("ix_vote_preorders_vote_id_user_id", "vote_id", "user_id"),
    )

    order_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    vote_id: int = Field(sa_type=Integer, nullable=False)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)


votes: Table = VoteRow.__table__  # type: ignore[attr-defined]
vote_polls: Table = VotePollRow.__table__  # type: ignore[attr-defined]
vote_ballots: Table = VoteBallotRow.__table__  # type: ignore[attr-defined]
vote_preorders: Table = PreorderLineRow.__table__  # type: ignore[attr-defined]
