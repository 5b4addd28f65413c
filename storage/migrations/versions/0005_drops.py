"""Brands staff, community opt-ins, limited drops and raffles.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "brand_staff",
        sa.Column("brand_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("added_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("brand_id", "user_id", name="pk_brand_staff"),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_brand_staff_brand_id_brands"),
    )
    op.create_index("ix_brand_staff_user_id", "brand_staff", ["user_id"])
    op.create_table(
        "brand_optins",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("brand_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "brand_id", name="pk_brand_optins"),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_brand_optins_brand_id_brands"),
    )
    op.create_index("ix_brand_optins_brand_id_allowed", "brand_optins", ["brand_id", "allowed"])
    op.create_table(
        "drops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("starts_at", _utc(), nullable=False),
        sa.Column("ends_at", _utc(), nullable=False),
        sa.Column("per_member_limit", sa.Integer(), nullable=False),
        sa.Column("early_access_minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("communities", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("claimed", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("seed_hash", sa.String(64), nullable=True),
        sa.Column("seed", sa.String(64), nullable=True),
        sa.Column("last_teaser_minutes", sa.Integer(), nullable=True),
        sa.Column("opened_at", _utc(), nullable=True),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("sold_out_at", _utc(), nullable=True),
        sa.Column("drawn_at", _utc(), nullable=True),
        sa.Column("reported_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_drops"),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_drops_brand_id_brands"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_drops_product_id_products"),
        sa.CheckConstraint("claimed >= 0 AND claimed <= quantity", name="ck_drops_claimed_within_quantity"),
        sa.CheckConstraint("sold >= 0 AND sold <= quantity", name="ck_drops_sold_within_quantity"),
    )
    op.create_index("ix_drops_status_starts_at", "drops", ["status", "starts_at"])
    op.create_index("ix_drops_brand_id", "drops", ["brand_id"])
    op.create_table(
        "drop_targets",
        sa.Column("drop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("announced_remaining", sa.Integer(), nullable=True),
        sa.Column("last_edit_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("drop_id", "chat_id", name="pk_drop_targets"),
        sa.ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_targets_drop_id_drops"),
    )
    op.create_table(
        "drop_allowances",
        sa.Column("drop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("drop_id", "user_id", name="pk_drop_allowances"),
        sa.ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_allowances_drop_id_drops"),
        sa.CheckConstraint("used >= 0", name="ck_drop_allowances_used_not_negative"),
    )
    op.create_table(
        "drop_claims",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("drop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("paid_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("order_id", name="pk_drop_claims"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_drop_claims_order_id_orders"),
        sa.ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_claims_drop_id_drops"),
    )
    op.create_index("ix_drop_claims_drop_id_user_id", "drop_claims", ["drop_id", "user_id"])
    op.create_index("ix_drop_claims_status_expires_at", "drop_claims", ["status", "expires_at"])
    op.create_table(
        "drop_reminders",
        sa.Column("drop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("drop_id", "user_id", name="pk_drop_reminders"),
        sa.ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_reminders_drop_id_drops"),
    )
    op.create_table(
        "drop_entries",
        sa.Column("drop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entered_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("offer_expires_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("drop_id", "user_id", name="pk_drop_entries"),
        sa.ForeignKeyConstraint(["drop_id"], ["drops.id"], name="fk_drop_entries_drop_id_drops"),
    )
    op.create_index("ix_drop_entries_status_offer_expires_at", "drop_entries", ["status", "offer_expires_at"])
    # APScheduler's job store for the drops' date-triggered jobs (same shape as SQLAlchemyJobStore makes).
    op.create_table(
        "drop_scheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drop_scheduler_jobs"),
    )
    op.create_index("ix_drop_scheduler_jobs_next_run_time", "drop_scheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index("ix_drop_scheduler_jobs_next_run_time", table_name="drop_scheduler_jobs")
    op.drop_table("drop_scheduler_jobs")
    op.drop_index("ix_drop_entries_status_offer_expires_at", table_name="drop_entries")
    op.drop_table("drop_entries")
    op.drop_table("drop_reminders")
    op.drop_index("ix_drop_claims_status_expires_at", table_name="drop_claims")
    op.drop_index("ix_drop_claims_drop_id_user_id", table_name="drop_claims")
    op.drop_table("drop_claims")
    op.drop_table("drop_allowances")
    op.drop_table("drop_targets")
    op.drop_index("ix_drops_brand_id", table_name="drops")
    op.drop_index("ix_drops_status_starts_at", table_name="drops")
    op.drop_table("drops")
    op.drop_index("ix_brand_optins_brand_id_allowed", table_name="brand_optins")
    op.drop_table("brand_optins")
    op.drop_index("ix_brand_staff_user_id", table_name="brand_staff")
    op.drop_table("brand_staff")
