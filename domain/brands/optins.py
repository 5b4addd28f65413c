"""Groups decide which brands may announce drops to them. Only a moderator of the group may decide.

`is_moderator` is what Telegram said about the member (getChatMember), asked by the caller right before:
it is never taken from the message itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.brands.errors import BrandError
from domain.communities import CommunityError
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.shop.products import Brand


@dataclass(frozen=True, slots=True)
class BrandChoice:
    brand: Brand
    allowed: bool


async def brand_choices(uow: UnitOfWork, chat_id: int, is_moderator: bool) -> tuple[BrandChoice, ...]:
    if not is_moderator:
        raise DomainError(CommunityError.MODERATORS_ONLY)
    decided = await uow.brand_optins.for_chat(chat_id)
    return tuple(BrandChoice(b, decided.get(b.id, False)) for b in await uow.brand_staff.all_brands())


async def set_brand_allowed(
    uow: UnitOfWork, now: datetime, chat_id: int, user_id: int, is_moderator: bool, brand_id: int, allowed: bool
) -> BrandChoice:
    if not is_moderator:
        raise DomainError(CommunityError.MODERATORS_ONLY)
    community = await uow.communities.get(chat_id)
    if community is None or not community.active:
        raise DomainError(CommunityError.UNKNOWN)
    brand = await uow.brands.get(brand_id)
    if brand is None:
        raise DomainError(BrandError.UNKNOWN, brand=str(brand_id))
    await uow.brand_optins.set(chat_id, brand_id, allowed, user_id, now)
    return BrandChoice(brand, allowed)
