"""FakeTelegram: an in-process Bot API server that real aiogram / python-telegram-bot bots talk to."""

from __future__ import annotations

from .polls import Polls


class FakeTelegram(Polls):
    """The fake Bot API server.

    ``fake = FakeTelegram(); await fake.start()`` (or ``async with FakeTelegram() as fake``), then
    point a bot at ``fake.base_url``. Bot calls are validated against the Bot API spec and run
    against the simulated world; tests act as users through the scenario methods and read the
    outcome through ``sent``, ``calls``, ``errors`` and friends.
    """

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self
