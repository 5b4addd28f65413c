"""A clock tests can move: it flows in real time and jumps when told.

It must flow because the outbox sender schedules retries in domain time (retry_after, backoff); a
frozen clock would leave them waiting forever.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
        self._started = time.monotonic()
        self._offset = timedelta()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started) + self._offset

    def timestamp(self) -> float:
        """Unix seconds of now: the fake Bot API server dates its messages with this."""
        return self.now().timestamp()

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def set(self, moment: datetime) -> None:
        self._offset += moment - self.now()
