"""The community's share: commission offers, settlement entries, settled months and settlement lines.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share_offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("offered_by", sa.BigInteger(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.BigInteger(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_share_offers_brand_id_brands"),
        sa.CheckConstraint("rate_bp > 0 AND rate_bp <= 3000", name="ck_share_offers_rate_bp"),
    )
    op.create_index("ix_share_offers_brand_id_community_id", "share_offers", ["brand_id", "community_id"])
    op.create_table(
        "share_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.UniqueConstraint("order_id", "kind", name="uq_share_entries_order_id_kind"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_share_entries_order_id_orders"),
    )
    op.create_index("ix_share_entries_month", "share_entries", ["month"])
    op.create_table(
        "share_months",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "share_settlements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("month", "brand_id", "community_id", "currency", name="uq_share_settlements_line"),
    )
    op.create_index("ix_share_settlements_brand_id", "share_settlements", ["brand_id"])
    op.create_index("ix_share_settlements_community_id", "share_settlements", ["community_id"])


def downgrade() -> None:
    op.drop_table("share_settlements")
    op.drop_table("share_months")
    op.drop_table("share_entries")
    op.drop_table("share_offers")
