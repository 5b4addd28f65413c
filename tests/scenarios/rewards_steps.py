"""Story steps for group buys, invitations and points (helpers for the rewards scenarios)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from domain.groupbuys.model import GroupOffer
from domain.money import Money
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import Shop, running_shop

OPERATOR_ID = 999


@asynccontextmanager
async def rewards_shop(framework: str, tmp_path: Path, **settings: Any) -> AsyncIterator[Shop]:
    """The example shop with an operator (who may refund orders)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, url, str(STARS_CATALOG), owner_ids=(OPERATOR_ID,), **settings) as shop:
        yield shop


def operator(shop: Shop) -> Any:
    return shop.fake.user(OPERATOR_ID, "Operator")


async def offer_group_price(shop: Shop, sku: str, price: int, size: int, hours: int | None = None) -> Any:
    async with shop.uow() as uow:
        product = await uow.products.get_by_sku(sku)
        await uow.group_buys.save_offer(GroupOffer(product.id, Money(price, product.price.currency), size, hours))
        await uow.commit()
    return product


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 20) -> None:
    """Wait for something the outbox delivers in the background."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the bot"
        await asyncio.sleep(0.1)


def said(shop: Shop, chat: Any, words: str) -> list[Any]:
    return [m for m in shop.fake.sent(chat) if words in m.content]


def card(shop: Shop, group: Any) -> Any:
    (found,) = said(shop, group, "Group buy ·")
    return shop.fake.message(group, found.message_id)


def link_code(message: Any) -> str:
    url = next(b["url"] for b in message.buttons if b.get("url"))
    match = re.search(r"start=g_([a-z0-9]+)$", url)
    assert match, url
    return match.group(1)


async def start_group_buy(shop: Shop, member: Any, group: Any, title: str, **pay: Any) -> Any:
    """/groupbuy in the group, press the product, pay the invoice there (`pay`: e.g. a shipping_address)."""
    (menu,) = await shop.say(member, group, "/groupbuy")
    await shop.press(member, menu, text=next(t for t in menu.button_texts if t.startswith(title)))
    invoice = shop.fake.last(group)
    assert invoice.invoice is not None, invoice
    return await shop.pay(member, invoice, **pay)


async def join_group_buy(shop: Shop, member: Any, code: str, **pay: Any) -> Any:
    """Open the shared link in private, press Join, pay the invoice (`pay`: e.g. a shipping_address)."""
    (summary,) = await shop.say(member, None, f"/start g_{code}")
    join = next(t for t in summary.button_texts if t.startswith("Join"))
    answer = await shop.press(member, summary, text=join)
    invoice = shop.fake.last(member)
    assert invoice.invoice is not None, (answer, invoice)
    return await shop.pay(member, invoice, **pay)


async def balance(shop: Shop, member: Any) -> int:
    async with shop.uow() as uow:
        return int(await uow.points.balance(member.id))
