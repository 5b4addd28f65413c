"""The handler table: every command, button action and update kind is declared here once.

Each framework adapter walks this table and registers it into its own routing. A new feature adds
entries here (and a handler in its feature's package, e.g. bots/core/shop); it needs no adapter code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bots.core.callbacks import ActionSchema, Callback, CallbackCodec
from bots.core.error_messages import message_for
from bots.core.events import (
    BotMembershipEvent,
    ButtonEvent,
    ChosenInlineEvent,
    CommandEvent,
    DocumentEvent,
    InlineQueryEvent,
    JoinRequestEvent,
    PaymentEvent,
    PreCheckoutEvent,
    ShippingQueryEvent,
    TextEvent,
)
from domain.errors import ErrorCode
from domain.notices import NoticeParams
from domain.outgoing import View

if TYPE_CHECKING:
    from bots.core.context import Context

CommandFn = Callable[["Context", CommandEvent], Awaitable[None]]
ButtonFn = Callable[["Context", ButtonEvent, Callback], Awaitable[None]]
InlineFn = Callable[["Context", InlineQueryEvent], Awaitable[None]]
ChosenFn = Callable[["Context", ChosenInlineEvent], Awaitable[None]]
PreCheckoutFn = Callable[["Context", PreCheckoutEvent], Awaitable[None]]
ShippingFn = Callable[["Context", ShippingQueryEvent], Awaitable[None]]
PaymentFn = Callable[["Context", PaymentEvent], Awaitable[None]]
MembershipFn = Callable[["Context", BotMembershipEvent], Awaitable[None]]
JoinRequestFn = Callable[["Context", JoinRequestEvent], Awaitable[None]]
NoticeFn = Callable[["Context", NoticeParams], View]
TextFn = Callable[["Context", TextEvent], Awaitable[None]]
DocumentFn = Callable[["Context", DocumentEvent], Awaitable[None]]

PRIVATE_SCOPE = "private"
GROUP_SCOPE = "group"


class Audience(StrEnum):
    """Whom a command is for, as /help tells people what they can do here (the use case still checks)."""

    MEMBER = "member"  # everyone
    BRAND_STAFF = "brand_staff"  # staff of a brand (`brand staff add`)
    MODERATOR = "moderator"  # the group's admins, for the group's side of the shop
    OPERATOR = "operator"  # CIRCLECART_OWNER_IDS


EVERYONE = frozenset({Audience.MEMBER})


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: CommandFn
    description: str  # English msgid, shown in Telegram's command menu
    scopes: frozenset[str] = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})
    in_menu: bool = True  # in the menu of every member (commands for fewer people are in /help only)
    audience: frozenset[Audience] = EVERYONE
    # /help's line for this command (an English msgid, usually "/name ARGS · what it does"); "/name · description"
    # when empty. One line per audience where they differ.
    help: tuple[tuple[Audience, str], ...] = ()

    def help_line(self, audience: Audience) -> str | None:
        """The msgid of this command's /help line for `audience`, or None: then "/name · description"."""
        return next((line for who, line in self.help if who is audience), None)


@dataclass(frozen=True, slots=True)
class Action:
    schema: ActionSchema
    handler: ButtonFn


@dataclass(frozen=True, slots=True)
class PaymentKind:
    """Invoices whose payload starts with `<name>:` (orders, memberships, group buys...) go to these."""

    name: str
    pre_checkout: PreCheckoutFn
    payment: PaymentFn


@dataclass
class HandlerTable:
    commands: dict[str, Command] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    codec: CallbackCodec = field(default_factory=CallbackCodec)
    unknown_command: CommandFn | None = None
    inline_query: InlineFn | None = None
    chosen_inline: ChosenFn | None = None
    payment_kinds: dict[str, PaymentKind] = field(default_factory=dict)
    shipping_query: ShippingFn | None = None  # flexible invoices (physical goods): options by address
    bot_membership: MembershipFn | None = None
    join_request: JoinRequestFn | None = None
    text: TextFn | None = None  # plain private-chat text, for dialogs kept in the state store
    document: DocumentFn | None = None  # a file sent in the private chat (pools of codes)
    group_text: TextFn | None = None  # plain group text that mentions or replies to the bot (the assistant)
    # Every plain group message, before anything else (the moderator's digest keeps them while it is on).
    group_chatter: TextFn | None = None
    notices: dict[str, NoticeFn] = field(default_factory=dict)
    # An ErrorCode's value -> English msgid: stored refund reasons and notices carry the value, not the member.
    error_messages: dict[str, str] = field(default_factory=dict)
    # Keys of the dialog state a feature keeps per member (`key(user_id)`): forgetting a member deletes them.
    member_state: list[Callable[[int], str]] = field(default_factory=list)

    def member_state_key(self, key: Callable[[int], str]) -> None:
        """Declare a state-store entry kept per member (see bots/core/state.py), so /privacy can erase it."""
        self.member_state.append(key)

    def state_keys_of(self, user_id: int) -> tuple[str, ...]:
        return tuple(key(user_id) for key in self.member_state)

    def command(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"/{command.name} declared twice")
        self.commands[command.name] = command

    def payment_kind(self, name: str, pre_checkout: PreCheckoutFn, payment: PaymentFn) -> None:
        if name in self.payment_kinds or ":" in name:
            raise ValueError(f"payment kind {name!r} declared twice or malformed")
        self.payment_kinds[name] = PaymentKind(name, pre_checkout, payment)

    def payment_kind_of(self, payload: str) -> PaymentKind | None:
        name, separator, _ = payload.partition(":")
        return self.payment_kinds.get(name) if separator else None

    def errors(self, messages: Mapping[ErrorCode, str]) -> None:
        """Member-facing texts for a capability's DomainError codes (mark them with N_ for translation)."""
        by_value = {code.value: text for code, text in messages.items()}
        clash = by_value.keys() & self.error_messages.keys()
        if clash:
            raise ValueError(f"error codes declared twice: {sorted(clash)}")
        self.error_messages.update(by_value)

    def message_for(self, code: str) -> str:
        return self.error_messages.get(code) or message_for(code)

    def notice(self, kind: str, render: NoticeFn) -> None:
        """How an outbox notice of this kind looks (see domain/notices.py)."""
        if kind in self.notices:
            raise ValueError(f"notice {kind!r} declared twice")
        self.notices[kind] = render

    def action(self, name: str, handler: ButtonFn, *args: type) -> None:
        schema = ActionSchema(name, tuple(args))
        self.codec.register(schema)
        self.actions[name] = Action(schema, handler)
