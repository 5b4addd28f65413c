"""The chat-model port: an OpenAI-compatible chat completion with tools, seen from the domain.

The product's client (circlecart/assistant_client.py) speaks HTTP; the domain only knows these values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # raw JSON text as the model wrote it: never trusted, parsed by the tool


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str  # system | user | assistant | tool
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None  # a tool result answers this call


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    parameters: Mapping[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(frozen=True, slots=True)
class Completion:
    message: ChatMessage
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ModelUnavailable(Exception):
    """The endpoint could not answer in time: down, slow, rate limited past the deadline, or malformed."""


class ChatModel(Protocol):
    async def complete(
        self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = (), json_output: bool = False
    ) -> Completion:
        """One chat completion; raises ModelUnavailable when no usable answer came within the client's deadline."""
