"""Brand staff change a scheduled drop from the brand menu, one thing at a time, until it opens."""

from __future__ import annotations

from datetime import timedelta

from bots.core.i18n import moment_text
from domain.drops.model import DropStatus
from tests.scenarios.drops_steps import (
    allow_brand_directly,
    drop_state,
    make_staff,
    outbox_drained,
    schedule,
    texts,
    travel_to,
)
from tests.scenarios.harness import Shop


async def _edit_menu(shop: Shop, staff: object, drop_id: int) -> object:
    (menu,) = await shop.say(staff, None, "/brand")
    await shop.press(staff, menu, text=f"Edit #{drop_id}")
    edit = shop.fake.last(staff)
    assert "What do you want to change?" in edit.content, edit.content
    return edit


async def test_brand_staff_change_quantity_and_time_and_the_posted_teaser_follows(shop: Shop) -> None:
    staff = shop.member("Bo")
    await make_staff(shop, "Celadon Studio", staff)
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=10, price=200, starts_in=timedelta(hours=30), lasts=timedelta(hours=3))
    await travel_to(shop, drop.starts_at - timedelta(hours=23))  # the 24-hour teaser goes out
    await outbox_drained(shop)
    (teaser,) = [m for m in shop.fake.sent(group) if "Coming soon" in m.content]
    assert "10 units at 200 ⭐" in teaser.content

    edit = await _edit_menu(shop, staff, drop.id)
    await shop.press(staff, edit, text="Quantity")
    assert "Now: 10" in shop.fake.last(staff).content
    (reply,) = await shop.say(staff, None, "many")
    assert "That does not fit" in reply.content
    (reply,) = await shop.say(staff, None, "12")
    assert f"Drop #{drop.id} changed" in reply.content and "12 × Celadon tea set" in reply.content
    assert (await drop_state(shop, drop.id)).quantity == 12
    await outbox_drained(shop)
    assert "12 units at 200 ⭐" in shop.fake.message(group, teaser.message_id).content  # edited in place

    await shop.press(staff, reply, text="Opening time")
    later = drop.starts_at + timedelta(days=2)
    (reply,) = await shop.say(staff, None, later.strftime("%Y-%m-%d %H:%M"))
    assert f"Drop #{drop.id} changed" in reply.content
    moved = await drop_state(shop, drop.id)
    assert moved.starts_at == later.replace(second=0, microsecond=0)
    assert moved.ends_at - moved.starts_at == timedelta(hours=3)  # the length stays
    assert moved.status is DropStatus.SCHEDULED
    await outbox_drained(shop)
    opening = moment_text("en", moved.starts_at)  # "Nov 25, 2026 18:00 UTC"
    assert f"opening {opening}" in shop.fake.message(group, teaser.message_id).content

    # No second 24-hour post; the one-hour teaser comes before the new time, with the new terms.
    await travel_to(shop, moved.starts_at - timedelta(hours=23))
    await outbox_drained(shop)
    assert len([t for t in texts(shop, group) if "Coming soon" in t]) == 1
    await travel_to(shop, moved.starts_at - timedelta(minutes=50))
    await outbox_drained(shop)
    posts = [m for m in shop.fake.sent(group) if "Coming soon" in m.content]
    assert len(posts) == 2 and "12 units at 200 ⭐" in posts[-1].content


async def test_an_edit_back_and_a_cancel_after_an_edit_still_reach_the_group(shop: Shop) -> None:
    staff = shop.member("Bo")
    await make_staff(shop, "Celadon Studio", staff)
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=10, price=200, starts_in=timedelta(hours=30))
    await travel_to(shop, drop.starts_at - timedelta(hours=23))
    await outbox_drained(shop)
    (teaser,) = [m for m in shop.fake.sent(group) if "Coming soon" in m.content]

    for quantity in ("12", "10"):  # and back: the post must show 10 again
        edit = await _edit_menu(shop, staff, drop.id)
        await shop.press(staff, edit, text="Quantity")
        await shop.say(staff, None, quantity)
        await outbox_drained(shop)
        assert f"{quantity} units at 200 ⭐" in shop.fake.message(group, teaser.message_id).content

    (menu,) = await shop.say(staff, None, "/brand")
    await shop.press(staff, menu, text=f"Cancel #{drop.id}")
    await outbox_drained(shop)
    assert any("has been cancelled" in t for t in texts(shop, group))


async def test_a_refused_change_asks_again_and_cancel_keeps_the_drop(shop: Shop) -> None:
    staff = shop.member("Bo")
    await make_staff(shop, "Celadon Studio", staff)
    drop = await schedule(shop, quantity=5, price=200)
    edit = await _edit_menu(shop, staff, drop.id)
    await shop.press(staff, edit, text="Price")
    assert "Now: 200 ⭐" in shop.fake.last(staff).content
    (reply,) = await shop.say(staff, None, "0")
    assert "more than zero" in reply.content and "drop price" in reply.content  # the domain refused; asked again
    (reply,) = await shop.say(staff, None, "cancel")
    assert "Nothing was changed" in reply.content
    assert (await drop_state(shop, drop.id)).price.amount == 200
    # The question is closed: "150" is no longer a price for the drop (it is a shopping request now).
    (answer,) = await shop.say(staff, None, "150")
    assert "Nothing found" in answer.content
    assert (await drop_state(shop, drop.id)).price.amount == 200

    await shop.press(staff, edit, text="Product")
    (reply,) = await shop.say(staff, None, "PRINT-WAVE-A3")
    assert "not one of this brand's products" in reply.content and "Which product?" in reply.content
    (reply,) = await shop.say(staff, None, "NO-SUCH-SKU")
    assert "Which product?" in reply.content


async def test_only_staff_edit_and_only_before_the_drop_opens(shop: Shop) -> None:
    staff, stranger = shop.member("Bo"), shop.member("Zed")
    await make_staff(shop, "Celadon Studio", staff)
    drop = await schedule(shop, quantity=5, price=200, starts_in=timedelta(hours=2))
    (menu,) = await shop.say(staff, None, "/brand")
    answer = await shop.press(stranger, menu, text=f"Edit #{drop.id}")
    assert "not staff" in answer.text
    forged = await shop.press(staff, menu, data=f"1:dfield:{drop.id}:owner", forge=True)
    assert "no longer valid" in forged.text

    edit = await _edit_menu(shop, staff, drop.id)
    await shop.press(staff, edit, text="Limit per member")
    await travel_to(shop, drop.starts_at)
    (reply,) = await shop.say(staff, None, "2")
    assert "can no longer be changed" in reply.content
    assert (await drop_state(shop, drop.id)).per_member_limit == 1
    answer = await shop.press(staff, menu, text=f"Edit #{drop.id}")
    assert "can no longer be changed" in answer.text
