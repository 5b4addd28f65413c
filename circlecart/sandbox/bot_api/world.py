"""The simulated Telegram world: bots, users, chats, members, messages, payments."""

from __future__ import annotations

import asyncio
import copy
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeTelegram

ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


def new_file_ids() -> tuple[str, str]:
    return "AgAC" + secrets.token_urlsafe(24), "AQAD" + secrets.token_urlsafe(8)


@dataclass
class FakeBot:
    token: str
    user_id: int
    username: str
    first_name: str
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    supports_inline_queries: bool = True

    def to_user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": True, "first_name": self.first_name, "username": self.username}


class FakeUser:
    """A Telegram user played by a test."""

    def __init__(
        self,
        fake: FakeTelegram,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
        is_premium: bool = False,
    ) -> None:
        self._fake = fake
        self.id = id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self.last_name = last_name
        self.is_premium = is_premium
        self.started_bots: set[int] = set()
        self.blocked_bots: set[int] = set()

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    def to_user(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data

    def to_private_chat(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    def start_bot(self, bot: str | None = None) -> None:
        """Mark the private chat with the bot as opened (no update is delivered)."""
        self.started_bots.add(self._fake.bot(bot).user_id)

    def block_bot(self, bot: str | None = None) -> None:
        """Block the bot (all bots if none is named): sends to this user then fail with 403."""
        bots = [self._fake.bot(bot)] if bot is not None else list(self._fake.bots.values())
        self.blocked_bots.update(b.user_id for b in bots)

    def unblock_bot(self, bot: str | None = None) -> None:
        bots = [self._fake.bot(bot)] if bot is not None else list(self._fake.bots.values())
        self.blocked_bots.difference_update(b.user_id for b in bots)


@dataclass
class StoredMessage:
    """One message as Telegram stores it; `data` is the current Bot API Message object."""

    chat: ChatState
    data: dict[str, Any]
    sender_bot_id: int | None = None
    sent_params: dict[str, Any] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    inline_message_id: str | None = None
    invoice: InvoiceRecord | None = None
    sent_at: float = 0.0

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.data["chat"]["id"])

    @property
    def text(self) -> str | None:
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has."""
        return self.data.get("text") or self.data.get("caption") or ""

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.data.get("photo")

    @property
    def document(self) -> dict[str, Any] | None:
        return self.data.get("document")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The inline keyboard, or else the reply keyboard / remove / force_reply the bot sent."""
        return self.data.get("reply_markup") or self.reply_keyboard

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row, flattened."""
        markup = self.data.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def reply_to_message_id(self) -> int | None:
        reply = self.data.get("reply_to_message")
        return reply["message_id"] if reply else None

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def find_button(self, callback_data: str | None = None, text: str | None = None) -> dict[str, Any] | None:
        for button in self.buttons:
            if callback_data is not None and button.get("callback_data") != callback_data:
                continue
            if text is not None and button.get("text") != text:
                continue
            return button
        return None

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)

    def __repr__(self) -> str:
        return f"StoredMessage(chat={self.chat_id}, id={self.message_id}, content={self.content[:40]!r})"


class ChatState:
    """Messages of one chat; private chats exist once per (bot, user) pair."""

    def __init__(self, chat_json: dict[str, Any], bot_id: int | None = None) -> None:
        self.chat_json = chat_json
        self.bot_id = bot_id  # set for a private chat between a bot and a user
        self.messages: dict[int, StoredMessage] = {}
        self._ids = itertools.count(1)

    @property
    def id(self) -> int:
        return int(self.chat_json["id"])

    @property
    def type(self) -> str:
        return str(self.chat_json["type"])

    @property
    def is_group(self) -> bool:
        return self.type in {"group", "supergroup"}

    def next_message_id(self) -> int:
        return next(self._ids)

    def add(self, message: StoredMessage) -> StoredMessage:
        self.messages[message.message_id] = message
        return message

    def get(self, message_id: int) -> StoredMessage | None:
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message

    def __iter__(self) -> Iterator[StoredMessage]:
        return iter(self.messages.values())


@dataclass
class Membership:
    status: str  # creator, administrator, member, restricted, left, kicked
    rights: dict[str, bool] = field(default_factory=dict)
    until_date: int = 0
    custom_title: str | None = None


class FakeChat(ChatState):
    """A group or supergroup (or channel) played by a test."""

    def __init__(
        self,
        fake: FakeTelegram,
        id: int,
        title: str,
        type: str = "supergroup",
        username: str | None = None,
        bots_are_members: bool = True,
    ) -> None:
        chat_json: dict[str, Any] = {"id": id, "type": type, "title": title}
        if username:
            chat_json["username"] = username
        super().__init__(chat_json)
        self._fake = fake
        self.title = title
        self.username = username
        self.description: str | None = None
        self.members: dict[int, Membership] = {}
        self.default_bot_status = "member" if bots_are_members else "left"
        self.invite_links: dict[str, dict[str, Any]] = {}
        self.join_requests: dict[int, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"FakeChat({self.id}, {self.title!r})"

    def to_chat(self) -> dict[str, Any]:
        return dict(self.chat_json)

    # -- membership ------------------------------------------------------------------------

    def add_member(self, user: FakeUser) -> FakeChat:
        self.members[user.id] = Membership("member")
        return self

    def remove_member(self, user: FakeUser, banned: bool = False) -> FakeChat:
        self.members[user.id] = Membership("kicked" if banned else "left")
        return self

    def set_admin(self, user: FakeUser, custom_title: str | None = None, **rights: bool) -> FakeChat:
        self.members[user.id] = Membership("administrator", {**ADMIN_RIGHTS, **rights}, custom_title=custom_title)
        return self

    def set_owner(self, user: FakeUser) -> FakeChat:
        self.members[user.id] = Membership("creator")
        return self

    def set_bot_status(self, status: str = "member", bot: str | None = None, **rights: bool) -> FakeChat:
        """Silently set a bot's membership (no my_chat_member update; see add_bot_to_group)."""
        bot_user_id = self._fake.bot(bot).user_id
        merged = {**ADMIN_RIGHTS, **rights} if status == "administrator" else {}
        self.members[bot_user_id] = Membership(status, merged)
        return self

    def status_of(self, user_id: int) -> Membership:
        membership = self.members.get(user_id)
        if membership is not None:
            return membership
        if any(b.user_id == user_id for b in self._fake.bots.values()):
            return Membership(self.default_bot_status)
        return Membership("left")

    def is_member(self, user_id: int) -> bool:
        return self.status_of(user_id).status in {"creator", "administrator", "member", "restricted"}

    def right(self, user_id: int, name: str) -> bool:
        membership = self.status_of(user_id)
        if membership.status == "creator":
            return True
        return membership.status == "administrator" and membership.rights.get(name, False)


@dataclass
class InvoiceRecord:
    """An invoice a bot created (by sendInvoice, createInvoiceLink or an inline result)."""

    bot_id: int
    params: dict[str, Any]
    link: str | None = None
    message: StoredMessage | None = None

    @property
    def currency(self) -> str:
        return str(self.params["currency"])

    @property
    def total_amount(self) -> int:
        return sum(int(p["amount"]) for p in self.params["prices"])

    @property
    def payload(self) -> str:
        return str(self.params["payload"])

    @property
    def subscription_period(self) -> int | None:
        return self.params.get("subscription_period")

    @property
    def is_flexible(self) -> bool:
        return bool(self.params.get("is_flexible"))


@dataclass
class Charge:
    bot_id: int
    user_id: int
    charge_id: str
    currency: str
    total_amount: int
    payload: str
    refunded: bool = False
    subscription_canceled: bool | None = None


@dataclass
class Refund:
    user_id: int
    charge_id: str
    currency: str
    total_amount: int
    payload: str


@dataclass
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class PreCheckoutAnswer:
    ok: bool
    error_message: str | None


@dataclass
class ShippingAnswer:
    ok: bool
    shipping_options: list[dict[str, Any]]
    error_message: str | None


@dataclass
class QueryRecord:
    """A callback, inline or pre-checkout query waiting for the bot's answer."""

    kind: str
    bot_id: int
    user_id: int
    payload: dict[str, Any]
    created_at: float
    answer: Any = None
    answered: bool = False
    answered_at: float | None = None
    invoice: InvoiceRecord | None = None
    total_amount: int | None = None
    currency: str | None = None
    # Each waiter parks on this instead of re-checking on every Bot API call: a rush of hundreds of
    # open queries would otherwise spend the shared event loop on the waiting itself.
    answered_event: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)

    def record_answer(self, answer: Any, at: float) -> None:
        self.answer, self.answered, self.answered_at = answer, True, at
        self.answered_event.set()

    async def wait_answered(self, timeout: float) -> bool:
        """True once the bot answered; False if `timeout` seconds pass first."""
        try:
            async with asyncio.timeout(timeout):
                await self.answered_event.wait()
        except TimeoutError:
            return False
        return True
