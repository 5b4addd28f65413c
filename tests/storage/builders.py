"""Small builders for storage tests: valid domain values with overridable fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from domain.money import Money
from domain.shop.orders import NewOrder, NewPayment, OrderLine
from domain.shop.products import NewProduct, Product
from storage.database import Database

NOW = datetime(2025, 3, 14, 12, 0, 0, 123456, tzinfo=UTC)
_skus = count(1)
_charges = count(1)


def new_product(**fields: Any) -> NewProduct:
    values: dict[str, Any] = {
        "sku": f"SKU-{next(_skus):05d}",
        "title": "Celadon teapot",
        "description": "A small teapot for two cups.",
        "price": Money(250, "XTR"),
        "stock": 10,
        "tags": ("tea", "ceramics"),
        "photo": None,
        "active": True,
        "brand_id": None,
    }
    values.update(fields)
    return NewProduct(**values)


async def add_product(database: Database, **fields: Any) -> Product:
    async with database.uow() as uow:
        product = await uow.products.add(new_product(**fields))
        await uow.commit()
    return product


def line_for(product: Product, quantity: int = 1) -> OrderLine:
    return OrderLine(
        product_id=product.id,
        sku=product.sku,
        title=product.title,
        quantity=quantity,
        unit_price=product.price,
    )


def new_order(*lines: OrderLine, **fields: Any) -> NewOrder:
    values: dict[str, Any] = {
        "user_id": 1001,
        "chat_id": -1001234567890,
        "community_id": -1001234567890,
        "lines": lines,
        "created_at": NOW,
    }
    values.update(fields)
    return NewOrder(**values)


def new_payment(**fields: Any) -> NewPayment:
    values: dict[str, Any] = {
        "order_id": None,
        "user_id": 1001,
        "telegram_charge_id": f"tg-charge-{next(_charges)}",
        "provider_charge_id": None,
        "amount": Money(250, "XTR"),
        "received_at": NOW,
    }
    values.update(fields)
    return NewPayment(**values)


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)
