"""circlecart as an aiogram Router, registered from the core handler table with aiogram's own filters.

An operator with an existing aiogram bot includes this router in their Dispatcher; circlecart's own
runner does exactly the same.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    CallbackQuery,
    ChatJoinRequest,
    ChatMemberUpdated,
    ChosenInlineResult,
    InlineQuery,
    Message,
    PollAnswer,
    PreCheckoutQuery,
    ShippingQuery,
    TelegramObject,
    Update,
)

from bots.aiogram import convert
from bots.aiogram.filters import ActionButton, PlainText, PrivateDocument, SuccessfulPayment
from bots.core.adapter import InFlight
from bots.core.runtime import BotCore, update_kind

ANY_COMMAND = Command(re.compile(r"[A-Za-z0-9_]{1,32}"))


def build_router(core: BotCore, name: str = "circlecart") -> Router:
    router = Router(name=name)
    table = core.table

    async def on_command(message: Message, command: CommandObject, event_update: Update) -> None:
        event = convert.command(event_update.update_id, message, command)
        if event is not None:
            await core.command(event)

    async def on_payment(message: Message, event_update: Update) -> None:
        event = convert.payment(event_update.update_id, message)
        if event is not None:
            await core.payment(event)

    async def on_button(query: CallbackQuery, event_update: Update) -> None:
        await core.button(convert.button(event_update.update_id, query))

    async def on_inline(query: InlineQuery, event_update: Update) -> None:
        await core.inline_query(convert.inline_query(event_update.update_id, query))

    async def on_chosen(result: ChosenInlineResult, event_update: Update) -> None:
        await core.chosen_inline(convert.chosen_inline(event_update.update_id, result))

    async def on_pre_checkout(query: PreCheckoutQuery, event_update: Update) -> None:
        await core.pre_checkout(convert.pre_checkout(event_update.update_id, query))

    async def on_shipping(query: ShippingQuery, event_update: Update) -> None:
        await core.shipping_query(convert.shipping_query(event_update.update_id, query))

    async def on_bot_membership(update: ChatMemberUpdated, event_update: Update) -> None:
        await core.bot_membership(convert.bot_membership(event_update.update_id, update))

    async def on_join_request(request: ChatJoinRequest, event_update: Update) -> None:
        await core.join_request(convert.join_request(event_update.update_id, request))

    async def on_poll_answer(answer: PollAnswer, event_update: Update) -> None:
        event = convert.poll_answer(event_update.update_id, answer)
        if event is not None:
            await core.poll_answer(event)

    # -- dialogs: plain private-chat text (drops' scheduling dialog) --------------------------------------
    async def on_text(message: Message, event_update: Update) -> None:
        event = convert.text(event_update.update_id, message)
        if event is not None:
            await core.text(event)

    async def on_document(message: Message, event_update: Update) -> None:
        event = convert.document(event_update.update_id, message)
        if event is not None:
            await core.document(event)

    router.message.register(on_payment, SuccessfulPayment())
    for spec in table.commands.values():
        router.message.register(on_command, Command(spec.name))
    if table.unknown_command is not None:
        router.message.register(on_command, ANY_COMMAND)
    router.callback_query.register(on_button, ActionButton(table.actions))
    # Whatever no action claims is stale or forged: the core answers it with a clear alert.
    router.callback_query.register(on_button)
    if table.inline_query is not None:
        router.inline_query.register(on_inline)
    if table.chosen_inline is not None:
        router.chosen_inline_result.register(on_chosen)
    # Always: every pre-checkout query must be answered within 10 s, even one for an unknown payload.
    router.pre_checkout_query.register(on_pre_checkout)
    if table.shipping_query is not None:  # flexible invoices (physical goods): options by address
        router.shipping_query.register(on_shipping)
    if table.bot_membership is not None:
        router.my_chat_member.register(on_bot_membership)
    if table.join_request is not None:
        router.chat_join_request.register(on_join_request)
    if table.poll_answer is not None:
        router.poll_answer.register(on_poll_answer)
    if table.text is not None or table.group_text is not None:  # after the commands: a command is never text
        chats = {"private", "group", "supergroup"}
        router.message.register(on_text, PlainText(chats))
    if table.document is not None:  # a file in the private chat (pools of codes)
        router.message.register(on_document, PrivateDocument())
    return router


class UpdateDoneMiddleware(BaseMiddleware):
    """Reports every finished update to the core (logs and tests wait on it), routed or not, and keeps
    track of those in flight (a shutdown lets them finish)."""

    def __init__(self, core: BotCore) -> None:
        self.core = core
        self.in_flight = InFlight()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        task = self.in_flight.begin()
        try:
            return await handler(event, data)
        finally:
            self.in_flight.end(task)
            if isinstance(event, Update):
                self.core.update_done(event.update_id, update_kind(event), time.perf_counter() - started)
