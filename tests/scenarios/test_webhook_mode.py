"""Production mode: Telegram pushes updates to circlecart's webhook, which insists on the secret token."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import running_shop

SECRET = "s3cret-token_for-tests"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_arrive_through_the_webhook_and_forged_requests_are_refused(
    framework: str, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with running_shop(
        framework,
        f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        str(STARS_CATALOG),
        webhook_url=url,
        webhook_secret=SECRET,
        webhook_listen=f"127.0.0.1:{port}",
    ) as shop:
        assert shop.fake.calls_to("setWebhook")[-1].params["secret_token"] == SECRET
        mei = shop.member("Mei")
        (page,) = await shop.say(mei, None, "/shop")
        assert "page 1 of 2" in page.text

        forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status in (401, 403)
        assert not shop.tracker.finished(999)  # the forged update never reached the bot


MALFORMED = [
    b"{",
    b"",
    b"[]",
    b'"update"',
    b"null",
    b"{}",
    b'{"update_id": "seven"}',
    b'{"update_id": 7, "message": "not an object"}',
    b'{"update_id": 7, "callback_query": {"id": 1}}',
    b"\xff\xfe",
]


async def test_a_malformed_body_with_the_right_secret_gets_400(
    framework: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with running_shop(
        framework,
        f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        str(STARS_CATALOG),
        webhook_url=url,
        webhook_secret=SECRET,
        webhook_listen=f"127.0.0.1:{port}",
    ) as shop:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        async with aiohttp.ClientSession() as http:
            for body in MALFORMED:
                async with http.post(url, data=body, headers=headers) as response:
                    assert response.status == 400, (body, response.status)
        mei = shop.member("Mei")
        (page,) = await shop.say(mei, None, "/shop")  # and the webhook still serves real updates
        assert "page 1 of 2" in page.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
