"""The fake OpenAI-compatible server speaks what the official `openai` client speaks: tools, JSON output,
usage, and its errors as the client understands them (a 429 is a RateLimitError, a 500 an InternalServerError)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import openai
import pytest

from tests.support.fake_openai import API_KEY, FakeOpenAI


@pytest.fixture
async def endpoint() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def official_client(fake: FakeOpenAI, api_key: str = API_KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=fake.base_url, api_key=api_key, max_retries=0, timeout=5)


async def test_the_official_client_gets_tool_calls_and_then_a_json_answer(endpoint: FakeOpenAI) -> None:
    endpoint.call_tools(("search_catalog", {"query": "tea"}))
    endpoint.reply({"intent": "products", "skus": ["TEA-SET-01"]}, prompt_tokens=120, completion_tokens=7)
    client = official_client(endpoint)
    tools = [{"type": "function", "function": {"name": "search_catalog", "description": "search",
              "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}]  # fmt: skip
    first = await client.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "tea gift"}],
        tools=tools,  # type: ignore[arg-type]
    )
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "search_catalog" and json.loads(call.function.arguments) == {"query": "tea"}  # type: ignore[union-attr]
    second = await client.chat.completions.create(
        model="fake-model",
        messages=[
            {"role": "user", "content": "tea gift"},
            first.choices[0].message.model_dump(exclude_none=True),  # type: ignore[list-item]
            {"role": "tool", "tool_call_id": call.id, "content": '{"products": []}'},
        ],
        response_format={"type": "json_object"},
    )
    assert json.loads(second.choices[0].message.content or "") == {"intent": "products", "skus": ["TEA-SET-01"]}
    assert second.usage is not None and second.usage.total_tokens == 127
    assert endpoint.received[1].body["response_format"] == {"type": "json_object"}
    assert endpoint.received[1].tool_results() == ['{"products": []}']
    await client.close()


async def test_the_official_client_reads_its_rate_limit_server_error_and_auth_failures(endpoint: FakeOpenAI) -> None:
    client = official_client(endpoint)
    messages = [{"role": "user", "content": "hi"}]
    endpoint.fail(429, retry_after="3")
    with pytest.raises(openai.RateLimitError) as limited:
        await client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    assert limited.value.response.headers["retry-after"] == "3"
    endpoint.fail(500)
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    with pytest.raises(openai.AuthenticationError):
        await official_client(endpoint, "sk-wrong").chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    await client.close()


async def test_a_hanging_answer_times_the_official_client_out(endpoint: FakeOpenAI) -> None:
    endpoint.hang()
    client = openai.AsyncOpenAI(base_url=endpoint.base_url, api_key=API_KEY, max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    await client.close()
