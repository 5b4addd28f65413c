"""Raffles members can verify: entrants' pseudonyms, the drand round a draw uses, and what it drew with.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROP_COLUMNS = (
    "pseudonym_key",
    "beacon_chain",
    "beacon_round",
    "beacon_at",
    "beacon_randomness",
    "beacon_signature",
    "entrants",
    "entrants_digest",
    "draw_seed",
)


def upgrade() -> None:
    # Raffles scheduled before this revision have no pseudonym key and no round: they keep the scheme they
    # announced (the committed secret is the seed; see domain/drops/raffle.py).
    op.add_column("drops", sa.Column("pseudonym_key", sa.String(64), nullable=True))
    op.add_column("drops", sa.Column("beacon_chain", sa.String(64), nullable=True))
    op.add_column("drops", sa.Column("beacon_round", sa.BigInteger(), nullable=True))
    op.add_column("drops", sa.Column("beacon_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("drops", sa.Column("beacon_randomness", sa.String(64), nullable=True))
    op.add_column("drops", sa.Column("beacon_signature", sa.String(256), nullable=True))
    op.add_column("drops", sa.Column("entrants", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("drops", sa.Column("entrants_digest", sa.String(64), nullable=True))
    op.add_column("drops", sa.Column("draw_seed", sa.String(64), nullable=True))
    op.execute("UPDATE drops SET entrants = (SELECT count(*) FROM drop_entries WHERE drop_entries.drop_id = drops.id)")
    op.add_column("drop_entries", sa.Column("pseudonym", sa.String(32), nullable=True))
    op.create_index("ix_drop_entries_drop_id_pseudonym", "drop_entries", ["drop_id", "pseudonym"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_drop_entries_drop_id_pseudonym", table_name="drop_entries")
    op.drop_column("drop_entries", "pseudonym")
    for column in reversed(DROP_COLUMNS):
        op.drop_column("drops", column)
