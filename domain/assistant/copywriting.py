"""Copy for brands: a draft drop announcement or product description in English and Chinese, for the product's
brand staff (or the operator) to edit and approve. A draft is only ever shown to the person who asked for it;
nothing here posts anything anywhere.

The facts given to the model (title, description, price, tags) are the database's. Without a model, or when it
fails, the draft is made from those facts alone, so staff always get something to edit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.actors import Actor
from domain.assistant.conversation import AssistantLimits
from domain.assistant.model import ChatMessage, ChatModel, ModelUnavailable
from domain.assistant.tools import product_facts
from domain.brands.errors import BrandError
from domain.brands.roles import require_brand_staff
from domain.errors import DomainError
from domain.ports import UnitOfWorkFactory
from domain.shop.errors import ShopError
from domain.shop.products import Product

log = logging.getLogger(__name__)

MAX_DRAFT = 1000  # characters per language


class CopyKind(StrEnum):
    DESCRIPTION = "description"
    ANNOUNCEMENT = "announcement"


@dataclass(frozen=True, slots=True)
class Draft:
    kind: CopyKind
    sku: str
    en: str
    zh: str
    by_model: bool = False


PROMPT = """You write shop copy for a brand selling in Telegram community groups.
Write a {kind} for the product below, once in English and once in Simplified Chinese.
Use only the facts given: never invent materials, sizes, prices, discounts, dates or promises.
{style}
Answer with a JSON object only: {{"en": "...", "zh": "..."}}.
Product: {facts}"""
STYLES = {
    CopyKind.DESCRIPTION: "A product description: two or three plain sentences, at most 255 characters each.",
    CopyKind.ANNOUNCEMENT: "A short, warm drop announcement for a group chat: at most 400 characters each, no tags.",
}


async def product_for_staff(uow_factory: UnitOfWorkFactory, actor: Actor, sku: str) -> Product:
    """The product, if the actor is staff of its brand (or the operator): nobody drafts another brand's copy."""
    async with uow_factory() as uow:
        product = await uow.products.get_by_sku(sku)
        if product is None:
            raise DomainError(ShopError.PRODUCT_NOT_FOUND)
        if product.brand_id is None:
            actor.require_operator(refusal=BrandError.OPERATOR_ONLY)
        else:
            await require_brand_staff(uow, actor, product.brand_id)
    return product


def plain_draft(kind: CopyKind, product: Product) -> Draft:
    """A draft from the product's own facts, for staff to edit (no model needed)."""
    price = product.price.display()
    if kind is CopyKind.DESCRIPTION:
        en = product.description or product.title
        zh = f"{product.title}：{product.description}" if product.description else product.title
    else:
        en = f"New in the shop: {product.title}. {product.description} {price}.".replace("  ", " ")
        zh = f"新品上架：{product.title}。{product.description} {price}。".replace("  ", " ")
    return Draft(kind, product.sku, en.strip()[:MAX_DRAFT], zh.strip()[:MAX_DRAFT])


async def draft(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    actor: Actor,
    sku: str,
    kind: CopyKind,
    model: ChatModel | None,
    limits: AssistantLimits,
) -> Draft:
    product = await product_for_staff(uow_factory, actor, sku)
    fallback = plain_draft(kind, product)
    if model is None:
        return fallback
    async with uow_factory() as uow:
        allowed = await uow.assistant_usage.take_request(
            now.date(), actor.user_id, limits.member_daily_requests, limits.daily_token_budget
        )
        await uow.commit()
    if not allowed:
        return fallback
    facts = json.dumps(product_facts(product), ensure_ascii=False)
    prompt = PROMPT.format(kind=kind.value, style=STYLES[kind], facts=facts)
    try:
        completion = await model.complete([ChatMessage("user", prompt)], json_output=True)
    except ModelUnavailable as error:
        log.info("copy for %s: the model is unavailable (%s); a plain draft instead", sku, error)
        return fallback
    async with uow_factory() as uow:
        await uow.assistant_usage.add_tokens(now.date(), actor.user_id, completion.tokens)
        await uow.commit()
    try:
        data = json.loads(completion.message.content or "")
        en, zh = str(data["en"]).strip(), str(data["zh"]).strip()
    except (ValueError, KeyError, TypeError):
        return fallback
    if not en or not zh:
        return fallback
    return Draft(kind, product.sku, en[:MAX_DRAFT], zh[:MAX_DRAFT], by_model=True)
