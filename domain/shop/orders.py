"""Orders, their lines, stock holds and payments: the records of the buying loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.money import Money
from domain.numbers import whole_number


class OrderStatus(StrEnum):
    PENDING = "pending"  # invoice issued, nothing held yet
    HELD = "held"  # pre-checkout accepted: stock is held for this order
    PAID = "paid"
    EXPIRED = "expired"  # the hold lapsed before any payment came
    CANCELLED = "cancelled"  # e.g. the price changed before payment
    REFUNDED = "refunded"  # paid, then the money went back
    REFUND_DUE = "refund_due"  # paid but undeliverable; the refund is still to be made
    # Physical goods after payment (domain/shop/fulfilment.py): paid -> packed -> shipped -> delivered.
    PACKED = "packed"
    SHIPPED = "shipped"  # with a carrier and a tracking number
    DELIVERED = "delivered"
    RETURN_REQUESTED = "return_requested"  # the member asked to send it back; the brand decides
    RETURN_APPROVED = "return_approved"  # on its way back; refunded when the brand confirms receipt


# Paid, and the money stays: fulfilment moves a paid order on without giving anything back.
KEPT_PAID = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.RETURN_REQUESTED,
        OrderStatus.RETURN_APPROVED,
    }
)


class HoldStatus(StrEnum):
    ACTIVE = "active"
    CONVERTED = "converted"  # became part of a paid order
    RELEASED = "released"  # stock went back to the shelf


class PaymentStatus(StrEnum):
    CAPTURED = "captured"
    REFUND_DUE = "refund_due"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: int
    sku: str
    title: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """What happened to a physical order after payment; field names are what `OrderRepository.advance` sets."""

    carrier: str | None = None
    tracking_number: str | None = None
    packed_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    closed_at: datetime | None = None  # cancelled, or the return received: the money goes back
    return_requested_at: datetime | None = None
    return_reason: str | None = None  # the member's
    return_answer: str | None = None  # the brand's reason for refusing a return


FULFILMENT_FIELDS = frozenset(Fulfilment.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    user_id: int
    chat_id: int  # where the member pressed Buy
    community_id: int | None  # the group the sale started in, for the moderators' share
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    created_at: datetime
    paid_at: datetime | None = None
    discount: int = 0  # minor units of the order's currency taken off the lines, bought with points
    points_to_spend: int = 0  # the points that discount costs; spent when pre-checkout holds the stock
    shipping: int = 0  # minor units: the shipping option the member chose in the payment form (physical goods)
    ship_country: str | None = None  # ISO country of the shipping address; the order keeps nothing more of it
    fulfilment: Fulfilment = field(default_factory=Fulfilment)

    @property
    def subtotal(self) -> Money:
        first, *rest = (line.total for line in self.lines)
        for amount in rest:
            first = first + amount
        return first

    @property
    def goods_total(self) -> Money:
        """What the goods cost: the lines less the points discount, never less than one minor unit
        (Telegram refuses an invoice for nothing). The invoice's amount."""
        subtotal = self.subtotal
        if not self.discount:
            return subtotal
        return Money(max(subtotal.amount - self.discount, 1), subtotal.currency)

    @property
    def total(self) -> Money:
        """What the member pays: the goods and the shipping chosen in the payment form."""
        goods = self.goods_total
        return Money(goods.amount + self.shipping, goods.currency) if self.shipping else goods

    @property
    def payload(self) -> str:
        return invoice_payload(self.id)

    @property
    def free(self) -> bool:
        """Nothing is charged for it (a membership's box, included in what the membership costs): cancelling
        it moves no money, and there is no money to return."""
        return self.subtotal.amount == 0 and not self.shipping


@dataclass(frozen=True, slots=True)
class NewOrder:
    user_id: int
    chat_id: int
    community_id: int | None
    lines: tuple[OrderLine, ...]
    created_at: datetime
    discount: int = 0
    points_to_spend: int = 0


@dataclass(frozen=True, slots=True)
class StockHold:
    id: int
    order_id: int
    product_id: int
    quantity: int
    status: HoldStatus
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    order_id: int | None
    user_id: int
    telegram_charge_id: str
    provider_charge_id: str | None
    amount: Money
    status: PaymentStatus
    received_at: datetime
    refunded_at: datetime | None = None
    refund_reason: str | None = None  # the DomainError code that made the money go back
    refund_attempts: int = 0  # Stars refunds Telegram refused so far
    escalated_at: datetime | None = None  # handed to the operators: the bot stopped retrying
    refunded_by: int | None = None  # the operator who marked a refund done by hand


@dataclass(frozen=True, slots=True)
class NewPayment:
    order_id: int | None
    user_id: int
    telegram_charge_id: str
    provider_charge_id: str | None
    amount: Money
    received_at: datetime


PAYLOAD_PREFIX = "order:"
# How long a pre-checkout holds a unit, for every kind: long enough for Telegram to finish charging after
# pre-checkout; short enough that an abandoned payment form does not keep a scarce unit off the shelf.
HOLD_TTL = timedelta(minutes=15)


def invoice_payload(order_id: int) -> str:
    return f"{PAYLOAD_PREFIX}{order_id}"


def order_id_from_payload(payload: str) -> int | None:
    """The order an invoice payload names, or None for a payload this shop never issued."""
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    digits = payload[len(PAYLOAD_PREFIX) :]
    return whole_number(digits) if digits == digits.strip() else None
