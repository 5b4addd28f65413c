"""Referral records: who invited whom, and where the reward for the referee's first paid order stands."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CODE_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 8
CODE_PATTERN = re.compile(r"^[a-z0-9]{4,16}$")


class ReferralStatus(StrEnum):
    ATTRIBUTED = "attributed"  # came through the link; has not paid an order yet
    PENDING = "pending"  # first order paid; the reward waits until the order is past the refund window
    REWARDED = "rewarded"
    VOIDED = "voided"  # the first paid order was refunded: no reward, and no second chance


@dataclass(frozen=True, slots=True)
class Referral:
    referee_id: int
    referrer_id: int
    status: ReferralStatus
    created_at: datetime
    order_id: int | None = None
    release_at: datetime | None = None


def new_code() -> str:
    """A code that is hard to guess (36^8), so links cannot be enumerated to find members."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
