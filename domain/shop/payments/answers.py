"""What a member hears about a payment, and what the operators hear: notices, rendered by the bot core.

A member gets one answer per charge, whatever path settled it and however often: the key `pay:<charge>`
is unique in the outbox, so a receipt, a seat in a group buy or a refund notice is sent once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from domain.groupbuys.model import GroupBuy
from domain.notices import Notice
from domain.shop.orders import Order, Payment
from domain.shop.payments.received import ReceivedPayment

RECEIPT = "payment.receipt"
SEATED = "payment.seated"
REFUND = "payment.refund"
REFUND_OWED = "payment.refund_owed"  # to the operators
RECONCILED = "payment.reconciled"  # to the operators

# How the member's money goes back, as the refund notice says it.
DONE = "done"  # refunded by the bot
PENDING = "pending"  # the bot is refunding (Telegram did not take the refund yet)
OWED = "owed"  # a person at the shop refunds it; they have been told


def answer_key(telegram_charge_id: str) -> str:
    return f"pay:{telegram_charge_id}"


def receipt(received: ReceivedPayment, order: Order, not_before: datetime | None) -> Notice:
    line = order.lines[0]
    return Notice(
        key=answer_key(received.telegram_charge_id),
        chat_id=received.chat_id,
        kind=RECEIPT,
        params={
            "order": order.id,
            "quantity": line.quantity,
            "title": line.title,
            "paid": order.total.amount,
            "currency": order.total.currency,
            "discount": order.discount,
            "points": order.points_to_spend,
            "charge": received.telegram_charge_id,
        },
        not_before=not_before,
        language_of=received.user_id,
    )


def seated(received: ReceivedPayment, group_buy: GroupBuy, not_before: datetime | None) -> Notice:
    return Notice(
        key=answer_key(received.telegram_charge_id),
        chat_id=received.chat_id,
        kind=SEATED,
        params={
            "title": group_buy.title,
            "filled": int(group_buy.status.value == "filled"),
            "paid": group_buy.paid_count,
            "size": group_buy.size,
            "deadline": group_buy.deadline.strftime("%Y-%m-%d %H:%M UTC"),
        },
        not_before=not_before,
        language_of=received.user_id,
    )


def refund(
    payment: Payment, chat_id: int, reason: str, title: str, how: str, not_before: datetime | None = None
) -> Notice:
    return Notice(
        key=answer_key(payment.telegram_charge_id),
        chat_id=chat_id,
        kind=REFUND,
        params={
            "amount": payment.amount.amount,
            "currency": payment.amount.currency,
            "reason": reason,
            "title": title,
            "how": how,
        },
        not_before=not_before,
        language_of=payment.user_id,
    )


def refund_owed(
    payment: Payment,
    reason: str,
    operators: Sequence[int],
    error: str = "",
    chat_id: int | None = None,
    not_before: datetime | None = None,
    title: str = "",
) -> list[Notice]:
    """The member is told a person will refund; each operator is told which payment, and why."""
    told = [refund(payment, chat_id or payment.user_id, reason, title, OWED, not_before)]
    for operator in operators:
        told.append(
            Notice(
                key=f"refund-owed:{payment.id}:{operator}",
                chat_id=operator,
                kind=REFUND_OWED,
                params={
                    "payment": payment.id,
                    "member": payment.user_id,
                    "amount": payment.amount.amount,
                    "currency": payment.amount.currency,
                    "reason": reason,
                    "error": error[:200],
                },
            )
        )
    return told


def refunded_by_hand(payment: Payment) -> Notice:
    """The refund an operator made by hand: its own key, since the member's one answer went out already."""
    done = refund(payment, payment.user_id, "", "", DONE)
    return replace(done, key=f"refund-done:{payment.telegram_charge_id}")


def reconciled(received: ReceivedPayment, result: str, operators: Sequence[int]) -> list[Notice]:
    """A charge Telegram reported that circlecart had not recorded: the operators hear what became of it."""
    return [
        Notice(
            key=f"reconciled:{received.telegram_charge_id}:{operator}",
            chat_id=operator,
            kind=RECONCILED,
            params={
                "charge": received.telegram_charge_id,
                "member": received.user_id,
                "amount": received.amount.amount,
                "currency": received.amount.currency,
                "result": result,
            },
        )
        for operator in operators
    ]
