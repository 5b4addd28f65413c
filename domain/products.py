"""Products of the catalog. Stock is units still available; claims on it are atomic in storage."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import Money


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    sku: str
    title: str
    description: str
    price: Money
    stock: int
    tags: tuple[str, ...] = ()
    photo: str | None = None
    active: bool = True
    brand_id: int | None = None

    @property
    def buyable(self) -> bool:
        return self.active and self.stock > 0


@dataclass(frozen=True, slots=True)
class NewProduct:
    """A product as a catalog file or a brand describes it, before it has an id."""

    sku: str
    title: str
    description: str
    price: Money
    stock: int
    tags: tuple[str, ...] = ()
    photo: str | None = None
    active: bool = True
    brand_id: int | None = None


@dataclass(frozen=True, slots=True)
class Brand:
    id: int
    name: str
