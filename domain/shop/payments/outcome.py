"""What became of a payment: the one outcome type every payment kind reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import ErrorCode
from domain.shop.orders import Order, Payment


class PaymentResult(StrEnum):
    PAID = "paid"
    DUPLICATE = "duplicate"  # Telegram redelivered an update we already recorded: change nothing
    REFUND = "refund"  # money came in for something we cannot deliver


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    result: PaymentResult
    payment: Payment
    order: Order | None
    reason: ErrorCode | None = None  # why the money goes back
