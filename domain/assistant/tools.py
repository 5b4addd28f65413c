"""The model's tools: read-only domain use cases, bound to the member who asked.

The member is fixed when the tools are made, from the update Telegram vouches for; a tool never reads a member,
user or chat id from the model's arguments (a prompt-injected "show me user 535353's orders" still reads the
asker's own). No tool buys, refunds, joins, enters or changes anything: their transactions are never committed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.assistant.fallback import find_in_plain_words, price_ceiling, within
from domain.assistant.model import ToolCall, ToolSpec
from domain.drops.model import DropStatus
from domain.memberships import joining
from domain.points import accounts
from domain.ports import UnitOfWorkFactory
from domain.shop import catalog, order_history
from domain.shop.products import Product

log = logging.getLogger(__name__)

NO_ARGUMENTS: Mapping[str, Any] = {"type": "object", "properties": {}}
SEARCH_CATALOG = "search_catalog"
GET_PRODUCT = "get_product"
OPEN_DROPS = "list_open_drops"
GROUP_BUYS = "list_group_buys"
MY_ORDERS = "my_orders"
MY_MEMBERSHIP = "my_membership"
MY_POINTS = "my_points"

TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        SEARCH_CATALOG,
        "Search the shop's catalog by words (title, description, tags). Returns products with their SKU.",
        {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "words to look for, in the catalog's language"},
                "max_price": {"type": "number", "description": "highest price in the currency's major unit"},
            },
            "required": ["query"],
        },
    ),
    ToolSpec(
        GET_PRODUCT,
        "One product by its SKU.",
        {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]},
    ),
    ToolSpec(OPEN_DROPS, "Limited drops open for buying now.", NO_ARGUMENTS),
    ToolSpec(GROUP_BUYS, "Products that can be bought together in a group buy, at a group price.", NO_ARGUMENTS),
    ToolSpec(MY_ORDERS, "The asking member's own recent orders and their status.", NO_ARGUMENTS),
    ToolSpec(MY_MEMBERSHIP, "The asking member's own memberships: plan, status, paid until.", NO_ARGUMENTS),
    ToolSpec(MY_POINTS, "The asking member's own points: balance and the next expiry.", NO_ARGUMENTS),
)
MAX_RESULTS = 8


def product_facts(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "title": product.title,
        "description": product.description[:160],
        "price": product.price.display(),
        "in_stock": product.stock > 0,
        "tags": list(product.tags),
    }


class MemberTools:
    """The tools of one request by `member_id`."""

    def __init__(self, uow_factory: UnitOfWorkFactory, now: datetime, member_id: int) -> None:
        self._uow_factory = uow_factory
        self._now = now
        self._member_id = member_id
        self.calls: list[str] = []

    async def run(self, call: ToolCall) -> str:
        """The tool's result as JSON text for the model; a bad call gets an error result, never an exception."""
        self.calls.append(call.name)
        try:
            arguments = json.loads(call.arguments or "{}")
        except ValueError:
            arguments = None
        if not isinstance(arguments, dict):
            return json.dumps({"error": "arguments must be a JSON object"})
        handler = {
            SEARCH_CATALOG: self._search,
            GET_PRODUCT: self._product,
            OPEN_DROPS: self._drops,
            GROUP_BUYS: self._group_buys,
            MY_ORDERS: self._orders,
            MY_MEMBERSHIP: self._membership,
            MY_POINTS: self._points,
        }.get(call.name)
        if handler is None:
            return json.dumps({"error": f"no tool {call.name[:40]}"})
        try:
            result = await handler(arguments)
        except Exception:
            log.warning("assistant tool %s failed for member %s", call.name, self._member_id, exc_info=True)
            return json.dumps({"error": "the tool failed"})
        return json.dumps(result, ensure_ascii=False)

    async def _search(self, arguments: dict[str, Any]) -> Any:
        query = str(arguments.get("query") or "")[: catalog.MAX_QUERY_LENGTH]
        ceiling = price_ceiling(f"under {arguments['max_price']}") if "max_price" in arguments else None
        async with self._uow_factory() as uow:
            found = await find_in_plain_words(uow, query, limit=MAX_RESULTS)
        return {"products": [product_facts(p) for p in found if within(p, ceiling)]}

    async def _product(self, arguments: dict[str, Any]) -> Any:
        sku = str(arguments.get("sku") or "")[:40]
        async with self._uow_factory() as uow:
            found = await uow.products.get_by_sku(sku)
        if found is None or not found.active:
            return {"error": f"no product with SKU {sku}"}
        return product_facts(found)

    async def _drops(self, arguments: dict[str, Any]) -> Any:
        async with self._uow_factory() as uow:
            drops = await uow.drops.with_status([DropStatus.OPEN])
            listed = []
            for drop in drops[:MAX_RESULTS]:
                product = await uow.products.get(drop.product_id)
                if product is None:
                    continue
                left = max(drop.quantity - drop.claimed, 0)
                listed.append({"sku": product.sku, "title": drop.title, "price": drop.price.display(), "left": left,
                               "ends_at": drop.ends_at.isoformat()})  # fmt: skip
        return {"drops": listed}

    async def _group_buys(self, arguments: dict[str, Any]) -> Any:
        async with self._uow_factory() as uow:
            offers = await uow.group_buys.active_offers(MAX_RESULTS)
            listed = []
            for offer in offers:
                product = await uow.products.get(offer.product_id)
                if product is not None and product.active:
                    listed.append({"sku": product.sku, "title": product.title,
                                   "group_price": offer.price.display(), "group_size": offer.size})  # fmt: skip
        return {"group_buys": listed}

    # -- the member's own data: the member is this request's, whatever the arguments say ------------------
    async def _orders(self, arguments: dict[str, Any]) -> Any:
        async with self._uow_factory() as uow:
            history = await order_history.orders_of(uow, self._member_id)
        return {
            "orders": [
                {
                    "number": order.id,
                    "items": [f"{line.quantity} x {line.title}" for line in order.lines],
                    "total": order.total.display(),
                    "status": order.status.value,
                    "ordered_at": order.created_at.date().isoformat(),
                }
                for order in history
            ]
        }

    async def _membership(self, arguments: dict[str, Any]) -> Any:
        async with self._uow_factory() as uow:
            statuses = await joining.overview(uow, self._now, self._member_id, None)
        mine = [s for s in statuses if s.membership is not None]
        return {
            "memberships": [
                {
                    "plan": s.plan.name,
                    "status": s.membership.status.value,
                    "paid_until": s.membership.period_end.date().isoformat(),
                    "renews_by_itself": s.membership.stars,
                }
                for s in mine
                if s.membership is not None
            ]
        }

    async def _points(self, arguments: dict[str, Any]) -> Any:
        async with self._uow_factory() as uow:  # never committed: lapsed lots are closed by /points, not here
            summary = await accounts.current_summary(uow, self._now, self._member_id)
        expiry = summary.next_expiry
        return {
            "balance": summary.balance,
            "next_expiry": None
            if expiry is None
            else {"points": expiry.remaining, "on": expiry.expires_at.date().isoformat()},
        }
