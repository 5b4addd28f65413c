"""The records of a drop: the drop itself, what members claimed, and raffle entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.money import Money
from domain.shop.orders import OrderStatus


class DropStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class DropMode(StrEnum):
    FIRST_COME = "first_come"
    RAFFLE = "raffle"


# The state machine: every transition is a conditional UPDATE from one of these statuses.
TRANSITIONS: dict[DropStatus, frozenset[DropStatus]] = {
    DropStatus.DRAFT: frozenset({DropStatus.SCHEDULED, DropStatus.CANCELLED}),
    DropStatus.SCHEDULED: frozenset({DropStatus.OPEN, DropStatus.CANCELLED}),
    DropStatus.OPEN: frozenset({DropStatus.CLOSED}),
    DropStatus.CLOSED: frozenset(),
    DropStatus.CANCELLED: frozenset(),
}


def can_move(from_status: DropStatus, to_status: DropStatus) -> bool:
    return to_status in TRANSITIONS[from_status]


@dataclass(frozen=True, slots=True)
class DropPlan:
    """What a brand asks for, before validation gives it an id."""

    brand_id: int
    product_id: int
    quantity: int
    price: Money
    starts_at: datetime
    ends_at: datetime
    per_member_limit: int = 1
    early_access_minutes: int = 0
    mode: DropMode = DropMode.FIRST_COME
    communities: tuple[int, ...] = ()  # empty: every group that opted in to the brand

    @property
    def early_access(self) -> timedelta:
        return timedelta(minutes=self.early_access_minutes)


@dataclass(frozen=True, slots=True)
class Drop:
    id: int
    brand_id: int
    product_id: int
    title: str  # the product's title when scheduled: announcements must not change under members
    quantity: int
    price: Money
    starts_at: datetime
    ends_at: datetime
    per_member_limit: int
    early_access_minutes: int
    mode: DropMode
    status: DropStatus
    communities: tuple[int, ...]
    created_by: int
    created_at: datetime
    claimed: int = 0  # units held or sold
    sold: int = 0  # units paid for and not refunded
    revenue: int = 0  # minor units of price.currency
    seed_hash: str | None = None  # raffle: sha256 of the secret, published when entries open
    seed: str | None = None  # raffle: the committed secret, revealed with the results (see raffle.py)
    pseudonym_key: str | None = None  # raffle: makes entrants' pseudonyms; never published
    beacon_chain: str | None = None  # raffle: the drand chain and round the draw uses, fixed when scheduled
    beacon_round: int | None = None
    beacon_at: datetime | None = None  # when that round is published
    beacon_randomness: str | None = None  # fetched for the draw; None once drawn: the stated fallback drew
    beacon_signature: str | None = None
    entrants: int = 0
    entrants_digest: str | None = None  # sha256 of the sorted pseudonyms, frozen when entries close
    draw_seed: str | None = None  # the seed the draw used
    last_teaser_minutes: int | None = None
    revision: int = 0  # counts edits: a teaser names the revision it shows
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    sold_out_at: datetime | None = None
    drawn_at: datetime | None = None
    reported_at: datetime | None = None
    reserved: int = 0  # units set aside on the product's shelf and not sold yet (0 for drops from before)
    refunded: int = 0  # units an operator refunded (not put on sale again)
    key: str | None = None  # the key a drop file gave it: the same file scheduled again finds this drop

    @property
    def remaining(self) -> int:
        return max(0, self.quantity - self.claimed)

    @property
    def early_access(self) -> timedelta:
        return timedelta(minutes=self.early_access_minutes)

    @property
    def is_raffle(self) -> bool:
        return self.mode is DropMode.RAFFLE

    @property
    def verifiable(self) -> bool:
        """A raffle under pseudonyms and a beacon round (raffles scheduled before that keep their scheme)."""
        return self.is_raffle and self.pseudonym_key is not None and self.beacon_round is not None

    @property
    def beacon_fallback(self) -> bool:
        """Drawn without the beacon, by the stated fallback."""
        return self.verifiable and self.drawn_at is not None and self.beacon_randomness is None

    @property
    def ended(self) -> bool:
        return self.status in (DropStatus.CLOSED, DropStatus.CANCELLED)

    @property
    def plan(self) -> DropPlan:
        """What the brand asked for, as an edit starts from it."""
        return DropPlan(
            brand_id=self.brand_id,
            product_id=self.product_id,
            quantity=self.quantity,
            price=self.price,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            per_member_limit=self.per_member_limit,
            early_access_minutes=self.early_access_minutes,
            mode=self.mode,
            communities=self.communities,
        )


class UnitsTaken(StrEnum):
    """What a member's claim on a drop's units came to: taken, or which limit refused it."""

    TAKEN = "taken"  # the member's allowance and the drop's units both moved
    LIMIT_REACHED = "limit_reached"  # the member's allowance would pass the limit: nothing moved
    SOLD_OUT = "sold_out"  # not that many units left (or the drop is not in the statuses asked): nothing moved
    NOT_WAITING = "not_waiting"  # a hold only: the order's claim no longer waited for one (moved first elsewhere)


class ClaimStatus(StrEnum):
    PENDING = "pending"  # invoice issued, nothing held
    HELD = "held"  # pre-checkout held a unit
    PAID = "paid"
    RELEASED = "released"  # the hold lapsed; the unit went back
    REFUNDED = "refunded"  # paid, then refunded by an operator


@dataclass(frozen=True, slots=True)
class DropClaim:
    """One order for drop units: the order row carries the money, this the drop's bookkeeping."""

    order_id: int
    drop_id: int
    user_id: int
    quantity: int
    status: ClaimStatus
    expires_at: datetime | None
    created_at: datetime
    paid_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UnitsHold:
    """Everything a pre-checkout's hold writes, taken together or not at all: the order's claim moves from one
    of `claim_from` to HELD until `expires_at`, the order from one of `order_from` to HELD, the member's
    allowance on the drop grows by `quantity` within `limit`, and the drop's units are claimed while the drop
    is in one of `drop_statuses`."""

    order_id: int
    drop_id: int
    user_id: int
    quantity: int
    limit: int
    drop_statuses: tuple[DropStatus, ...]
    claim_from: tuple[ClaimStatus, ...]
    order_from: tuple[OrderStatus, ...]
    expires_at: datetime


class EntryStatus(StrEnum):
    ENTERED = "entered"
    OFFERED = "offered"  # drawn: may buy until offer_expires_at
    CLAIMED = "claimed"  # paid
    LAPSED = "lapsed"  # did not pay in time; the unit passed on
    NOT_DRAWN = "not_drawn"  # the units ran out before their turn


@dataclass(frozen=True, slots=True)
class RaffleEntry:
    drop_id: int
    user_id: int
    entered_at: datetime
    status: EntryStatus = EntryStatus.ENTERED
    rank: int | None = None  # 0-based place in the draw
    offer_expires_at: datetime | None = None
    pseudonym: str | None = None  # how the published entrant list names them (None before pseudonyms)
