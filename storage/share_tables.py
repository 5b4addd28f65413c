"""SQLModel tables of the community's share: commission offers, settlement entries, months and lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
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


class ShareOfferRow(SQLModel, table=True):
    """A brand's commission offer to a community (history kept: the rate of a sale is the one in force)."""

    __tablename__ = "share_offers"
    __table_args__ = (
        ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_share_offers_brand_id_brands"),
        CheckConstraint("rate_bp > 0 AND rate_bp <= 3000", name="ck_share_offers_rate_bp"),
        Index("ix_share_offers_brand_id_community_id", "brand_id", "community_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    brand_id: int = Field(sa_type=Integer, nullable=False)
    community_id: int = Field(sa_type=BigInteger, nullable=False)
    rate_bp: int = Field(sa_type=Integer, nullable=False)
    offered_by: int = Field(sa_type=BigInteger, nullable=False)
    offered_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    accepted_by: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ShareEntryRow(SQLModel, table=True):
    """A sale or a refund counted in one settled month: at most one of each per order."""

    __tablename__ = "share_entries"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", name="uq_share_entries_order_id_kind"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_share_entries_order_id_orders"),
        Index("ix_share_entries_month", "month"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    order_id: int = Field(sa_type=Integer, nullable=False)
    kind: str = Field(sa_type=String(8), nullable=False)
    month: str = Field(sa_type=String(7), nullable=False)
    brand_id: int = Field(sa_type=Integer, nullable=False)
    community_id: int = Field(sa_type=BigInteger, nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    amount: int = Field(sa_type=BigInteger, nullable=False)
    commission: int = Field(sa_type=BigInteger, nullable=False)
    fee: int = Field(sa_type=BigInteger, nullable=False)
    rate_bp: int = Field(sa_type=Integer, nullable=False)


class ShareMonthRow(SQLModel, table=True):
    """A month that has been settled (claimed first, so settling twice changes nothing)."""

    __tablename__ = "share_months"

    month: str = Field(sa_type=String(7), primary_key=True)
    settled_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ShareSettlementRow(SQLModel, table=True):
    __tablename__ = "share_settlements"
    __table_args__ = (
        UniqueConstraint("month", "brand_id", "community_id", "currency", name="uq_share_settlements_line"),
        Index("ix_share_settlements_brand_id", "brand_id"),
        Index("ix_share_settlements_community_id", "community_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    month: str = Field(sa_type=String(7), nullable=False)
    brand_id: int = Field(sa_type=Integer, nullable=False)
    community_id: int = Field(sa_type=BigInteger, nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    gross: int = Field(sa_type=BigInteger, nullable=False)
    refunds: int = Field(sa_type=BigInteger, nullable=False)
    commission: int = Field(sa_type=BigInteger, nullable=False)
    fee: int = Field(sa_type=BigInteger, nullable=False)
    net: int = Field(sa_type=BigInteger, nullable=False)
    settled_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


share_offers: Table = ShareOfferRow.__table__  # type: ignore[attr-defined]
share_entries: Table = ShareEntryRow.__table__  # type: ignore[attr-defined]
share_months: Table = ShareMonthRow.__table__  # type: ignore[attr-defined]
share_settlements: Table = ShareSettlementRow.__table__  # type: ignore[attr-defined]
