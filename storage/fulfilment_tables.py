"""SQLModel tables of fulfilment: shipping addresses, kept apart from orders and erased after a retention time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, String, Table
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class _AddressColumns(SQLModel):
    name: str = Field(default="", sa_type=String(256), nullable=False)
    phone: str = Field(default="", sa_type=String(64), nullable=False)
    country_code: str = Field(default="", sa_type=String(2), nullable=False)
    state: str = Field(default="", sa_type=String(256), nullable=False)
    city: str = Field(default="", sa_type=String(256), nullable=False)
    street_line1: str = Field(default="", sa_type=String(256), nullable=False)
    street_line2: str = Field(default="", sa_type=String(256), nullable=False)
    post_code: str = Field(default="", sa_type=String(32), nullable=False)
    shipping_option_id: str = Field(default="", sa_type=String(64), nullable=False)


class ShippingAddressRow(_AddressColumns, table=True):
    """Where one order goes: the name, phone and address from Telegram's payment form. Erased (the row goes)
    a retention time after `closed_at`; the order keeps its country."""

    __tablename__ = "shipping_addresses"
    __table_args__ = (
        ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_shipping_addresses_order_id_orders", ondelete="CASCADE"
        ),
        Index("ix_shipping_addresses_user_id", "user_id"),
        Index("ix_shipping_addresses_closed_at", "closed_at"),
    )

    order_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    stored_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class SavedAddressRow(_AddressColumns, table=True):
    """A member's latest address, for what ships without a payment form (a membership's monthly box)."""

    __tablename__ = "saved_addresses"

    user_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


shipping_addresses: Table = ShippingAddressRow.__table__  # type: ignore[attr-defined]
saved_addresses: Table = SavedAddressRow.__table__  # type: ignore[attr-defined]
ADDRESS_COLUMNS = tuple(_AddressColumns.model_fields)
