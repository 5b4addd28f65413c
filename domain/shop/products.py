"""Products of the catalog.

A product's shelf is the units the shop has and has not sold. Some of them are held: by a payment in
progress (pre-checkout holds a unit until it is paid or the hold lapses) or set aside for a drop. `stock` is
what the shop can still sell: the shelf less the held units. A catalog import states the brand's count; the
shelf moves by the difference from the count the previous import stated, so units held or sold since stay
taken and a re-import never hands out a unit twice. Claims on stock are atomic in storage.
"""

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
    stock: int  # units the shop can sell now: the shelf less the held units
    tags: tuple[str, ...] = ()
    photo: str | None = None
    active: bool = True
    brand_id: int | None = None
    held: int = 0  # units on the shelf held by payments in progress or set aside for drops
    counted: int = 0  # the count the last catalog import stated (what `catalog export` writes back)

    @property
    def shelf(self) -> int:
        """Units the shop has and has not sold, held ones included."""
        return self.stock + self.held

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
    stock: int  # the brand's count of units for the shop
    tags: tuple[str, ...] = ()
    photo: str | None = None
    active: bool = True
    brand_id: int | None = None


@dataclass(frozen=True, slots=True)
class Brand:
    id: int
    name: str
