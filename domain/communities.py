"""Communities: the group chats the bot has been added to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import ErrorCode


class CommunityError(ErrorCode):
    UNKNOWN = "community.unknown"
    MODERATORS_ONLY = "community.moderators_only"


@dataclass(frozen=True, slots=True)
class Community:
    chat_id: int
    title: str
    active: bool
    joined_at: datetime
    left_at: datetime | None = None
    language: str | None = None
