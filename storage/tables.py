"""SQLModel table classes: the relational shape of the domain records.

Conventions:
- money is two columns, an integer amount in minor units (BigInteger) and a 3-letter currency; never float;
- datetimes are ``UTCDateTime``: stored as ``DateTime(timezone=True)``, always read back as aware UTC
  (SQLite keeps no offset, so the type adds UTC back on the way out and converts to UTC on the way in);
- Telegram user and chat ids are BigInteger (group ids such as -100xxxxxxxxxx overflow 32 bits);
- every constraint and index has an explicit name, so migrations can refer to it on every dialect.

The full-text search objects (SQLite FTS5 table + triggers, PostgreSQL ``search_vector`` column + GIN index)
are created by the migrations only; they are deliberately not part of this metadata.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def tags_to_text(tags: tuple[str, ...]) -> str:
    """Tags as stored text: a JSON array (lossless, readable, and tokenised fine by FTS5 and tsvector)."""
    return json.dumps(list(tags), ensure_ascii=False)


def tags_from_text(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError(f"products.tags holds {text!r}, not a JSON array")
    return tuple(str(tag) for tag in value)


class MemberRow(SQLModel, table=True):
    __tablename__ = "members"

    id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    first_name: str = Field(sa_type=String, nullable=False)
    username: str | None = Field(default=None, sa_type=String, nullable=True)
    telegram_language: str | None = Field(default=None, sa_type=String(35), nullable=True)
    chosen_language: str | None = Field(default=None, sa_type=String(35), nullable=True)
    started_bot: bool = Field(default=False, sa_type=Boolean, nullable=False)
    blocked_bot: bool = Field(default=False, sa_type=Boolean, nullable=False)
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class CommunityRow(SQLModel, table=True):
    __tablename__ = "communities"
    __table_args__ = (Index("ix_communities_active", "active"),)

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    title: str = Field(sa_type=String, nullable=False)
    active: bool = Field(default=True, sa_type=Boolean, nullable=False)
    joined_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    language: str | None = Field(default=None, sa_type=String(35), nullable=True)


class BrandRow(SQLModel, table=True):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("name", name="uq_brands_name"),)

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    name: str = Field(sa_type=String, nullable=False)


class ProductRow(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("sku", name="uq_products_sku"),
        CheckConstraint("stock >= 0", name="ck_products_stock_not_negative"),
        CheckConstraint("held >= 0", name="ck_products_held_not_negative"),
        CheckConstraint("price_amount >= 0", name="ck_products_price_not_negative"),
        ForeignKeyConstraint(["brand_id"], ["brands.id"], name="fk_products_brand_id_brands"),
        Index("ix_products_active", "active"),
        Index("ix_products_brand_id", "brand_id"),
        CheckConstraint("kind IN ('physical', 'digital', 'service')", name="ck_products_kind"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    sku: str = Field(sa_type=String(100), nullable=False)
    title: str = Field(sa_type=String, nullable=False)
    description: str = Field(default="", sa_type=Text, nullable=False)
    price_amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    stock: int = Field(sa_type=Integer, nullable=False)  # the shelf: units not sold yet, held ones included
    held: int = Field(sa_type=Integer, nullable=False, sa_column_kwargs={"server_default": "0"})  # see 0011
    counted: int = Field(sa_type=Integer, nullable=False, sa_column_kwargs={"server_default": "0"})  # last import
    tags: str = Field(default="[]", sa_type=Text, nullable=False)  # JSON array, see tags_to_text
    photo: str | None = Field(default=None, sa_type=String, nullable=True)
    active: bool = Field(default=True, sa_type=Boolean, nullable=False)
    brand_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    kind: str = Field(  # physical, digital or service (see 0013)
        default="physical", sa_type=String(16), nullable=False, sa_column_kwargs={"server_default": "physical"}
    )
    content: str | None = Field(default=None, sa_type=Text, nullable=True)  # digital goods: link or file_id


class OrderRow(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_user_id_status", "user_id", "status"),
        Index("ix_orders_community_id", "community_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    community_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    status: str = Field(sa_type=String(16), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # points at checkout (migration 0006): the discount in minor units and the points it costs
    points_discount: int = Field(
        default=0, sa_type=BigInteger, nullable=False, sa_column_kwargs={"server_default": "0"}
    )
    points_to_spend: int = Field(
        default=0, sa_type=BigInteger, nullable=False, sa_column_kwargs={"server_default": "0"}
    )
    # physical goods (migration 0014): the shipping chosen in the payment form, and the country only
    shipping_amount: int = Field(
        default=0, sa_type=BigInteger, nullable=False, sa_column_kwargs={"server_default": "0"}
    )
    ship_country: str | None = Field(default=None, sa_type=String(2), nullable=True)


class OrderLineRow(SQLModel, table=True):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position", name="uq_order_lines_order_id_position"),
        CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_order_lines_order_id_orders", ondelete="CASCADE"),
        ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_order_lines_product_id_products"),
        Index("ix_order_lines_product_id", "product_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    order_id: int = Field(sa_type=Integer, nullable=False)
    position: int = Field(sa_type=Integer, nullable=False)  # keeps the lines in the order they were given
    product_id: int = Field(sa_type=Integer, nullable=False)
    sku: str = Field(sa_type=String(100), nullable=False)
    title: str = Field(sa_type=String, nullable=False)
    quantity: int = Field(sa_type=Integer, nullable=False)
    unit_price_amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)


class StockHoldRow(SQLModel, table=True):
    __tablename__ = "stock_holds"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_stock_holds_quantity_positive"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_stock_holds_order_id_orders"),
        ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_stock_holds_product_id_products"),
        Index("ix_stock_holds_status_expires_at", "status", "expires_at"),
        Index("ix_stock_holds_order_id", "order_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    order_id: int = Field(sa_type=Integer, nullable=False)
    product_id: int = Field(sa_type=Integer, nullable=False)
    quantity: int = Field(sa_type=Integer, nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class PaymentRow(SQLModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("telegram_charge_id", name="uq_payments_telegram_charge_id"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order_id_orders"),
        Index("ix_payments_order_id", "order_id"),
        Index("ix_payments_status", "status"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    telegram_charge_id: str = Field(sa_type=String, nullable=False)
    provider_charge_id: str | None = Field(default=None, sa_type=String, nullable=True)
    order_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    amount: int = Field(sa_type=BigInteger, nullable=False)  # minor units
    currency: str = Field(sa_type=String(3), nullable=False)
    status: str = Field(sa_type=String(16), nullable=False)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    refunded_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    refund_reason: str | None = Field(default=None, sa_type=String(64), nullable=True)
    refund_attempts: int = Field(default=0, sa_type=Integer, nullable=False)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    refunded_by: int | None = Field(default=None, sa_type=BigInteger, nullable=True)  # an operator, by hand


members: Table = MemberRow.__table__  # type: ignore[attr-defined]
communities: Table = CommunityRow.__table__  # type: ignore[attr-defined]
brands: Table = BrandRow.__table__  # type: ignore[attr-defined]
products: Table = ProductRow.__table__  # type: ignore[attr-defined]
orders: Table = OrderRow.__table__  # type: ignore[attr-defined]
order_lines: Table = OrderLineRow.__table__  # type: ignore[attr-defined]
stock_holds: Table = StockHoldRow.__table__  # type: ignore[attr-defined]
payments: Table = PaymentRow.__table__  # type: ignore[attr-defined]


class OutboxRow(SQLModel, table=True):
    """Notices waiting to be sent. A claimed entry is leased by pushing next_attempt_at to the lease's end."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    key: str = Field(sa_type=String, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    kind: str = Field(sa_type=String, nullable=False)
    params: str = Field(default="{}", sa_type=Text, nullable=False)  # JSON object
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    language_of: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    edit_message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    status: str = Field(sa_type=String(16), nullable=False)
    attempts: int = Field(default=0, sa_type=Integer, nullable=False)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    last_error: str | None = Field(default=None, sa_type=Text, nullable=True)


outbox: Table = OutboxRow.__table__  # type: ignore[attr-defined]


class ProcessedUpdateRow(SQLModel, table=True):
    """Telegram updates already taken, so that a redelivery does nothing (domain/updates.py); pruned after days."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_received_at", "received_at"),)

    bot_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    update_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


processed_updates: Table = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]


# Each capability keeps its tables in its own module; importing them here registers them on the metadata.
# They import only storage.types, never this module, so there is no cycle.
import storage.assistant_tables  # noqa: E402
import storage.digital_tables  # noqa: E402
import storage.drops_tables  # noqa: E402
import storage.memberships_tables  # noqa: E402
import storage.moderation_tables  # noqa: E402
import storage.payments_tables  # noqa: E402
import storage.rewards_tables  # noqa: E402, F401
