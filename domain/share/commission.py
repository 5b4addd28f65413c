"""A brand offers a community a commission rate; the community's moderator accepts it.

One level only: the commission is a share of a sale of the brand's product made through the group, never a
share of another commission. Brand staff are checked in the unit of work (`require_brand_staff`); the
moderator is a current admin of the group, as Telegram says right before the action (the `Actor`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from domain.actors import Actor
from domain.brands.roles import brand_by_name_or_id, require_brand_staff
from domain.communities import CommunityError
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.share.errors import ShareError
from domain.share.model import BASIS, MAX_COMMISSION_BP, Offer
from domain.shop.products import Brand


def parse_rate(text: str) -> int:
    """A percentage such as `7.5` or `7.5%` as basis points (750), within 0.01 %..30 %."""
    try:
        percent = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise DomainError(ShareError.BAD_RATE, max=str(MAX_COMMISSION_BP * 100 // BASIS)) from None
    bp = percent * 100
    if not percent.is_finite() or bp != bp.to_integral_value() or not 1 <= bp <= MAX_COMMISSION_BP:
        raise DomainError(ShareError.BAD_RATE, max=str(MAX_COMMISSION_BP * 100 // BASIS))
    return int(bp)


async def offer(
    uow: UnitOfWork, now: datetime, actor: Actor, brand_text: str, community_id: int, rate_bp: int
) -> tuple[Brand, Offer]:
    if not 1 <= rate_bp <= MAX_COMMISSION_BP:
        raise DomainError(ShareError.BAD_RATE, max=str(MAX_COMMISSION_BP * 100 // BASIS))
    brand = await require_brand_staff(uow, actor, (await brand_by_name_or_id(uow, brand_text)).id)
    community = await uow.communities.get(community_id)
    if community is None or not community.active:
        raise DomainError(CommunityError.UNKNOWN)
    if not (await uow.brand_optins.for_chat(community_id)).get(brand.id, False):
        raise DomainError(ShareError.BRAND_NOT_ALLOWED, brand=brand.name)
    return brand, await uow.share.add_offer(brand.id, community_id, rate_bp, actor.user_id, now)


async def accept(
    uow: UnitOfWork, now: datetime, actor: Actor, community_id: int, brand_text: str
) -> tuple[Brand, Offer]:
    actor.require_group_admin(community_id, refusal=CommunityError.MODERATORS_ONLY)
    brand = await brand_by_name_or_id(uow, brand_text)
    latest = await uow.share.latest_offer(brand.id, community_id)
    if latest is None:
        raise DomainError(ShareError.NO_OFFER, brand=brand.name)
    if latest.accepted_at is not None:
        return brand, latest
    return brand, await uow.share.accept_offer(latest.id, actor.user_id, now)


def rate_at(offers: tuple[Offer, ...] | list[Offer], brand_id: int, community_id: int, at: datetime) -> int:
    """The accepted rate in force for a sale at `at`: the latest offer accepted by then, else none (0)."""
    best: Offer | None = None
    for o in offers:
        if o.brand_id != brand_id or o.community_id != community_id or o.accepted_at is None or o.accepted_at > at:
            continue
        if best is None or best.accepted_at is None or (o.accepted_at, o.id) > (best.accepted_at, best.id):
            best = o
    return best.rate_bp if best is not None else 0
