"""pytest fixture: ``from tests.fake_telegram.fixtures import fake_telegram`` in a conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeTelegram

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


__all__ = ["BOT_TOKEN", "BOT_USERNAME", "BOT_USER_ID", "fake_telegram"]
