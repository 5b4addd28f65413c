"""Membership plans, memberships and members-only groups.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "membership_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("group_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("invite_link", sa.String(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_membership_plans"),
    )
    op.create_index("ix_membership_plans_group_chat_id", "membership_plans", ["group_chat_id"])
    op.create_table(
        "membership_plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("trial_days", sa.Integer(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("discount_percent", sa.Integer(), nullable=False),
        sa.Column("points_multiplier_percent", sa.Integer(), nullable=False),
        sa.Column("early_access_minutes", sa.Integer(), nullable=False),
        sa.Column("member_prices", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_membership_plan_versions"),
        sa.UniqueConstraint("plan_id", "number", name="uq_membership_plan_versions_plan_id_number"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["membership_plans.id"], name="fk_membership_plan_versions_plan_id_membership_plans"
        ),
        sa.CheckConstraint("price_amount > 0", name="ck_membership_plan_versions_price_positive"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("period_end", _utc(), nullable=False),
        sa.Column("grace_end", _utc(), nullable=False),
        sa.Column("stars", sa.Boolean(), nullable=False),
        sa.Column("charge_id", sa.String(), nullable=True),
        sa.Column("trial_used", sa.Boolean(), nullable=False),
        sa.Column("seat", sa.String(16), nullable=False),
        sa.Column("seat_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.UniqueConstraint("user_id", "plan_id", name="uq_memberships_user_id_plan_id"),
        sa.ForeignKeyConstraint(["plan_id"], ["membership_plans.id"], name="fk_memberships_plan_id_membership_plans"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["membership_plan_versions.id"],
            name="fk_memberships_version_id_membership_plan_versions",
        ),
    )
    op.create_index("ix_memberships_status_period_end", "memberships", ["status", "period_end"])
    op.create_index("ix_memberships_seat", "memberships", ["seat"])
    op.create_table(
        "membership_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_at", _utc(), nullable=False),
        sa.Column("period_end", _utc(), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_membership_payments"),
        sa.UniqueConstraint("payment_id", name="uq_membership_payments_payment_id"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_membership_payments_payment_id_payments"),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_membership_payments_membership_id_memberships"
        ),
    )
    op.create_index("ix_membership_payments_plan_id_paid_at", "membership_payments", ["plan_id", "paid_at"])


def downgrade() -> None:
    op.drop_index("ix_membership_payments_plan_id_paid_at", table_name="membership_payments")
    op.drop_table("membership_payments")
    op.drop_index("ix_memberships_seat", table_name="memberships")
    op.drop_index("ix_memberships_status_period_end", table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("membership_plan_versions")
    op.drop_index("ix_membership_plans_group_chat_id", table_name="membership_plans")
    op.drop_table("membership_plans")
