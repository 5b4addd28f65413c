"""The `/start` payload of a product link that belongs to a group: pc_<group chat id without its minus>_<SKU>.

A deep link's payload is at most 64 characters of A-Z, a-z, 0-9, _ and -: 3 + 16 + 1 + 40 fit, and a SKU is
already made of those characters and '.' (which Telegram passes through as well).
"""

from __future__ import annotations

import re

PRODUCT_IN_COMMUNITY_LINK = re.compile(r"^pc_([0-9]{1,16})_([A-Za-z0-9_.\-]{1,40})$")


def product_in_community_payload(chat_id: int, sku: str) -> str:
    """The payload for the group `chat_id` (negative, as group ids are); `parse` gives both back."""
    payload = f"pc_{-chat_id}_{sku}"
    if chat_id >= 0 or PRODUCT_IN_COMMUNITY_LINK.match(payload) is None:
        raise ValueError(f"no group link for chat {chat_id} and sku {sku!r}")
    return payload


def parse(payload: str) -> tuple[int, str] | None:
    """(group chat id, SKU) of a `pc_` payload, or None when it is not one."""
    found = PRODUCT_IN_COMMUNITY_LINK.match(payload)
    return (-int(found.group(1)), found.group(2)) if found else None
