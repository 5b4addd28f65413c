"""The fake Bot API server, driven by the real aiogram and python-telegram-bot clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp
import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram import Dispatcher, F
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputInvoiceMessageContent,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)
from aiohttp import web
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application, CommandHandler

from circlecart.sandbox.bot_api import FakeTelegram
from circlecart.sandbox.bot_api.spec import DEFAULT_SPEC_PATH, SPEC_ENV
from tests.bot_api.fixtures import BOT_TOKEN, BOT_USER_ID, aiogram_bot, fake_telegram, ptb_bot

__all__ = ["aiogram_bot", "fake_telegram", "ptb_bot"]

GROUP_ID = -1001234567890



async def raw_call(
    fake: FakeTelegram, method: str, token: str = BOT_TOKEN, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.base_url}/bot{token}/{method}", **kwargs) as resp:
            return resp.status, await resp.json()


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons])


# -- identity, transport ----------------------------------------------------------------------


async def test_get_me_with_both_libraries(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    me = await aiogram_bot.get_me()
    assert (me.id, me.username, me.is_bot) == (BOT_USER_ID, "circlecart_test_bot", True)
    ptb_me = await ptb_bot.get_me()
    assert ptb_me.id == BOT_USER_ID
    assert ptb_me.username == "circlecart_test_bot"
    fake_telegram.assert_no_errors()


async def test_transport_json_form_get_and_status_codes(fake_telegram: FakeTelegram) -> None:
    fake_telegram.user(1, "Ann").start_bot()
    status, body = await raw_call(fake_telegram, "sendMessage", json={"chat_id": 1, "text": "json"})
    assert status == 200 and body["result"]["text"] == "json"
    status, body = await raw_call(fake_telegram, "sendMessage", data={"chat_id": "1", "text": "form"})
    assert status == 200 and body["result"]["chat"]["id"] == 1
    form = aiohttp.FormData()
    form.add_field("chat_id", "1")
    form.add_field("text", "multipart")
    form.add_field("reply_markup", json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}))
    status, body = await raw_call(fake_telegram, "sendMessage", data=form)
    assert status == 200 and body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake_telegram.base_url}/bot{BOT_TOKEN}/getMe") as resp:
            assert resp.status == 200 and (await resp.json())["result"]["id"] == BOT_USER_ID
    status, body = await raw_call(fake_telegram, "getMe", token="999:wrong")
    assert (status, body["description"]) == (401, "Unauthorized")
    status, body = await raw_call(fake_telegram, "sendTelepathy", json={})
    assert (status, body["description"]) == (404, "Not Found")
    assert [m.text for m in fake_telegram.sent(1)] == ["json", "form", "multipart"]
    fake_telegram.assert_no_errors()


async def test_missing_required_and_wrong_types_are_rejected(fake_telegram: FakeTelegram) -> None:
    fake_telegram.user(1, "Ann").start_bot()
    status, body = await raw_call(fake_telegram, "sendMessage", json={"chat_id": 1})
    assert (status, body["description"]) == (400, 'Bad Request: parameter "text" is required')
    status, body = await raw_call(fake_telegram, "sendMessage", json={"chat_id": 1, "text": 5})
    assert status == 400 and "text" in body["description"]
    status, body = await raw_call(fake_telegram, "deleteMessage", data={"chat_id": "1", "message_id": "x"})
    assert status == 400 and "message_id" in body["description"]
    bad_markup = {"inline_keyboard": [[{"text": "A", "callback_data": 7}]]}
    status, body = await raw_call(
        fake_telegram, "sendMessage", json={"chat_id": 1, "text": "t", "reply_markup": bad_markup}
    )
    assert status == 400 and "inline_keyboard[0][0].callback_data" in body["description"]
    bad_scope = {"commands": [{"command": "start", "description": "go"}], "scope": {"type": "chat"}}
    status, body = await raw_call(fake_telegram, "setMyCommands", json=bad_scope)
    assert status == 400 and "scope.chat_id" in body["description"]
    status, body = await raw_call(
        fake_telegram,
        "answerInlineQuery",
        json={
            "inline_query_id": "1",
            "results": [{"type": "article", "id": "a", "title": "t", "input_message_content": {"message_text": ""}}],
        },
    )
    assert status == 400 and "message_text" in body["description"]
    assert len(fake_telegram.errors) == 6
    with pytest.raises(AssertionError):
        fake_telegram.assert_no_errors()


async def test_unknown_parameters_are_ignored_and_limits_enforced(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot
) -> None:
    fake_telegram.user(1, "Ann").start_bot()
    status, _ = await raw_call(fake_telegram, "sendMessage", json={"chat_id": 1, "text": "x", "bogus": [1]})
    assert status == 200
    with pytest.raises(TelegramBadRequest, match="too long"):
        await aiogram_bot.send_message(1, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="empty"):
        await aiogram_bot.send_message(1, "<b></b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await aiogram_bot.send_message(1, "Total: 5.00", parse_mode="MarkdownV2")
    sent = await aiogram_bot.send_message(1, "<b>Total</b> &lt;5&gt;", parse_mode="HTML")
    assert sent.text == "Total <5>"
    assert sent.entities is not None and sent.entities[0].type == "bold"


# -- messages, keyboards, callbacks -------------------------------------------------------------


async def test_inline_keyboard_and_callback_with_aiogram(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    ann = fake_telegram.user(1, "Ann", "ann")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await aiogram_bot.send_message(ann.id, "hello")
    await fake_telegram.send_message(ann, ann, "/start")
    sent = await aiogram_bot.send_message(ann.id, "Pick", reply_markup=keyboard(("Buy", "buy:1"), ("Skip", "skip")))
    stored = fake_telegram.last(ann)
    assert stored is not None and stored.message_id == sent.message_id
    assert stored.button_texts == ["Buy", "Skip"]

    pressed = await fake_telegram.press_button(ann, stored, text="Buy")
    assert pressed.query_id is not None
    updates = await aiogram_bot.get_updates(offset=pressed.update_id, timeout=0)
    assert updates[-1].callback_query is not None and updates[-1].callback_query.data == "buy:1"
    await aiogram_bot.answer_callback_query(pressed.query_id, text="Added", show_alert=True)
    answer = fake_telegram.callback_answer(pressed.query_id)
    assert answer is not None and (answer.text, answer.show_alert) == ("Added", True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await aiogram_bot.answer_callback_query(pressed.query_id)
    with pytest.raises(LookupError):
        await fake_telegram.press_button(ann, stored, callback_data="admin:drop")
    forged = await fake_telegram.press_button(ann, stored, callback_data="admin:drop", forge=True)
    assert forged.update is not None and forged.update["callback_query"]["data"] == "admin:drop"

    await aiogram_bot.edit_message_text("Picked", chat_id=ann.id, message_id=sent.message_id)
    assert stored.text == "Picked" and stored.buttons == [] and stored.history[0]["text"] == "Pick"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_text("Picked", chat_id=ann.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await aiogram_bot.edit_message_text("x", chat_id=ann.id, message_id=999)
    await aiogram_bot.delete_message(ann.id, sent.message_id)
    assert fake_telegram.sent(ann) == []

    too_long = "x" * 65
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await aiogram_bot.send_message(ann.id, "Pick", reply_markup=keyboard(("Buy", too_long)))
    ann.block_bot()
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await aiogram_bot.send_message(ann.id, "hello")


async def test_inline_keyboard_and_callback_with_ptb(fake_telegram: FakeTelegram, ptb_bot: telegram.Bot) -> None:
    bob = fake_telegram.user(2, "Bob")
    await fake_telegram.send_message(bob, None, "hi")
    markup = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("Buy", callback_data="buy:2")]])
    sent = await ptb_bot.send_message(bob.id, "Pick", reply_markup=markup)
    stored = fake_telegram.last(bob)
    assert stored is not None and stored.message_id == sent.message_id and stored.buttons[0]["callback_data"] == "buy:2"
    pressed = await fake_telegram.press_button(bob, stored, "buy:2")
    assert pressed.query_id is not None
    await ptb_bot.answer_callback_query(pressed.query_id, text="ok")
    answer = fake_telegram.callback_answer(pressed.query_id)
    assert answer is not None and answer.text == "ok" and answer.show_alert is False
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        bad = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("B", callback_data="é" * 33)]])
        await ptb_bot.send_message(bob.id, "Pick", reply_markup=bad)
    await ptb_bot.edit_message_reply_markup(bob.id, sent.message_id)
    assert stored.buttons == []
    fake_telegram.errors.clear()
    fake_telegram.assert_no_errors()


async def test_send_photo_and_edit_caption(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    ann = fake_telegram.user(1, "Ann")
    ann.start_bot()
    sent = await aiogram_bot.send_photo(ann.id, "https://example.com/p.jpg", caption="Mug")
    assert sent.photo is not None and len(sent.photo) == 2
    again = await aiogram_bot.send_photo(ann.id, sent.photo[-1].file_id)
    assert again.photo is not None and again.photo[-1].file_id == sent.photo[-1].file_id
    await aiogram_bot.edit_message_caption(chat_id=ann.id, message_id=sent.message_id, caption="Mug, 10% off")
    assert fake_telegram.sent(ann)[0].caption == "Mug, 10% off"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await aiogram_bot.send_photo(ann.id, "not-a-file-id")


# -- commands -----------------------------------------------------------------------------------


async def test_set_my_commands_with_scope(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    group = fake_telegram.group(GROUP_ID, "Makers")
    await aiogram_bot.set_my_commands(
        [BotCommand(command="shop", description="Open the shop")],
        scope=BotCommandScopeChat(chat_id=group.id),
        language_code="de",
    )
    assert fake_telegram.commands("chat", "de", chat_id=group.id) == [
        {"command": "shop", "description": "Open the shop"}
    ]
    await ptb_bot.set_my_commands(
        [("start", "Start"), ("help", "Help")], scope=telegram.BotCommandScopeAllPrivateChats()
    )
    stored = fake_telegram.commands("all_private_chats")
    assert stored is not None and [c["command"] for c in stored] == ["start", "help"]
    got = await ptb_bot.get_my_commands(scope=telegram.BotCommandScopeAllPrivateChats())
    assert [c.command for c in got] == ["start", "help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await aiogram_bot.set_my_commands([BotCommand(command="Shop!", description="x")])
    await aiogram_bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=group.id), language_code="de")
    assert fake_telegram.commands("chat", "de", chat_id=group.id) is None


# -- payments -----------------------------------------------------------------------------------


async def test_send_invoice_in_stars_with_both_libraries(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    ann = fake_telegram.user(1, "Ann")
    ann.start_bot()
    msg = await aiogram_bot.send_invoice(
        ann.id,
        title="Mug",
        description="A mug",
        payload="order:1",
        currency="XTR",
        prices=[LabeledPrice(label="Mug", amount=50)],
    )
    assert msg.invoice is not None and msg.invoice.total_amount == 50
    ptb_msg = await ptb_bot.send_invoice(ann.id, "Cap", "A cap", "order:2", "XTR", [telegram.LabeledPrice("Cap", 30)])
    assert ptb_msg.invoice is not None and ptb_msg.invoice.currency == "XTR"
    with pytest.raises(TelegramBadRequest, match="STARS_INVOICE_INVALID"):
        await aiogram_bot.send_invoice(
            ann.id,
            title="Mug",
            description="d",
            payload="p",
            currency="XTR",
            prices=[LabeledPrice(label="a", amount=1), LabeledPrice(label="b", amount=2)],
        )
    with pytest.raises(BadRequest, match="title"):
        await ptb_bot.send_invoice(ann.id, "T" * 33, "d", "p", "XTR", [telegram.LabeledPrice("a", 1)])
    fake_telegram.errors.clear()

    link = await ptb_bot.create_invoice_link("Pass", "Monthly", "sub:1", "XTR", [telegram.LabeledPrice("m", 100)])
    assert link.startswith("https://t.me/$")
    query = await fake_telegram.pre_checkout(ann, link, total_amount=1)
    assert query.query_id is not None and query.update is not None
    assert query.update["pre_checkout_query"]["total_amount"] == 1
    with pytest.raises(BadRequest, match=r"(?i)ERROR_MESSAGE_EMPTY"):
        await ptb_bot.answer_pre_checkout_query(query.query_id, ok=False)
    await ptb_bot.answer_pre_checkout_query(query.query_id, ok=False, error_message="Price changed")
    answer = fake_telegram.pre_checkout_answer(query.query_id)
    assert answer is not None and (answer.ok, answer.error_message) == (False, "Price changed")


async def test_pay_refund_and_redelivery_with_aiogram_dispatcher(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot
) -> None:
    ann = fake_telegram.user(1, "Ann")
    paid: list[str] = []
    dp = Dispatcher()

    @dp.pre_checkout_query()
    async def checkout(query: PreCheckoutQuery) -> None:
        if query.invoice_payload == "sold-out":
            await query.answer(ok=False, error_message="Sold out")
        else:
            await query.answer(ok=True)

    @dp.message(F.successful_payment)
    async def on_paid(message: Message) -> None:
        assert message.successful_payment is not None
        paid.append(message.successful_payment.telegram_payment_charge_id)

    polling = asyncio.create_task(dp.start_polling(aiogram_bot, handle_signals=False, polling_timeout=1))
    try:
        ann.start_bot()
        invoice = await aiogram_bot.send_invoice(
            ann.id,
            title="Mug",
            description="A mug",
            payload="order:1",
            currency="XTR",
            prices=[LabeledPrice(label="Mug", amount=50)],
        )
        stored = fake_telegram.last(ann)
        assert stored is not None and stored.message_id == invoice.message_id
        result = await fake_telegram.pay(ann, stored)
        assert result.accepted and result.charge_id is not None
        await fake_telegram.wait_for(lambda _: paid)
        assert paid == [result.charge_id]

        assert result.update_id is not None
        await fake_telegram.redeliver(result.update_id)
        await fake_telegram.wait_for(lambda _: len(paid) == 2)

        sold_out = await aiogram_bot.create_invoice_link(
            title="Cap",
            description="d",
            payload="sold-out",
            currency="XTR",
            prices=[LabeledPrice(label="c", amount=5)],
        )
        refused = await fake_telegram.pay(ann, sold_out)
        assert (refused.accepted, refused.error_message) == (False, "Sold out")

        await aiogram_bot.refund_star_payment(ann.id, result.charge_id)
        assert [r.charge_id for r in fake_telegram.refunds] == [result.charge_id]
        with pytest.raises(TelegramBadRequest, match="CHARGE_ALREADY_REFUNDED"):
            await aiogram_bot.refund_star_payment(ann.id, result.charge_id)
        with pytest.raises(TelegramBadRequest, match="CHARGE_NOT_FOUND"):
            await aiogram_bot.refund_star_payment(ann.id, "stx-unknown")
    finally:
        await dp.stop_polling()
        await polling
    fake_telegram.errors.clear()


# -- updates ------------------------------------------------------------------------------------


async def test_get_updates_long_polling_and_offsets(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    ann = fake_telegram.user(1, "Ann")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(aiogram_bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    first = await fake_telegram.send_message(ann, ann, "hello")
    updates = await asyncio.wait_for(poll, 3)
    assert loop.time() - started < 2
    assert [u.update_id for u in updates] == [first.update_id]
    assert updates[0].message is not None and updates[0].message.text == "hello"

    second = await fake_telegram.send_message(ann, ann, "again")
    again = await aiogram_bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [first.update_id, second.update_id]
    assert first.update_id is not None and second.update_id is not None
    confirmed = await aiogram_bot.get_updates(offset=second.update_id, timeout=0)
    assert [u.update_id for u in confirmed] == [second.update_id]
    assert await aiogram_bot.get_updates(offset=second.update_id + 1, timeout=0) == []

    started = loop.time()
    assert await aiogram_bot.get_updates(offset=second.update_id + 1, timeout=1) == []
    assert loop.time() - started >= 0.9

    await fake_telegram.send_message(ann, ann, "filtered")
    assert await aiogram_bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == []
    fake_telegram.assert_no_errors()


async def test_command_entities_and_group_privacy(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1, "Ann")
    group = fake_telegram.group(GROUP_ID, "Makers")
    command = await fake_telegram.send_message(ann, group, "/shop@circlecart_test_bot now")
    assert command.update is not None
    assert command.update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 25}]
    chatter = await fake_telegram.send_message(ann, group, "nice mug")
    assert chatter.update_id is None and chatter.message is not None
    other_bot = await fake_telegram.send_message(ann, group, "/shop@another_bot")
    assert other_bot.update_id is None


async def test_webhook_delivery_secret_retry_and_conflict(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures = [500]

    async def hook(request: web.Request) -> web.Response:
        if failures:
            return web.Response(status=failures.pop())
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.json_response({"method": "sendMessage", "chat_id": 1, "text": "from webhook reply"})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await aiogram_bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(Exception, match="webhook is active"):
            await aiogram_bot.get_updates()
        ann = fake_telegram.user(1, "Ann")
        sent = await fake_telegram.send_message(ann, ann, "via webhook")
        await fake_telegram.wait_for(lambda _: received)
        assert received[0][0] == "s3cret" and received[0][1]["update_id"] == sent.update_id
        await fake_telegram.wait_for_sent(ann)
        info = await aiogram_bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.last_error_message is not None
        await aiogram_bot.delete_webhook()
        assert await aiogram_bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()
    fake_telegram.errors.clear()


async def test_aiogram_dispatcher_replies_to_a_command(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Welcome to the shop", reply_markup=keyboard(("Browse", "browse")))

    @dp.callback_query(F.data == "browse")
    async def browse(query: CallbackQuery) -> None:
        await query.answer("Loading")

    polling = asyncio.create_task(dp.start_polling(aiogram_bot, handle_signals=False, polling_timeout=1))
    try:
        ann = fake_telegram.user(1, "Ann")
        await fake_telegram.send_message(ann, ann, "/start")
        [reply] = await fake_telegram.wait_for_sent(ann)
        assert reply.text == "Welcome to the shop"
        pressed = await fake_telegram.press_button(ann, reply, "browse")
        assert pressed.query_id is not None
        qid = pressed.query_id
        await fake_telegram.wait_for(lambda _: fake_telegram.callback_answer(qid))
        answer = fake_telegram.callback_answer(qid)
        assert answer is not None and answer.text == "Loading"
    finally:
        await dp.stop_polling()
        await polling
    fake_telegram.assert_no_errors()


async def test_ptb_application_replies_to_a_command(fake_telegram: FakeTelegram) -> None:
    async def start(update: telegram.Update, context: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Hello from PTB")

    app = Application.builder().token(BOT_TOKEN).base_url(f"{fake_telegram.base_url}/bot").build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            ann = fake_telegram.user(1, "Ann")
            await fake_telegram.send_message(ann, ann, "/start")
            [reply] = await fake_telegram.wait_for_sent(ann)
            assert reply.text == "Hello from PTB"
            assert reply.data["from"]["id"] == BOT_USER_ID
        finally:
            await app.updater.stop()
            await app.stop()
    fake_telegram.assert_no_errors()


# -- faults -------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_429_and_flood_limit(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    ann = fake_telegram.user(1, "Ann")
    ann.start_bot()
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await aiogram_bot.send_message(ann.id, "x")
    assert caught.value.retry_after == 7
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as ptb_caught:
        await ptb_bot.send_message(ann.id, "x")
    assert ptb_caught.value.retry_after in (3, __import__("datetime").timedelta(seconds=3))
    fake_telegram.assert_no_errors()

    now = [1000.0]
    fake_telegram.clock = lambda: now[0]
    fake_telegram.flood_limit(per_chat_per_second=1)
    await aiogram_bot.send_message(ann.id, "one")
    with pytest.raises(TelegramRetryAfter) as flood:
        await aiogram_bot.send_message(ann.id, "two")
    assert flood.value.retry_after == 1
    now[0] += 0.5
    with pytest.raises(TelegramRetryAfter):
        await aiogram_bot.send_message(ann.id, "too early")
    assert len(fake_telegram.flood_violations) == 1
    now[0] += 1.0
    await aiogram_bot.send_message(ann.id, "three")
    assert [m.text for m in fake_telegram.sent(ann)] == ["one", "three"]
    assert [s.at for s in fake_telegram.sends if s.method == "sendMessage"][-2:] == [1000.0, 1001.5]


# -- inline mode and groups ---------------------------------------------------------------------


async def test_inline_query_and_chosen_result(fake_telegram: FakeTelegram, ptb_bot: telegram.Bot) -> None:
    ann = fake_telegram.user(1, "Ann")
    group = fake_telegram.group(GROUP_ID, "Makers")
    query_id = await fake_telegram.inline_query(ann, "mug")
    results = [
        telegram.InlineQueryResultArticle(
            "p1",
            "Mug",
            telegram.InputTextMessageContent("<b>Mug</b> 50 ⭐", parse_mode="HTML"),
            reply_markup=telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("Buy", callback_data="b1")]]),
        )
    ]
    await ptb_bot.answer_inline_query(query_id, results, cache_time=0)
    answers = fake_telegram.inline_answers(query_id)
    assert answers is not None and answers[0]["id"] == "p1"
    chosen = await fake_telegram.choose_inline_result(ann, group, query_id, "p1")
    assert chosen.message is not None and chosen.message.text == "Mug 50 ⭐"
    assert chosen.message.data["via_bot"]["id"] == BOT_USER_ID
    pressed = await fake_telegram.press_button(ann, chosen.message, "b1")
    assert (
        pressed.update is not None and pressed.update["callback_query"]["inline_message_id"] == chosen.inline_message_id
    )
    assert chosen.inline_message_id is not None
    await ptb_bot.edit_message_text("Mug — sold", inline_message_id=chosen.inline_message_id)
    assert chosen.message.text == "Mug — sold"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await ptb_bot.answer_inline_query(query_id, results)
    fake_telegram.errors.clear()


async def test_group_membership_join_requests_and_bans(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    owner = fake_telegram.user(10, "Olga")
    ann = fake_telegram.user(1, "Ann")
    group = fake_telegram.group(GROUP_ID, "Makers", bots_are_members=False).set_owner(owner)
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await aiogram_bot.send_message(group.id, "hi")
    added = await fake_telegram.add_bot_to_group(group, owner, status="administrator")
    assert added.update is not None
    assert added.update["my_chat_member"]["new_chat_member"]["status"] == "administrator"
    admins = await aiogram_bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {owner.id, BOT_USER_ID}
    link = await aiogram_bot.create_chat_invite_link(group.id, creates_join_request=True)
    request = await fake_telegram.join_request(ann, group, link.invite_link)
    assert request.update_id is not None
    await aiogram_bot.send_message(ann.id, "Welcome! Please accept the rules.")
    await aiogram_bot.approve_chat_join_request(group.id, ann.id)
    member = await aiogram_bot.get_chat_member(group.id, ann.id)
    assert member.status == "member"
    with pytest.raises(TelegramBadRequest, match="HIDE_REQUESTER_MISSING"):
        await aiogram_bot.decline_chat_join_request(group.id, ann.id)
    await aiogram_bot.ban_chat_member(group.id, ann.id)
    assert (await aiogram_bot.get_chat_member(group.id, ann.id)).status == "kicked"
    await aiogram_bot.unban_chat_member(group.id, ann.id, only_if_banned=True)
    assert (await aiogram_bot.get_chat_member(group.id, ann.id)).status == "left"
    chat = await aiogram_bot.get_chat(group.id)
    assert chat.title == "Makers"
    removed = await fake_telegram.remove_bot_from_group(group, owner)
    assert removed.update is not None and removed.update["my_chat_member"]["new_chat_member"]["status"] == "left"
    fake_telegram.errors.clear()


@pytest.mark.parametrize("content_type", ["json", "form"])
async def test_concurrent_pollers_conflict(fake_telegram: FakeTelegram, content_type: str) -> None:
    payload: dict[str, Any] = {"timeout": 2}
    kwargs = {"json": payload} if content_type == "json" else {"data": {"timeout": "2"}}
    first = asyncio.create_task(raw_call(fake_telegram, "getUpdates", **kwargs))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(raw_call(fake_telegram, "getUpdates", json={"timeout": 0}))
    status, body = await asyncio.wait_for(first, 3)
    assert status == 409 and "terminated by other getUpdates" in body["description"]
    assert (await second)[0] == 200
    with contextlib.suppress(Exception):
        fake_telegram.errors.clear()


async def test_spec_path_can_be_overridden(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = json.loads(DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
    del spec["methods"]["sendDice"]
    custom = tmp_path / "spec.json"
    custom.write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv(SPEC_ENV, str(custom))
    async with FakeTelegram() as fake:
        fake.add_bot(BOT_TOKEN, BOT_USER_ID, "b_bot")
        status, _ = await raw_call(fake, "sendDice", json={"chat_id": 1})
        assert status == 404
        status, _ = await raw_call(fake, "getMe")
        assert status == 200


async def test_uploads_generic_methods_and_blocking(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    ann = fake_telegram.user(1, "Ann")
    await fake_telegram.send_message(ann, ann, "/start")
    uploaded = await aiogram_bot.send_photo(ann.id, BufferedInputFile(b"\x89PNG...", "mug.png"), caption="Up")
    assert uploaded.photo is not None and uploaded.caption == "Up"
    ptb_uploaded = await ptb_bot.send_photo(ann.id, b"\x89PNG...", caption="<i>Up</i>", parse_mode="HTML")
    assert ptb_uploaded.caption == "Up" and ptb_uploaded.caption_entities[0].type == "italic"
    doc = await aiogram_bot.send_document(ann.id, BufferedInputFile(b"pdf", "terms.pdf"), caption="Terms")
    assert doc.document is not None and doc.caption == "Terms"
    assert await aiogram_bot.pin_chat_message(ann.id, doc.message_id) is True
    assert fake_telegram.calls_to("pinChatMessage")[0].params["message_id"] == doc.message_id
    md = await ptb_bot.send_message(ann.id, "*Mug* costs 5\\.00", parse_mode="MarkdownV2")
    assert md.text == "Mug costs 5.00" and md.entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await ptb_bot.send_message(ann.id, "<div>x</div>", parse_mode="HTML")
    fake_telegram.errors.clear()

    blocked = await fake_telegram.user_blocks_bot(ann)
    assert blocked.update is not None
    assert blocked.update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await aiogram_bot.send_chat_action(ann.id, "typing")
    assert [e.error_code for e in fake_telegram.errors] == [403]
    fake_telegram.assert_no_errors(ignore_codes=[403])


async def test_two_bots_in_a_group_and_inline_invoice(fake_telegram: FakeTelegram, aiogram_bot: AiogramBot) -> None:
    fake_telegram.add_bot("777:brand-bot", 777, "brand_bot", "Brand", privacy_mode=False)
    ann = fake_telegram.user(1, "Ann")
    group = fake_telegram.group(GROUP_ID, "Makers")
    await fake_telegram.send_message(ann, group, "/deals@brand_bot")
    assert fake_telegram.pending_updates() == []
    assert len(fake_telegram.pending_updates("777:brand-bot")) == 1
    chatter = await fake_telegram.send_message(ann, group, "hello all")
    assert chatter.update_id is not None
    assert len(fake_telegram.pending_updates("777:brand-bot")) == 2 and fake_telegram.pending_updates() == []

    query_id = await fake_telegram.inline_query(ann, "mug", chat_type="supergroup")
    content = InputInvoiceMessageContent(
        title="Mug",
        description="A mug",
        payload="order:9",
        currency="XTR",
        prices=[LabeledPrice(label="Mug", amount=40)],
    )
    await aiogram_bot.answer_inline_query(
        query_id, [InlineQueryResultArticle(id="inv", title="Mug", input_message_content=content)]
    )
    chosen = await fake_telegram.choose_inline_result(ann, group, query_id, "inv")
    assert chosen.message is not None and chosen.message.data["invoice"]["total_amount"] == 40
    payment = asyncio.create_task(fake_telegram.pay(ann, chosen.message))
    pre = await fake_telegram.wait_for(
        lambda _: [u for u in fake_telegram.pending_updates() if "pre_checkout_query" in u]
    )
    query = pre[0]["pre_checkout_query"]
    assert query["total_amount"] == 40 and query["invoice_payload"] == "order:9"
    await aiogram_bot.answer_pre_checkout_query(query["id"], ok=True)
    result = await payment
    assert result.accepted and result.message is not None and result.message.chat_id == group.id
    assert fake_telegram.charges[result.charge_id or ""].total_amount == 40
    fake_telegram.assert_no_errors()


async def test_admins_are_asked_of_the_chat_as_it_is_now(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    """getChatMember and getChatAdministrators answer for the moment they are asked: a demoted admin is a member
    and leaves the list, an admin of one group is nobody special in another (both clients parse the answers)."""
    owner, carl, bob = fake_telegram.user(10, "Olga"), fake_telegram.user(11, "Carl"), fake_telegram.user(12, "Bob")
    group = fake_telegram.group(GROUP_ID, "Makers", bots_are_members=False).set_owner(owner)
    other = fake_telegram.group(GROUP_ID - 1, "Pins", bots_are_members=False).set_owner(bob)
    group.add_member(bob).set_admin(carl, custom_title="host")
    await fake_telegram.add_bot_to_group(group, owner, status="administrator")
    await fake_telegram.add_bot_to_group(other, bob, status="member")

    admins = await aiogram_bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {owner.id, carl.id, BOT_USER_ID}
    carl_now = await ptb_bot.get_chat_member(group.id, carl.id)
    assert carl_now.status == "administrator" and getattr(carl_now, "custom_title", None) == "host"
    assert (await aiogram_bot.get_chat_member(group.id, bob.id)).status == "member"
    assert (await ptb_bot.get_chat_member(other.id, bob.id)).status == "creator"

    group.add_member(carl)  # demoted
    assert (await aiogram_bot.get_chat_member(group.id, carl.id)).status == "member"
    assert carl.id not in {a.user.id for a in await ptb_bot.get_chat_administrators(group.id)}
    assert (await ptb_bot.get_chat_member(group.id, fake_telegram.user(13, "Nia").id)).status == "left"
