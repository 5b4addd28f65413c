"""`circlecart run` as an operator starts it, serving the whole loop against a Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from circlecart.catalog_io import import_file
from circlecart.sandbox.bot_api.server import FakeTelegram
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME

ROOT = Path(__file__).resolve().parents[2]


PROVIDER_TOKEN = "284685063:TEST:provider-secret-4f9a"
WEBHOOK_SECRET = "webhook-secret-never-logged"


async def test_circlecart_run_serves_shop_buy_and_pay_then_stops_cleanly(framework: str, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await import_file(database_url, STARS_CATALOG)
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
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
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "circlecart.cli",
        "run",
        "--framework",
        framework,
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
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
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        await fake.stop()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    log = stderr.decode()
    secret_half = BOT_TOKEN.partition(":")[2]
    for secret in (secret_half, PROVIDER_TOKEN, WEBHOOK_SECRET):
        assert secret not in log, f"a secret reached the log: {secret[:4]}…"
    if framework == "ptb":
        assert "<redacted>" in log  # httpx logged the bot's calls, with the token cut out
