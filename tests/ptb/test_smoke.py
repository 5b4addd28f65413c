"""End to end: circlecart on python-telegram-bot against the fake Bot API answers /help."""

from __future__ import annotations

from pathlib import Path

from circlecart.app import CircleCart
from circlecart.sandbox.bot_api.server import FakeTelegram
from circlecart.sandbox.tracker import UpdateTracker
from circlecart.settings import Settings
from tests.bot_api.fixtures import BOT_TOKEN
from tests.support.clock import FakeClock


async def test_help_in_a_private_chat(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    settings = Settings(
        bot_token=BOT_TOKEN,
        telegram_api_url=fake_telegram.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        framework="ptb",
    )
    tracker = UpdateTracker()
    app = CircleCart(settings, clock=FakeClock(), update_listeners=[tracker.done])
    await app.start()
    try:
        assert type(app.adapter).__module__ == "bots.ptb.runner"
        mei = fake_telegram.user(1001, "Mei", "mei", language_code="en")
        delivered = await fake_telegram.send_message(mei, None, "/help")
        assert delivered.update_id is not None
        await tracker.wait(delivered.update_id)
        answers = fake_telegram.sent(mei)
        assert answers, "the bot did not answer /help"
        assert "/shop" in answers[-1].content
        assert fake_telegram.commands("all_private_chats"), "the command menu was not registered"
        fake_telegram.assert_no_errors()
    finally:
        await app.stop()
