"""A running circlecart against the fake Telegram server, with story-level steps for scenario tests.

Every step injects an update through the fake server (real HTTP to the real framework) and waits until
the bot reports it finished, so assertions never race the bot.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circlecart.app import CircleCart
from circlecart.catalog_io import import_file
from circlecart.sandbox.bot_api.server import FakeTelegram
from circlecart.sandbox.tracker import UpdateTracker
from circlecart.settings import Settings
from tests.support.clock import FakeClock

BOT_TOKEN = "123456:TEST-circlecart"
BOT_ID = 123456
BOT_USERNAME = "circlecart_test_bot"
_user_ids = itertools.count(1000)
_group_ids = itertools.count(1)


@dataclass
class Shop:
    """The bot under test and the world it lives in."""

    fake: FakeTelegram
    app: CircleCart
    clock: FakeClock
    tracker: UpdateTracker
    framework: str
    last_inline_query: str = ""

    @property
    def uow(self) -> Any:
        assert self.app.database is not None
        return self.app.database.uow

    async def settle(self, delivered: Any) -> Any:
        """Wait until the bot finished the update behind `delivered` (a Delivered, PaymentResult or id)."""
        update_id = delivered if isinstance(delivered, int) else delivered.update_id
        assert update_id is not None, "that action reached no bot"
        await self.tracker.wait(update_id)
        return delivered

    # -- people and places ------------------------------------------------------------------------
    def member(self, first_name: str = "Mei", language_code: str | None = "en", username: str | None = None) -> Any:
        return self.fake.user(next(_user_ids), first_name, username=username, language_code=language_code)

    async def group_with_bot(self, title: str = "Tea Lovers", admin: Any = None) -> Any:
        group = self.fake.group(-1001000000000 - next(_group_ids), title, bots_are_members=False)
        owner = admin or self.member("Owner")
        group.add_member(owner)
        group.set_admin(owner)
        await self.settle(await self.fake.add_bot_to_group(group, owner, status="administrator"))
        # Joining also brings the group's service message (new_chat_members), a second update: a test that
        # counts what the bot handled next must not count it.
        await self.settle(self.fake.queue(BOT_TOKEN).next_update_id - 1)
        return group

    # -- what members do --------------------------------------------------------------------------
    async def say(self, user: Any, chat: Any, text: str) -> list[Any]:
        """Send a message (chat None: the member's private chat); returns what the bot sent there in answer."""
        where = chat if chat is not None else user
        before = len(self.fake.sent(where))
        await self.settle(await self.fake.send_message(user, chat, text))
        return self.fake.sent(where)[before:]

    async def press(
        self, user: Any, message: Any, text: str | None = None, data: str | None = None, forge: bool = False
    ) -> Any:
        """Press a button; returns the callback query's answer."""
        delivered = await self.settle(
            await self.fake.press_button(user, message, callback_data=data, text=text, forge=forge)
        )
        return self.fake.callback_answer(delivered.query_id)

    async def pay(self, user: Any, invoice: Any, **kwargs: Any) -> Any:
        """Pay an invoice like a Telegram client; waits for the bot to finish the payment update."""
        result = await self.fake.pay(user, invoice, **kwargs)
        if result.update_id is not None:
            await self.tracker.wait(result.update_id, max(kwargs.get("timeout", 10.0), 10.0))
        return result

    async def inline(self, user: Any, query: str) -> list[dict[str, Any]]:
        """Type `@bot query` in some chat; returns the results the bot offered."""
        query_id = await self.fake.inline_query(user, query)
        assert await self.fake.queries[query_id].wait_answered(10), f"the bot did not answer inline query {query_id}"
        self.last_inline_query = query_id
        return self.fake.inline_answers(query_id) or []

    async def outbox_drained(self, timeout: float = 20) -> None:
        """Wait until every queued notice went out, so later replies are not mixed with them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.uow() as uow:
                if await uow.outbox.count_pending() == 0:
                    return
            assert loop.time() < deadline, "the outbox did not drain in time"
            await asyncio.sleep(0.05)

    async def product(self, sku: str) -> Any:
        async with self.uow() as uow:
            return await uow.products.get_by_sku(sku)

    async def orders_of(self, user: Any) -> Any:
        async with self.uow() as uow:
            return await uow.orders.list_for_user(user.id, 50)


@asynccontextmanager
async def running_shop(
    framework: str, database_url: str, catalog: str | None = None, clock: FakeClock | None = None, **settings: Any
) -> AsyncIterator[Shop]:
    clock = clock or FakeClock()
    fake = FakeTelegram(wall_clock=clock.timestamp)  # Telegram's dates agree with the bot's clock
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    config = Settings(
        bot_token=BOT_TOKEN,  # type: ignore[arg-type]
        telegram_api_url=fake.base_url,
        database_url=database_url,
        framework=framework,  # type: ignore[arg-type]
        **{"startup_settle_seconds": 0.3, **settings},
    )
    if catalog is not None:
        await import_file(database_url, Path(catalog))
    tracker = UpdateTracker()
    app = CircleCart(config, clock=clock, update_listeners=[tracker.done])
    await app.start()
    try:
        yield Shop(fake, app, clock, tracker, framework)
    finally:
        await app.stop()
        await fake.stop()
