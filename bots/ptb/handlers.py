"""circlecart's handlers registered into a python-telegram-bot Application, from the core handler table.

This is also the embedding API: an operator with an existing PTB Application calls add_handlers() to put
circlecart next to their own handlers; circlecart's own runner does exactly the same.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackContext,
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    ShippingQueryHandler,
    filters,
)

from bots.core.callbacks import SEPARATOR, VERSION
from bots.core.runtime import BotCore
from bots.ptb import convert

Context = CallbackContext[Any, Any, Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class AddressedToUs(filters.MessageFilter):
    """A command without a mention, or one that mentions this bot: '/x@otherbot' belongs to another bot."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(name="AddressedToUs")

    def filter(self, message: Message) -> bool:
        parsed = convert.split_command(message.text)
        if parsed is None:
            return False
        if not parsed.mention:
            return True
        ours = message.get_bot().username or ""
        return parsed.mention.lower() == ours.lower()


# Only new messages: aiogram's router.message does not see edits or channel posts either.
NEW_MESSAGE = filters.UpdateType.MESSAGE
UNKNOWN_COMMAND = NEW_MESSAGE & filters.COMMAND & AddressedToUs()


def action_pattern(action: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(f"{VERSION}{SEPARATOR}{action}{SEPARATOR}"))


def build_handlers(core: BotCore) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers in the order they must be tried (PTB runs the first match of a group)."""
    table = core.table

    async def on_command(update: Update, context: Context) -> None:
        if update.message is None:
            return
        event = convert.command(update.update_id, update.message)
        if event is not None:
            await core.command(event)

    async def on_payment(update: Update, context: Context) -> None:
        if update.message is None:
            return
        event = convert.payment(update.update_id, update.message)
        if event is not None:
            await core.payment(event)

    async def on_button(update: Update, context: Context) -> None:
        if update.callback_query is not None:
            await core.button(convert.button(update.update_id, update.callback_query))

    async def on_inline(update: Update, context: Context) -> None:
        if update.inline_query is not None:
            await core.inline_query(convert.inline_query(update.update_id, update.inline_query))

    async def on_chosen(update: Update, context: Context) -> None:
        if update.chosen_inline_result is not None:
            await core.chosen_inline(convert.chosen_inline(update.update_id, update.chosen_inline_result))

    async def on_shipping(update: Update, context: Context) -> None:
        if update.shipping_query is not None:
            await core.shipping_query(convert.shipping_query(update.update_id, update.shipping_query))

    async def on_pre_checkout(update: Update, context: Context) -> None:
        if update.pre_checkout_query is not None:
            await core.pre_checkout(convert.pre_checkout(update.update_id, update.pre_checkout_query))

    async def on_bot_membership(update: Update, context: Context) -> None:
        if update.my_chat_member is not None:
            await core.bot_membership(convert.bot_membership(update.update_id, update.my_chat_member))

    async def on_join_request(update: Update, context: Context) -> None:
        if update.chat_join_request is not None:
            await core.join_request(convert.join_request(update.update_id, update.chat_join_request))

    # -- dialogs: plain private-chat text (drops' scheduling dialog) --------------------------------------
    async def on_text(update: Update, context: Context) -> None:
        if update.message is None:
            return
        event = convert.text(update.update_id, update.message)
        if event is not None:
            await core.text(event)

    async def on_document(update: Update, context: Context) -> None:
        if update.message is None:
            return
        event = convert.document(update.update_id, update.message)
        if event is not None:
            await core.document(event)

    # block=True everywhere: an update counts as finished only once the core is done with it.
    handlers: list[BaseHandler[Any, Any, Any]] = [
        MessageHandler(NEW_MESSAGE & filters.SUCCESSFUL_PAYMENT, on_payment, block=True),
    ]
    for spec in table.commands.values():
        # CommandHandler itself ignores '/name@otherbot'.
        handlers.append(CommandHandler(spec.name, on_command, filters=NEW_MESSAGE, block=True))
    if table.unknown_command is not None:
        handlers.append(MessageHandler(UNKNOWN_COMMAND, on_command, block=True))
    for action in table.actions:
        handlers.append(CallbackQueryHandler(on_button, pattern=action_pattern(action), block=True))
    # Whatever no action claims is stale or forged: the core answers it with a clear alert.
    handlers.append(CallbackQueryHandler(on_button, block=True))
    if table.inline_query is not None:
        handlers.append(InlineQueryHandler(on_inline, block=True))
    if table.chosen_inline is not None:
        handlers.append(ChosenInlineResultHandler(on_chosen, block=True))
    # Always: every pre-checkout query must be answered within 10 s, even one for an unknown payload.
    handlers.append(PreCheckoutQueryHandler(on_pre_checkout, block=True))
    if table.shipping_query is not None:
        handlers.append(ShippingQueryHandler(on_shipping, block=True))
    if table.bot_membership is not None:
        handlers.append(
            ChatMemberHandler(on_bot_membership, chat_member_types=ChatMemberHandler.MY_CHAT_MEMBER, block=True)
        )
    if table.join_request is not None:
        handlers.append(ChatJoinRequestHandler(on_join_request, block=True))
    if table.text is not None or table.group_text is not None:
        chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
        plain_text = NEW_MESSAGE & chats & filters.TEXT & ~filters.COMMAND
        handlers.append(MessageHandler(plain_text, on_text, block=True))
    if table.document is not None:
        private_document = NEW_MESSAGE & filters.ChatType.PRIVATE & filters.Document.ALL
        handlers.append(MessageHandler(private_document, on_document, block=True))
    return handlers


def add_handlers(application: AnyApplication, core: BotCore, group: int = 0) -> None:
    """Register circlecart's handlers into `application` (in their own group, to sit next to yours)."""
    application.add_handlers(build_handlers(core), group=group)
