"""Who may act for a brand. The operator (OWNER_IDS) may do everything; brand staff act for their brands.

Every use case that acts for a brand calls these checks itself: a menu that hides a button is a
convenience, not a permission. Staff is looked up here, in the action's own unit of work, rather than
carried in the `Actor` (see its docstring): a revoked member cannot act on an Actor built before.
"""

from __future__ import annotations

from datetime import datetime

from domain.actors import Actor
from domain.brands.errors import BrandError
from domain.errors import DomainError
from domain.numbers import whole_number
from domain.ports import UnitOfWork
from domain.shop.products import Brand

MAX_BRAND_NAME = 64


async def require_brand_staff(uow: UnitOfWork, actor: Actor, brand_id: int) -> Brand:
    brand = await uow.brands.get(brand_id)
    if brand is None:
        raise DomainError(BrandError.UNKNOWN, brand=str(brand_id))
    if not actor.operator and not await uow.brand_staff.is_staff(brand_id, actor.user_id):
        raise DomainError(BrandError.NOT_STAFF, brand=brand.name)
    return brand


async def register_brand(uow: UnitOfWork, actor: Actor, name: str) -> Brand:
    actor.require_operator(refusal=BrandError.OPERATOR_ONLY)
    name = " ".join(name.split())
    if not 1 <= len(name) <= MAX_BRAND_NAME:
        raise DomainError(BrandError.BAD_NAME, max=MAX_BRAND_NAME)
    if await uow.brands.get_by_name(name) is not None:
        raise DomainError(BrandError.EXISTS, brand=name)
    return await uow.brands.add(name)


async def brand_by_name_or_id(uow: UnitOfWork, text: str) -> Brand:
    text = " ".join(text.split())
    brand = await uow.brands.get_by_name(text)
    number = whole_number(text, max_digits=11)
    if brand is None and number is not None:
        brand = await uow.brands.get(number)
    if brand is None:
        raise DomainError(BrandError.UNKNOWN, brand=text)
    return brand


async def add_staff(uow: UnitOfWork, now: datetime, actor: Actor, brand_text: str, user_id: int) -> tuple[Brand, bool]:
    """Make `user_id` staff of the brand (named or numbered). True when they were not staff yet."""
    actor.require_operator(refusal=BrandError.OPERATOR_ONLY)
    if user_id <= 0:
        raise DomainError(BrandError.BAD_USER, user=str(user_id))
    brand = await brand_by_name_or_id(uow, brand_text)
    added = await uow.brand_staff.add(brand.id, user_id, now)
    return brand, added


async def is_brand_staff(uow: UnitOfWork, user_id: int) -> bool:
    """Staff of at least one brand (what /help shows them; each action still checks its own brand)."""
    return bool(await uow.brand_staff.brands_of(user_id))


async def brands_of(uow: UnitOfWork, actor: Actor) -> tuple[Brand, ...]:
    """The brands the actor may act for (every brand for the operator)."""
    if actor.operator:
        return tuple(await uow.brand_staff.all_brands())
    found = []
    for brand_id in await uow.brand_staff.brands_of(actor.user_id):
        brand = await uow.brands.get(brand_id)
        if brand is not None:
            found.append(brand)
    return tuple(found)
