"""The product's own httpx client against the fake endpoint: tools, JSON output, retries within one deadline."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest

from circlecart.assistant_client import OpenAICompatibleClient
from circlecart.redaction import RedactSecrets, secrets_of
from circlecart.settings import Settings
from domain.assistant.model import ChatMessage, ModelUnavailable, ToolSpec
from tests.support.fake_openai import API_KEY, FakeOpenAI


class Waits:
    """The client's sleep, recorded instead of slept: the test never waits on the wall clock."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.now = 0.0

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
async def endpoint() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def client_for(fake: FakeOpenAI, waits: Waits, timeout: float = 5.0, retries: int = 2) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(
        fake.base_url, API_KEY, "fake-model", timeout=timeout, retries=retries, sleep=waits.sleep,
        monotonic=waits.monotonic,
    )  # fmt: skip


SEARCH = ToolSpec("search_catalog", "search", {"type": "object", "properties": {"query": {"type": "string"}}})


async def test_tools_and_json_output_go_out_as_the_openai_protocol_says(endpoint: FakeOpenAI) -> None:
    endpoint.call_tools(("search_catalog", {"query": "tea"}))
    client = client_for(endpoint, Waits())
    completion = await client.complete([ChatMessage("user", "tea")], [SEARCH], json_output=True)
    assert completion.message.tool_calls[0].name == "search_catalog"
    assert json.loads(completion.message.tool_calls[0].arguments) == {"query": "tea"}
    assert completion.tokens == 60
    sent = endpoint.received[0]
    assert sent.authorization == f"Bearer {API_KEY}"
    assert sent.body["model"] == "fake-model" and sent.body["response_format"] == {"type": "json_object"}
    assert sent.body["tools"][0]["function"]["name"] == "search_catalog"
    await client.close()


async def test_a_429_is_retried_after_the_time_the_server_asks(endpoint: FakeOpenAI) -> None:
    endpoint.fail(429, retry_after="2")
    endpoint.reply({"intent": "orders", "skus": []})
    waits = Waits()
    client = client_for(endpoint, waits)
    completion = await client.complete([ChatMessage("user", "my order?")])
    assert json.loads(completion.message.content or "")["intent"] == "orders"
    assert waits.slept == [2.0]
    await client.close()


async def test_5xx_answers_are_retried_with_exponential_backoff(endpoint: FakeOpenAI) -> None:
    endpoint.fail(500)
    endpoint.fail(503)
    endpoint.reply("{}")
    waits = Waits()
    client = client_for(endpoint, waits)
    await client.complete([ChatMessage("user", "hi")])
    assert waits.slept == [0.5, 1.0] and len(endpoint.received) == 3
    await client.close()


async def test_no_retry_runs_past_the_deadline(endpoint: FakeOpenAI) -> None:
    endpoint.fail(429, retry_after="30")
    waits = Waits()
    client = client_for(endpoint, waits, timeout=5.0)
    with pytest.raises(ModelUnavailable):
        await client.complete([ChatMessage("user", "hi")])
    assert waits.slept == [] and len(endpoint.received) == 1
    await client.close()


async def test_retries_end_when_they_are_used_up(endpoint: FakeOpenAI) -> None:
    endpoint.fail(502, times=5)
    waits = Waits()
    client = client_for(endpoint, waits, timeout=60, retries=2)
    with pytest.raises(ModelUnavailable):
        await client.complete([ChatMessage("user", "hi")])
    assert len(endpoint.received) == 3
    await client.close()


async def test_a_slow_endpoint_and_a_closed_port_are_unavailable_not_errors(endpoint: FakeOpenAI) -> None:
    endpoint.hang()
    slow = OpenAICompatibleClient(endpoint.base_url, API_KEY, "m", timeout=0.3)
    with pytest.raises(ModelUnavailable, match="within"):
        await slow.complete([ChatMessage("user", "hi")])
    await slow.close()
    down = OpenAICompatibleClient("http://127.0.0.1:9/v1", API_KEY, "m", timeout=2, retries=0)
    with pytest.raises(ModelUnavailable):
        await down.complete([ChatMessage("user", "hi")])
    await down.close()


async def test_a_refused_or_malformed_answer_is_unavailable(endpoint: FakeOpenAI) -> None:
    wrong_key = OpenAICompatibleClient(endpoint.base_url, "sk-wrong-key", "m", sleep=Waits().sleep)
    with pytest.raises(ModelUnavailable, match="401"):
        await wrong_key.complete([ChatMessage("user", "hi")])
    await wrong_key.close()


def test_the_api_key_never_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(ai_base_url="http://127.0.0.1:1/v1", ai_api_key=API_KEY, ai_model="m")  # type: ignore[arg-type]
    guard = RedactSecrets(secrets_of(settings))
    record = logging.LogRecord(
        "httpx", logging.DEBUG, __file__, 1, "headers: Authorization: Bearer %s", (API_KEY,), None
    )
    guard.filter(record)
    assert API_KEY not in record.getMessage() and "<redacted>" in record.getMessage()


def test_an_endpoint_without_a_model_name_is_refused_at_start() -> None:
    from circlecart.settings import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="CIRCLECART_AI_MODEL"):
        load_settings(ai_base_url="http://127.0.0.1:1/v1")


async def test_a_server_without_json_mode_is_asked_again_without_it(endpoint: FakeOpenAI) -> None:
    endpoint.json_mode = False
    endpoint.reply({"intent": "points", "skus": []})
    client = client_for(endpoint, Waits())
    completion = await client.complete([ChatMessage("user", "points?")], [SEARCH], json_output=True)
    assert json.loads(completion.message.content or "")["intent"] == "points"
    assert ["response_format" in r.body for r in endpoint.received] == [True, False]
    await client.close()
