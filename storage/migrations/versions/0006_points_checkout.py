"""Points at checkout: an order remembers its points discount and the points it costs.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with a default works in place on both backends: existing orders had no discount.
    op.add_column("orders", sa.Column("points_discount", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("orders", sa.Column("points_to_spend", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+) rather than a batch copy: rebuilding `orders` would cascade-delete
    # order lines through their foreign key.
    op.drop_column("orders", "points_to_spend")
    op.drop_column("orders", "points_discount")
