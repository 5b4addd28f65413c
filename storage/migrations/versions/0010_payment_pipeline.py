"""One payment pipeline: the inbox every payment lands in first, the reconciler's cursor, and refunds owed.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("telegram_charge_id", sa.String(), nullable=False),
        sa.Column("provider_charge_id", sa.String(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subscription_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_recurring", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("telegram_charge_id", name="uq_payment_inbox_telegram_charge_id"),
    )
    op.create_index("ix_payment_inbox_settled_at_received_at", "payment_inbox", ["settled_at", "received_at"])
    op.create_table(
        "payment_cursors",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
    )
    # Payments recorded before the inbox existed were settled when they came in.
    op.add_column("payments", sa.Column("refund_reason", sa.String(64), nullable=True))
    op.add_column("payments", sa.Column("refund_attempts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("payments", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("payments", sa.Column("refunded_by", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for column in ("refunded_by", "escalated_at", "refund_attempts", "refund_reason"):
        op.drop_column("payments", column)
    op.drop_table("payment_cursors")
    op.drop_index("ix_payment_inbox_settled_at_received_at", table_name="payment_inbox")
    op.drop_table("payment_inbox")
