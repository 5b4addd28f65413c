"""Group buys, their participants and the offers that make a product buyable as a group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.money import Money
from domain.numbers import whole_number

PAYLOAD_KIND = "gb"
LINK_PREFIX = "g_"
MIN_SIZE = 2
MAX_SIZE = 50


class GroupBuyStatus(StrEnum):
    PENDING = "pending"  # started; the starter has not paid yet, so nobody else can join
    OPEN = "open"  # at least one member paid; others join through the link until the deadline
    FILLED = "filled"  # enough paid: every order is confirmed
    CANCELLED = "cancelled"  # short at the deadline (or emptied by refunds): every payment goes back


class ParticipantStatus(StrEnum):
    JOINED = "joined"  # has an invoice, has not paid
    PAID = "paid"  # paid and holds a seat
    REFUNDED = "refunded"  # paid, then the money went (or is going) back; the seat is free again
    DROPPED = "dropped"  # never paid and the group closed


@dataclass(frozen=True, slots=True)
class GroupOffer:
    product_id: int
    price: Money  # per member
    size: int
    hours: int | None = None  # None: the shop's default deadline
    active: bool = True


@dataclass(frozen=True, slots=True)
class GroupBuy:
    id: int
    code: str
    product_id: int
    title: str
    price: Money
    size: int
    chat_id: int  # where it was started and where its progress card lives
    community_id: int | None
    starter_id: int
    status: GroupBuyStatus
    paid_count: int
    deadline: datetime
    created_at: datetime
    closed_at: datetime | None = None
    card_message_id: int | None = None
    card_version: int = 0

    @property
    def seats_left(self) -> int:
        return max(0, self.size - self.paid_count)

    def joinable(self, now: datetime) -> bool:
        return self.status is GroupBuyStatus.OPEN and self.deadline > now and self.paid_count < self.size


@dataclass(frozen=True, slots=True)
class NewGroupBuy:
    code: str
    product_id: int
    title: str
    price: Money
    size: int
    chat_id: int
    community_id: int | None
    starter_id: int
    deadline: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    group_buy_id: int
    user_id: int
    name: str
    order_id: int
    status: ParticipantStatus
    joined_at: datetime
    paid_at: datetime | None = None

    @property
    def payload(self) -> str:
        return f"{PAYLOAD_KIND}:{self.id}"


def participant_id_from_payload(payload: str) -> int | None:
    prefix = f"{PAYLOAD_KIND}:"
    if not payload.startswith(prefix):
        return None
    digits = payload[len(prefix) :]
    return whole_number(digits) if digits == digits.strip() else None


def leader(participants: list[Participant]) -> Participant | None:
    """The earliest member still paid in: the starter, or the next joiner if the starter was refunded."""
    paid = [p for p in participants if p.status is ParticipantStatus.PAID]
    return min(paid, key=lambda p: (p.paid_at or p.joined_at, p.id)) if paid else None
