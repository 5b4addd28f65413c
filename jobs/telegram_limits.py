"""Telegram's sending limits, kept in-process: about 30 messages/s per bot, 1/s per chat, 20/min per group.

`reserve` answers "may I send to this chat now?" and books the slot when the answer is yes; a 429 from
Telegram pauses the chat (or everything) for its retry_after.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class TelegramLimits:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        global_per_second: int = 30,
        chat_interval: float = 1.0,
        group_per_minute: int = 20,
    ) -> None:
        self.clock = clock
        self.global_per_second = global_per_second
        self.chat_interval = chat_interval
        self.group_per_minute = group_per_minute
        self._recent: deque[float] = deque()
        self._last_by_chat: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._paused_until: dict[int | None, float] = {}

    def reserve(self, chat_id: int) -> float:
        """0 and the slot is booked; otherwise the seconds to wait before asking again."""
        now = self.clock()
        wait = max(
            self._paused_until.get(None, 0.0) - now,
            self._paused_until.get(chat_id, 0.0) - now,
            self._global_wait(now),
            self._last_by_chat.get(chat_id, -1e9) + self.chat_interval - now,
            self._group_wait(chat_id, now),
        )
        if wait > 0:
            return wait
        self._recent.append(now)
        self._last_by_chat[chat_id] = now
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)
        return 0.0

    def pause(self, chat_id: int | None, seconds: float) -> None:
        """Telegram said retry_after: nothing goes to that chat (None: anywhere) before then."""
        until = self.clock() + seconds
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    def _global_wait(self, now: float) -> float:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) < self.global_per_second:
            return 0.0
        return self._recent[0] + 1.0 - now

    def _group_wait(self, chat_id: int, now: float) -> float:
        sends = self._group_sends.get(chat_id)
        if not sends:
            return 0.0
        while sends and sends[0] <= now - 60.0:
            sends.popleft()
        if len(sends) < self.group_per_minute:
            return 0.0
        return sends[0] + 60.0 - now
