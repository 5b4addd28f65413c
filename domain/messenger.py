"""The messenger port: how domain jobs and the bot core talk to Telegram without knowing the framework.

Each framework adapter implements it and maps its own exceptions onto the errors below, so a caller can
tell "the member blocked us" from "slow down" from "try again".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.outgoing import CommandMenu, InlineResult, Invoice, MessageRef, ShippingChoice, View


class MessengerError(Exception):
    """Telegram refused or could not be reached."""


class RecipientUnavailable(MessengerError):
    """The user blocked the bot, never started it, or the chat is gone: retrying will not help."""


class RateLimited(MessengerError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class TransientFailure(MessengerError):
    """Network error or a 5xx: worth retrying with backoff."""


class Unauthorized(MessengerError):
    """Telegram does not accept the bot's token (revoked, mistyped, or not a token at all)."""


class Rejected(MessengerError):
    """A 400 the request itself caused (e.g. message not modified, query too old)."""


class QueryExpired(Rejected):
    """The callback, inline or pre-checkout query was answered already or is too old to answer: a normal outcome
    when Telegram delivers the same query again."""


class MessageGone(Rejected):
    """The message to edit or to reply to was deleted, or can no longer be edited: a normal outcome (someone
    deleted it, or it is too old), nothing to retry and nothing to apologise for."""


@dataclass(frozen=True, slots=True)
class StarTransaction:
    """One entry of Telegram's own record of the bot's Stars (getStarTransactions)."""

    id: str  # for a payment: its telegram_payment_charge_id
    amount: int
    date: datetime
    user_id: int | None  # the member on the other side, when it is a member
    incoming: bool  # money in (a payment); False for money out (a refund)
    payload: str | None = None  # the invoice payload of a payment
    subscription_period: int | None = None  # seconds, for a subscription payment


@dataclass(frozen=True, slots=True)
class SentPoll:
    """A native poll the bot posted: Telegram's poll id (which poll_answer updates carry) and its message."""

    poll_id: str
    message: MessageRef


@dataclass(frozen=True, slots=True)
class PollCounts:
    """A poll's counts per option as Telegram reports them when it is stopped."""

    voter_counts: tuple[int, ...]
    total_voters: int


class Messenger(Protocol):
    async def send(
        self, chat_id: int, view: View, reply_to: int | None = None, paid_broadcast: bool = False
    ) -> MessageRef:
        """`paid_broadcast`: allow_paid_broadcast, a send beyond the free 30 a second billed in Stars."""
        ...

    async def edit(self, target: MessageRef, view: View) -> None: ...
    async def send_invoice(self, chat_id: int, invoice: Invoice, reply_to: int | None = None) -> MessageRef: ...
    async def create_invoice_link(self, invoice: Invoice) -> str: ...
    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False, url: str | None = None
    ) -> None: ...
    async def answer_inline(
        self, query_id: str, results: Sequence[InlineResult], cache_time: int = 0, is_personal: bool = True
    ) -> None: ...
    async def answer_pre_checkout(self, query_id: str, ok: bool, error_message: str | None = None) -> None: ...
    async def answer_shipping_query(
        self, query_id: str, ok: bool, options: Sequence[ShippingChoice] = (), error_message: str | None = None
    ) -> None: ...
    async def refund_star_payment(self, user_id: int, telegram_charge_id: str) -> None: ...
    async def download(self, file_id: str) -> bytes:
        """The content of a file someone sent the bot (getFile, then the file itself)."""

    async def star_transactions(self, offset: int, limit: int) -> Sequence[StarTransaction]:
        """Telegram's record of the bot's Stars, oldest first, from position `offset`."""

    async def set_commands(self, menu: CommandMenu) -> None: ...
    async def is_chat_admin(self, chat_id: int, user_id: int) -> bool: ...
    async def is_chat_member(self, chat_id: int, user_id: int) -> bool:
        """Telegram says the user is in the group now (creator, admin, member, or restricted but still in)."""

    async def send_chat_action(self, chat_id: int, action: str = "typing") -> None:
        """Show `action` (typing) in the chat while the bot works on an answer; Telegram clears it after 5 s."""

    async def create_invite_link(self, chat_id: int, name: str | None = None, join_request: bool = True) -> str:
        """An invite link; with join_request, people who use it ask to join and the bot decides."""

    async def approve_join_request(self, chat_id: int, user_id: int) -> None: ...
    async def decline_join_request(self, chat_id: int, user_id: int) -> None: ...
    async def remove_member(self, chat_id: int, user_id: int) -> None:
        """Remove without a lasting ban (ban, then unban), so the person can come back later."""

    async def send_poll(self, chat_id: int, question: str, options: Sequence[str], anonymous: bool = False) -> SentPoll:
        """A native single-answer poll; non-anonymous polls report each vote as a poll_answer update."""

    async def stop_poll(self, target: MessageRef) -> PollCounts: ...
    async def edit_star_subscription(self, user_id: int, telegram_charge_id: str, canceled: bool) -> None: ...
