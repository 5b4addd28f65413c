"""PtbAdapter over real HTTP against the fake Bot API: routing, update reporting, rendering and errors.

The core here is a recorder, so these tests pin the adapter alone; the full bot is in test_smoke.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bots.core.app import build_table
from bots.core.events import (
    BotMembershipEvent,
    ButtonEvent,
    ChosenInlineEvent,
    CommandEvent,
    Event,
    InlineQueryEvent,
    JoinRequestEvent,
    PaymentEvent,
    PreCheckoutEvent,
)
from bots.core.table import HandlerTable
from bots.ptb.runner import PtbAdapter
from circlecart.sandbox.bot_api.server import FakeTelegram
from domain.messenger import RateLimited, RecipientUnavailable, Rejected, TransientFailure
from domain.outgoing import BotCommand, Button, CommandMenu, InlineResult, Invoice, MessageRef, View
from tests.bot_api.fixtures import BOT_TOKEN, BOT_USER_ID, BOT_USERNAME
from tests.ptb import payloads

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class RecordingCore:
    """Stands in for BotCore: records the events the adapter hands over and the updates it reports."""

    def __init__(self, table: HandlerTable) -> None:
        self.table = table
        self.events: dict[int, object] = {}
        self.done: list[int] = []
        self._changed = asyncio.Event()

    def _record(self, event: Any) -> None:
        self.events[event.update_id] = event

    async def command(self, event: CommandEvent) -> None:
        self._record(event)

    async def button(self, event: ButtonEvent) -> None:
        self._record(event)

    async def inline_query(self, event: InlineQueryEvent) -> None:
        self._record(event)

    async def chosen_inline(self, event: ChosenInlineEvent) -> None:
        self._record(event)

    async def pre_checkout(self, event: PreCheckoutEvent) -> None:
        self._record(event)

    async def payment(self, event: PaymentEvent) -> None:
        self._record(event)

    async def bot_membership(self, event: BotMembershipEvent) -> None:
        self._record(event)

    async def join_request(self, event: JoinRequestEvent) -> None:
        self._record(event)

    def update_done(self, update_id: int, kind: str = "unknown", seconds: float = 0.0) -> None:
        self.done.append(update_id)
        self._changed.set()

    async def finished(self, update_id: int, within: float = 5) -> object | None:
        """Wait until the adapter reports the update; return the event the core got for it, if any."""
        async with asyncio.timeout(within):
            while update_id not in self.done:
                self._changed.clear()
                await self._changed.wait()
        return self.events.get(update_id)

    async def first_event(self, wanted: Callable[[Any], bool], within: float = 5) -> Any:
        async with asyncio.timeout(within):
            while True:
                found = [e for e in self.events.values() if wanted(e)]
                if found:
                    return found[0]
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[tuple[PtbAdapter, RecordingCore]]:
    table = build_table()

    async def on_join(ctx: object, event: object) -> None:
        return None

    table.join_request = on_join
    adapter = PtbAdapter(BOT_TOKEN, fake_telegram.base_url)
    core = RecordingCore(table)
    assert await adapter.username() == BOT_USERNAME
    adapter.attach(core)  # type: ignore[arg-type]
    await adapter.start()
    try:
        yield adapter, core
    finally:
        await adapter.stop()


@pytest.fixture
def group(fake_telegram: FakeTelegram) -> Any:
    fake_telegram.bot().can_read_all_group_messages = True  # the bot sees '/x@otherbot' too
    return fake_telegram.group(-1001234, "Tea Lovers")


async def test_private_command(fake_telegram: FakeTelegram, bot: tuple[PtbAdapter, RecordingCore]) -> None:
    _, core = bot
    mei = fake_telegram.user(1001, "Mei", "mei")
    delivered = await fake_telegram.send_message(mei, None, "/help")
    assert delivered.update_id is not None
    event = await core.finished(delivered.update_id)
    assert isinstance(event, CommandEvent)
    assert (event.command, event.args, event.chat.id, event.chat.type) == ("help", "", 1001, "private")


async def test_group_commands_addressed_to_us_or_nobody(
    fake_telegram: FakeTelegram, bot: tuple[PtbAdapter, RecordingCore], group: Any
) -> None:
    _, core = bot
    mei = fake_telegram.user(1001, "Mei", "mei")
    mentioned = await fake_telegram.send_message(mei, group, f"/Shop@{BOT_USERNAME} green tea")
    unknown = await fake_telegram.send_message(mei, group, "/frobnicate now")
    unknown_to_us = await fake_telegram.send_message(mei, group, f"/frobnicate@{BOT_USERNAME.upper()}")
    for_other_bot = await fake_telegram.send_message(mei, group, "/shop@other_bot")
    unknown_for_other_bot = await fake_telegram.send_message(mei, group, "/frobnicate@other_bot")
    chatter = await fake_telegram.send_message(mei, group, "hello /shop")

    event = await core.finished(mentioned.update_id or 0)
    assert isinstance(event, CommandEvent)
    assert (event.command, event.args, event.chat.type) == ("shop", "green tea", "supergroup")
    event = await core.finished(unknown.update_id or 0)
    assert isinstance(event, CommandEvent) and (event.command, event.args) == ("frobnicate", "now")
    event = await core.finished(unknown_to_us.update_id or 0)
    assert isinstance(event, CommandEvent) and event.command == "frobnicate"
    # Not ours or not a command: reported as finished, never routed.
    for ignored in (for_other_bot, unknown_for_other_bot, chatter):
        assert await core.finished(ignored.update_id or 0) is None


async def test_buttons_rendered_and_pressed(fake_telegram: FakeTelegram, bot: tuple[PtbAdapter, RecordingCore]) -> None:
    adapter, core = bot
    mei = fake_telegram.user(1001, "Mei", "mei")
    mei.started_bots.add(BOT_USER_ID)
    view = View(
        "<b>Catalog</b>",
        (
            (Button("Next", callback="1:page:2"), Button("Site", url="https://example.com")),
            (Button("Share", switch_inline="tea"),),
        ),
    )
    ref = await adapter.messenger.send(mei.id, view)
    sent = fake_telegram.message(mei.id, ref.message_id or 0)
    assert sent is not None
    assert sent.text == "Catalog"
    assert sent.entities[0]["type"] == "bold"
    assert sent.buttons == [
        {"text": "Next", "callback_data": "1:page:2"},
        {"text": "Site", "url": "https://example.com"},
        {"text": "Share", "switch_inline_query": "tea"},
    ]

    pressed = await fake_telegram.press_button(mei, sent, callback_data="1:page:2")
    event = await core.finished(pressed.update_id or 0)
    assert isinstance(event, ButtonEvent)
    assert (event.data, event.message, event.callback_id) == ("1:page:2", ref, pressed.query_id)

    forged = await fake_telegram.press_button(mei, sent, callback_data="9:evil", forge=True)
    event = await core.finished(forged.update_id or 0)
    assert isinstance(event, ButtonEvent) and event.data == "9:evil"  # the catch-all hands it to the core


async def test_every_update_kind_reaches_the_core(
    fake_telegram: FakeTelegram, bot: tuple[PtbAdapter, RecordingCore]
) -> None:
    _, core = bot
    fake_telegram.user(1001, "Mei", "mei")
    kinds: dict[str, tuple[dict[str, Any], type[Event]]] = {
        "pre_checkout_query": (payloads.pre_checkout_query(), PreCheckoutEvent),
        "inline_query": (payloads.inline_query(), InlineQueryEvent),
        "chosen_inline_result": (payloads.chosen_inline_result(), ChosenInlineEvent),
        "my_chat_member": (payloads.my_chat_member("left", "administrator"), BotMembershipEvent),
        "chat_join_request": (payloads.chat_join_request(), JoinRequestEvent),
        "message": (payloads.successful_payment(), PaymentEvent),
    }
    for kind, (update, expected) in kinds.items():
        update_id, _ = fake_telegram.enqueue(kind, update[kind])
        event = await core.finished(update_id)
        assert isinstance(event, expected), kind
        assert event.update_id == update_id


async def test_rendering_and_error_mapping(fake_telegram: FakeTelegram, bot: tuple[PtbAdapter, RecordingCore]) -> None:
    adapter, _ = bot
    messenger = adapter.messenger
    mei = fake_telegram.user(1001, "Mei", "mei")
    mei.started_bots.add(BOT_USER_ID)

    card = await messenger.send(mei.id, View("Oolong", photo="https://example.com/tea.jpg"))
    await messenger.edit(card, View("Oolong <i>sold out</i>", photo="https://example.com/tea.jpg"))
    stored = fake_telegram.message(mei.id, card.message_id or 0)
    assert stored is not None and stored.caption == "Oolong sold out" and stored.photo

    text = await messenger.send(mei.id, View("Page 1"), reply_to=9999)  # a missing reply target is fine
    await messenger.edit(text, View("Page 2"))
    await messenger.edit(text, View("Page 2"))  # "message is not modified" is swallowed

    invoice = Invoice(
        "Oolong", "50 g of oolong", "order:1", "XTR", 250, "Oolong", buttons=((Button("Pay", pay=True),),)
    )
    paid = await messenger.send_invoice(mei.id, invoice)
    assert fake_telegram.calls_to("sendInvoice")[-1].params.get("provider_token") in (None, "")
    assert paid.chat_id == mei.id
    assert (await messenger.create_invoice_link(invoice)).startswith("https://")

    await messenger.set_commands(CommandMenu("all_private_chats", "zh", (BotCommand("shop", "Shop"),)))
    assert fake_telegram.commands("all_private_chats", "zh") == [{"command": "shop", "description": "Shop"}]

    group = fake_telegram.group(-1001999, "Admins")
    owner = fake_telegram.user(1002, "Owner")
    group.add_member(owner)
    group.set_admin(owner)
    assert await messenger.is_chat_admin(group.id, owner.id)
    assert not await messenger.is_chat_admin(group.id, BOT_USER_ID)

    with pytest.raises(RecipientUnavailable):
        await messenger.send(424242, View("hi"))  # chat not found
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RateLimited) as limited:
        await messenger.send(mei.id, View("hi"))
    assert limited.value.retry_after == 3.0
    fake_telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(RecipientUnavailable):
        await messenger.send(mei.id, View("hi"))
    fake_telegram.fail_next("sendMessage", 500, "Internal Server Error")
    with pytest.raises(TransientFailure):
        await messenger.send(mei.id, View("hi"))
    fake_telegram.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    with pytest.raises(Rejected):
        await messenger.edit(MessageRef(chat_id=mei.id, message_id=text.message_id), View("Page 3"))


async def test_inline_answers(fake_telegram: FakeTelegram, bot: tuple[PtbAdapter, RecordingCore]) -> None:
    adapter, core = bot
    mei = fake_telegram.user(1001, "Mei", "mei")
    query_id = await fake_telegram.inline_query(mei, "tea")
    event = await core.first_event(lambda e: isinstance(e, InlineQueryEvent) and e.query_id == query_id)
    assert isinstance(event, InlineQueryEvent)
    result = InlineResult(
        "p:1", "Oolong", "250 Stars", View("<b>Oolong</b>", ((Button("Buy", url="https://t.me/x"),),))
    )
    await adapter.messenger.answer_inline(event.query_id, [result])
    answers = fake_telegram.inline_answers(event.query_id)
    assert answers is not None and answers[0]["id"] == "p:1"
    assert answers[0]["input_message_content"]["parse_mode"] == "HTML"


async def test_stop_without_start_is_harmless(fake_telegram: FakeTelegram) -> None:
    adapter = PtbAdapter(BOT_TOKEN, fake_telegram.base_url)
    await adapter.stop()
    await adapter.username()
    await adapter.stop()
