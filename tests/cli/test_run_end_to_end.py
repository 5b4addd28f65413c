"""`circlecart run` as an operator starts it, serving the whole loop against a Bot API server, at DEBUG, with
every secret set: none of them may reach the log, whichever library writes it, in text or JSON."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from circlecart.catalog_io import import_file
from circlecart.sandbox.bot_api.server import FakeTelegram
from tests.cli.test_startup import free_port
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME
from tests.support.databases import fresh_database

ROOT = Path(__file__).resolve().parents[2]


PROVIDER_TOKEN = "284685063:TEST:provider-secret-4f9a"
WEBHOOK_SECRET = "webhook-secret-never-logged"
DATABASE_PASSWORD = "db-password-never-logged"
AI_API_KEY = "sk-ai-key-never-logged-7c1e"

SETUPS = [
    pytest.param("polling-sqlite-text", id="polling-sqlite-text"),
    pytest.param("webhook-postgres-json", id="webhook-postgres-json", marks=pytest.mark.postgres),
]


@asynccontextmanager
async def shop_database(setup: str, tmp_path: Path) -> AsyncIterator[str]:
    """The shop's database URL, with the example catalog; on PostgreSQL the URL carries a password (the test
    server trusts local connections, so any password is accepted, and it must still never be logged)."""
    if "sqlite" in setup:
        url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
        await import_file(url, STARS_CATALOG)
        yield url
        return
    async with fresh_database("postgres", tmp_path, migrate=False) as url:
        with_password = make_url(url).set(password=DATABASE_PASSWORD).render_as_string(hide_password=False)
        await import_file(with_password, STARS_CATALOG)
        yield with_password


@pytest.mark.parametrize("setup", SETUPS)
async def test_circlecart_run_serves_shop_buy_and_pay_then_stops_cleanly(
    framework: str, setup: str, tmp_path: Path
) -> None:
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    async with shop_database(setup, tmp_path) as database_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
        env.update(
            CIRCLECART_BOT_TOKEN=BOT_TOKEN,
            CIRCLECART_TELEGRAM_API_URL=fake.base_url,
            CIRCLECART_DATABASE_URL=database_url,
            # At DEBUG every library says the most it ever will: httpx logs each request URL, which carries the
            # bot token. None of the secrets may reach the log all the same.
            CIRCLECART_LOG_LEVEL="DEBUG",
            CIRCLECART_PAYMENT_PROVIDER_TOKEN=PROVIDER_TOKEN,
            CIRCLECART_WEBHOOK_SECRET=WEBHOOK_SECRET,
            CIRCLECART_AI_API_KEY=AI_API_KEY,
            CIRCLECART_LOG_FORMAT="json" if setup.endswith("json") else "text",
        )
        if "webhook" in setup:
            port = free_port()
            env.update(
                CIRCLECART_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                CIRCLECART_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "circlecart.cli", "run", "--framework", framework,
            env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await fake.wait_for(lambda _: fake.commands("all_private_chats"), timeout=60)
            mei = fake.user(4001, "Mei")
            await fake.send_message(mei, None, "/start p_PIN-CRANE")
            (card,) = await fake.wait_for_sent(mei, 1, timeout=15)
            await fake.press_button(mei, card, text="Buy · 35 ⭐")
            await fake.wait_for(lambda _: fake.last(mei).invoice is not None, timeout=15)
            paid = await fake.pay(mei, fake.last(mei))
            assert paid.accepted, paid.error_message
            await fake.wait_for(lambda _: "Payment received" in (fake.last(mei).text or ""), timeout=15)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
            await fake.stop()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    log = stderr.decode()
    secret_half = BOT_TOKEN.partition(":")[2]
    for secret in (secret_half, PROVIDER_TOKEN, WEBHOOK_SECRET, DATABASE_PASSWORD, AI_API_KEY):
        assert secret not in log, f"a secret reached the log: {secret[:4]}…"
    if framework == "ptb":
        assert "<redacted>" in log  # httpx logged the bot's calls, with the token cut out
    if setup.endswith("json"):
        lines = [json.loads(line) for line in log.splitlines()]  # every line is one JSON object
        handled = [line for line in lines if line.get("update_kind") == "pre_checkout_query"]
        assert len(handled) == 1, "one line for the pre-checkout update"
        assert handled[0]["logger"] == "bots.core.runtime" and handled[0]["level"] == "INFO"
        assert isinstance(handled[0]["update_id"], int) and handled[0]["latency_ms"] > 0
