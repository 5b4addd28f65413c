"""Groups decide which brands may announce drops to them. Only the group's own admins may decide.

Admin rights are what Telegram said about the member (getChatMember, in the `Actor`), asked by the caller
right before: never taken from the message itself. Being the operator is not enough: letting a brand
announce in a group is the group's consent, which the shop cannot give on its behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.actors import Actor
from domain.brands.errors import BrandError
from domain.communities import CommunityError
from domain.community_registry import active_community
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.shop.products import Brand


@dataclass(frozen=True, slots=True)
class BrandChoice:
    brand: Brand
    allowed: bool


async def brand_choices(uow: UnitOfWork, chat_id: int, actor: Actor) -> tuple[BrandChoice, ...]:
    actor.require_group_admin(chat_id, refusal=CommunityError.MODERATORS_ONLY)
    decided = await uow.brand_optins.for_chat(chat_id)
    return tuple(BrandChoice(b, decided.get(b.id, False)) for b in await uow.brand_staff.all_brands())


async def set_brand_allowed(
    uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, brand_id: int, allowed: bool
) -> BrandChoice:
    actor.require_group_admin(chat_id, refusal=CommunityError.MODERATORS_ONLY)
    await active_community(uow, chat_id)
    brand = await uow.brands.get(brand_id)
    if brand is None:
        raise DomainError(BrandError.UNKNOWN, brand=str(brand_id))
    await uow.brand_optins.set(chat_id, brand_id, allowed, actor.user_id, now)
    return BrandChoice(brand, allowed)
