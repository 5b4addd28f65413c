"""Telegram's sending limits, kept in-process: about 30 messages/s per bot, 1/s per chat, 20/min per group.

`book` answers "may I send to this chat now?" and books the slot when the answer is yes; `finished` tells it
the send came back. A send counts against every limit from the moment it is booked until a window after
it came back: Telegram dates the message somewhere in between, so that is the only span certain to cover
the moment Telegram counts, and keeping within it never earns a 429 however long the round trip took.

With paid broadcasts on (`paid_per_second`), a send beyond the free 30 a second may still go, up to that
rate in all, and is booked as paid: the caller sends it with allow_paid_broadcast, which Telegram bills in
Stars. The free 30 a second still go unpaid, so only the messages past them cost anything.
A 429 from Telegram pauses the chat (or everything) for its retry_after.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

GLOBAL_WINDOW = 1.0
GROUP_WINDOW = 60.0


@dataclass(frozen=True)
class Slot:
    """A booked send: give it back to `finished` when the call returned, whatever it answered."""

    chat_id: int
    paid: bool


class TelegramLimits:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        global_per_second: int = 30,
        chat_interval: float = 1.0,
        group_per_minute: int = 20,
        paid_per_second: int | None = None,
    ) -> None:
        self.clock = clock
        self.global_per_second = global_per_second
        self.chat_interval = chat_interval
        self.group_per_minute = group_per_minute
        self.paid_per_second = paid_per_second if paid_per_second and paid_per_second > global_per_second else None
        self._in_flight = 0
        self._in_flight_free = 0
        self._done: deque[float] = deque()  # when the recent sends came back, oldest first
        self._done_free: deque[float] = deque()  # the same, of those sent without paying
        self._busy: dict[int, int] = {}  # chats with a send in flight
        self._last_by_chat: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._paused_until: dict[int | None, float] = {}

    @property
    def ceiling(self) -> int:
        """Messages a second at most: the paid rate when paid broadcasts are on, else the free one."""
        return self.paid_per_second or self.global_per_second

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def book(self, chat_id: int) -> Slot | float:
        """A booked Slot, or the seconds to wait before asking again (math.inf: until a send comes back)."""
        now = self.clock()
        chat_wait = self.chat_wait(chat_id, now)
        if chat_wait > 0:
            return chat_wait
        counted = self._counted(self._done, now) + self._in_flight
        free = self._counted(self._done_free, now) + self._in_flight_free
        ceiling = self.ceiling
        if counted >= ceiling:
            return self._wait(self._done, now, counted, self._in_flight, ceiling)
        paid = free >= self.global_per_second
        if paid and self.paid_per_second is None:
            return self._wait(self._done_free, now, free, self._in_flight_free, self.global_per_second)
        self._in_flight += 1
        if not paid:
            self._in_flight_free += 1
        self._busy[chat_id] = self._busy.get(chat_id, 0) + 1
        return Slot(chat_id, paid)

    def finished(self, slot: Slot) -> None:
        """The send of `slot` came back (sent or not): from now on its windows run from this moment."""
        now = self.clock()
        self._in_flight = max(0, self._in_flight - 1)
        self._done.append(now)
        if not slot.paid:
            self._in_flight_free = max(0, self._in_flight_free - 1)
            self._done_free.append(now)
        left = self._busy.get(slot.chat_id, 0) - 1
        if left > 0:
            self._busy[slot.chat_id] = left
        else:
            self._busy.pop(slot.chat_id, None)
        self._last_by_chat[slot.chat_id] = now
        if slot.chat_id < 0:
            self._group_sends.setdefault(slot.chat_id, deque()).append(now)

    def chat_wait(self, chat_id: int, now: float | None = None) -> float:
        """Seconds before this chat may have a message again, leaving the bot-wide limit aside (math.inf
        while a send to it is in flight)."""
        now = self.clock() if now is None else now
        if self._busy.get(chat_id):
            return math.inf
        return max(
            self._paused_until.get(None, 0.0) - now,
            self._paused_until.get(chat_id, 0.0) - now,
            self._last_by_chat.get(chat_id, -1e9) + self.chat_interval - now,
            self._group_wait(chat_id, now),
            0.0,
        )

    def pause(self, chat_id: int | None, seconds: float) -> None:
        """Telegram said retry_after: nothing goes to that chat (None: anywhere) before then."""
        until = self.clock() + seconds
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    @staticmethod
    def _counted(done: deque[float], now: float) -> int:
        while done and done[0] <= now - GLOBAL_WINDOW:
            done.popleft()
        return len(done)

    @staticmethod
    def _wait(done: deque[float], now: float, counted: int, in_flight: int, limit: int) -> float:
        # Sends in flight only start their window when they come back; the oldest finished ones leave first.
        must_leave = counted - limit + 1
        if must_leave > len(done):
            return math.inf
        return max(done[must_leave - 1] + GLOBAL_WINDOW - now, 1e-6)

    def _group_wait(self, chat_id: int, now: float) -> float:
        sends = self._group_sends.get(chat_id)
        if not sends:
            return 0.0
        while sends and sends[0] <= now - GROUP_WINDOW:
            sends.popleft()
        if len(sends) < self.group_per_minute:
            return 0.0
        return sends[len(sends) - self.group_per_minute] + GROUP_WINDOW - now
