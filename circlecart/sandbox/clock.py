"""The sandbox's clock: wall time plus an offset the web chat moves forward, kept across restarts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path


class SandboxClock:
    """Follows the wall clock, so timers and retries flow; `advance` jumps it (a drop's opening, a renewal,
    a group buy's deadline, rehearsed in seconds). Time never goes back: the offset is saved in `path`."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._offset = timedelta()
        if path is not None and path.exists():
            try:
                self._offset = timedelta(seconds=float(json.loads(path.read_text())["offset_seconds"]))
            except (ValueError, KeyError, TypeError):
                self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Unix seconds of now: the local Bot API server dates its messages with this."""
        return self.now().timestamp()

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta():
            raise ValueError("the sandbox's clock only moves forward")
        self._offset += delta
        if self._path is not None:
            self._path.write_text(json.dumps({"offset_seconds": self._offset.total_seconds()}))
