"""Where multi-step dialogs keep their state between messages: in memory (one process) or in Redis.

Both frameworks share it, and with Redis several webhook workers do too. Values are small JSON objects
with a time to live, so an abandoned dialog cleans itself up.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

State = dict[str, Any]
DEFAULT_TTL = 30 * 60


class StateStore(Protocol):
    async def get(self, key: str) -> State | None: ...
    async def set(self, key: str, value: State, ttl_seconds: int = DEFAULT_TTL) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def close(self) -> None: ...


class MemoryStateStore:
    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[float, str]] = {}

    async def get(self, key: str) -> State | None:
        found = self._values.get(key)
        if found is None:
            return None
        expires, text = found
        if self._clock() >= expires:
            self._values.pop(key, None)
            return None
        value: State = json.loads(text)
        return value

    async def set(self, key: str, value: State, ttl_seconds: int = DEFAULT_TTL) -> None:
        # Stored as JSON like in Redis, so that a value that works here works there.
        self._values[key] = (self._clock() + ttl_seconds, json.dumps(value))

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def close(self) -> None:
        self._values.clear()


class RedisStateStore:
    PREFIX = "circlecart:state:"

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis: Redis = Redis.from_url(url, decode_responses=True)

    async def get(self, key: str) -> State | None:
        text = await self._redis.get(self.PREFIX + key)
        if text is None:
            return None
        value: State = json.loads(text)
        return value

    async def set(self, key: str, value: State, ttl_seconds: int = DEFAULT_TTL) -> None:
        await self._redis.set(self.PREFIX + key, json.dumps(value), ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self.PREFIX + key)

    async def close(self) -> None:
        await self._redis.aclose()


def make_state_store(redis_url: str) -> StateStore:
    """Redis when a URL is configured (production, several workers), else memory (one process)."""
    if redis_url.strip():
        return RedisStateStore(redis_url.strip())
    return MemoryStateStore()
