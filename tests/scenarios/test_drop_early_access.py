"""Memberships and drops together: a plan's early access lets members buy before a drop opens."""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.drops_steps import allow_brand_directly, brand_named, outbox_drained, schedule, travel_to
from tests.scenarios.harness import Shop
from tests.scenarios.memberships_steps import open_club


async def test_members_with_early_access_buy_before_the_drop_opens_and_others_wait(shop: Shop) -> None:
    club = await open_club(shop, options="early=60", brand="Celadon Studio")  # the drop's brand grants it
    mei, jun = shop.member("Mei"), shop.member("Jun")
    await club.subscribe(mei)
    await brand_named(shop, "Celadon Studio")
    await allow_brand_directly(shop, club.community.id, "Celadon Studio")
    drop = await schedule(shop, quantity=5, starts_in=timedelta(hours=30), early_access_minutes=30)

    await travel_to(shop, drop.starts_at - timedelta(minutes=20))  # inside the members' window
    await outbox_drained(shop)
    teaser = next(m for m in reversed(shop.fake.sent(club.community)) if "Coming soon" in m.content)
    early = next(t for t in teaser.button_texts if t.startswith("Members: buy early"))

    refused = await shop.press(jun, teaser, text=early)
    assert refused.show_alert and "has not opened yet" in refused.text
    await shop.press(mei, teaser, text=early)
    invoice = shop.fake.last(club.community)
    assert invoice.invoice is not None and invoice.invoice.total_amount == 200
    paid = await shop.pay(mei, invoice)
    assert paid.accepted, paid.error_message
