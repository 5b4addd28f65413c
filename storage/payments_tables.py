"""SQLModel tables of the payment pipeline: the inbox every payment lands in first, and the reconciler's cursor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PaymentInboxRow(SQLModel, table=True):
    """A payment exactly as Telegram reported it, stored before anything is decided about it.

    One narrow insert with no lookups, so that it is the cheapest write the database can take; settling
    it (orders, stock, seats, refunds) happens afterwards and is retried until `settled_at` is set.
    """

    __tablename__ = "payment_inbox"
    __table_args__ = (
        UniqueConstraint("telegram_charge_id", name="uq_payment_inbox_telegram_charge_id"),
        Index("ix_payment_inbox_settled_at_received_at", "settled_at", "received_at"),
    )

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    telegram_charge_id: str = Field(sa_type=String, nullable=False)
    provider_charge_id: str | None = Field(default=None, sa_type=String, nullable=True)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    payload: str = Field(sa_type=Text, nullable=False)
    amount: int = Field(sa_type=BigInteger, nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    subscription_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    is_recurring: bool = Field(default=False, sa_type=Boolean, nullable=False)
    source: str = Field(sa_type=String(16), nullable=False)  # "update" or "reconciler"
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    attempts: int = Field(default=0, sa_type=Integer, nullable=False)
    last_error: str | None = Field(default=None, sa_type=Text, nullable=True)
    # The payment form's name, phone and address (JSON), only until settled: then it moves to shipping_addresses.
    order_info: str | None = Field(default=None, sa_type=Text, nullable=True)


class PaymentCursorRow(SQLModel, table=True):
    """How far the reconciler has read Telegram's transaction list (an offset into it)."""

    __tablename__ = "payment_cursors"

    name: str = Field(sa_type=String(32), primary_key=True)
    position: int = Field(default=0, sa_type=BigInteger, nullable=False)


payment_inbox: Table = PaymentInboxRow.__table__  # type: ignore[attr-defined]
payment_cursors: Table = PaymentCursorRow.__table__  # type: ignore[attr-defined]
