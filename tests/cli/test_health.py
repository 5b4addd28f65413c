"""A service manager or a load balancer asks `circlecart run` whether it lives and whether it is ready."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from pathlib import Path

import aiohttp

from circlecart.sandbox.bot_api.server import FakeTelegram
from tests.cli.test_startup import free_port, start_run, until_said
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME


async def test_alive_at_once_and_ready_once_telegram_answers(framework: str, tmp_path: Path) -> None:
    telegram_port, health_port = free_port(), free_port()
    process = await start_run(
        framework,
        tmp_path,
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_TELEGRAM_API_URL=f"http://127.0.0.1:{telegram_port}",
        CIRCLECART_METRICS_ADDRESS=f"127.0.0.1:{health_port}",
    )
    fake = FakeTelegram()
    base = f"http://127.0.0.1:{health_port}"
    try:
        async with aiohttp.ClientSession() as http:
            await until_said(process, "Telegram is not reachable")
            async with http.get(f"{base}/healthz") as alive:
                assert alive.status == 200
            async with http.get(f"{base}/readyz") as ready:
                assert ready.status == 503
                assert json.loads(await ready.text()) == {"database": "reachable", "telegram": "starting"}

            await fake.start(port=telegram_port)  # Telegram comes back
            fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
            await until_said(process, "circlecart is running")
            async with http.get(f"{base}/readyz") as ready:
                assert ready.status == 200
                assert json.loads(await ready.text()) == {"database": "reachable", "telegram": "started"}
            async with http.get(f"{base}/metrics") as metrics:
                assert metrics.status == 200 and "circlecart_jobs_leader 1.0" in await metrics.text()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        await fake.stop()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr, stderr.decode()[-6000:]


async def test_a_health_address_already_taken_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await start_run(
            "aiogram", tmp_path, CIRCLECART_BOT_TOKEN=BOT_TOKEN, CIRCLECART_METRICS_ADDRESS=f"127.0.0.1:{port}"
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    said = stderr.decode()
    assert process.returncode == 2, said[-2000:]
    (line,) = said.strip().splitlines()
    assert line.startswith(f"circlecart: cannot serve health and metrics on 127.0.0.1:{port}")
    assert "set CIRCLECART_METRICS_ADDRESS to a free HOST:PORT" in line
