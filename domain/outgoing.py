"""What the bot shows: framework-neutral message content. bots/core builds these; adapters render them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    callback: str | None = None  # encoded callback data (<= 64 bytes)
    url: str | None = None
    pay: bool = False  # the Pay button of an invoice message
    switch_inline: str | None = None  # opens inline mode in another chat with this query


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """A file to upload with a message (e.g. a published list); Telegram infers its type from the name.
    Or, with `file_id`, a file Telegram already has (a digital product's download), sent again by its id."""

    filename: str
    content: bytes
    file_id: str | None = None

    @classmethod
    def stored(cls, file_id: str) -> Document:
        return cls("", b"", file_id)


@dataclass(frozen=True, slots=True)
class View:
    text: str  # HTML; callers escape user-provided text
    buttons: Keyboard = ()
    photo: str | None = None  # URL or Telegram file_id; text becomes the caption
    photo_bytes: bytes | None = None  # an image to upload (e.g. a PNG chart); text becomes the caption
    document: Document | None = None  # a file to upload; text becomes the caption (at most 1024 characters)


@dataclass(frozen=True, slots=True)
class Invoice:
    title: str  # 1-32 chars
    description: str  # 1-255 chars
    payload: str  # 1-128 bytes
    currency: str
    amount: int  # minor units
    label: str
    provider_token: str = ""  # empty for Telegram Stars
    photo_url: str | None = None
    buttons: Keyboard = ()  # first button must be the pay button when given
    subscription_period: int | None = None  # seconds; Telegram Stars subscriptions (invoice links only)
    # Physical goods: the payment form asks for name, phone and shipping address, and the bot answers the
    # shipping_query with options (need_name, need_phone_number, need_shipping_address, is_flexible).
    ships: bool = False


@dataclass(frozen=True, slots=True)
class ShippingChoice:
    """One shipping option in the answer to a shipping query (Telegram's ShippingOption, one price)."""

    id: str  # 1-64 bytes
    title: str
    label: str
    amount: int  # minor units of the invoice's currency


@dataclass(frozen=True, slots=True)
class InlineResult:
    id: str  # 1-64 bytes
    title: str
    description: str
    view: View  # what gets posted when the result is chosen
    thumbnail_url: str | None = None


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot can edit: in a chat, or posted through inline mode."""

    chat_id: int | None = None
    message_id: int | None = None
    inline_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class BotCommand:
    command: str
    description: str


@dataclass(frozen=True, slots=True)
class CommandMenu:
    scope: str  # "all_private_chats" | "all_group_chats" | "all_chat_administrators" | "default"
    language: str | None  # None: the fallback for every language
    commands: tuple[BotCommand, ...] = field(default_factory=tuple)
