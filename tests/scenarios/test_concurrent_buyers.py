"""Many members paying at once for a scarce product: no overselling, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.shop.orders import OrderStatus
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import running_shop

MEMBERS = 200
UNITS = 50
# Correctness under the burst, not speed: on a loaded machine 200 answers may take longer than Telegram's
# 10 s, so the fake's window is widened (how fast they come is bench/drop_rush's measure).
ANSWER_WINDOW = 300.0


async def test_200_members_paying_at_once_for_50_units_get_exactly_50_orders(
    framework: str, database_url: str, tmp_path: Path
) -> None:
    async with running_shop(framework, database_url, str(STARS_CATALOG)) as shop:
        async with shop.uow() as uow:
            scarf = await uow.products.get_by_sku("SCARF-SILK-CLOUD")
            await uow.products.recount(scarf.id, UNITS)
            await uow.commit()
        group = await shop.group_with_bot("Silk Road Fans")
        members = [shop.member(f"Buyer{i}") for i in range(MEMBERS)]
        (found,) = await shop.say(members[0], group, "/find silk scarf")
        await shop.press(members[0], found, text=found.button_texts[0])
        card = shop.fake.last(group)
        buy = next(t for t in card.button_texts if t.startswith("Buy"))
        invoices = []
        for member in members:
            await shop.press(member, card, text=buy)
            invoices.append(shop.fake.last(group))

        shop.fake.pre_checkout_timeout = ANSWER_WINDOW
        results = await asyncio.gather(
            *(shop.pay(m, inv, timeout=ANSWER_WINDOW) for m, inv in zip(members, invoices, strict=True))
        )

        accepted = [r for r in results if r.accepted]
        refused = [r for r in results if not r.accepted]
        assert len(accepted) == UNITS
        assert all(r.answered and "sold out" in (r.error_message or "") for r in refused)
        async with shop.uow() as uow:
            assert (await uow.products.get_by_sku("SCARF-SILK-CLOUD")).stock == 0
            statuses = [o.status for m in members for o in await uow.orders.list_for_user(m.id, 5)]
        assert statuses.count(OrderStatus.PAID) == UNITS
        assert shop.fake.refunds == []
        await shop.outbox_drained(timeout=ANSWER_WINDOW)  # a receipt whose first send failed goes by the outbox
        receipts = [m for m in shop.fake.sent(group) if "Payment received" in m.content]
        assert len(receipts) == UNITS
