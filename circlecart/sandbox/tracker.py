"""Waits until the bot has finished an update: the adapters report each one to the core."""

from __future__ import annotations

import asyncio


class UpdateTracker:
    """Each waiter parks on its own update's event, so a rush of hundreds of waiting members costs the
    shared event loop one wake-up per finished update, not one per waiter per update."""

    def __init__(self) -> None:
        self._done: set[int] = set()
        self._events: dict[int, asyncio.Event] = {}
        self._loop = asyncio.get_running_loop()

    def done(self, update_id: int) -> None:
        self._done.add(update_id)
        # The adapter may report from inside a framework callback; wake the waiter through the loop.
        self._loop.call_soon_threadsafe(self._wake, update_id)

    def _wake(self, update_id: int) -> None:
        event = self._events.pop(update_id, None)
        if event is not None:
            event.set()

    async def wait(self, update_id: int, timeout: float = 10.0) -> None:
        if update_id in self._done:
            return
        event = self._events.setdefault(update_id, asyncio.Event())
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            self._events.pop(update_id, None)
            raise AssertionError(f"the bot did not finish update {update_id} within {timeout}s") from None

    def finished(self, update_id: int) -> bool:
        return update_id in self._done

    def forget(self, update_id: int) -> None:
        """Before a redelivery of the same update_id, so the wait sees the second pass."""
        self._done.discard(update_id)
