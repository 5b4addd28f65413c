"""Kinds of goods: each product is physical, digital or a service; digital goods carry their content.

Telegram's rules: digital goods and services are paid in Stars, physical goods through a payment provider
with the shipping details collected by the payment form. Products imported before this revision are
physical (the catalog's default). `content` is what a digital product delivers: a link or a Telegram file_id.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND_CHECK = "ck_products_kind"


def upgrade() -> None:
    # Plain ADD COLUMN works in place on both backends (SQLite accepts a CHECK on an added column).
    op.add_column(
        "products",
        sa.Column(
            "kind",
            sa.String(16),
            sa.CheckConstraint("kind IN ('physical', 'digital', 'service')", name=KIND_CHECK),
            nullable=False,
            server_default="physical",
        ),
    )
    op.add_column("products", sa.Column("content", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("products", "content")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(KIND_CHECK, "products", type_="check")
    op.drop_column("products", "kind")
