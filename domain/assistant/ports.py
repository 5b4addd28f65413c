"""What the assistant stores: daily usage (so a restart resets no limit) and the requests it handed over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Handover:
    """A request the assistant could not answer, recorded for the shop's team."""

    id: int
    member_id: int
    chat_id: int
    text: str
    created_at: datetime


class AssistantUsageRepository(Protocol):
    async def take_request(self, day: date, member_id: int, member_limit: int, token_budget: int) -> bool:
        """Count one request of `member_id` on `day`, only if they made fewer than `member_limit` that day and
        the shop used fewer than `token_budget` tokens that day (one conditional update: never over)."""

    async def add_tokens(self, day: date, member_id: int, tokens: int) -> None:
        """Add what a request cost to the member's and the shop's count of `day`."""

    async def tokens_used(self, day: date) -> int: ...
    async def forget_member(self, user_id: int) -> None:
        """Delete the member's daily counts (the shop's own totals stay)."""


class HandoverRepository(Protocol):
    async def add(self, member_id: int, chat_id: int, text: str, now: datetime) -> Handover: ...
    async def recent(self, limit: int) -> Sequence[Handover]: ...
    async def forget_member(self, user_id: int) -> None:
        """Delete the requests the member's words were handed over in."""


@dataclass(frozen=True, slots=True)
class DigestGroup:
    chat_id: int
    enabled: bool
    moderator_id: int  # the admin who turned it on: the digest goes to their private chat
    changed_at: datetime
    last_digest_day: date | None = None


@dataclass(frozen=True, slots=True)
class KeptMessage:
    chat_id: int
    message_id: int
    user_id: int
    text: str
    sent_at: datetime
    reply_to: int | None = None


class DigestRepository(Protocol):
    async def get(self, chat_id: int) -> DigestGroup | None: ...
    async def switch(self, chat_id: int, enabled: bool, moderator_id: int, now: datetime, day: date) -> DigestGroup:
        """Turn a group's digest on or off (insert or update); `day` counts as already digested."""

    async def keep(self, message: KeptMessage) -> bool:
        """Store a group message once (a redelivery stores nothing new)."""

    async def forget_group(self, chat_id: int) -> int: ...
    async def prune(self, before: datetime) -> int:
        """Delete every kept message sent before `before`."""

    async def due(self, day: date) -> Sequence[DigestGroup]:
        """Groups with the digest on whose last digest is older than `day`."""

    async def mark_digested(self, chat_id: int, day: date) -> bool:
        """Conditionally move the group's last digest day to `day`: True once, False if done already."""

    async def messages(self, chat_id: int, since: datetime) -> Sequence[KeptMessage]: ...
    async def forget_member(self, user_id: int) -> None:
        """Delete the member's kept group messages, and turn off the digests that went to them."""
