"""Co-creation votes that become pre-orders: the vote, its poll in each community, one ballot per member
and vote (the first poll they answered), and the pre-order lines (each an ordinary order of the brand).

Revision ID: 0021
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(255), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("closes_at", _utc(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("pay_by", _utc(), nullable=False),
        sa.Column("reward", sa.String(16), nullable=False),
        sa.Column("reward_points", sa.Integer(), nullable=False),
        sa.Column("early_hours", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("proposer_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("preorder", sa.String(16), nullable=False),
        sa.Column("winner", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_votes"),
    )
    op.create_index("ix_votes_status_closes_at", "votes", ["status", "closes_at"])
    op.create_index("ix_votes_preorder_pay_by", "votes", ["preorder", "pay_by"])
    op.create_table(
        "vote_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("poll_id", sa.String(64), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vote_polls"),
        sa.UniqueConstraint("vote_id", "chat_id", name="uq_vote_polls_vote_id_chat_id"),
        sa.UniqueConstraint("poll_id", name="uq_vote_polls_poll_id"),
        sa.ForeignKeyConstraint(["vote_id"], ["votes.id"], name="fk_vote_polls_vote_id_votes"),
    )
    op.create_table(
        "vote_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("voted_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("vote_id", "user_id", name="pk_vote_ballots"),
        sa.ForeignKeyConstraint(["vote_id"], ["votes.id"], name="fk_vote_ballots_vote_id_votes"),
    )
    op.create_table(
        "vote_preorders",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_vote_preorders"),
        sa.ForeignKeyConstraint(["vote_id"], ["votes.id"], name="fk_vote_preorders_vote_id_votes"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_vote_preorders_order_id_orders"),
    )
    op.create_index("ix_vote_preorders_vote_id_user_id", "vote_preorders", ["vote_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_vote_preorders_vote_id_user_id", table_name="vote_preorders")
    op.drop_table("vote_preorders")
    op.drop_table("vote_ballots")
    op.drop_table("vote_polls")
    op.drop_index("ix_votes_preorder_pay_by", table_name="votes")
    op.drop_index("ix_votes_status_closes_at", table_name="votes")
    op.drop_table("votes")
