"""Brands scheduling, editing and cancelling drops. Every call checks the actor acts for the brand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.actors import Actor
from domain.brands.roles import require_brand_staff
from domain.drops import notices, raffle, shelf
from domain.drops.beacon import QUICKNET, BeaconChain, draw_round
from domain.drops.errors import DropError
from domain.drops.model import Drop, DropMode, DropPlan, DropStatus
from domain.drops.rules import validate_plan
from domain.errors import DomainError
from domain.moderation.model import Feature
from domain.notices import NoticeStatus, OutboxEntry
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.shop.products import Product

EDITABLE = (DropStatus.DRAFT, DropStatus.SCHEDULED)


async def _checked(uow: UnitOfWork, now: datetime, actor: Actor, plan: DropPlan) -> Product:
    await require_brand_staff(uow, actor, plan.brand_id)
    product = await uow.products.get(plan.product_id)
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    if product.brand_id != plan.brand_id:
        raise DomainError(DropError.NOT_BRAND_PRODUCT, title=product.title)
    if plan.price.currency != product.price.currency:
        raise DomainError(DropError.BAD_CURRENCY, currency=product.price.currency)
    if product.kind == "physical" and plan.price.is_stars:
        # Telegram's rules: physical goods are paid through a provider, with the address in the payment form.
        raise DomainError(DropError.PHYSICAL_IN_STARS, title=product.title)
    validate_plan(plan, now)
    if plan.communities:
        allowed = set(await uow.brand_optins.allowed_chats(plan.brand_id))
        refused = [chat for chat in plan.communities if chat not in allowed]
        if refused:
            raise DomainError(DropError.COMMUNITY_NOT_OPTED_IN, chat=str(refused[0]))
    return product


async def schedule_drop(
    uow: UnitOfWork,
    now: datetime,
    actor: Actor,
    plan: DropPlan,
    draft: bool = False,
    beacon: BeaconChain = QUICKNET,
) -> Drop:
    """A new drop, scheduled (or a draft awaiting confirmation). A raffle commits now to its secret and to the
    beacon round it will draw with, the first after entries close."""
    product = await _checked(uow, now, actor, plan)
    status = DropStatus.DRAFT if draft else DropStatus.SCHEDULED
    if plan.mode is not DropMode.RAFFLE:
        drop = await uow.drops.add(plan, product.title, status, actor.user_id, now, None, None)
        return await _set_aside_if_scheduled(uow, drop)
    secret = raffle.new_seed()
    drop = await uow.drops.add(
        plan,
        product.title,
        status,
        actor.user_id,
        now,
        secret,
        raffle.commitment(secret),
        pseudonym_key=raffle.new_pseudonym_key(),
        beacon=draw_round(beacon, plan.ends_at),
    )
    return await _set_aside_if_scheduled(uow, drop)


async def _set_aside_if_scheduled(uow: UnitOfWork, drop: Drop) -> Drop:
    """A scheduled drop takes its units off the product's shelf now (a draft when it is confirmed)."""
    if drop.status is not DropStatus.SCHEDULED:
        return drop
    await shelf.set_aside(uow, drop)
    return await get_drop(uow, drop.id)


async def get_drop(uow: UnitOfWork, drop_id: int) -> Drop:
    drop = await uow.drops.get(drop_id)
    if drop is None:
        raise DomainError(DropError.UNKNOWN)
    return drop


async def confirm_drop(uow: UnitOfWork, now: datetime, actor: Actor, drop_id: int) -> Drop:
    drop = await get_drop(uow, drop_id)
    await require_brand_staff(uow, actor, drop.brand_id)
    if drop.starts_at - drop.early_access <= now:
        raise DomainError(DropError.STARTS_IN_PAST)
    if not await uow.drops.transition(drop_id, (DropStatus.DRAFT,), DropStatus.SCHEDULED, now):
        raise DomainError(DropError.NOT_EDITABLE, title=drop.title)
    return await _set_aside_if_scheduled(uow, await get_drop(uow, drop_id))


async def editable_drop(uow: UnitOfWork, now: datetime, actor: Actor, drop_id: int) -> Drop:
    """The drop, if this actor may still change it: before it opens, even to members with early access."""
    drop = await get_drop(uow, drop_id)
    await require_brand_staff(uow, actor, drop.brand_id)
    if drop.status not in EDITABLE or now >= drop.starts_at - drop.early_access:
        raise DomainError(DropError.NOT_EDITABLE, title=drop.title)
    return drop


