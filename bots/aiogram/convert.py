"""aiogram objects into core events. No decisions here: only field mapping."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.filters import CommandObject
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
    User,
)
from aiogram.types import Chat as TgChat

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


def sender(user: User) -> Sender:
    return Sender(user.id, user.first_name, user.username, user.language_code, user.is_bot)


def chat(tg_chat: TgChat) -> Chat:
    return Chat(tg_chat.id, tg_chat.type, tg_chat.title)


def command(update_id: int, message: Message, parsed: CommandObject) -> CommandEvent | None:
    if message.from_user is None:
        return None
    return CommandEvent(
        update_id,
        sender(message.from_user),
        chat(message.chat),
        message.message_id,
        parsed.command.lower(),
        (parsed.args or "").strip(),
    )


def button(update_id: int, query: CallbackQuery) -> ButtonEvent:
    if query.message is not None:
        where = MessageRef(chat_id=query.message.chat.id, message_id=query.message.message_id)
        in_chat: Chat | None = chat(query.message.chat)
    else:
        where = MessageRef(inline_message_id=query.inline_message_id)
        in_chat = None
    return ButtonEvent(update_id, sender(query.from_user), query.id, query.data or "", where, in_chat)


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
        _moment(paid.subscription_expiration_date),
        paid.shipping_option_id,
        paid.order_info.model_dump(exclude_none=True) if paid.order_info else None,
    )


def bot_membership(update_id: int, update: ChatMemberUpdated) -> BotMembershipEvent:
    return BotMembershipEvent(
        update_id,
        sender(update.from_user),
        chat(update.chat),
        update.old_chat_member.status,
        update.new_chat_member.status,
    )


def poll_answer(update_id: int, answer: PollAnswer) -> PollAnswerEvent | None:
    """None for an anonymous-chat answer (a channel or an anonymous admin): it names no member."""
    if answer.user is None:
        return None
    return PollAnswerEvent(update_id, sender(answer.user), answer.poll_id, tuple(answer.option_ids))


def join_request(update_id: int, request: ChatJoinRequest) -> JoinRequestEvent:
    link = request.invite_link.invite_link if request.invite_link else None
    return JoinRequestEvent(update_id, sender(request.from_user), chat(request.chat), request.user_chat_id, link)


def _moment(unix_seconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(unix_seconds, UTC) if unix_seconds else None


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
