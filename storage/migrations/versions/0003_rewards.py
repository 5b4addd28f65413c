"""Group buys, referrals and the points ledger.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "points_accounts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_points_accounts"),
        sa.CheckConstraint("balance >= 0", name="ck_points_accounts_balance_not_negative"),
    )
    op.create_table(
        "points_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("shortfall", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_points_entries"),
        sa.UniqueConstraint("reason", "reference", name="uq_points_entries_reason_reference"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_points_entries_order_id_orders"),
    )
    op.create_index("ix_points_entries_user_id_id", "points_entries", ["user_id", "id"])
    op.create_index("ix_points_entries_order_id", "points_entries", ["order_id"])
    op.create_index("ix_points_entries_expires_at", "points_entries", ["expires_at"])
    op.create_index("ix_points_entries_lot_id", "points_entries", ["lot_id"])
    op.create_table(
        "points_reminders",
        sa.Column("lot_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reminded_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", name="pk_points_reminders"),
        sa.ForeignKeyConstraint(["lot_id"], ["points_entries.id"], name="fk_points_reminders_lot_id_points_entries"),
    )
    op.create_table(
        "referral_codes",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_referral_codes"),
        sa.UniqueConstraint("code", name="uq_referral_codes_code"),
    )
    op.create_table(
        "referrals",
        sa.Column("referee_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("referrer_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("release_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("referee_id", name="pk_referrals"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_referrals_order_id_orders"),
    )
    op.create_index("ix_referrals_status_release_at", "referrals", ["status", "release_at"])
    op.create_index("ix_referrals_order_id", "referrals", ["order_id"])
    op.create_index("ix_referrals_referrer_id", "referrals", ["referrer_id"])
    op.create_table(
        "group_offers",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name="pk_group_offers"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_group_offers_product_id_products"),
        sa.CheckConstraint("size >= 2", name="ck_group_offers_size_at_least_two"),
        sa.CheckConstraint("price_amount >= 0", name="ck_group_offers_price_not_negative"),
    )
    op.create_table(
        "group_buys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("starter_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paid_count", sa.Integer(), nullable=False),
        sa.Column("deadline", _utc(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_group_buys"),
        sa.UniqueConstraint("code", name="uq_group_buys_code"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_group_buys_product_id_products"),
        sa.CheckConstraint("paid_count >= 0 AND paid_count <= size", name="ck_group_buys_paid_count_within_size"),
    )
    op.create_index("ix_group_buys_status_deadline", "group_buys", ["status", "deadline"])
    op.create_index("ix_group_buys_product_id_chat_id", "group_buys", ["product_id", "chat_id"])
    op.create_table(
        "group_buy_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_buy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("joined_at", _utc(), nullable=False),
        sa.Column("paid_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_group_buy_participants"),
        sa.UniqueConstraint("group_buy_id", "user_id", name="uq_group_buy_participants_group_buy_id_user_id"),
        sa.ForeignKeyConstraint(
            ["group_buy_id"], ["group_buys.id"], name="fk_group_buy_participants_group_buy_id_group_buys"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_group_buy_participants_order_id_orders"),
    )
    op.create_index("ix_group_buy_participants_order_id", "group_buy_participants", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_group_buy_participants_order_id", table_name="group_buy_participants")
    op.drop_table("group_buy_participants")
    op.drop_index("ix_group_buys_product_id_chat_id", table_name="group_buys")
    op.drop_index("ix_group_buys_status_deadline", table_name="group_buys")
    op.drop_table("group_buys")
    op.drop_table("group_offers")
    op.drop_index("ix_referrals_referrer_id", table_name="referrals")
    op.drop_index("ix_referrals_order_id", table_name="referrals")
    op.drop_index("ix_referrals_status_release_at", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("referral_codes")
    op.drop_table("points_reminders")
    op.drop_index("ix_points_entries_lot_id", table_name="points_entries")
    op.drop_index("ix_points_entries_expires_at", table_name="points_entries")
    op.drop_index("ix_points_entries_order_id", table_name="points_entries")
    op.drop_index("ix_points_entries_user_id_id", table_name="points_entries")
    op.drop_table("points_entries")
    op.drop_table("points_accounts")
