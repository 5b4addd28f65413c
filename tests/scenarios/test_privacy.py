"""A member's data is theirs (DESIGN invariant 9, issue 17): Meilin sees what the shop stores about her and
why, takes it home as files, and has it deleted; the shop's accounts still add up without her name. Personal
answers asked for in a group are given in private."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

from bots.core.drops.dialog import dialog_key
from domain.memberships.lifecycle import MembershipStatus
from tests.scenarios.drops_steps import open_rush_drop, outbox_drained, press_buy, texts, travel_to
from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.memberships_steps import open_club
from tests.scenarios.privacy_steps import documents, paid_totals, where_it_is_stored

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"
PROVIDER_TOKEN = "284685063:TEST:circlecart"
MEILIN_ID = 7_000_123_457  # a Telegram id no other number in the shop's tables can be mistaken for


async def test_meilin_exports_her_data_then_deletes_it_and_the_drop_report_still_adds_up(shop: Shop) -> None:
    opened = await open_rush_drop(shop, units=5)
    meilin = shop.fake.user(MEILIN_ID, "Meilin", username="meilin_privacy", language_code="en")
    jun = shop.member("Jun")
    await shop.say(meilin, None, "/start")
    (invite,) = await shop.say(meilin, None, "/invite")
    code = re.search(r"start=(r_[a-z0-9]+)", invite.text)
    assert code is not None
    await shop.say(jun, None, f"/start {code.group(1)}")  # Jun came through Meilin's invitation
    for buyer in (meilin, jun):
        invoice = await press_buy(shop, buyer, opened.announcement, opened.drop.id, opened.group)
        assert (await shop.pay(buyer, invoice)).accepted
    await outbox_drained(shop)
    before = await paid_totals(shop)
    assert before[0] == 2

    # What is stored, and why.
    (screen,) = await shop.say(meilin, None, "/privacy")
    assert "Your data at circlecart" in screen.text
    assert "Your orders: to deliver them" in screen.text and "kept for the accounts under a pseudonym" in screen.text
    assert "Your invite link and who invited whom" in screen.text

    # The export: two files in the chat, the same records as JSON and as CSV.
    await shop.press(meilin, screen, text="Export my data")
    exported_json, exported_csv = documents(shop, meilin)[-2:]
    assert exported_json.document["file_name"].endswith(".json")
    assert exported_csv.document["file_name"].endswith(".csv")
    records = json.loads(shop.fake.document_content(exported_json))["records"]
    assert records["members"][0]["first_name"] == "Meilin"
    assert records["members"][0]["username"] == "meilin_privacy"
    assert len(records["orders"]) == 1 and records["orders"][0]["status"] == "paid"
    assert records["referral_codes"][0]["code"] == code.group(1)[2:]
    assert [r["referee_id"] for r in records["referrals"]] == [None], "Jun's id is his, not part of her export"
    rows = list(csv.reader(io.StringIO(shop.fake.document_content(exported_csv).decode("utf-8"))))
    assert rows[0] == ["table", "row", "field", "value"] and ["members", "1", "first_name", "Meilin"] in rows

    # Deleting asks first; a forged confirmation is refused and deletes nothing.
    await shop.press(meilin, screen, text="Delete my data")
    question = shop.fake.last(meilin)
    assert "Delete your data?" in question.text
    codec = shop.app.core.table.codec  # type: ignore[union-attr]
    forged = await shop.press(meilin, question, data=codec.encode("prok", "0123456789abcdef"), forge=True)
    assert "no longer valid" in forged.text
    assert await where_it_is_stored(shop, MEILIN_ID, "Meilin"), "nothing was deleted"

    state = shop.app.core.services.state  # type: ignore[union-attr]
    await state.set(dialog_key(MEILIN_ID), {"step": "quantity"})  # as if she had a drop dialog open
    confirm = next(b for b in question.button_texts if b.startswith("Yes"))
    yes_data = question.find_button(None, confirm)["callback_data"]
    await shop.press(meilin, question, text=confirm)
    assert "Your data is deleted" in shop.fake.last(meilin).text

    # No table holds her name, username or Telegram id any more, tables added later included.
    assert await where_it_is_stored(shop, MEILIN_ID, "Meilin", "meilin_privacy") == []
    assert await state.get(dialog_key(MEILIN_ID)) is None, "her dialogs are forgotten too"
    # (Anything she sends from now on makes her a new member, like this second press of the used button.)
    again = await shop.press(meilin, question, data=yes_data, forge=True)
    assert "no longer valid" in again.text
    # Her order is still in the accounts, under a pseudonym.
    assert await paid_totals(shop) == before
    await travel_to(shop, opened.drop.ends_at)
    await outbox_drained(shop)
    (report,) = [m for m in shop.fake.sent(opened.brand_person.id) if "Drop report" in m.content]
    assert "Units sold: 2 of 5" in report.content

    # She can come back, as a new member.
    (welcome,) = await shop.say(meilin, None, "/start")
    assert "Welcome, Meilin!" in welcome.text
    (points,) = await shop.say(meilin, None, "/points")
    assert "Your points: 0" in points.text
    (history,) = await shop.say(meilin, None, "/orders")
    assert "You have no orders yet" in history.text
    shop.fake.assert_no_errors()


async def test_orders_asked_for_in_a_group_are_answered_in_private(shop: Shop) -> None:
    group = await shop.group_with_bot("Tea Lovers")
    jun, li = shop.member("Jun"), shop.member("Li")
    await shop.say(jun, None, "/start")
    (found,) = await shop.say(jun, group, "/find tea set")
    await shop.press(jun, found, text=next(t for t in found.button_texts if "tea set" in t.lower()))
    card = shop.fake.last(group)
    await shop.press(jun, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    assert (await shop.pay(jun, shop.fake.last(group))).accepted
    await outbox_drained(shop)

    (pointer,) = await shop.say(jun, group, "/orders")
    assert "I sent your answer to our private chat" in pointer.text
    assert "Celadon" not in pointer.text and "#" not in pointer.text, "nothing personal in the group"
    assert "Your orders" in shop.fake.last(jun).text and "Celadon tea set" in shop.fake.last(jun).text
    (pointer,) = await shop.say(jun, group, "/points")
    assert "private chat" in pointer.text and "Your points" in shop.fake.last(jun).text

    # Li never started the bot, so it may not write to her: the pointer starts the chat instead.
    (pointer,) = await shop.say(li, group, "/orders")
    assert "answer it only in private" in pointer.text
    link = pointer.find_button(None, "Start a private chat")["url"]
    assert link.endswith("?start=orders")
    assert shop.fake.sent(li) == []
    (answer,) = await shop.say(li, None, "/start orders")
    assert "You have no orders yet" in answer.text

    (pointer,) = await shop.say(li, group, "/privacy")  # now she has a private chat
    assert "private chat" in pointer.text and "Your data at circlecart" in shop.fake.last(li).text
    shop.fake.assert_no_errors()


async def test_a_shipping_address_and_the_name_on_it_are_gone_after_deletion(framework: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework, url, str(EXAMPLE_CATALOG), payment_provider_token=PROVIDER_TOKEN, shipping_zones="DE=4.90"
    ) as shop:
        group = await shop.group_with_bot()
        meilin = shop.fake.user(MEILIN_ID, "Meilin", username="meilin_privacy", language_code="en")
        await shop.say(meilin, None, "/start")
        (found,) = await shop.say(meilin, group, "/find lotus pond art print")
        await shop.press(meilin, found, text=next(t for t in found.button_texts if "Lotus pond" in t))
        card = shop.fake.last(group)
        await shop.press(meilin, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
        address = {"country_code": "DE", "city": "Berlin", "street_line1": "Lindenstraße 77", "post_code": "10969"}
        paid = await shop.pay(meilin, shop.fake.last(group), shipping_address=address)
        assert paid.accepted, paid.error_message
        before = await paid_totals(shop)
        await outbox_drained(shop)

        (screen,) = await shop.say(meilin, None, "/privacy")
        await shop.press(meilin, screen, text="Delete my data")
        question = shop.fake.last(meilin)
        await shop.press(meilin, question, text=next(b for b in question.button_texts if b.startswith("Yes")))

        stored = await where_it_is_stored(shop, MEILIN_ID, "Meilin", "meilin_privacy", "Lindenstraße", "10969")
        assert stored == []
        assert await paid_totals(shop) == before
        shop.fake.assert_no_errors()


async def test_a_confirmation_older_than_ten_minutes_deletes_nothing(shop: Shop) -> None:
    mei = shop.member("Mei")
    (screen,) = await shop.say(mei, None, "/privacy")
    await shop.press(mei, screen, text="Delete my data")
    question = shop.fake.last(mei)
    shop.clock.advance(timedelta(minutes=11))
    answer = await shop.press(mei, question, text=next(b for b in question.button_texts if b.startswith("Yes")))
    assert "no longer valid" in answer.text
    async with shop.uow() as uow:
        assert await uow.members.get(mei.id) is not None
    assert not any("Your data is deleted" in t for t in texts(shop, mei))


async def test_deleting_ends_a_stars_membership_and_cancels_its_subscription(shop: Shop) -> None:
    club = await open_club(shop)
    mei = shop.member("Mei")
    paid = await club.subscribe(mei)
    charge = paid.message.data["successful_payment"]["telegram_payment_charge_id"]
    await outbox_drained(shop)
    membership = await club.membership_of(mei)
    assert membership is not None and membership.status is MembershipStatus.ACTIVE

    (screen,) = await shop.say(mei, None, "/privacy")
    assert "Your memberships: for their perks and renewals." in screen.text
    await shop.press(mei, screen, text="Delete my data")
    question = shop.fake.last(mei)
    await shop.press(mei, question, text=next(b for b in question.button_texts if b.startswith("Yes")))
    assert "Stars subscriptions here are cancelled" in shop.fake.last(mei).text
    assert shop.fake.charges[charge].subscription_canceled is True
    async with shop.uow() as uow:
        (kept,) = await uow.memberships.list_for_plans([club.plan_id])
    assert kept.user_id != mei.id and kept.status is MembershipStatus.EXPIRED, "kept for the accounts, ended"
    assert await club.membership_of(mei) is None
    shop.fake.assert_no_errors()
