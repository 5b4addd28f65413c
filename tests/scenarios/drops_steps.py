"""Story steps for drop scenarios: brands, groups opting in, scheduling, and letting time pass."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.actors import Actor
from domain.drops import scheduling
from domain.drops.model import Drop, DropMode, DropPlan
from domain.money import Money
from domain.notices import NoticeStatus
from tests.scenarios.harness import Shop

OPERATOR = Actor.command_line()


async def brand_named(shop: Shop, name: str) -> Any:
    async with shop.uow() as uow:
        return await uow.brands.get_by_name(name)


async def make_staff(shop: Shop, brand_name: str, user: Any) -> None:
    async with shop.uow() as uow:
        brand = await uow.brands.get_by_name(brand_name)
        await uow.brand_staff.add(brand.id, user.id, shop.clock.now())
        await uow.commit()


async def moderator_sets_brand(shop: Shop, group: Any, moderator: Any, brand_name: str, allow: bool) -> Any:
    """The moderator sends /brands and taps the brand until it shows the wanted state; returns the answer."""
    (menu,) = await shop.say(moderator, group, "/brands")
    mark = "⛔" if allow else "✅"
    button = next(t for t in menu.button_texts if t == f"{mark} {brand_name}")
    return await shop.press(moderator, menu, text=button)


async def schedule(
    shop: Shop,
    sku: str = "TEA-SET-01",
    brand: str = "Celadon Studio",
    quantity: int = 10,
    price: int = 200,
    starts_in: timedelta = timedelta(hours=30),
    lasts: timedelta = timedelta(hours=2),
    limit: int = 1,
    mode: DropMode = DropMode.FIRST_COME,
    communities: tuple[int, ...] = (),
    early_access_minutes: int = 0,
) -> Drop:
    async with shop.uow() as uow:
        brand_row = await uow.brands.get_by_name(brand)
        product = await uow.products.get_by_sku(sku)
        if product.stock < quantity:
            # A drop sets its units aside on the product's shelf: the brand stocks enough for it first.
            await uow.products.recount(product.id, product.counted + quantity - product.stock)
        now = shop.clock.now()
        plan = DropPlan(
            brand_id=brand_row.id,
            product_id=product.id,
            quantity=quantity,
            price=Money(price, product.price.currency),
            starts_at=now + starts_in,
            ends_at=now + starts_in + lasts,
            per_member_limit=limit,
            mode=mode,
            communities=communities,
            early_access_minutes=early_access_minutes,
        )
        drop = await scheduling.schedule_drop(uow, now, OPERATOR, plan)
        await uow.commit()
    return drop


async def drop_state(shop: Shop, drop_id: int) -> Drop:
    async with shop.uow() as uow:
        drop = await uow.drops.get(drop_id)
    assert drop is not None
    return drop


async def reconcile(shop: Shop) -> None:
    await shop.app.jobs.run_now("drops_reconcile")  # type: ignore[union-attr]


async def refresh_counts(shop: Shop) -> None:
    await shop.app.jobs.run_now("drops_counts")  # type: ignore[union-attr]


async def travel_to(shop: Shop, moment: datetime) -> None:
    """Jump the clock and let the jobs see it (the reconciler catches up whatever came due)."""
    shop.clock.set(moment)
    await reconcile(shop)


async def outbox_drained(shop: Shop, timeout: float = 30.0) -> None:
    """Wait until no notice due by now is still pending."""
    deadline = asyncio.get_running_loop().time() + timeout
    shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
    while True:
        async with shop.uow() as uow:
            pending = await uow.outbox.count_pending()
        if pending == 0:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{pending} notices still pending"
        await asyncio.sleep(0.1)


async def outbox_entry(shop: Shop, key: str) -> Any:
    async with shop.uow() as uow:
        return await uow.outbox.get_by_key(key)


def texts(shop: Shop, chat: Any) -> list[str]:
    return [m.content for m in shop.fake.sent(chat)]


__all__ = ["NoticeStatus"]


async def press_buy(shop: Shop, member: Any, announcement: Any, drop_id: int, chat: Any) -> Any:
    """The member presses Buy on the announcement; returns the invoice the bot sent them."""
    answer = await shop.press(member, announcement, data=shop.app.core.table.codec.encode("dbuy", drop_id))  # type: ignore[union-attr]
    async with shop.uow() as uow:
        claim = await uow.drop_claims.open_for(drop_id, member.id)
    if claim is None:
        return answer
    payload = f"drop:{claim.order_id}"
    for message in reversed(shop.fake.sent(chat)):
        if message.invoice is not None and message.invoice.payload == payload:
            return message
    raise AssertionError(f"no invoice {payload} in {chat!r}")


@dataclass(frozen=True)
class OpenDrop:
    brand_person: Any  # staff of the brand, who gets the report (they started the bot)
    moderator: Any
    group: Any
    drop: Drop
    announcement: Any


async def open_rush_drop(shop: Shop, units: int, price: int = 200) -> OpenDrop:
    """A brand's first-come drop of `units`, limit one per member, open now in one group that allowed it."""
    moderator, brand_person = shop.member("Lin"), shop.member("Bo")
    await shop.say(brand_person, None, "/start")
    await make_staff(shop, "Celadon Studio", brand_person)
    group = await shop.group_with_bot("Tea Lovers", admin=moderator)
    await moderator_sets_brand(shop, group, moderator, "Celadon Studio", allow=True)
    drop = await schedule(shop, quantity=units, price=price, starts_in=timedelta(minutes=30), limit=1)
    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop)
    return OpenDrop(brand_person, moderator, group, drop, shop.fake.last(group))


async def press_buy_in_waves(
    shop: Shop, members: list[Any], announcement: Any, drop_id: int, chat: Any, wave: int = 50
) -> list[Any]:
    """Every member presses Buy, `wave` at a time (the rush under test is the paying); their invoices in order."""
    invoices: list[Any] = []
    for start in range(0, len(members), wave):
        batch = members[start : start + wave]
        invoices += await asyncio.gather(*(press_buy(shop, m, announcement, drop_id, chat) for m in batch))
    return invoices


async def allow_brand_directly(shop: Shop, chat_id: int, brand_name: str, by: int = 1) -> None:
    """A shortcut for scenarios about what happens after groups opted in (the /brands story has its own test)."""
    async with shop.uow() as uow:
        brand = await uow.brands.get_by_name(brand_name)
        await uow.brand_optins.set(chat_id, brand.id, True, by, shop.clock.now())
        await uow.commit()
