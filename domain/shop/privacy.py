"""What the shop holds about a member: orders and payments, kept for accounting under a pseudonym."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (
    anonymised(Topic.ORDERS, lambda uow: uow.orders),
    anonymised(Topic.PAYMENTS, lambda uow: uow.payments),
    anonymised(Topic.PAYMENTS, lambda uow: uow.payment_inbox),
)
