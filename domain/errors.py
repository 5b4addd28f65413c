"""The one exception the domain raises: a stable code the bot layer turns into a message.

Codes are members of `ErrorCode` enums, one per feature, each in its feature's package (e.g.
`domain/drops/errors.py`); the vocabulary's own sit next to it (`domain/money.py`, `domain/members.py`,
`domain/communities.py`). A member's value is the dotted code logs, stored refund reasons and notices carry,
so it never changes once released.
"""

from __future__ import annotations

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
