"""The one exception the domain raises: a stable code the bot layer turns into a message.

Codes are members of `ErrorCode` enums, one per feature, each in its feature's package (e.g.
`domain/drops/errors.py`); the vocabulary's own sit next to it (`domain/money.py`, `domain/members.py`,
`domain/communities.py`). A member's value is the dotted code logs, stored refund reasons and notices carry,
so it never changes once released.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    """Base of every feature's error codes. It has no members: an enum with members cannot be extended,
    and each feature subclasses it so that `DomainError` takes any feature's code but no bare string."""


class DomainError(Exception):
    """A rule was broken. `code` is stable (e.g. DropError.SOLD_OUT, 'drop.sold_out'); `params` fill the message."""

    def __init__(self, code: ErrorCode, /, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code.value
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code} ({details})"


class LineProblemsError(DomainError):
    """A file someone gave (a catalog, a pool of codes) has problems; nothing of it was taken. `problems`
    lists each as (line, message), line 0 meaning the file as a whole; `count` fills the message. `more`
    counts problems found but not listed (a file wrong on every line would otherwise list a line per row)."""

    def __init__(self, code: ErrorCode, problems: Sequence[tuple[int, str]], more: int = 0) -> None:
        ordered = sorted(problems, key=lambda p: p[0])
        super().__init__(code, count=len(ordered) + more)
        self.problems: list[tuple[int, str]] = ordered
        self.more = more

    def __str__(self) -> str:
        lines = [f"line {n}: {message}" if n > 0 else message for n, message in self.problems]
        if self.more:
            lines.append(f"... and {self.more:,} more problems after these (fix these first)")
        return "\n".join(lines)
