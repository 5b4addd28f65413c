"""Operators who already run a bot add circlecart to it; their own handlers keep working."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from aiogram import Dispatcher, Router
from aiogram.filters import Command
from aiogram.types import Message
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bots.aiogram.runner import create_bot
from circlecart.app import CircleCart
from circlecart.catalog_io import import_file
from circlecart.embed import embed_in_aiogram, embed_in_ptb
from circlecart.sandbox.bot_api.server import FakeTelegram
from circlecart.sandbox.tracker import UpdateTracker
from circlecart.settings import Settings
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME
from tests.scenarios.rewards_steps import eventually


def _settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hosted.db'}", reconcile_after_seconds=0)


async def _started_fake(tmp_path: Path) -> FakeTelegram:
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "Host bot")
    await import_file(_settings(tmp_path).database_url, STARS_CATALOG)
    return fake


async def _host_and_shop_both_answer(fake: FakeTelegram, shop: CircleCart, ordered: bool = False) -> None:
    mei = fake.user(3001, "Mei")
    await fake.send_message(mei, None, "/ping")
    await fake.wait_for(lambda _: any(m.text == "pong" for m in fake.sent(mei)), timeout=10)
    await fake.send_message(mei, None, "/shop")
    await fake.wait_for(lambda _: any("Shop" in (m.text or "") for m in fake.sent(mei)), timeout=10)
    await fake.send_message(mei, None, "/ping")
    await fake.wait_for(lambda _: [m.text for m in fake.sent(mei)].count("pong") == 2, timeout=10)
    # The host's commands are the host's: circlecart's unknown-command help must not answer them too.
    assert not any("I don't know" in (m.text or "") for m in fake.sent(mei))
    # So are the host's own payments: circlecart neither refunds nor answers a payload it did not issue.
    assert shop.core is not None
    tracker = UpdateTracker()
    shop.core.on_update_done(tracker.done)
    paid = await fake.successful_payment(mei, None, "host-ticket:42", "XTR", 10)
    assert paid.update_id is not None
    if ordered:  # PTB's application handles one update after the other: a later pong means it is done
        await fake.send_message(mei, None, "/ping")
        await fake.wait_for(lambda _: [m.text for m in fake.sent(mei)].count("pong") == 3, timeout=10)
    else:  # aiogram's middleware reports each finished update
        await tracker.wait(paid.update_id)
    # Plain private text is the host's too: circlecart's shop assistant answers it only in its own bot.
    before = len(fake.sent(mei))
    chatter = await fake.send_message(mei, None, "celadon tea set")
    assert chatter.update_id is not None
    if ordered:
        await fake.send_message(mei, None, "/ping")
        await fake.wait_for(lambda _: [m.text for m in fake.sent(mei)].count("pong") == 4, timeout=10)
        assert [m.text for m in fake.sent(mei)[before:]] == ["pong"]
    else:
        await tracker.wait(chatter.update_id)
        assert fake.sent(mei)[before:] == []
    # Nor does the reconciler take the host's charges, which Telegram lists beside circlecart's own.
    await eventually(lambda: shop.jobs is not None)
    assert shop.jobs is not None
    await shop.jobs.run_now("reconcile_star_payments")
    assert fake.refunds == []
    assert not any("refund" in (m.text or "") for m in fake.sent(mei))


async def test_an_aiogram_bot_includes_circlecart_and_keeps_its_own_commands(tmp_path: Path) -> None:
    fake = await _started_fake(tmp_path)
    bot = create_bot(BOT_TOKEN, fake.base_url)
    dispatcher = Dispatcher()
    host = Router(name="host")

    @host.message(Command("ping"))
    async def ping(message: Message) -> None:
        await message.answer("pong")

    dispatcher.include_router(host)
    shop = await embed_in_aiogram(dispatcher, bot, _settings(tmp_path))
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        await _host_and_shop_both_answer(fake, shop)
    finally:
        await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await shop.stop()
        await bot.session.close()
        await fake.stop()


async def test_a_ptb_application_adds_circlecart_and_keeps_its_own_commands(tmp_path: Path) -> None:
    fake = await _started_fake(tmp_path)
    application = Application.builder().token(BOT_TOKEN).base_url(f"{fake.base_url}/bot").build()

    async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("pong")

    application.add_handler(CommandHandler("ping", ping))
    shop = await embed_in_ptb(application, _settings(tmp_path))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling()
    try:
        await _host_and_shop_both_answer(fake, shop, ordered=True)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await shop.stop()
        await fake.stop()
