"""Drop keys: a drop file may name each drop with a key, so scheduling the same file again changes nothing.

`drops.file_key` is unique per brand (NULL for drops scheduled in the bot or from a file without keys).

Revision ID: 0018
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("drops", sa.Column("file_key", sa.String(64), nullable=True))
    op.create_index("ux_drops_brand_id_file_key", "drops", ["brand_id", "file_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_drops_brand_id_file_key", table_name="drops")
    op.drop_column("drops", "file_key")
