"""The shop assistant: daily usage (requests per member, tokens for the shop), handed-over requests; and the
moderator's digest: each group's switch and the group messages kept while it is on (for a limited window).

Revision ID: 0019
Revises: 0020
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistant_usage",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "subject", name="pk_assistant_usage"),
    )
    op.create_table(
        "assistant_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assistant_handovers"),
    )
    op.create_index("ix_assistant_handovers_created_at", "assistant_handovers", ["created_at"])
    op.create_table(
        "digest_groups",
        sa.Column("chat_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("moderator_id", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_digest_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", name="pk_digest_groups"),
    )
    op.create_table(
        "digest_messages",
        sa.Column("chat_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reply_to", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.String(4096), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name="pk_digest_messages"),
    )
    op.create_index("ix_digest_messages_sent_at", "digest_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_digest_messages_sent_at", table_name="digest_messages")
    op.drop_table("digest_messages")
    op.drop_table("digest_groups")
    op.drop_index("ix_assistant_handovers_created_at", table_name="assistant_handovers")
    op.drop_table("assistant_handovers")
    op.drop_table("assistant_usage")
