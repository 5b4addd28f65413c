"""Personal invite links and attributing a newcomer to the member who invited them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.referrals.errors import ReferralError
from domain.referrals.model import CODE_PATTERN, Referral, ReferralStatus, new_code

LINK_PREFIX = "r_"
HISTORY_CHECK = 100


class Attribution(StrEnum):
    RECORDED = "recorded"
    SELF = "self"  # one's own link
    ALREADY_CUSTOMER = "already_customer"  # had paid an order before: nobody brought them
    ALREADY_REFERRED = "already_referred"  # the first link used wins
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AttributionResult:
    outcome: Attribution
    referrer_id: int | None = None
    referrer_name: str | None = None  # to thank them by name


async def invite_code(uow: UnitOfWork, user_id: int, make_code: Callable[[], str] = new_code) -> str:
    """The member's personal code, created on first use."""
    for _ in range(5):
        existing = await uow.referrals.code_of(user_id)
        if existing is not None:
            return existing
        await uow.referrals.add_code(user_id, make_code())
    existing = await uow.referrals.code_of(user_id)
    if existing is None:  # five colliding codes in a row: the generator is broken, not unlucky
        raise DomainError(ReferralError.NO_CODE)
    return existing


async def attribute(uow: UnitOfWork, now: datetime, referee_id: int, code: str) -> AttributionResult:
    """A member opened someone's invite link. Records who brought them, if anyone can be said to have."""
    referrer_id = await uow.referrals.owner_of(code) if CODE_PATTERN.match(code) else None
    if referrer_id is None:
        return AttributionResult(Attribution.UNKNOWN)
    if referrer_id == referee_id:
        return AttributionResult(Attribution.SELF, referrer_id)
    existing = await uow.referrals.get(referee_id)
    if existing is not None:
        return AttributionResult(Attribution.ALREADY_REFERRED, existing.referrer_id)
    history = await uow.orders.list_for_user(referee_id, HISTORY_CHECK)
    if any(order.paid_at is not None for order in history):
        return AttributionResult(Attribution.ALREADY_CUSTOMER, referrer_id)
    added = await uow.referrals.add(Referral(referee_id, referrer_id, ReferralStatus.ATTRIBUTED, now))
    if not added:
        return AttributionResult(Attribution.ALREADY_REFERRED, referrer_id)
    referrer = await uow.members.get(referrer_id)
    return AttributionResult(Attribution.RECORDED, referrer_id, referrer.first_name if referrer else None)
