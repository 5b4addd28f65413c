"""A small async client for any OpenAI-compatible `/chat/completions` endpoint, over httpx (no vendor SDK).

OpenAI, vLLM, llama.cpp's server, Ollama's `/v1` and Chinese providers' compatible modes all take the same
request: `POST <base>/chat/completions` with `messages`, `tools` (function calling) and, for JSON output,
`response_format: {"type": "json_object"}`. The base URL is given with its version path, as those servers
document it (e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`).

Everything a member waits for is bounded by one deadline (`timeout`): retries on 429 and 5xx back off
exponentially or as `Retry-After` says, but never past it; then ModelUnavailable, and the member gets the
fallback. The API key is sent only in the Authorization header and never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from domain.assistant.model import ChatMessage, Completion, ModelUnavailable, ToolCall, ToolSpec

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
Sleep = Callable[[float], Awaitable[None]]


class OpenAICompatibleClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers, transport=transport)
        self.model = model
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._monotonic = monotonic

    async def close(self) -> None:
        await self._http.aclose()

    async def complete(
        self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = (), json_output: bool = False
    ) -> Completion:
        body: dict[str, Any] = {"model": self.model, "messages": [_message_json(m) for m in messages]}
        if tools:
            body["tools"] = [
                {"type": "function", "function": {"name": t.name, "description": t.description,
                                                  "parameters": dict(t.parameters)}}
                for t in tools
            ]  # fmt: skip
        if json_output:
            body["response_format"] = {"type": "json_object"}
        deadline = self._monotonic() + self.timeout
        attempt = 0
        while True:
            left = deadline - self._monotonic()
            if left <= 0:
                raise ModelUnavailable(f"no answer within {self.timeout:g}s")
            try:
                async with asyncio.timeout(left):
                    response = await self._http.post("/chat/completions", json=body, timeout=left)
            except (TimeoutError, httpx.TimeoutException):
                raise ModelUnavailable(f"no answer within {self.timeout:g}s") from None
            except httpx.HTTPError as error:
                wait = self._backoff(attempt)
                reason = f"{type(error).__name__}"
            else:
                if response.status_code == 200:
                    return _completion(response)
                if response.status_code == 400 and "response_format" in body:
                    # Some servers (older llama.cpp, some providers' compatible modes) refuse JSON mode beside
                    # tools: ask again without it; the prompt asks for JSON anyway.
                    log.info("chat model refused response_format; asking again without JSON mode")
                    body.pop("response_format")
                    continue
                if response.status_code not in RETRY_STATUSES:
                    raise ModelUnavailable(f"the endpoint refused the request (HTTP {response.status_code})")
                asked = _retry_after(response) if response.status_code == 429 else None
                wait = self._backoff(attempt) if asked is None else asked
                reason = f"HTTP {response.status_code}"
            attempt += 1
            if attempt > self.retries or deadline - self._monotonic() <= wait:
                raise ModelUnavailable(f"{reason}, and no time or retries left")
            log.info("chat model answered %s; retrying in %.2fs (attempt %s)", reason, wait, attempt + 1)
            await self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return float(self.backoff * (2**attempt))


def _message_json(message: ChatMessage) -> dict[str, Any]:
    data: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        data["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    if message.tool_call_id is not None:
        data["tool_call_id"] = message.tool_call_id
    return data


def _completion(response: httpx.Response) -> Completion:
    try:
        data = response.json()
        choice = data["choices"][0]["message"]
        calls = tuple(
            ToolCall(str(c.get("id") or f"call_{i}"), str(c["function"]["name"]), _arguments(c["function"]))
            for i, c in enumerate(choice.get("tool_calls") or ())
        )
        usage = data.get("usage") or {}
        content = choice.get("content")
        return Completion(
            ChatMessage("assistant", content if isinstance(content, str) else None, calls),
            int(usage.get("prompt_tokens") or 0),
            int(usage.get("completion_tokens") or 0),
        )
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise ModelUnavailable(f"malformed answer ({type(error).__name__})") from None


def _arguments(function: dict[str, Any]) -> str:
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments or {})  # a few servers send an object rather than JSON text


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait (`Retry-After`: seconds or an HTTP date), if it says."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    date_header = response.headers.get("date")
    try:
        now = parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError):
        now = None
    if now is None:
        return None  # no server clock to measure against: back off our own way
    return max((moment - now).total_seconds(), 0.0)
