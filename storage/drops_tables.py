"""SQLModel tables of brands staff, community opt-ins, limited drops and raffles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class BrandStaffRow(SQLModel, table=True):
    __tablename__ = "brand_staff"
    __table_args__ = (
        ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_brand_staff_brand_id_brands"),
        Index("ix_brand_staff_user_id", "user_id"),
    )

    brand_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    added_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class BrandOptInRow(SQLModel, table=True):
    """A group's decision about a brand's drops; no row means the group has not allowed it."""

    __tablename__ = "brand_optins"
    __table_args__ = (
        ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_brand_optins_brand_id_brands"),
        Index("ix_brand_optins_brand_id_allowed", "brand_id", "allowed"),
    )

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    brand_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    allowed: bool = Field(sa_type=Boolean, nullable=False)
    changed_by: int = Field(sa_type=BigInteger, nullable=False)
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class DropRow(SQLModel, table=True):
    __tablename__ = "drops"
    __table_args__ = (
        ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_drops_brand_id_brands"),
        ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_drops_product_id_products"),
        CheckConstraint("claimed >= 0 AND claimed <= quantity", name="ck_drops_claimed_within_quantity"),
        CheckConstraint("sold >= 0 AND sold <= quantity", name="ck_drops_sold_within_quantity"),
        Index("ix_drops_status_starts_at", "status", "starts_at"),
        Index("ix_drops_brand_id", "brand_id"),
        Index("ux_drops_brand_id_file_key", "brand_id", "file_key", unique=True),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    brand_id: int = Field(sa_type=Integer, nullable=False)
    product_id: int = Field(sa_type=Integer, nullable=False)
    title: str = Field(sa_type=String, nullable=False)
    quantity: int = Field(sa_type=Integer, nullable=False)
    price_amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    per_member_limit: int = Field(sa_type=Integer, nullable=False)
    early_access_minutes: int = Field(sa_type=Integer, nullable=False)
    mode: str = Field(sa_type=String(16), nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    communities: str = Field(default="[]", sa_type=Text, nullable=False)  # JSON array of chat ids; [] = all
    created_by: int = Field(sa_type=BigInteger, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    claimed: int = Field(default=0, sa_type=Integer, nullable=False)
    sold: int = Field(default=0, sa_type=Integer, nullable=False)
    revenue: int = Field(default=0, sa_type=BigInteger, nullable=False)
    seed_hash: str | None = Field(default=None, sa_type=String(64), nullable=True)
    seed: str | None = Field(default=None, sa_type=String(64), nullable=True)
    last_teaser_minutes: int | None = Field(default=None, sa_type=Integer, nullable=True)
    revision: int = Field(default=0, sa_type=Integer, nullable=False, sa_column_kwargs={"server_default": "0"})
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    sold_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # raffles: pseudonyms and the beacon round (migration 0009)
    pseudonym_key: str | None = Field(default=None, sa_type=String(64), nullable=True)
    beacon_chain: str | None = Field(default=None, sa_type=String(64), nullable=True)
    beacon_round: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    beacon_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    beacon_randomness: str | None = Field(default=None, sa_type=String(64), nullable=True)
    beacon_signature: str | None = Field(default=None, sa_type=String(256), nullable=True)
    entrants: int = Field(default=0, sa_type=Integer, nullable=False, sa_column_kwargs={"server_default": "0"})
    entrants_digest: str | None = Field(default=None, sa_type=String(64), nullable=True)
    draw_seed: str | None = Field(default=None, sa_type=String(64), nullable=True)
    # the product's shelf (migration 0011): units set aside for the drop and not sold yet; units refunded
    reserved: int = Field(default=0, sa_type=Integer, nullable=False, sa_column_kwargs={"server_default": "0"})
    refunded: int = Field(default=0, sa_type=Integer, nullable=False, sa_column_kwargs={"server_default": "0"})
    # the key a drop file gave it (migration 0018): scheduling the same file again finds it instead of adding one
    file_key: str | None = Field(default=None, sa_type=String(64), nullable=True)


class DropTargetRow(SQLModel, table=True):
    """A group the drop was announced in, and what its announcement last showed."""

    __tablename__ = "drop_targets"
    __table_args__ = (ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_targets_drop_id_drops"),)

    drop_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    announced_remaining: int | None = Field(default=None, sa_type=Integer, nullable=True)
    last_edit_key: str | None = Field(default=None, sa_type=String, nullable=True)


class DropAllowanceRow(SQLModel, table=True):
    """Units a member holds or bought in a drop, across all their orders: the per-member limit's counter."""

    __tablename__ = "drop_allowances"
    __table_args__ = (
        ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_allowances_drop_id_drops"),
        CheckConstraint("used >= 0", name="ck_drop_allowances_used_not_negative"),
    )

    drop_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    used: int = Field(default=0, sa_type=Integer, nullable=False)


class DropClaimRow(SQLModel, table=True):
    """The drop's side of an order for drop units (the order row carries lines and money)."""

    __tablename__ = "drop_claims"
    __table_args__ = (
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_drop_claims_order_id_orders"),
        ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_claims_drop_id_drops"),
        Index("ix_drop_claims_drop_id_user_id", "drop_id", "user_id"),
        Index("ix_drop_claims_status_expires_at", "status", "expires_at"),
    )

    order_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    drop_id: int = Field(sa_type=Integer, nullable=False)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    quantity: int = Field(sa_type=Integer, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class DropReminderRow(SQLModel, table=True):
    __tablename__ = "drop_reminders"
    __table_args__ = (ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_reminders_drop_id_drops"),)

    drop_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class RaffleEntryRow(SQLModel, table=True):
    __tablename__ = "drop_entries"
    __table_args__ = (
        ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_entries_drop_id_drops"),
        Index("ix_drop_entries_status_offer_expires_at", "status", "offer_expires_at"),
        Index("ix_drop_entries_drop_id_pseudonym", "drop_id", "pseudonym", unique=True),
    )

    drop_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    entered_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    rank: int | None = Field(default=None, sa_type=Integer, nullable=True)
    offer_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    pseudonym: str | None = Field(default=None, sa_type=String(32), nullable=True)


brand_staff: Table = BrandStaffRow.__table__  # type: ignore[attr-defined]
brand_optins: Table = BrandOptInRow.__table__  # type: ignore[attr-defined]
drops: Table = DropRow.__table__  # type: ignore[attr-defined]
drop_targets: Table = DropTargetRow.__table__  # type: ignore[attr-defined]
drop_allowances: Table = DropAllowanceRow.__table__  # type: ignore[attr-defined]
drop_claims: Table = DropClaimRow.__table__  # type: ignore[attr-defined]
drop_reminders: Table = DropReminderRow.__table__  # type: ignore[attr-defined]
drop_entries: Table = RaffleEntryRow.__table__  # type: ignore[attr-defined]

# APScheduler's SQLAlchemyJobStore keeps the drops' date-triggered jobs here. It would create the table
# itself; declaring it (same columns, same index name) lets the migration own it like every other table.
SCHEDULER_JOBS_TABLE = "drop_scheduler_jobs"
drop_scheduler_jobs = Table(
    SCHEDULER_JOBS_TABLE,
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
