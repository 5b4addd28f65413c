"""SQLModel tables of group buys, referrals and the points ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PointsAccountRow(SQLModel, table=True):
    """The running balance of one member: the row every change locks, and a guard that it stays >= 0."""

    __tablename__ = "points_accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_points_accounts_balance_not_negative"),)

    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    balance: int = Field(default=0, sa_type=BigInteger, nullable=False)


class PointsEntryRow(SQLModel, table=True):
    """The append-only ledger. Never updated or deleted; (reason, reference) makes every effect happen once."""

    __tablename__ = "points_entries"
    __table_args__ = (
        UniqueConstraint("reason", "reference", name="uq_points_entries_reason_reference"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_points_entries_order_id_orders"),
        Index("ix_points_entries_user_id_id", "user_id", "id"),
        Index("ix_points_entries_order_id", "order_id"),
        Index("ix_points_entries_expires_at", "expires_at"),
        Index("ix_points_entries_lot_id", "lot_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    delta: int = Field(sa_type=BigInteger, nullable=False)
    reason: str = Field(sa_type=String(16), nullable=False)
    reference: str = Field(sa_type=String(100), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    order_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    lot_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    shortfall: int = Field(default=0, sa_type=BigInteger, nullable=False)


class PointsReminderRow(SQLModel, table=True):
    """Lots the member was reminded of before they lapse (once each)."""

    __tablename__ = "points_reminders"
    __table_args__ = (
        ForeignKeyConstraint(["lot_id"], ["points_entries.id"], name="fk_points_reminders_lot_id_points_entries"),
    )

    lot_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    reminded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ReferralCodeRow(SQLModel, table=True):
    __tablename__ = "referral_codes"
    __table_args__ = (UniqueConstraint("code", name="uq_referral_codes_code"),)

    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    code: str = Field(sa_type=String(16), nullable=False)


class ReferralRow(SQLModel, table=True):
    """Who brought whom: one referrer per member (the primary key), one level only."""

    __tablename__ = "referrals"
    __table_args__ = (
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_referrals_order_id_orders"),
        Index("ix_referrals_status_release_at", "status", "release_at"),
        Index("ix_referrals_order_id", "order_id"),
        Index("ix_referrals_referrer_id", "referrer_id"),
    )

    referee_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    referrer_id: int = Field(sa_type=BigInteger, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    order_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    release_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class GroupOfferRow(SQLModel, table=True):
    """A product's group price and size, kept beside the catalog rather than in it."""

    __tablename__ = "group_offers"
    __table_args__ = (
        ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_group_offers_product_id_products"),
        CheckConstraint("size >= 2", name="ck_group_offers_size_at_least_two"),
        CheckConstraint("price_amount >= 0", name="ck_group_offers_price_not_negative"),
    )

    product_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    price_amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    size: int = Field(sa_type=Integer, nullable=False)
    hours: int | None = Field(default=None, sa_type=Integer, nullable=True)
    active: bool = Field(default=True, sa_type=Boolean, nullable=False)


class GroupBuyRow(SQLModel, table=True):
    __tablename__ = "group_buys"
    __table_args__ = (
        UniqueConstraint("code", name="uq_group_buys_code"),
        ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_group_buys_product_id_products"),
        CheckConstraint("paid_count >= 0 AND paid_count <= size", name="ck_group_buys_paid_count_within_size"),
        Index("ix_group_buys_status_deadline", "status", "deadline"),
        Index("ix_group_buys_product_id_chat_id", "product_id", "chat_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    code: str = Field(sa_type=String(16), nullable=False)
    product_id: int = Field(sa_type=Integer, nullable=False)
    title: str = Field(sa_type=String, nullable=False)
    price_amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    size: int = Field(sa_type=Integer, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    community_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    starter_id: int = Field(sa_type=BigInteger, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    paid_count: int = Field(default=0, sa_type=Integer, nullable=False)
    deadline: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    card_message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    card_version: int = Field(default=0, sa_type=Integer, nullable=False)


class GroupBuyParticipantRow(SQLModel, table=True):
    __tablename__ = "group_buy_participants"
    __table_args__ = (
        UniqueConstraint("group_buy_id", "user_id", name="uq_group_buy_participants_group_buy_id_user_id"),
        ForeignKeyConstraint(
            ["group_buy_id"], ["group_buys.id"], name="fk_group_buy_participants_group_buy_id_group_buys"
        ),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_group_buy_participants_order_id_orders"),
        Index("ix_group_buy_participants_order_id", "order_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    group_buy_id: int = Field(sa_type=Integer, nullable=False)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    name: str = Field(sa_type=String(64), nullable=False)
    order_id: int = Field(sa_type=Integer, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    joined_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


points_accounts: Table = PointsAccountRow.__table__  # type: ignore[attr-defined]
points_entries: Table = PointsEntryRow.__table__  # type: ignore[attr-defined]
points_reminders: Table = PointsReminderRow.__table__  # type: ignore[attr-defined]
referral_codes: Table = ReferralCodeRow.__table__  # type: ignore[attr-defined]
referrals: Table = ReferralRow.__table__  # type: ignore[attr-defined]
group_offers: Table = GroupOfferRow.__table__  # type: ignore[attr-defined]
group_buys: Table = GroupBuyRow.__table__  # type: ignore[attr-defined]
group_buy_participants: Table = GroupBuyParticipantRow.__table__  # type: ignore[attr-defined]
