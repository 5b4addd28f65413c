"""circlecart inside an operator's existing python-telegram-bot Application."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bots.core.runtime import BotCore
from bots.ptb.handlers import add_handlers
from bots.ptb.messenger import PtbMessenger


class HostedPtb:
    """A FrameworkAdapter over an Application someone else runs: handlers go in, running stays theirs."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], group: int = 0) -> None:
        self.application = application
        self.group = group
        self.messenger = PtbMessenger(application.bot)

    async def username(self) -> str:
        me = await self.application.bot.get_me()
        return me.username or ""

    async def bot_id(self) -> int:
        return int((await self.application.bot.get_me()).id)

    def attach(self, core: BotCore) -> None:
        add_handlers(self.application, core, group=self.group)

    async def start(self) -> None:
        """The host's Application runs polling or its webhook."""

    async def start_webhook(
        self, listen: str, port: int, public_url: str, secret: str, routes: Sequence[web.RouteDef] = ()
    ) -> None:
        """The host serves its own webhook."""

    async def stop_receiving(self) -> None:
        """The host stops its own updates."""

    async def stop(self) -> None:
        """The host shuts its Application down."""
