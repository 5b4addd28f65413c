"""What the shop holds about a member: orders and payments, kept for accounting under a pseudonym; shipping
addresses, erased."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised, erased

HOLDINGS = (
    anonymised(Topic.ORDERS, lambda uow: uow.orders),
    anonymised(Topic.PAYMENTS, lambda uow: uow.payments),
    anonymised(Topic.PAYMENTS, lambda uow: uow.payment_inbox),
    erased(Topic.ADDRESSES, lambda uow: uow.addresses),  # shipping addresses and the saved one
)
