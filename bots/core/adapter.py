"""What the composition root needs from a framework adapter: a messenger, the bot's name, and a loop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from bots.core.runtime import BotCore
from domain.messenger import Messenger

# What Telegram says (lower case) when a query was answered already or is too old; adapters raise QueryExpired.
QUERY_EXPIRED_MARKERS = ("query is too old", "query id is invalid")

# What Telegram says (lower case) when the message an edit or a reply names is gone or no longer editable;
# each adapter's messenger raises domain.messenger.MessageGone for these.
MESSAGE_GONE_MARKERS = (
    "message to edit not found",
    "message can't be edited",
    "message to be replied not found",
    "message_id_invalid",
    "message to delete not found",
    # a forged button on a message of the other kind: a text edit of a photo card, or a caption edit of a text
    "there is no text in the message to edit",
    "there is no caption in the message to edit",
)


class FrameworkAdapter(Protocol):
    @property
    def messenger(self) -> Messenger: ...

    async def username(self) -> str:
        """The bot's @username (getMe): deep links need it."""

    async def bot_id(self) -> int:
        """The bot's Telegram user id: update_ids count per bot, so processed updates are keyed by it."""

    def attach(self, core: BotCore) -> None:
        """Register the core's handler table into the framework's routing."""

    async def start(self) -> None:
        """Start receiving updates (long polling) in the background and return."""

    async def start_webhook(
        self, listen: str, port: int, public_url: str, secret: str, routes: Sequence[web.RouteDef] = ()
    ) -> None:
        """Serve Telegram's webhook on listen:port (the path of public_url) and register it with the secret;
        `routes` are served beside it (health and metrics)."""

    async def stop(self) -> None: ...
