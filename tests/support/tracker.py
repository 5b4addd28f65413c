"""Waits until the bot has finished an update: the adapters report each one to the core."""

from __future__ import annotations

import asyncio


class UpdateTracker:
    def __init__(self) -> None:
        self._done: set[int] = set()
        self._changed = asyncio.Condition()
        self._loop = asyncio.get_running_loop()

    def done(self, update_id: int) -> None:
        self._done.add(update_id)
        # The adapter may report from inside a framework callback; notify through the loop.
        self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._notify()))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait(self, update_id: int, timeout: float = 10.0) -> None:
        async def until_done() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: update_id in self._done)

        try:
            await asyncio.wait_for(until_done(), timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not finish update {update_id} within {timeout}s") from None

    def finished(self, update_id: int) -> bool:
        return update_id in self._done

    def forget(self, update_id: int) -> None:
        """Before a redelivery of the same update_id, so the wait sees the second pass."""
        self._done.discard(update_id)
