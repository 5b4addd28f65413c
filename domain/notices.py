"""Notices: messages the system sends on its own (reminders, announcements, confirmations).

A use case never sends a notice itself: it enqueues one in the outbox inside its own transaction, so
the notice exists exactly when the state change does. The outbox sender delivers it later within
Telegram's limits, and renders it in the recipient's language at that moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.outgoing import View

NoticeParams = Mapping[str, str | int | None]


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # the member blocked the bot or the chat is gone
    FAILED = "failed"  # rejected by Telegram or out of attempts; kept for the operator to read
    SUPERSEDED = "superseded"  # withdrawn before it went out: a newer notice says it better


@dataclass(frozen=True, slots=True)
class Notice:
    key: str  # unique forever: enqueueing the same key twice sends once (e.g. "order:12:shipped")
    chat_id: int
    kind: str  # what the bot core renders, e.g. "groupbuy.completed"
    params: NoticeParams = field(default_factory=dict)
    not_before: datetime | None = None
    language_of: int | None = None  # the member whose language to use; default: the chat itself
    edit_message_id: int | None = None  # edit this message instead of sending a new one


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    notice: Notice
    status: NoticeStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None
    message_id: int | None = None
    last_error: str | None = None


class NoticeRenderer(Protocol):
    def render(self, notice: Notice, language: str) -> View:
        """Turn a notice into what the member sees, in `language`."""
