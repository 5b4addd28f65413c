"""Digital delivery: pools of unique codes (e-tickets, licence keys) a digital product hands out, one per
unit sold, and whether each pool has warned its brand that it runs low.

A code is given to an order by one conditional UPDATE (`order_id` set only where it is still NULL), so no
code ever goes to two orders. A code is unique within its product's pool.

Revision ID: 0016
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digital_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("product_id", "code", name="uq_digital_codes_product_id_code"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_digital_codes_product_id_products"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_digital_codes_order_id_orders"),
    )
    op.create_index("ix_digital_codes_product_id_order_id", "digital_codes", ["product_id", "order_id"])
    op.create_index("ix_digital_codes_order_id", "digital_codes", ["order_id"])
    op.create_table(
        "code_pools",
        sa.Column("product_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("low_warned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_code_pools_product_id_products"),
    )


def downgrade() -> None:
    op.drop_table("code_pools")
    op.drop_index("ix_digital_codes_order_id", table_name="digital_codes")
    op.drop_index("ix_digital_codes_product_id_order_id", table_name="digital_codes")
    op.drop_table("digital_codes")
