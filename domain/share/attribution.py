"""Which community an order is attributed to, decided from what the update carries.

- bought in a group (a card opened there, a group buy started there): that group;
- bought in private through a deep link naming a community: that community, only when it is an active
  group and the product's brand is allowed there (a forged link attributes nothing);
- otherwise none.

The same rule decides which links the bot hands out (`group_link`): a group is given a product's link only
when a sale through it would be attributed to the group.
"""

from __future__ import annotations

from domain.communities import CommunityError
from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.share.errors import ShareError
from domain.shop.catalog import product_by_sku
from domain.shop.products import Product


async def attribute(uow: UnitOfWork, chat_id: int, in_group: bool, claimed: int | None, product: Product) -> int | None:
    if in_group:
        return chat_id
    if claimed is None or claimed >= 0:  # group chat ids are negative
        return None
    return claimed if await _refusal(uow, claimed, product) is None else None


async def group_link(uow: UnitOfWork, chat_id: int, sku: str) -> Product:
    """The product whose link the group `chat_id` asks for, if a sale through that link would count for the
    group; otherwise the reason it would not, as a DomainError."""
    product = await product_by_sku(uow, sku)
    refusal = await _refusal(uow, chat_id, product)
    if refusal is ShareError.BRAND_NOT_ALLOWED:
        brand = await uow.brands.get(product.brand_id) if product.brand_id is not None else None
        raise DomainError(refusal, brand=brand.name if brand is not None else str(product.brand_id))
    if refusal is not None:
        raise DomainError(refusal)
    return product


async def _refusal(uow: UnitOfWork, community_id: int, product: Product) -> ShareError | CommunityError | None:
    community = await uow.communities.get(community_id)
    if community is None or not community.active:
        return CommunityError.UNKNOWN
    if product.brand_id is None:  # the shop's own product: every group may share it
        return None
    if not (await uow.brand_optins.for_chat(community_id)).get(product.brand_id, False):
        return ShareError.BRAND_NOT_ALLOWED
    return None
