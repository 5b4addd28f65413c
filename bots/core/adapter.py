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

    async def stop(self) -> None: ...
