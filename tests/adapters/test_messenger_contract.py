"""Both adapters implement the messenger port the same way, errors included, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram

from bots.aiogram.messenger import AiogramMessenger
from bots.aiogram.runner import create_bot
from bots.ptb.messenger import PtbMessenger
from circlecart.sandbox.bot_api.server import FakeTelegram
from domain.messenger import Messenger, RateLimited, RecipientUnavailable, Rejected, TransientFailure
from domain.outgoing import Button, Document, MessageRef, View
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME


@pytest.fixture
async def telegram_world(framework: str) -> AsyncIterator[tuple[FakeTelegram, Messenger]]:
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    messenger: Any
    if framework == "aiogram":
        bot = create_bot(BOT_TOKEN, fake.base_url)
        messenger = AiogramMessenger(bot)
    else:
        ptb_bot = telegram.Bot(BOT_TOKEN, base_url=f"{fake.base_url}/bot")
        await ptb_bot.initialize()
        messenger = PtbMessenger(ptb_bot)
    try:
        yield fake, messenger
    finally:
        if framework == "aiogram":
            await bot.session.close()
        else:
            await ptb_bot.shutdown()
        await fake.stop()


async def test_send_and_edit_render_text_buttons_and_photos(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    mei = fake.user(2001, "Mei")
    mei.start_bot()
    view = View("<b>Hi</b>", ((Button("Go", callback="1:page:1"), Button("Site", url="https://example.org")),))
    ref = await messenger.send(mei.id, view)
    sent = fake.last(mei)
    assert sent.text == "Hi" and sent.button_texts == ["Go", "Site"]
    await messenger.edit(ref, View("<i>Bye</i>"))
    assert fake.message(mei, ref.message_id).text == "Bye"
    await messenger.edit(ref, View("<i>Bye</i>"))  # "message is not modified" is not an error
    photo = await messenger.send(mei.id, View("caption", photo="https://example.org/p.jpg"))
    assert fake.message(mei, photo.message_id).photo
    fake.assert_no_errors(ignore=["message is not modified"])


async def test_a_view_with_a_document_uploads_it_with_the_text_as_caption(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    mei = fake.user(2002, "Mei")
    mei.start_bot()
    ref = await messenger.send(mei.id, View("<b>Entrants</b>", document=Document("raffle-7.json", b'["e_1"]')))
    sent = fake.message(mei, ref.message_id)
    assert sent.caption == "Entrants" and sent.document["file_name"] == "raffle-7.json"
    assert fake.document_content(sent) == b'["e_1"]'
    fake.assert_no_errors()


async def test_a_member_who_blocked_the_bot_or_never_started_it_is_unavailable(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    stranger = fake.user(2002, "Stranger")
    with pytest.raises(RecipientUnavailable):
        await messenger.send(stranger.id, View("hello"))
    jun = fake.user(2003, "Jun")
    jun.start_bot()
    jun.block_bot()
    with pytest.raises(RecipientUnavailable):
        await messenger.send(jun.id, View("hello"))
    with pytest.raises(RecipientUnavailable):
        await messenger.send(-100999, View("hello"))  # chat not found


async def test_flood_control_is_reported_with_its_retry_after(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    mei = fake.user(2004, "Mei")
    mei.start_bot()
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RateLimited) as raised:
        await messenger.send(mei.id, View("hello"))
    assert raised.value.retry_after == 7
    await messenger.send(mei.id, View("hello"))  # the next call goes through


async def test_server_and_network_errors_are_transient_and_bad_requests_are_rejected(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    mei = fake.user(2005, "Mei")
    mei.start_bot()
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(TransientFailure):
        await messenger.send(mei.id, View("hello"))
    with pytest.raises(Rejected):
        await messenger.edit(MessageRef(chat_id=mei.id, message_id=999), View("nothing here"))
    with pytest.raises(Rejected):
        await messenger.refund_star_payment(mei.id, "no-such-charge")
    await fake.stop()  # the API goes away
    with pytest.raises(TransientFailure):
        await messenger.send(mei.id, View("hello"))


async def test_invite_links_join_requests_and_removal(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    group = fake.group(-1002000000001, "Members only", bots_are_members=False)
    group.set_bot_status("administrator")
    link = await messenger.create_invite_link(group.id, name="members")
    assert link.startswith("https://t.me/+")

    mei, jun = fake.user(2006, "Mei"), fake.user(2007, "Jun")
    await fake.join_request(mei, group, link)
    await fake.join_request(jun, group, link)
    await messenger.approve_join_request(group.id, mei.id)
    await messenger.decline_join_request(group.id, jun.id)
    assert group.is_member(mei.id) and not group.is_member(jun.id)

    await messenger.remove_member(group.id, mei.id)
    assert not group.is_member(mei.id)
    assert group.status_of(mei.id).status == "left"  # removed, not banned: Mei can come back
    assert await messenger.is_chat_admin(group.id, BOT_ID)
    assert not await messenger.is_chat_admin(group.id, mei.id)


async def test_typing_shows_in_the_members_chat_while_the_bot_works(telegram_world) -> None:  # type: ignore[no-untyped-def]
    fake, messenger = telegram_world
    mei = fake.user(2011, "Mei")
    mei.start_bot()
    await messenger.send_chat_action(mei.id, "typing")
    calls = fake.calls_to("sendChatAction")
    assert [(c.params["chat_id"], c.params["action"]) for c in calls] == [(mei.id, "typing")]
    with pytest.raises(Rejected):
        await messenger.send_chat_action(mei.id, "dancing")
