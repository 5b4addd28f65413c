"""pytest fixtures: ``from tests.bot_api.fixtures import fake_telegram`` (and the two framework
clients pointed at it, ``aiogram_bot`` and ``ptb_bot``) in a test module or conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
import telegram
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from circlecart.sandbox.bot_api import FakeTelegram

BOT_TOKEN = "123456:TEST-circlecart-token"
BOT_USER_ID = 123456
BOT_USERNAME = "circlecart_test_bot"


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API server with one bot registered (token BOT_TOKEN)."""
    fake = FakeTelegram()
    fake.add_bot(BOT_TOKEN, BOT_USER_ID, BOT_USERNAME, "CircleCart")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest_asyncio.fixture
async def aiogram_bot(fake_telegram: FakeTelegram) -> AsyncIterator[AiogramBot]:
    """A real aiogram Bot talking to the fake."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.base_url))
    bot = AiogramBot(BOT_TOKEN, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest_asyncio.fixture
async def ptb_bot(fake_telegram: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    """A real python-telegram-bot Bot talking to the fake."""
    bot = telegram.Bot(
        BOT_TOKEN, base_url=f"{fake_telegram.base_url}/bot", base_file_url=f"{fake_telegram.base_url}/file/bot"
    )
    async with bot:
        yield bot


__all__ = ["BOT_TOKEN", "BOT_USERNAME", "BOT_USER_ID", "aiogram_bot", "fake_telegram", "ptb_bot"]
