"""What moderators run: community settings, giveaways and their entries, meetups and their RSVPs.

Revision ID: 0020
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community_settings",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("shop_enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_features", sa.String(200), nullable=False),
        sa.Column("quiet_start", sa.Integer(), nullable=True),
        sa.Column("quiet_end", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("risk_notice", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "giveaways",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("prize", sa.String(200), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("claim_hours", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("min_points", sa.BigInteger(), nullable=False),
        sa.Column("joined_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("pseudonym_key", sa.String(64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("beacon_chain", sa.String(64), nullable=True),
        sa.Column("beacon_round", sa.BigInteger(), nullable=True),
        sa.Column("beacon_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entrants", sa.Integer(), nullable=False),
        sa.Column("entrants_digest", sa.String(64), nullable=True),
        sa.Column("randomness", sa.String(64), nullable=True),
        sa.Column("signature", sa.String(256), nullable=True),
        sa.Column("draw_seed", sa.String(64), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("units > 0", name="ck_giveaways_units_positive"),
    )
    op.create_index("ix_giveaways_status", "giveaways", ["status"])
    op.create_table(
        "giveaway_entries",
        sa.Column("giveaway_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("pseudonym", sa.String(32), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("claim_by", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("giveaway_id", "pseudonym", name="uq_giveaway_entries_giveaway_id_pseudonym"),
    )
    op.create_index("ix_giveaway_entries_status_claim_by", "giveaway_entries", ["status", "claim_by"])
    op.create_table(
        "meetups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("going", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code", sa.String(16), nullable=True),
        sa.Column("code_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("going >= 0 AND going <= capacity", name="ck_meetups_going_within_capacity"),
    )
    op.create_index("ix_meetups_starts_at", "meetups", ["starts_at"])
    op.create_table(
        "meetup_rsvps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("queued_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("meetup_id", "user_id", name="uq_meetup_rsvps_meetup_id_user_id"),
    )
    op.create_index("ix_meetup_rsvps_meetup_id_status", "meetup_rsvps", ["meetup_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_meetup_rsvps_meetup_id_status", table_name="meetup_rsvps")
    op.drop_table("meetup_rsvps")
    op.drop_index("ix_meetups_starts_at", table_name="meetups")
    op.drop_table("meetups")
    op.drop_index("ix_giveaway_entries_status_claim_by", table_name="giveaway_entries")
    op.drop_table("giveaway_entries")
    op.drop_index("ix_giveaways_status", table_name="giveaways")
    op.drop_table("giveaways")
    op.drop_table("community_settings")
