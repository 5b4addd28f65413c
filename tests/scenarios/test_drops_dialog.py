"""Brand staff schedule a drop step by step in the private chat, with a preview to confirm."""

from __future__ import annotations

from datetime import timedelta

from domain.drops.model import DropStatus
from tests.scenarios.drops_steps import allow_brand_directly, drop_state, make_staff
from tests.scenarios.harness import Shop


async def test_brand_staff_schedule_a_drop_through_the_dialog(shop: Shop) -> None:
    staff = shop.member("Bo")
    await make_staff(shop, "Celadon Studio", staff)
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    (menu,) = await shop.say(staff, None, "/brand")
    await shop.press(staff, menu, text="New drop · Celadon Studio")
    assert "Which product?" in shop.fake.last(staff).content

    starts = shop.clock.now() + timedelta(days=2)
    answers = [
        ("PRINT-WAVE-A3", "How many units?"),  # another brand's product: found with the whole plan, below
        ("many", "That does not fit"),
        ("5", "drop price"),
        ("180", "When does it open?"),
        ("yesterday", "That does not fit"),
        (starts.strftime("%Y-%m-%d %H:%M"), "How many hours"),
        ("3", "How many units may one member buy"),
        ("1", "early access"),
        ("30", "First come, or raffle?"),
        ("first", "Which groups?"),
        # The plan is checked as a whole: the brand is sent back to the product step.
        (str(group.id), "not one of this brand's products"),
        ("TEA-SET-01", "Preview of drop"),
    ]
    for text, expected in answers:
        (reply,) = await shop.say(staff, None, text)
        assert expected in reply.content, (text, reply.content)
    preview = shop.fake.last(staff)
    assert "5 × Celadon tea set at 180 ⭐" in preview.content and "early access 30 min" in preview.content
    drop_id = int(preview.content.split("#")[1].split()[0])
    assert (await drop_state(shop, drop_id)).status is DropStatus.DRAFT

    stranger = shop.member("Zed")
    answer = await shop.press(stranger, preview, text="Confirm")
    assert "not staff" in answer.text
    answer = await shop.press(staff, preview, text="Confirm")
    assert f"Drop #{drop_id} scheduled" in answer.text
    drop = await drop_state(shop, drop_id)
    assert drop.status is DropStatus.SCHEDULED and drop.communities == (group.id,)
    assert drop.starts_at == starts.replace(second=0, microsecond=0)


async def test_cancel_ends_the_dialog_and_later_text_goes_to_the_shop_assistant(shop: Shop) -> None:
    staff = shop.member("Bo")
    await make_staff(shop, "Celadon Studio", staff)
    (menu,) = await shop.say(staff, None, "/brand")
    await shop.press(staff, menu, text="New drop · Celadon Studio")
    (reply,) = await shop.say(staff, None, "cancel")
    assert "Scheduling cancelled" in reply.content
    # No dialog any more: plain text is a shopping request (the assistant, here without a model: search).
    (answer,) = await shop.say(staff, None, "celadon tea set")
    assert "Celadon tea set" in " ".join(answer.button_texts) and "drop" not in answer.content.lower()
