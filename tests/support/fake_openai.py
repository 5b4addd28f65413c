"""A local OpenAI-compatible server for the assistant's tests: `POST /v1/chat/completions` with tools, JSON
output, usage counts, and the faults a real endpoint has (429 with Retry-After, 5xx, an answer that never comes).

The model is a script: each request takes the next step queued with `reply`, `call_tools`, `fail` or `hang`;
with nothing queued it answers `default`. Every request is recorded, so a test can read what the shop sent (the
tools, the tool results) and what Authorization it carried. `tests/support/test_fake_openai.py` drives it with
the official `openai` package, so it speaks the protocol real clients speak.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "sk-test-circlecart-0123456789"


@dataclass
class Step:
    status: int = 200
    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    retry_after: str | None = None
    hang: bool = False
    prompt_tokens: int = 50
    completion_tokens: int = 10


@dataclass
class Received:
    body: dict[str, Any]
    authorization: str | None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def tool_results(self) -> list[str]:
        return [m["content"] for m in self.messages if m.get("role") == "tool"]


class FakeOpenAI:
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.steps: deque[Step] = deque()
        self.default = Step(content='{"intent": "products", "skus": []}')
        self.received: list[Received] = []
        self.json_mode = True  # False: refuse response_format with a 400, as some servers do
        self._released = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- the script -------------------------------------------------------------------------------------
    def reply(self, content: str | dict[str, Any], prompt_tokens: int = 50, completion_tokens: int = 10) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        self.steps.append(Step(content=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens))

    def call_tools(self, *calls: tuple[str, dict[str, Any]]) -> None:
        self.steps.append(Step(tool_calls=list(calls)))

    def fail(self, status: int, retry_after: str | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.steps.append(Step(status=status, retry_after=retry_after))

    def hang(self, times: int = 1) -> None:
        """The next requests get no answer until the server stops: an endpoint that is up but too slow."""
        for _ in range(times):
            self.steps.append(Step(hang=True))

    # -- the server -------------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeOpenAI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _error(self, status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> web.Response:
        body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
        return web.json_response(body, status=status, headers=headers)

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "t"}]})

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        authorization = request.headers.get("Authorization")
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "could not parse the JSON body", "invalid_request_error")
        self.received.append(Received(body, authorization))
        if authorization != f"Bearer {self.api_key}":
            return self._error(401, "Incorrect API key provided", "invalid_request_error")
        if not isinstance(body.get("messages"), list) or not body.get("model"):
            return self._error(400, "'messages' and 'model' are required", "invalid_request_error")
        if not self.json_mode and "response_format" in body:
            return self._error(400, "response_format is not supported", "invalid_request_error")
        step = self.steps.popleft() if self.steps else self.default
        if step.hang:
            await self._released.wait()
            return self._error(503, "shutting down", "server_error")
        if step.status != 200:
            headers = {"Retry-After": step.retry_after} if step.retry_after is not None else None
            kind = "rate_limit_exceeded" if step.status == 429 else "server_error"
            return self._error(step.status, f"fake failure {step.status}", kind, headers)
        return web.json_response(self._completion(body, step))

    def _completion(self, body: dict[str, Any], step: Step) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": step.content}
        finish = "stop"
        if step.tool_calls:
            message["content"] = None
            message["tool_calls"] = [
                {"id": f"call_{next(self._ids)}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(arguments)}}
                for name, arguments in step.tool_calls
            ]  # fmt: skip
            finish = "tool_calls"
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {
                "prompt_tokens": step.prompt_tokens,
                "completion_tokens": step.completion_tokens,
                "total_tokens": step.prompt_tokens + step.completion_tokens,
            },
        }
