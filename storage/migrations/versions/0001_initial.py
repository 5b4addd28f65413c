"""Initial schema: members, communities, brands, products (+ full-text search), orders, holds, payments.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("telegram_language", sa.String(35), nullable=True),
        sa.Column("chosen_language", sa.String(35), nullable=True),
        sa.Column("started_bot", sa.Boolean(), nullable=False),
        sa.Column("blocked_bot", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
    )
    op.create_table(
        "communities",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("joined_at", _utc(), nullable=False),
        sa.Column("left_at", _utc(), nullable=True),
        sa.Column("language", sa.String(35), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", name="pk_communities"),
    )
    op.create_index("ix_communities_active", "communities", ["active"])
    op.create_table(
        "brands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_brands"),
        sa.UniqueConstraint("name", name="uq_brands_name"),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("sku", name="uq_products_sku"),
        sa.CheckConstraint("stock >= 0", name="ck_products_stock_not_negative"),
        sa.CheckConstraint("price_amount >= 0", name="ck_products_price_not_negative"),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_products_brand_id_brands"),
    )
    op.create_index("ix_products_active", "products", ["active"])
    op.create_index("ix_products_brand_id", "products", ["brand_id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("paid_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    op.create_index("ix_orders_user_id_status", "orders", ["user_id", "status"])
    op.create_index("ix_orders_community_id", "orders", ["community_id"])
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_lines"),
        sa.UniqueConstraint("order_id", "position", name="uq_order_lines_order_id_position"),
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_order_lines_order_id_orders", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_order_lines_product_id_products"),
    )
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])
    op.create_table(
        "stock_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stock_holds"),
        sa.CheckConstraint("quantity > 0", name="ck_stock_holds_quantity_positive"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_stock_holds_order_id_orders"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_stock_holds_product_id_products"),
    )
    op.create_index("ix_stock_holds_status_expires_at", "stock_holds", ["status", "expires_at"])
    op.create_index("ix_stock_holds_order_id", "stock_holds", ["order_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_charge_id", sa.String(), nullable=False),
        sa.Column("provider_charge_id", sa.String(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("refunded_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("telegram_charge_id", name="uq_payments_telegram_charge_id"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order_id_orders"),
    )
    op.create_index("ix_payments_order_id", "payments", ["order_id"])
    op.create_index("ix_payments_status", "payments", ["status"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _create_sqlite_search()
    elif dialect == "postgresql":
        _create_postgresql_search()


def _create_sqlite_search() -> None:
    # External-content FTS5 index over products(title, description, tags); rowid = products.id.
    # Triggers keep it in step; the UPDATE trigger fires only when an indexed column changes (not on stock).
    op.execute(
        "CREATE VIRTUAL TABLE products_fts USING fts5("
        "title, description, tags, content='products', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER products_fts_after_insert AFTER INSERT ON products BEGIN "
        "INSERT INTO products_fts(rowid, title, description, tags) "
        "VALUES (new.id, new.title, new.description, new.tags); END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_after_delete AFTER DELETE ON products BEGIN "
        "INSERT INTO products_fts(products_fts, rowid, title, description, tags) "
        "VALUES ('delete', old.id, old.title, old.description, old.tags); END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_after_update AFTER UPDATE OF title, description, tags ON products BEGIN "
        "INSERT INTO products_fts(products_fts, rowid, title, description, tags) "
        "VALUES ('delete', old.id, old.title, old.description, old.tags); "
        "INSERT INTO products_fts(rowid, title, description, tags) "
        "VALUES (new.id, new.title, new.description, new.tags); END"
    )
    op.execute("INSERT INTO products_fts(products_fts) VALUES ('rebuild')")


def _create_postgresql_search() -> None:
    # A stored generated tsvector ('simple': no stemming or stop words, works for any language), weighted
    # title > tags > description for ts_rank, with a GIN index for @@.
    op.execute(
        "ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(tags, '')), 'B') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')"
        ") STORED"
    )
    op.execute("CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in (
            "products_fts_after_insert",
            "products_fts_after_delete",
            "products_fts_after_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS products_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_products_search_vector")
        op.execute("ALTER TABLE products DROP COLUMN IF EXISTS search_vector")
    for table in (
        "payments",
        "stock_holds",
        "order_lines",
        "orders",
        "products",
        "brands",
        "communities",
        "members",
    ):
        op.drop_table(table)
