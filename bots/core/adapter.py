"""What the composition root needs from a framework adapter: a messenger, the bot's name, and a loop."""

from __future__ import annotations

from typing import Protocol

from bots.core.runtime import BotCore
from domain.messenger import Messenger


class FrameworkAdapter(Protocol):
    @property
    def messenger(self) -> Messenger: ...

    async def username(self) -> str:
        """The bot's @username (getMe): deep links need it."""

    def attach(self, core: BotCore) -> None:
        """Register the core's handler table into the framework's routing."""

    async def start(self) -> None:
        """Start receiving updates (long polling) in the background and return."""

    async def start_webhook(self, listen: str, port: int, public_url: str, secret: str) -> None:
        """Serve Telegram's webhook on listen:port (the path of public_url) and register it with the secret."""

    async def stop(self) -> None: ...
