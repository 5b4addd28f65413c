"""Members: Telegram users the shop knows, with their language choice."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import ErrorCode


class MemberError(ErrorCode):
    UNKNOWN = "member.unknown"  # someone who never sent /start
    LANGUAGE_UNSUPPORTED = "language.unsupported"


@dataclass(frozen=True, slots=True)
class Member:
    id: int  # the Telegram user id
    first_name: str
    username: str | None = None
    telegram_language: str | None = None  # what their Telegram client reports
    chosen_language: str | None = None  # what they picked with /language; wins over the client's
    started_bot: bool = False  # a private chat exists, so the bot may message them first
    blocked_bot: bool = False
    created_at: datetime | None = None

    def with_profile(self, first_name: str, username: str | None, telegram_language: str | None) -> Member:
        return replace(self, first_name=first_name, username=username, telegram_language=telegram_language)

    def language(self, supported: tuple[str, ...], default: str) -> str:
        for candidate in (self.chosen_language, self.telegram_language):
            if candidate:
                base = candidate.split("-")[0].lower()
                if base in supported:
                    return base
        return default
