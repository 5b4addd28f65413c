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


class HandoverRepository(Protocol):
    async def add(self, member_id: int, chat_id: int, text: str, now: datetime) -> Handover: ...
    async def recent(self, limit: int) -> Sequence[Handover]: ...
