"""A membership plan may belong to a brand: its perks then apply to that brand's products only.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN works in place on both backends. Existing plans are the operator's (no community) or a
    # community's; none belongs to a brand yet.
    op.add_column("membership_plans", sa.Column("brand_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+) rather than a batch copy: rebuilding `membership_plans` would trip over
    # the versions and memberships that refer to it.
    op.drop_column("membership_plans", "brand_id")
