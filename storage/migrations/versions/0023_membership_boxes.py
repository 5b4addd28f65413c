"""Membership boxes: a plan version's box product, and one box order per membership and paid period.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("membership_plan_versions") as batch:
        batch.add_column(sa.Column("box_sku", sa.String(64), nullable=True))
    op.create_table(
        "membership_boxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("membership_id", "period_end", name="uq_membership_boxes_membership_id_period_end"),
        sa.UniqueConstraint("order_id", name="uq_membership_boxes_order_id"),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_membership_boxes_membership_id_memberships"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_membership_boxes_order_id_orders"),
    )
    op.create_index("ix_membership_boxes_user_id", "membership_boxes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_membership_boxes_user_id", table_name="membership_boxes")
    op.drop_table("membership_boxes")
    with op.batch_alter_table("membership_plan_versions") as batch:
        batch.drop_column("box_sku")
