"""Time is injected: domain code takes `now` from a Clock so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def require_utc(moment: datetime) -> datetime:
    """Reject naive datetimes at the boundary: a naive time compared with an aware one is a latent bug."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime given where aware UTC is required")
    return moment.astimezone(UTC)
