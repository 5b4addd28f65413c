"""circlecart inside an operator's existing aiogram bot: their Bot, their Dispatcher, our Router."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot, Router
from aiohttp import web

from bots.aiogram.messenger import AiogramMessenger
from bots.aiogram.router import build_router
from bots.core.runtime import BotCore


class HostedAiogram:
    """A FrameworkAdapter over a bot someone else runs: it builds the router and leaves polling to them."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.messenger = AiogramMessenger(bot)
        self.router: Router | None = None

    async def username(self) -> str:
        return (await self.bot.me()).username or ""

    async def bot_id(self) -> int:
        return (await self.bot.me()).id

    def attach(self, core: BotCore) -> None:
        self.router = build_router(core)

    async def start(self) -> None:
        """The host's Dispatcher polls or serves webhooks; nothing to start here."""

    async def start_webhook(
        self, listen: str, port: int, public_url: str, secret: str, routes: Sequence[web.RouteDef] = ()
    ) -> None:
        """The host serves its own webhook."""

    async def stop_receiving(self) -> None:
        """The host stops its own updates."""

    async def stop(self) -> None:
        """The host owns the bot's session; closing it is theirs to do."""
