"""The rush: 500 members buying 100 units at once, on SQLite and on PostgreSQL.

Each backend runs on one framework (aiogram on SQLite, python-telegram-bot on PostgreSQL): what is under
test is the database's conditional updates under concurrency, and the other drop scenarios already run
on both frameworks. All 500 pay forms go in at once. The fake server refuses a pre-checkout answer that
comes later than Telegram's 10 s, so every member getting an answer is part of what this checks.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.orders import OrderStatus
from tests.conftest import EXAMPLE_CATALOG
from tests.scenarios.drops_steps import (
    drop_state,
    make_staff,
    moderator_sets_brand,
    outbox_drained,
    press_buy,
    refresh_counts,
    schedule,
    texts,
    travel_to,
)
from tests.scenarios.harness import running_shop

MEMBERS = 500
UNITS = 100


async def test_500_members_buying_100_units_at_once_get_exactly_100(database_url: str) -> None:
    rush_framework = "aiogram" if database_url.startswith("sqlite") else "ptb"
    async with running_shop(rush_framework, database_url, str(EXAMPLE_CATALOG)) as shop:
        moderator, brand_person = shop.member("Lin"), shop.member("Bo")
        await shop.say(brand_person, None, "/start")
        await make_staff(shop, "Celadon Studio", brand_person)
        group = await shop.group_with_bot("Tea Lovers", admin=moderator)
        await moderator_sets_brand(shop, group, moderator, "Celadon Studio", allow=True)
        drop = await schedule(shop, quantity=UNITS, price=200, starts_in=timedelta(minutes=30), limit=1)
        await travel_to(shop, drop.starts_at)
        await outbox_drained(shop)
        announcement = shop.fake.last(group)
        assert f"{UNITS} of {UNITS} left" in announcement.content

        members = [shop.member(f"Buyer{i}") for i in range(MEMBERS)]
        invoices = []
        for start in range(0, MEMBERS, 50):
            batch = members[start : start + 50]
            invoices += await asyncio.gather(*(press_buy(shop, m, announcement, drop.id, group) for m in batch))
        results = await asyncio.gather(*(shop.pay(m, inv) for m, inv in zip(members, invoices, strict=True)))

        accepted = [r for r in results if r.accepted]
        assert len(accepted) == UNITS
        assert all(r.answered and "sold out" in (r.error_message or "") for r in results if not r.accepted)
        async with shop.uow() as uow:
            paid = [o for m in members for o in await uow.orders.list_for_user(m.id, 5) if o.status is OrderStatus.PAID]
        assert len(paid) == UNITS
        assert len({o.user_id for o in paid}) == UNITS  # nobody over the limit of one
        assert shop.fake.refunds == []
        state = await drop_state(shop, drop.id)
        assert (state.sold, state.claimed, state.revenue) == (UNITS, UNITS, UNITS * 200)

        await refresh_counts(shop)
        await outbox_drained(shop)
        assert f"0 of {UNITS} left" in shop.fake.message(group, announcement.message_id).content

        await travel_to(shop, drop.ends_at)
        await outbox_drained(shop)
        assert "Drop ended" in shop.fake.message(group, announcement.message_id).content
        (report,) = [m for m in shop.fake.sent(brand_person) if "Drop report" in m.content]
        assert f"Units sold: {UNITS} of {UNITS}" in report.content
        assert f"Revenue: {UNITS * 200} ⭐" in report.content
        assert "Sold out in" in report.content
        assert report.photo  # the sales chart
        assert not any("Drop report" in t for t in texts(shop, moderator))
