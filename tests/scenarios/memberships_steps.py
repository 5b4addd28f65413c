"""Story steps for membership scenarios: owners set up a plan and its group; members subscribe and renew."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from circlecart.app import CircleCart
from circlecart.catalog_io import import_file
from circlecart.sandbox.bot_api.server import FakeTelegram
from circlecart.sandbox.tracker import UpdateTracker
from circlecart.settings import Settings
from domain.memberships.lifecycle import Membership
from domain.memberships.plans import STARS_SUBSCRIPTION_SECONDS, Plan
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME, Shop
from tests.support.clock import FakeClock

JOBS = ("membership_transitions", "membership_removals", "membership_reminders")
PERIOD = timedelta(seconds=STARS_SUBSCRIPTION_SECONDS)


def follow_the_shop_clock(shop: Shop) -> None:
    """Telegram's dates (subscription expirations) come from the same moved clock as the bot's."""
    shop.fake.wall_clock = lambda: shop.clock.now().timestamp()


@dataclass
class Club:
    """A community with a plan and its members-only group."""

    shop: Shop
    owner: Any
    community: Any
    group: Any
    plan_id: int
    invite_link: str

    async def plan(self) -> Plan:
        async with self.shop.uow() as uow:
            plan = await uow.plans.get(self.plan_id)
        assert plan is not None
        return plan

    async def membership_of(self, user: Any) -> Membership | None:
        async with self.shop.uow() as uow:
            found: Membership | None = await uow.memberships.get_for(user.id, self.plan_id)
            return found

    async def subscribe(self, user: Any) -> Any:
        return await subscribe(self.shop, user)

    async def renew(self, user: Any, charge_id: str | None = None) -> Any:
        """Telegram renews the subscription by itself: a recurring successful_payment in the private chat."""
        plan = await self.plan()
        membership = await self.membership_of(user)
        assert membership is not None
        delivered = await self.shop.fake.successful_payment(
            user,
            None,
            f"mb:{membership.version_id}",
            "XTR",
            plan.current.terms.price.amount,
            charge_id=charge_id,
            subscription_period=STARS_SUBSCRIPTION_SECONDS,
        )
        await self.shop.settle(delivered)
        return delivered

    async def ask_to_join(self, user: Any) -> None:
        await self.shop.settle(await self.shop.fake.join_request(user, self.group, invite_link=self.invite_link))


async def subscribe(shop: Shop, user: Any, join: str = "Join") -> Any:
    """/membership in private, press the first button starting with `join`, pay the Stars subscription link."""
    (view,) = await shop.say(user, None, "/membership")
    button = next(t for t in view.button_texts if t.startswith(join))
    await shop.press(user, view, text=button)
    offer = shop.fake.last(user)
    link = next(b["url"] for row in offer.data["reply_markup"]["inline_keyboard"] for b in row if "url" in b)
    paid = await shop.pay(user, link)
    assert paid.accepted, paid.error_message
    return paid


async def open_club(shop: Shop, price: int = 100, options: str = "", brand: str | None = None) -> Club:
    """An admin makes a Stars plan in their community and a members-only group for it, through the bot.

    With `brand`, the owner is that brand's staff and makes the plan in private as the brand's (`brand=NAME`):
    only the operator or a brand may give perks on products."""
    follow_the_shop_clock(shop)
    owner = shop.member("Owner")
    community = await shop.group_with_bot("Tea Lovers", admin=owner)
    plan_id = await add_plan(shop, owner, community, f"{price} XTR Tea Club {options}", brand)
    group = await shop.group_with_bot("Tea Club Lounge", admin=owner)
    (attached,) = await shop.say(owner, group, f"/plan group {plan_id}")
    assert "members-only group" in attached.text, attached.text
    async with shop.uow() as uow:
        plan = await uow.plans.get(plan_id)
    assert plan is not None and plan.invite_link
    return Club(shop, owner, community, group, plan_id, plan.invite_link)


async def add_plan(shop: Shop, owner: Any, community: Any, words: str, brand: str | None = None) -> int:
    """`/plan add WORDS` in the community, or with `brand` in private by that brand's staff; the plan's id."""
    if brand is None:
        (created,) = await shop.say(owner, community, f"/plan add {words}".strip())
    else:
        await make_staff(shop, brand, owner)
        (created,) = await shop.say(owner, None, f"/plan add {words} brand={brand.replace(' ', '_')}".strip())
    assert "created" in created.text, created.text
    return int(created.text.split("#", 1)[1].split()[0])


async def make_staff(shop: Shop, brand_name: str, user: Any) -> None:
    """The operator made `user` staff of the brand (as `/brand staff` does)."""
    async with shop.uow() as uow:
        brand = await uow.brands.get_by_name(brand_name)
        assert brand is not None
        await uow.brand_staff.add(brand.id, user.id, shop.clock.now())
        await uow.commit()


async def run_jobs(shop: Shop) -> None:
    assert shop.app.jobs is not None
    for name in JOBS:
        await shop.app.jobs.run_now(name)
    await outbox_drained(shop)


async def outbox_drained(shop: Shop, timeout: float = 20) -> None:
    """Wait until every notice due now was sent (or given up)."""
    deadline = asyncio.get_running_loop().time() + timeout
    assert shop.app.core is not None
    shop.app.core.services.outbox.wake()
    while True:
        async with shop.uow() as uow:
            pending = await uow.outbox.count_pending()
        if pending == 0:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{pending} notices still pending"
        await asyncio.sleep(0.05)


def texts(shop: Shop, user: Any) -> list[str]:
    return [m.text or m.caption or "" for m in shop.fake.sent(user)]


def count(shop: Shop, user: Any, fragment: str) -> int:
    return sum(fragment in text for text in texts(shop, user))


def bans(shop: Shop, user: Any, group: Any) -> int:
    return sum(
        1
        for call in shop.fake.calls_to("banChatMember")
        if int(call.params["user_id"]) == user.id and int(call.params["chat_id"]) == group.id
    )


class Restartable:
    """A shop whose process can go down and come back on the same database, in the same Telegram world."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.running = True

    async def down(self) -> None:
        await self.shop.app.stop()
        self.running = False

    async def up(self) -> None:
        """Start a new process: migrations, the start-up catch-up of every job, then polling."""
        app = CircleCart(self.shop.app.settings, clock=self.shop.clock, update_listeners=[self.shop.tracker.done])
        await app.start()
        self.shop.app = app
        self.running = True


@asynccontextmanager
async def restartable_shop(framework: str, tmp_path: Path) -> AsyncIterator[Restartable]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    clock = FakeClock()
    fake = FakeTelegram(wall_clock=clock.timestamp)  # Telegram's dates agree with the bot's clock
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    settings = Settings(
        bot_token=BOT_TOKEN,  # type: ignore[arg-type]
        telegram_api_url=fake.base_url,
        database_url=url,
        framework=framework,  # type: ignore[arg-type]
    )
    await import_file(url, STARS_CATALOG)
    tracker = UpdateTracker()
    app = CircleCart(settings, clock=clock, update_listeners=[tracker.done])
    await app.start()
    process = Restartable(Shop(fake, app, clock, tracker, framework))
    try:
        yield process
    finally:
        if process.running:
            await process.shop.app.stop()
        await fake.stop()


__all__ = [
    "PERIOD",
    "Club",
    "Restartable",
    "add_plan",
    "bans",
    "count",
    "make_staff",
    "open_club",
    "outbox_drained",
    "restartable_shop",
    "run_jobs",
    "subscribe",
    "texts",
]
