"""Records of the community's share.

Money is integer minor units of one currency; totals are never taken across currencies (each settlement
line is one brand, one community, one currency). Rates are basis points (1 bp = 0.01 %).

Rounding: each sale's commission and platform fee are `amount * rate // 10_000` (rounded down to the
minor unit, in the brand's favour); a refund takes back exactly what its sale gave, so a sale and its
refund always net to zero, whichever months they fall in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

BASIS = 10_000
MAX_COMMISSION_BP = 3_000  # a community's share is at most 30 % of a sale
MAX_PLATFORM_FEE_BP = 3_000
NO_COMMUNITY = 0  # a sale not attributed to any community (0 is never a chat id)


def share_of(amount: int, rate_bp: int) -> int:
    """The share at `rate_bp` of `amount` minor units, rounded down."""
    return amount * rate_bp // BASIS


@dataclass(frozen=True, slots=True)
class Offer:
    """A brand's commission offer to one community. Accepted by the group's moderator; a new offer
    replaces the old one from when it is accepted (the old rate stays on sales made under it)."""

    id: int
    brand_id: int
    community_id: int
    rate_bp: int
    offered_by: int
    offered_at: datetime
    accepted_by: int | None = None
    accepted_at: datetime | None = None


class EntryKind(StrEnum):
    SALE = "sale"
    REFUND = "refund"


@dataclass(frozen=True, slots=True)
class Sale:
    """A paid order of a brand's product, as the settlement sees it. `amount` is the goods (what the member
    paid less shipping), in minor units of `currency`."""

    order_id: int
    brand_id: int
    community_id: int  # NO_COMMUNITY when the order came through no group
    currency: str
    amount: int
    paid_at: datetime
    refunded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One sale or one refund counted in exactly one settled month (unique per order and kind)."""

    order_id: int
    kind: EntryKind
    month: str  # YYYY-MM
    brand_id: int
    community_id: int
    currency: str
    amount: int  # positive; a refund is subtracted
    commission: int
    fee: int
    rate_bp: int


@dataclass(frozen=True, slots=True)
class SettlementLine:
    month: str
    brand_id: int
    community_id: int
    currency: str
    gross: int
    refunds: int
    commission: int
    fee: int

    @property
    def net(self) -> int:
        """What the brand keeps: gross less refunds, the community's commission and the platform's fee."""
        return self.gross - self.refunds - self.commission - self.fee


def month_key(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def month_start(key: str) -> datetime:
    year, month = key.split("-")
    return datetime(int(year), int(month), 1, tzinfo=UTC)


def next_month(key: str) -> str:
    start = month_start(key)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return f"{year:04d}-{month:02d}"


def month_end(key: str) -> datetime:
    return month_start(next_month(key))
