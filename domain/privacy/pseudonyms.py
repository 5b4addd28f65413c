"""The stable pseudonym a forgotten member's accounting records are kept under.

One pseudonym per forgetting, the same on every record of that member (an order, its payment, its points
and the drop's counter all still agree). It is random, so nothing derives it from the Telegram id; and it
lies above every Telegram id (those fit in 52 bits), so it can never be taken for a person the bot could
message, nor collide with a member who comes later.
"""

from __future__ import annotations

import secrets

PSEUDONYM_BASE = 1 << 62  # BigInteger columns hold up to 2**63 - 1


def new_pseudonym() -> int:
    return PSEUDONYM_BASE + 1 + secrets.randbelow(PSEUDONYM_BASE - 2)


def is_pseudonym(user_id: int) -> bool:
    return user_id >= PSEUDONYM_BASE


def pseudonym_label(user_id: int) -> str:
    """How a report names a forgotten member: `anon-1a2b…` (their Telegram id otherwise)."""
    return f"anon-{user_id - PSEUDONYM_BASE:x}" if is_pseudonym(user_id) else str(user_id)
