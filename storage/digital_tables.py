"""SQLModel tables of digital delivery: the pools of unique codes brands upload for their digital products."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, Integer, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class DigitalCodeRow(SQLModel, table=True):
    """One code of a product's pool; `order_id` is set, once, by the atomic claim that gives it out."""

    __tablename__ = "digital_codes"
    __table_args__ = (
        UniqueConstraint("product_id", "code", name="uq_digital_codes_product_id_code"),
        ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_digital_codes_product_id_products"),
        ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_digital_codes_order_id_orders"),
        Index("ix_digital_codes_product_id_order_id", "product_id", "order_id"),
        Index("ix_digital_codes_order_id", "order_id"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    product_id: int = Field(sa_type=Integer, nullable=False)
    code: str = Field(sa_type=String(255), nullable=False)
    uploaded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    order_id: int | None = Field(default=None, sa_type=Integer, nullable=True)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class CodePoolRow(SQLModel, table=True):
    """A product whose pool was uploaded at least once, and whether its fall below the threshold was told."""

    __tablename__ = "code_pools"
    __table_args__ = (ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_code_pools_product_id_products"),)

    product_id: int = Field(sa_type=Integer, primary_key=True, sa_column_kwargs={"autoincrement": False})
    low_warned: bool = Field(default=False, sa_type=Boolean, nullable=False)


digital_codes: Table = DigitalCodeRow.__table__  # type: ignore[attr-defined]
code_pools: Table = CodePoolRow.__table__  # type: ignore[attr-defined]
