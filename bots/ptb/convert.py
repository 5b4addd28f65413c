"""python-telegram-bot objects into core events. No decisions here: only field mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from telegram import (
    CallbackQuery,
    ChatJoinRequest,
    ChatMemberUpdated,
    ChosenInlineResult,
    InlineQuery,
    Message,
    PollAnswer,
    PreCheckoutQuery,
    ShippingQuery,
    User,
)
from telegram import Chat as TgChat

from bots.core.events import (
    BotMembershipEvent,
    ButtonEvent,
    Chat,
    ChosenInlineEvent,
    CommandEvent,
    DocumentEvent,
    InlineQueryEvent,
    JoinRequestEvent,
    PaymentEvent,
    PollAnswerEvent,
    PreCheckoutEvent,
    Sender,
    ShippingQueryEvent,
    TextEvent,
)
from domain.outgoing import MessageRef

COMMAND_PREFIX = "/"


class CommandText(NamedTuple):
    command: str  # as typed, without the prefix and the mention
    mention: str  # the bot username after '@', or "" when none was given
    args: str  # the rest of the text, stripped


def split_command(text: str | None) -> CommandText | None:
    """'/Shop@CircleBot  socks ' -> ('Shop', 'CircleBot', 'socks'); None when the text is no command."""
    if not text or not text.startswith(COMMAND_PREFIX):
        return None
    head, *rest = text.split(maxsplit=1)
    command, _, mention = head[len(COMMAND_PREFIX) :].partition("@")
    if not command:
        return None
    return CommandText(command, mention, rest[0].strip() if rest else "")


def sender(user: User) -> Sender:
    return Sender(user.id, user.first_name, user.username, user.language_code, user.is_bot)


def chat(tg_chat: TgChat) -> Chat:
    # PTB turns known chat types into a str enum; the core wants the plain string.
    return Chat(tg_chat.id, str(tg_chat.type), tg_chat.title)


def command(update_id: int, message: Message) -> CommandEvent | None:
    parsed = split_command(message.text)
    if parsed is None or message.from_user is None:
        return None
    return CommandEvent(
        update_id,
        sender(message.from_user),
        chat(message.chat),
        message.message_id,
        parsed.command.lower(),
        parsed.args,
    )


def button(update_id: int, query: CallbackQuery) -> ButtonEvent:
    if query.message is not None:
        where = MessageRef(chat_id=query.message.chat.id, message_id=query.message.message_id)
        in_chat: Chat | None = chat(query.message.chat)
    else:
        where = MessageRef(inline_message_id=query.inline_message_id)
        in_chat = None
    data = query.data if isinstance(query.data, str) else ""
    return ButtonEvent(update_id, sender(query.from_user), query.id, data, where, in_chat)


def inline_query(update_id: int, query: InlineQuery) -> InlineQueryEvent:
    return InlineQueryEvent(update_id, sender(query.from_user), query.id, query.query, query.offset)


def chosen_inline(update_id: int, result: ChosenInlineResult) -> ChosenInlineEvent:
    return ChosenInlineEvent(
        update_id, sender(result.from_user), result.result_id, result.query, result.inline_message_id
    )


def pre_checkout(update_id: int, query: PreCheckoutQuery) -> PreCheckoutEvent:
    return PreCheckoutEvent(
        update_id,
        sender(query.from_user),
        query.id,
        query.currency,
        query.total_amount,
        query.invoice_payload,
        query.shipping_option_id,
        address.country_code if (address := query.order_info and query.order_info.shipping_address) else None,
    )


def shipping_query(update_id: int, query: ShippingQuery) -> ShippingQueryEvent:
    return ShippingQueryEvent(
        update_id, sender(query.from_user), query.id, query.invoice_payload, query.shipping_address.country_code
    )


def payment(update_id: int, message: Message) -> PaymentEvent | None:
    paid = message.successful_payment
    if paid is None or message.from_user is None:
        return None
    return PaymentEvent(
        update_id,
        sender(message.from_user),
        chat(message.chat),
        message.message_id,
        paid.currency,
        paid.total_amount,
        paid.invoice_payload,
        paid.telegram_payment_charge_id,
        paid.provider_payment_charge_id or None,
        bool(paid.is_recurring),
        _utc(paid.subscription_expiration_date),
        paid.shipping_option_id,
        paid.order_info.to_dict() if paid.order_info else None,
    )


def bot_membership(update_id: int, update: ChatMemberUpdated) -> BotMembershipEvent:
    return BotMembershipEvent(
        update_id,
        sender(update.from_user),
        chat(update.chat),
        str(update.old_chat_member.status),
        str(update.new_chat_member.status),
    )


def poll_answer(update_id: int, answer: PollAnswer) -> PollAnswerEvent | None:
    """None for an anonymous-chat answer (a channel or an anonymous admin): it names no member."""
    if answer.user is None:
        return None
    return PollAnswerEvent(update_id, sender(answer.user), answer.poll_id, tuple(answer.option_ids))


def join_request(update_id: int, request: ChatJoinRequest) -> JoinRequestEvent:
    link = request.invite_link.invite_link if request.invite_link else None
    return JoinRequestEvent(update_id, sender(request.from_user), chat(request.chat), request.user_chat_id, link)


def _utc(moment: datetime | None) -> datetime | None:
    """PTB already parses Unix times into datetimes (in the Defaults' timezone, UTC without one)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- the private chat's files (pools of codes, tracking CSVs) and plain text (dialogs, the assistant) ----
def document(update_id: int, message: Message) -> DocumentEvent | None:
    if message.from_user is None or message.document is None:
        return None
    found = message.document
    return DocumentEvent(
        update_id,
        sender(message.from_user),
        chat(message.chat),
        message.message_id,
        found.file_id,
        found.file_name or "",
        found.mime_type,
        found.file_size,
        message.caption or "",
    )


def text(update_id: int, message: Message) -> TextEvent | None:
    if message.from_user is None or message.text is None:
        return None
    replied = message.reply_to_message
    return TextEvent(
        update_id,
        sender(message.from_user),
        chat(message.chat),
        message.message_id,
        message.text,
        reply_to_sender_id=replied.from_user.id if replied is not None and replied.from_user is not None else None,
        reply_to_message_id=replied.message_id if replied is not None else None,
        sent_at=message.date,
    )
