"""Fulfilment of physical goods: shipping states and returns on orders, addresses in their own tables.

Orders gain the carrier and tracking number, the moments they were packed, shipped, delivered and closed,
and a return's reason and the brand's answer (new statuses are plain values of `orders.status`). Products
gain `final_sale` (no returns) and `return_days` (the window after delivery; NULL is the shop's default).
`shipping_addresses` keeps where one order goes, keyed by order, and is erased a retention time after the
order is closed; `saved_addresses` keeps a member's latest address. The payment inbox keeps the payment
form's `order_info` only until the payment is settled (then it moves to `shipping_addresses`).

Revision ID: 0015
Revises: 0018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORDER_COLUMNS = (
    ("carrier", sa.String(40)),
    ("tracking_number", sa.String(64)),
    ("packed_at", UTCDateTime()),
    ("shipped_at", UTCDateTime()),
    ("delivered_at", UTCDateTime()),
    ("closed_at", UTCDateTime()),
    ("return_requested_at", UTCDateTime()),
    ("return_reason", sa.Text()),
    ("return_answer", sa.Text()),
)


def _address_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("state", sa.String(256), nullable=False),
        sa.Column("city", sa.String(256), nullable=False),
        sa.Column("street_line1", sa.String(256), nullable=False),
        sa.Column("street_line2", sa.String(256), nullable=False),
        sa.Column("post_code", sa.String(32), nullable=False),
        sa.Column("shipping_option_id", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    for name, kind in _ORDER_COLUMNS:
        op.add_column("orders", sa.Column(name, kind, nullable=True))
    op.add_column("products", sa.Column("final_sale", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("products", sa.Column("return_days", sa.Integer(), nullable=True))
    op.add_column("payment_inbox", sa.Column("order_info", sa.Text(), nullable=True))
    op.create_table(
        "shipping_addresses",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        *_address_columns(),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_shipping_addresses_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", name="pk_shipping_addresses"),
    )
    op.create_index("ix_shipping_addresses_user_id", "shipping_addresses", ["user_id"])
    op.create_index("ix_shipping_addresses_closed_at", "shipping_addresses", ["closed_at"])
    op.create_table(
        "saved_addresses",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        *_address_columns(),
        sa.PrimaryKeyConstraint("user_id", name="pk_saved_addresses"),
    )


def downgrade() -> None:
    op.drop_table("saved_addresses")
    op.drop_index("ix_shipping_addresses_closed_at", table_name="shipping_addresses")
    op.drop_index("ix_shipping_addresses_user_id", table_name="shipping_addresses")
    op.drop_table("shipping_addresses")
    op.drop_column("payment_inbox", "order_info")
    op.drop_column("products", "return_days")
    op.drop_column("products", "final_sale")
    for name, _ in reversed(_ORDER_COLUMNS):
        op.drop_column("orders", name)
