"""The router's filters, as aiogram filter classes whose check is a coroutine.

aiogram runs a synchronous filter, which a magic filter (`F.data.startswith(...)`) is, through
`asyncio.to_thread`: every check of every registered handler was a hop to a worker thread and back, up to
fifteen for a drop's Buy button (its action is the fifteenth registered), and one for every message (the
payment filter comes first). A filter whose `__call__` is a coroutine runs on the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bots.core.callbacks import SEPARATOR, VERSION


class ActionButton(Filter):
    """A button of one of the table's actions: its data reads `<version>:<action>:...`."""

    def __init__(self, actions: Iterable[str]) -> None:
        self.actions = frozenset(actions)

    async def __call__(self, query: CallbackQuery) -> bool:
        parts = (query.data or "").split(SEPARATOR, 2)
        return len(parts) == 3 and parts[0] == VERSION and parts[1] in self.actions


class SuccessfulPayment(Filter):
    async def __call__(self, message: Message) -> bool:
        return message.successful_payment is not None


class PlainText(Filter):
    """Text that is not a command, in one of the given kinds of chat."""

    def __init__(self, chats: Iterable[str]) -> None:
        self.chats = frozenset(chats)

    async def __call__(self, message: Message) -> bool:
        return message.chat.type in self.chats and bool(message.text) and not (message.text or "").startswith("/")


class PrivateDocument(Filter):
    async def __call__(self, message: Message) -> bool:
        return message.chat.type == "private" and message.document is not None
