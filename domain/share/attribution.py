"""Which community an order is attributed to, decided from what the update carries.

- bought in a group (a card opened there, a group buy started there): that group;
- bought in private through a deep link naming a community: that community, only when it is an active
  group and the product's brand is allowed there (a forged link attributes nothing);
- otherwise none.
"""

from __future__ import annotations

from domain.ports import UnitOfWork
from domain.shop.products import Product


async def attribute(uow: UnitOfWork, chat_id: int, in_group: bool, claimed: int | None, product: Product) -> int | None:
    if in_group:
        return chat_id
    if claimed is None or claimed >= 0:  # group chat ids are negative
        return None
    community = await uow.communities.get(claimed)
    if community is None or not community.active:
        return None
    if product.brand_id is not None and not (await uow.brand_optins.for_chat(claimed)).get(product.brand_id, False):
        return None
    return claimed
