"""SQLModel tables of membership plans, memberships and members-only groups."""

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
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class MembershipPlanRow(SQLModel, table=True):
    __tablename__ = "membership_plans"
    __table_args__ = (Index("ix_membership_plans_group_chat_id", "group_chat_id"),)

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    name: str = Field(sa_type=String(64), nullable=False)
    community_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    # The owner: a community (community_id), a brand (brand_id), or the operator (neither). Which perks an
    # owner may grant is the domain's rule (domain/memberships/management.py), not the table's.
    brand_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    active: bool = Field(default=True, sa_type=Boolean, nullable=False)
    # Not a foreign key: the plan and its first version are inserted together, each pointing at the other.
    current_version_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    invite_link: str | None = Field(default=None, sa_type=String, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MembershipPlanVersionRow(SQLModel, table=True):
    __tablename__ = "membership_plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="uq_membership_plan_versions_plan_id_number"),
        ForeignKeyConstraint(
            ["plan_id"], ["membership_plans.id"], name="fk_membership_plan_versions_plan_id_membership_plans"
        ),
        CheckConstraint("price_amount > 0", name="ck_membership_plan_versions_price_positive"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    plan_id: int = Field(sa_type=Integer, nullable=False)
    number: int = Field(sa_type=Integer, nullable=False)
    price_amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    period_days: int = Field(sa_type=Integer, nullable=False)
    trial_days: int = Field(sa_type=Integer, nullable=False)
    grace_days: int = Field(sa_type=Integer, nullable=False)
    discount_percent: int = Field(sa_type=Integer, nullable=False)
    points_multiplier_percent: int = Field(sa_type=Integer, nullable=False)
    early_access_minutes: int = Field(sa_type=Integer, nullable=False)
    member_prices: str = Field(default="{}", sa_type=Text, nullable=False)  # JSON {sku: minor units}
    box_sku: str | None = Field(default=None, sa_type=String(64), nullable=True)  # the monthly box (migration 0023)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MembershipRow(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "plan_id", name="uq_memberships_user_id_plan_id"),
        ForeignKeyConstraint(["plan_id"], ["membership_plans.id"], name="fk_memberships_plan_id_membership_plans"),
        ForeignKeyConstraint(
            ["version_id"], ["membership_plan_versions.id"], name="fk_memberships_version_id_membership_plan_versions"
        ),
        Index("ix_memberships_status_period_end", "status", "period_end"),
        Index("ix_memberships_seat", "seat"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    plan_id: int = Field(sa_type=Integer, nullable=False)
    version_id: int = Field(sa_type=Integer, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    period_end: datetime = Field(sa_type=UTCDateTime, nullable=False)
    grace_end: datetime = Field(sa_type=UTCDateTime, nullable=False)
    stars: bool = Field(default=False, sa_type=Boolean, nullable=False)
    charge_id: str | None = Field(default=None, sa_type=String, nullable=True)
    trial_used: bool = Field(default=False, sa_type=Boolean, nullable=False)
    seat: str = Field(default="none", sa_type=String(16), nullable=False)
    seat_chat_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    revision: int = Field(default=0, sa_type=Integer, nullable=False)


class MembershipPaymentRow(SQLModel, table=True):
    __tablename__ = "membership_payments"
    __table_args__ = (
        UniqueConstraint("payment_id", name="uq_membership_payments_payment_id"),
        ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_membership_payments_payment_id_payments"),
        ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_membership_payments_membership_id_memberships"
        ),
        Index("ix_membership_payments_plan_id_paid_at", "plan_id", "paid_at"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    payment_id: int = Field(sa_type=Integer, nullable=False)
    membership_id: int = Field(sa_type=Integer, nullable=False)
    plan_id: int = Field(sa_type=Integer, nullable=False)
    version_id: int = Field(sa_type=Integer, nullable=False)
    amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    paid_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    period_end: datetime = Field(sa_type=UTCDateTime, nullable=False)
    recurring: bool = Field(default=False, sa_type=Boolean, nullable=False)


class MembershipBoxRow(SQLModel, table=True):
    """One box order per membership and paid period (keyed by the period's end): a replay or a job firing
    twice finds the row and creates nothing more."""

    __tablename__ = "membership_boxes"
    __table_args__ = (
        UniqueConstraint("membership_id", "period_end", name="uq_membership_boxes_membership_id_period_end"),
        UniqueConstraint("order_id", name="uq_membership_boxes_order_id"),
        ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_membership_boxes_membership_id_memberships"
        ),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_membership_boxes_order_id_orders"),
        Index("ix_membership_boxes_user_id", "user_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    membership_id: int = Field(sa_type=Integer, nullable=False)
    period_end: datetime = Field(sa_type=UTCDateTime, nullable=False)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    order_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    status: str = Field(sa_type=String(16), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


membership_plans: Table = MembershipPlanRow.__table__  # type: ignore[attr-defined]
membership_plan_versions: Table = MembershipPlanVersionRow.__table__  # type: ignore[attr-defined]
memberships: Table = MembershipRow.__table__  # type: ignore[attr-defined]
membership_payments: Table = MembershipPaymentRow.__table__  # type: ignore[attr-defined]
membership_boxes: Table = MembershipBoxRow.__table__  # type: ignore[attr-defined]
