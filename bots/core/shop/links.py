"""The `/start` payloads that open a product card: `p_<SKU>`, and `pc_<group>_<SKU>` for a product shared from a
group (the group's chat id without its minus), which attributes a sale through it to that group.

Telegram takes at most 64 characters of A-Z, a-z, 0-9, _ and - in a payload. A SKU may also hold '.', which
Telegram would not pass on, so a product whose SKU has one is linked by its id instead: `pi_<id>` and
`pci_<group>_<id>`. Both forms are read back for as long as links given out may be opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.shop.products import Product

_SKU = r"[A-Za-z0-9_\-]{1,40}"  # a SKU Telegram passes on as it is
_ANY_SKU = r"[A-Za-z0-9_.\-]{1,40}"  # read back too: a link given out before the id form existed
_ID = r"[0-9]{1,18}"
_GROUP = r"[0-9]{1,16}"
_PATTERNS = (  # (pattern, names a group, names the product by id)
    (re.compile(rf"^p_({_ANY_SKU})$"), False, False),
    (re.compile(rf"^pi_({_ID})$"), False, True),
    (re.compile(rf"^pc_({_GROUP})_({_ANY_SKU})$"), True, False),
    (re.compile(rf"^pci_({_GROUP})_({_ID})$"), True, True),
)
_PAYLOAD = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@dataclass(frozen=True, slots=True)
class ProductLink:
    """What a payload names: the product by SKU or by id, and the group it was shared from, if any."""

    sku: str | None = None
    product_id: int | None = None
    community: int | None = None  # a group's chat id (negative)


def product_payload(product: Product) -> str:
    """The payload that opens `product`'s card in the private chat."""
    return _checked(f"p_{product.sku}" if _plain(product.sku) else f"pi_{product.id}")


def product_in_community_payload(chat_id: int, product: Product) -> str:
    """The payload that opens `product`'s card and names the group `chat_id` (negative, as group ids are)."""
    if chat_id >= 0:
        raise ValueError(f"chat {chat_id} is not a group")
    body = f"pc_{-chat_id}_{product.sku}" if _plain(product.sku) else f"pci_{-chat_id}_{product.id}"
    return _checked(body)


def parse(payload: str) -> ProductLink | None:
    """The product link a payload holds, or None when it is not one."""
    for pattern, in_group, by_id in _PATTERNS:
        found = pattern.match(payload)
        if found is None:
            continue
        *group, key = found.groups()
        community = -int(group[0]) if in_group else None
        return ProductLink(product_id=int(key), community=community) if by_id else ProductLink(key, None, community)
    return None


def _plain(sku: str) -> bool:
    return re.fullmatch(_SKU, sku) is not None


def _checked(payload: str) -> str:
    if _PAYLOAD.match(payload) is None:  # never hand out a link Telegram would cut or refuse
        raise ValueError(f"not a deep-link payload: {payload!r}")
    return payload
