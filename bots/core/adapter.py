"""What the composition root needs from a framework adapter: a messenger, the bot's name, and a loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from aiohttp import web

from bots.core.runtime import BotCore
from domain.messenger import Messenger

log = logging.getLogger(__name__)

# At shutdown, how long the updates being handled get to finish once no new ones are taken in. A payment is
# stored before anything else, so one cut short after that is settled by the payments job at the next start.
IN_FLIGHT_GRACE = 10.0

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

    async def stop_receiving(self) -> None:
        """Take in no more updates, and let those being handled finish (within IN_FLIGHT_GRACE)."""

    async def stop(self) -> None:
        """Stop for good: after stop_receiving and after the jobs and the outbox sender have stopped."""


class InFlight:
    """The tasks handling an update right now, so that a shutdown can let them finish."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def begin(self) -> asyncio.Task[Any] | None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        return task

    def end(self, task: asyncio.Task[Any] | None) -> None:
        if task is not None:
            self.tasks.discard(task)

    async def finish(self, grace: float = IN_FLIGHT_GRACE) -> None:
        """Wait for the updates in flight; cancel those still running after `grace` seconds."""
        pending = {task for task in self.tasks if not task.done() and task is not asyncio.current_task()}
        if not pending:
            return
        log.info("letting %d update(s) in flight finish (up to %.0fs)", len(pending), grace)
        _, late = await asyncio.wait(pending, timeout=grace)
        if late:
            log.warning(
                "%d update(s) still in flight after %.0fs were cut short; a payment already stored is settled "
                "by the payments job",
                len(late),
                grace,
            )
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=5)
