"""Framework-neutral updates: each adapter converts its framework's objects into these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.outgoing import MessageRef

PRIVATE = "private"
GROUP_TYPES = frozenset({"group", "supergroup"})


@dataclass(frozen=True, slots=True)
class Sender:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None

    @property
    def is_private(self) -> bool:
        return self.type == PRIVATE

    @property
    def is_group(self) -> bool:
        return self.type in GROUP_TYPES


@dataclass(frozen=True, slots=True)
class Event:
    update_id: int
    sender: Sender


@dataclass(frozen=True, slots=True)
class CommandEvent(Event):
    chat: Chat
    message_id: int
    command: str  # lower-case, without '/' and '@botname'
    args: str  # the rest of the text, stripped


@dataclass(frozen=True, slots=True)
class TextEvent(Event):
    """A plain text message (not a command): in the bot's private chat (a dialog's answer, or a question for the
    assistant), or in a group (for the assistant when it mentions or replies to the bot)."""

    chat: Chat
    message_id: int
    text: str
    reply_to_sender_id: int | None = None  # the author of the message this one replies to
    reply_to_message_id: int | None = None
    sent_at: datetime | None = None

    def addressed_to(self, bot_username: str, bot_id: int) -> bool:
        """In a group: does this message mention the bot (@username) or reply to one of its messages?"""
        if self.reply_to_sender_id is not None and self.reply_to_sender_id == bot_id:
            return True
        return bool(bot_username) and f"@{bot_username.lower()}" in self.text.lower()


@dataclass(frozen=True, slots=True)
class DocumentEvent(Event):
    """A file someone sent the bot in its private chat (brand staff upload pools of codes this way)."""

    chat: Chat
    message_id: int
    file_id: str
    file_name: str | None = None
    file_size: int | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class ButtonEvent(Event):
    callback_id: str
    data: str
    message: MessageRef  # inline_message_id set when the button sits on an inline-mode message
    chat: Chat | None  # None for inline-mode messages: Telegram does not say where they are


@dataclass(frozen=True, slots=True)
class InlineQueryEvent(Event):
    query_id: str
    query: str
    offset: str


@dataclass(frozen=True, slots=True)
class ChosenInlineEvent(Event):
    result_id: str
    query: str
    inline_message_id: str | None


@dataclass(frozen=True, slots=True)
class PreCheckoutEvent(Event):
    query_id: str
    currency: str
    total_amount: int
    payload: str
    shipping_option_id: str | None = None  # flexible invoices (physical goods): the option chosen
    country_code: str | None = None  # and the shipping address's country


@dataclass(frozen=True, slots=True)
class ShippingQueryEvent(Event):
    """The member entered a shipping address in a flexible invoice's payment form: offer options or refuse."""

    query_id: str
    payload: str
    country_code: str  # ISO 3166-1 alpha-2, from the shipping address


@dataclass(frozen=True, slots=True)
class PaymentEvent(Event):
    chat: Chat
    message_id: int
    currency: str
    total_amount: int
    payload: str
    telegram_charge_id: str
    provider_charge_id: str | None
    is_recurring: bool = False
    subscription_expiration_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class BotMembershipEvent(Event):
    """The bot itself was added to, promoted in, or removed from a chat."""

    chat: Chat
    old_status: str
    new_status: str

    @property
    def joined(self) -> bool:
        return self.old_status in ("left", "kicked") and self.new_status in ("member", "administrator")

    @property
    def left(self) -> bool:
        return self.new_status in ("left", "kicked")


@dataclass(frozen=True, slots=True)
class JoinRequestEvent(Event):
    chat: Chat
    user_chat_id: int
    invite_link: str | None
