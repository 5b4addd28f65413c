"""Shipping on orders: what the member chose in the payment form of a physical product, and the country.

`orders.shipping_amount` (minor units of the order's currency) is stored at pre-checkout from the chosen
shipping option, so the payment's total (goods and shipping) is checked against the order when it arrives,
also when it is settled later by the payments job. `orders.ship_country` keeps the country only: addresses
are not stored on the order.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("shipping_amount", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("orders", sa.Column("ship_country", sa.String(2), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "ship_country")
    op.drop_column("orders", "shipping_amount")
