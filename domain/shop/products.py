"""Products of the catalog.

A product's shelf is the units the shop has and has not sold. Some of them are held: by a payment in
progress (pre-checkout holds a unit until it is paid or the hold lapses) or set aside for a drop. `stock` is
what the shop can still sell: the shelf less the held units. A catalog import states the brand's count; the
shelf moves by the difference from the count the previous import stated, so units held or sold since stay
taken and a re-import never hands out a unit twice. Claims on stock are atomic in storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from domain.money import Money

# Telegram's rules: digital goods and services are paid in Stars; physical goods through a payment provider,
# with name, phone and shipping address collected by the payment form.
ProductKind = Literal["physical", "digital", "service"]
PRODUCT_KINDS: tuple[ProductKind, ...] = get_args(ProductKind)
DEFAULT_KIND: ProductKind = "physical"

# What a digital product delivers after payment: a Telegram file (sent with sendDocument), a link, or a
# unique code drawn from the pool the brand uploads (`content: pool` in the catalog).
ContentKind = Literal["file", "link", "pool"]
POOL = "pool"


def content_kind(content: str | None) -> ContentKind | None:
    """How a product's `content` is delivered: None for no content."""
    if not content:
        return None
    if content == POOL:
        return "pool"
    if content.lower().startswith(("http://", "https://")):
        return "link"
    return "file"


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
    kind: ProductKind = DEFAULT_KIND
    content: str | None = None  # digital goods: a link, a Telegram file_id or "pool", delivered after payment

    @property
    def delivers(self) -> ContentKind | None:
        """What a paid digital order of this product receives at once (None: nothing to send)."""
        return content_kind(self.content) if self.kind == "digital" else None

    @property
    def ships(self) -> bool:
        """A physical product sold through a payment provider: its invoice asks for an address."""
        return self.kind == "physical" and not self.price.is_stars

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
    kind: ProductKind = DEFAULT_KIND
    content: str | None = None


@dataclass(frozen=True, slots=True)
class Brand:
    id: int
    name: str
