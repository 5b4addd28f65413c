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
            found = catalog_language(candidate, supported)
            if found is not None:
                return found
        return default


# Traditional Chinese readers (Taiwan, Hong Kong, Macau) read a Traditional catalog (`zh-hant`) if there is one,
# else the Simplified Chinese one: closer to them than English, and /language still offers English.
TRADITIONAL = ("zh-hant", "zh")
FALLBACKS: dict[str, tuple[str, ...]] = {
    "zh-hant": ("zh",),
    "zh-tw": TRADITIONAL,
    "zh-hk": TRADITIONAL,
    "zh-mo": TRADITIONAL,
}


def catalog_language(tag: str | None, supported: tuple[str, ...]) -> str | None:
    """The catalog for a language tag as Telegram reports it (`zh-hant`, `zh-TW`, `pt-br`, `en`), or None.

    The most specific match wins: the tag itself, its stated fallback, then the tag less its last part."""
    if not tag:
        return None
    parts = tag.strip().lower().replace("_", "-").split("-")
    while parts:
        code = "-".join(parts)
        for candidate in (code, *FALLBACKS.get(code, ())):
            if candidate in supported:
                return candidate
        parts.pop()
    return None