async def edit_drop(
    uow: UnitOfWork, now: datetime, actor: Actor, drop_id: int, plan: DropPlan, beacon: BeaconChain = QUICKNET
) -> Drop:
    """Change a drop before it opens. Its brand and mode stay: a raffle's published seed hash binds it. A
    raffle's beacon round follows its new end (entries have not opened, so nothing was published yet)."""
    drop = await editable_drop(uow, now, actor, drop_id)
    if plan.brand_id != drop.brand_id or plan.mode is not drop.mode:
        raise DomainError(DropError.NOT_EDITABLE, title=drop.title)
    product = await _checked(uow, now, actor, plan)
    new_round = draw_round(beacon, plan.ends_at) if drop.verifiable else None
    await shelf.give_back(uow, drop_id)  # to the product it had; the new plan sets its units aside below
    if not await uow.drops.replan(drop_id, plan, product.title, EDITABLE, new_round):
        raise DomainError(DropError.NOT_EDITABLE, title=drop.title)
    # Read after the update: on PostgreSQL a teaser that committed while this waited for the row shows here.
    edited = await _set_aside_if_scheduled(uow, await get_drop(uow, drop_id))
    if plan != drop.plan:
        await _bring_teasers_up_to_date(uow, now, edited)
    return edited


async def _bring_teasers_up_to_date(uow: UnitOfWork, now: datetime, drop: Drop) -> None:
    """Teasers already out name the old terms: edit the posted ones in place (a group the drop no longer
    targets learns it is off there) and queue the ones not yet sent again with the new terms."""
    targeted = set(await audience(uow, drop))
    for earlier in await uow.outbox.with_key_prefix(notices.teaser_update_prefix(drop.id)):
        if earlier.status is NoticeStatus.PENDING:
            await uow.outbox.supersede(earlier.id)  # an update for an older revision: this one replaces it
    for entry in await uow.outbox.with_key_prefix(notices.teaser_prefix(drop.id)):
        chat_id = entry.notice.chat_id
        posted: OutboxEntry | None = entry
        if entry.status is NoticeStatus.PENDING:
            if await uow.outbox.supersede(entry.id):
                lead = entry.notice.params.get("lead")
                if chat_id in targeted and isinstance(lead, int):
                    await uow.outbox.enqueue(notices.teaser(drop, chat_id, lead), now)
                continue
            posted = await uow.outbox.get_by_key(entry.notice.key)  # it went out meanwhile
        if posted is not None and posted.status is NoticeStatus.SENT and posted.message_id is not None:
            await uow.outbox.enqueue(notices.teaser_update(drop, posted, chat_id in targeted), now)


async def cancel_drop(uow: UnitOfWork, now: datetime, actor: Actor, drop_id: int) -> Drop:
    """Cancel before it opens. Groups that saw a teaser and members waiting for a reminder are told."""
    drop = await editable_drop(uow, now, actor, drop_id)
    if not await uow.drops.transition(drop_id, EDITABLE, DropStatus.CANCELLED, now):
        raise DomainError(DropError.NOT_EDITABLE, title=drop.title)
    await shelf.give_back(uow, drop_id)
    if drop.last_teaser_minutes is not None:
        for chat_id in await audience(uow, drop):
            await uow.outbox.enqueue(notices.cancelled(drop, chat_id), now)
        for user_id in await uow.drop_fans.reminders(drop.id):
            await uow.outbox.enqueue(notices.cancelled(drop, user_id), now)
    return await get_drop(uow, drop_id)


async def drops_of(uow: UnitOfWork, actor: Actor, brand_ids: Sequence[int], limit: int = 20) -> tuple[Drop, ...]:
    for brand_id in brand_ids:
        await require_brand_staff(uow, actor, brand_id)
    return tuple(await uow.drops.for_brands(brand_ids, limit))


async def audience(uow: UnitOfWork, drop: Drop) -> tuple[int, ...]:
    """The groups that get the drop now: targeted (or all) groups that still allow the brand and still have us,
    and whose admins have not turned drops off (/settings)."""
    allowed = await uow.brand_optins.allowed_chats(drop.brand_id)
    wanted = set(drop.communities) if drop.communities else None
    chats = []
    for chat_id in allowed:
        if wanted is not None and chat_id not in wanted:
            continue
        community = await uow.communities.get(chat_id)
        settings = await uow.community_settings.get(chat_id)
        if settings is not None and not settings.allows(Feature.DROPS):
            continue
        if community is not None and community.active:
            chats.append(chat_id)
    return tuple(chats)
