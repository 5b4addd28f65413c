"""The rush: 500 members buying 100 units at once, on SQLite and on PostgreSQL.

Each backend runs on one framework (aiogram on SQLite, python-telegram-bot on PostgreSQL): what is under
test is the database's conditional updates under concurrency, and the other drop scenarios already run
on both frameworks. All 500 pay forms go in at once and every member must get an answer. How fast those
answers come under the burst is a matter of machine load, so it is measured by `python -m bench.drop_rush`
(figures in the README), not raced here: the fake server's 10 s pre-checkout window is widened for this test.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from domain.shop.orders import OrderStatus
from storage.database import READ_ONLY
from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import (
    drop_state,
    open_rush_drop,
    outbox_drained,
    press_buy_in_waves,
    refresh_counts,
    texts,
    travel_to,
)
from tests.scenarios.harness import running_shop

MEMBERS = 500
UNITS = 100
ANSWER_WINDOW = 300.0  # seconds; generous on purpose, see the module's docstring


async def test_500_members_buying_100_units_at_once_get_exactly_100(database_url: str) -> None:
    rush_framework = "aiogram" if database_url.startswith("sqlite") else "ptb"
    async with running_shop(rush_framework, database_url, str(STARS_CATALOG)) as shop:
        opened = await open_rush_drop(shop, UNITS, price=200)
        brand_person, moderator, group, drop, announcement = (
            opened.brand_person, opened.moderator, opened.group, opened.drop, opened.announcement
        )  # fmt: skip
        assert f"{UNITS} of {UNITS} left" in announcement.content

        members = [shop.member(f"Buyer{i}") for i in range(MEMBERS)]
        invoices = await press_buy_in_waves(shop, members, announcement, drop.id, group)
        shop.fake.pre_checkout_timeout = ANSWER_WINDOW
        results = await asyncio.gather(
            *(shop.pay(m, inv, timeout=ANSWER_WINDOW) for m, inv in zip(members, invoices, strict=True))
        )

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


async def test_a_sold_out_drop_refuses_a_payment_form_by_reading_alone(database_url: str) -> None:
    """Most of a rush's payment forms find the drop sold out: they are refused with no write lock taken
    (on SQLite a write transaction would queue every refusal behind the payments)."""
    rush_framework = "aiogram" if database_url.startswith("sqlite") else "ptb"
    async with running_shop(rush_framework, database_url, str(STARS_CATALOG)) as shop:
        opened = await open_rush_drop(shop, 1, price=200)
        first, late = shop.member("First"), shop.member("Late")
        invoices = await press_buy_in_waves(shop, [first, late], opened.announcement, opened.drop.id, opened.group)
        assert (await shop.pay(first, invoices[0])).accepted

        seen: list[tuple[bool, str]] = []

        def record(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
            seen.append((bool(connection.get_execution_options().get(READ_ONLY)), statement))

        engine = shop.app.database.engine.sync_engine  # type: ignore[union-attr]
        event.listen(engine, "before_cursor_execute", record)
        try:
            refused = await shop.pay(late, invoices[1])
        finally:
            event.remove(engine, "before_cursor_execute", record)

        assert refused.answered and not refused.accepted and "sold out" in (refused.error_message or "")
        checked = [(read_only, s) for read_only, s in seen if any(t in s for t in ("drop_claims", "drops", "orders"))]
        assert checked, "the refusal read the claim and the drop"
        assert all(read_only and s.lstrip().upper().startswith("SELECT") for read_only, s in checked), checked
        state = await drop_state(shop, opened.drop.id)
        assert (state.sold, state.claimed) == (1, 1)
