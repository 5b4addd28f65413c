"""Telegram delivers an update again (same update_id) after a crash or a webhook retry: the second delivery
changes nothing and sends nothing. One scenario per update type, on both frameworks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from circlecart.sandbox.bot_api.core import Call
from tests.scenarios.drops_steps import make_staff
from tests.scenarios.harness import Shop
from tests.scenarios.memberships_steps import open_club

RECEIVING = {"getupdates", "getwebhookinfo"}


async def replay(shop: Shop, update_id: int | None) -> list[Call]:
    """Deliver update `update_id` again; the Bot API calls the bot made while handling the copy."""
    assert update_id is not None
    await shop.settle(update_id)  # the first delivery is finished (an inline answer may come before its end)
    before = len(shop.fake.calls)
    shop.tracker.forget(update_id)
    await shop.fake.redeliver(update_id)
    await shop.settle(update_id)
    return [call for call in shop.fake.calls[before:] if call.method.lower() not in RECEIVING]


def update_id_of(shop: Shop, kind: str, **fields: Any) -> int:
    """The update of `kind` whose payload has these fields (for actions that return no update id)."""
    history = shop.fake.queue().history
    found = [
        update_id
        for update_id, update in history.items()
        if kind in update and all(update[kind].get(k) == v for k, v in fields.items())
    ]
    assert len(found) == 1, found
    return found[0]


async def test_a_replayed_start_sends_no_second_welcome(shop: Shop) -> None:
    mei = shop.member("Mei")
    delivered = await shop.fake.send_message(mei, None, "/start")
    await shop.settle(delivered)
    assert len(shop.fake.sent(mei)) == 1
    assert await replay(shop, delivered.update_id) == []
    assert len(shop.fake.sent(mei)) == 1


async def test_a_replayed_plan_add_makes_no_second_plan(shop: Shop) -> None:
    owner = shop.member("Owner")
    community = await shop.group_with_bot("Tea Lovers", admin=owner)
    delivered = await shop.fake.send_message(owner, community, "/plan add 100 XTR Tea Club")
    await shop.settle(delivered)
    async with shop.uow() as uow:
        assert len(await uow.plans.list_plans(active_only=False)) == 1
    assert await replay(shop, delivered.update_id) == []
    async with shop.uow() as uow:
        assert len(await uow.plans.list_plans(active_only=False)) == 1


async def test_a_replayed_dialog_answer_is_not_taken_as_the_next_answer(shop: Shop) -> None:
    staff = shop.member("Bo")
    await make_staff(shop, "Celadon Studio", staff)
    (menu,) = await shop.say(staff, None, "/brand")
    await shop.press(staff, menu, text="New drop · Celadon Studio")
    delivered = await shop.fake.send_message(staff, None, "TEA-SET-01")
    await shop.settle(delivered)
    assert "How many units?" in shop.fake.last(staff).content
    assert await replay(shop, delivered.update_id) == []  # not "That does not fit" for "TEA-SET-01" as a quantity
    (reply,) = await shop.say(staff, None, "5")
    assert "drop price" in reply.content, reply.content


async def test_a_replayed_buy_press_sends_no_second_invoice(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    (found,) = await shop.say(mei, group, "/find crane")
    await shop.press(mei, found, text=next(t for t in found.button_texts if t.startswith("Crane enamel pin")))
    card = shop.fake.last(group)
    delivered = await shop.fake.press_button(mei, card, text="Buy · 35 ⭐")
    await shop.settle(delivered)
    invoices = [m for m in shop.fake.sent(group) if "invoice" in m.data]
    assert len(invoices) == 1 and len(await shop.orders_of(mei)) == 1
    assert await replay(shop, delivered.update_id) == []
    assert [m for m in shop.fake.sent(group) if "invoice" in m.data] == invoices
    assert len(await shop.orders_of(mei)) == 1
    shop.fake.assert_no_errors()


async def test_a_replayed_inline_query_is_answered_once(shop: Shop) -> None:
    mei = shop.member("Mei")
    assert await shop.inline(mei, "crane")
    update_id = update_id_of(shop, "inline_query", id=shop.last_inline_query)
    assert await replay(shop, update_id) == []
    assert len(shop.fake.calls_to("answerInlineQuery")) == 1
    shop.fake.assert_no_errors()


async def test_a_replayed_chosen_inline_result_does_nothing(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    mei = shop.member("Mei")
    results = await shop.inline(mei, "crane")
    group = await shop.group_with_bot("Pin Collectors")
    chosen = await shop.fake.choose_inline_result(mei, group, shop.last_inline_query, results[0]["id"])
    await shop.settle(chosen)
    caplog.clear()
    with caplog.at_level("INFO", logger="bots.core"):
        assert await replay(shop, chosen.update_id) == []
    assert not [r for r in caplog.records if "shared" in r.getMessage()]  # the handler did not run again
    assert any("delivered again" in r.getMessage() for r in caplog.records)


async def test_a_replayed_join_request_is_decided_once(shop: Shop) -> None:
    club = await open_club(shop)
    stranger = shop.member("Zed")
    delivered = await shop.fake.join_request(stranger, club.group, invite_link=club.invite_link)
    await shop.settle(delivered)
    await shop.outbox_drained()
    decided = len(shop.fake.calls_to("declineChatJoinRequest")) + len(shop.fake.calls_to("approveChatJoinRequest"))
    told = len(shop.fake.sent(stranger))
    assert decided == 1
    assert await replay(shop, delivered.update_id) == []
    await shop.outbox_drained()
    assert len(shop.fake.calls_to("declineChatJoinRequest")) + len(shop.fake.calls_to("approveChatJoinRequest")) == 1
    assert len(shop.fake.sent(stranger)) == told


async def test_a_replayed_bot_membership_change_sends_no_second_welcome(shop: Shop) -> None:
    owner = shop.member("Owner")
    group = shop.fake.group(-1009990000001, "Replayed Friends", bots_are_members=False)
    group.add_member(owner)
    group.set_admin(owner)
    delivered = await shop.fake.add_bot_to_group(group, owner, status="administrator")
    await shop.settle(delivered)
    welcomes = shop.fake.sent(group)
    assert len(welcomes) == 1
    assert await replay(shop, delivered.update_id) == []
    assert shop.fake.sent(group) == welcomes


async def test_a_replayed_pre_checkout_query_is_answered_again(shop: Shop) -> None:
    """Exempt from the dedupe: if the first answer was lost, Telegram waits for one on the redelivery."""
    mei = shop.member("Mei")
    (card,) = await shop.say(mei, None, "/start p_PIN-CRANE")
    await shop.press(mei, card, text="Buy · 35 ⭐")
    query = await shop.settle(await shop.fake.pre_checkout(mei, shop.fake.last(mei)))
    record = shop.fake.queries[query.query_id]
    assert record.answered
    record.answered, record.answered_event = False, asyncio.Event()  # the answer never reached Telegram
    await replay(shop, query.update_id)
    assert record.answered
