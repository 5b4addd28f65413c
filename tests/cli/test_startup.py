"""Starting `circlecart run` as an operator would, when something is wrong: each expected fault is one line
that names the cause and the fix, and Telegram out of reach is waited out, not fatal."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from circlecart.sandbox.bot_api.server import FakeTelegram
from storage.database import Database
from storage.migrate import upgrade_async
from tests.scenarios.harness import BOT_ID, BOT_TOKEN, BOT_USERNAME
from tests.support.databases import fresh_database, unique_name

UNKNOWN_TOKEN = "123456:this-token-telegram-never-issued"


async def start_run(framework: str, tmp_path: Path, **settings: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    env.update({"CIRCLECART_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}", **settings})
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circlecart.cli", "run", "--framework", framework,
        env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def until_said(process: asyncio.subprocess.Process, words: str, timeout: float = 60) -> list[str]:
    """Read the program's log until a line contains `words`; the lines read so far."""
    assert process.stderr is not None
    lines: list[str] = []
    async with asyncio.timeout(timeout):
        while True:
            line = (await process.stderr.readline()).decode()
            assert line, f"the program ended without saying {words!r}: {''.join(lines)[-2000:]}"
            lines.append(line)
            if words in line:
                return lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_token_telegram_does_not_know_stops_the_bot_with_one_line(framework: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    try:
        process = await start_run(
            framework, tmp_path, CIRCLECART_BOT_TOKEN=UNKNOWN_TOKEN, CIRCLECART_TELEGRAM_API_URL=fake.base_url
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await fake.stop()
    said = stderr.decode()
    assert process.returncode == 2, said[-2000:]
    assert "circlecart: Telegram does not accept the bot token" in said
    assert "CIRCLECART_BOT_TOKEN" in said
    assert "Traceback" not in said and "Unclosed" not in said, said[-2000:]


async def test_an_unreachable_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    process = await start_run(
        "aiogram",
        tmp_path,
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_DATABASE_URL=f"postgresql://circlecart:db-password-xyz@127.0.0.1:{free_port()}/shop",
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    said = stderr.decode()
    assert process.returncode == 2, said[-2000:]
    assert "circlecart: cannot reach the database at postgresql://circlecart:***@127.0.0.1" in said
    assert "CIRCLECART_DATABASE_URL" in said
    assert "db-password-xyz" not in said
    assert "Traceback" not in said, said[-2000:]


async def test_telegram_out_of_reach_at_start_is_waited_for_then_the_bot_serves(framework: str, tmp_path: Path) -> None:
    port = free_port()
    process = await start_run(
        framework, tmp_path, CIRCLECART_BOT_TOKEN=BOT_TOKEN, CIRCLECART_TELEGRAM_API_URL=f"http://127.0.0.1:{port}"
    )
    fake = FakeTelegram()
    try:
        await until_said(process, "Telegram is not reachable")
        await fake.start(port=port)  # Telegram comes back
        fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
        await fake.wait_for(lambda _: fake.commands("all_private_chats"), timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        await fake.stop()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]


async def test_ctrl_c_while_telegram_is_out_of_reach_stops_cleanly(framework: str, tmp_path: Path) -> None:
    process = await start_run(
        framework,
        tmp_path,
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}",
    )
    await until_said(process, "Telegram is not reachable")
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    said = stderr.decode()
    assert process.returncode == 0, said[-2000:]
    assert "Traceback" not in said and "Unclosed" not in said, said[-2000:]


async def test_a_502_from_telegram_at_start_is_retried_and_then_the_bot_serves(framework: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
    fake.fail_next("getMe", 502, "Bad Gateway", count=2)  # a proxy in front of Telegram has a bad moment
    process = await start_run(
        framework, tmp_path, CIRCLECART_BOT_TOKEN=BOT_TOKEN, CIRCLECART_TELEGRAM_API_URL=fake.base_url
    )
    try:
        said = "".join(await until_said(process, "circlecart is running"))
        await fake.wait_for(lambda _: fake.commands("all_private_chats"), timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        await fake.stop()
    assert said.count("Telegram is not reachable") == 2, said[-2000:]
    assert len(fake.injected_failures) == 2
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in said + stderr.decode()


async def test_a_database_migrated_by_a_newer_release_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await upgrade_async(database_url)
    async with Database.from_url(database_url) as database, database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    process = await start_run("aiogram", tmp_path, CIRCLECART_BOT_TOKEN=BOT_TOKEN)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    said = stderr.decode()
    assert process.returncode == 2, said[-2000:]
    (line,) = said.strip().splitlines()
    assert line.startswith("circlecart: the database at sqlite+aiosqlite:///")
    assert "is at migration 0099, which this circlecart does not know" in line
    assert "run the circlecart release that migrated it" in line


@pytest.mark.postgres
async def test_pending_migrations_the_database_user_may_not_apply_stop_the_bot_with_one_line(tmp_path: Path) -> None:
    """Production often runs the bot as a user that may read and write but not change the schema: the
    operator is told to migrate as one that may."""
    role = unique_name("circlecart_app")
    async with fresh_database("postgres", tmp_path, migrate=False) as admin_url:
        admin = await asyncpg.connect(make_url(admin_url).set(drivername="postgresql").render_as_string(False))
        try:
            await admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-password-789'")
            await admin.execute(f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"')
            app_url = make_url(admin_url).set(username=role, password="app-password-789")
            process = await start_run(
                "aiogram",
                tmp_path,
                CIRCLECART_BOT_TOKEN=BOT_TOKEN,
                CIRCLECART_DATABASE_URL=app_url.render_as_string(hide_password=False),
            )
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            await admin.execute(f'DROP OWNED BY "{role}"')
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
            await admin.close()
    said = stderr.decode()
    assert process.returncode == 2, said[-2000:]
    (line,) = said.strip().splitlines()
    assert "needs migrations (empty to " in line and "permission denied" in line, line
    assert "run `circlecart db upgrade` as a database user allowed to change the schema" in line
    assert "app-password-789" not in said


async def test_telegram_out_of_reach_for_too_long_stops_the_bot_with_one_line(framework: str, tmp_path: Path) -> None:
    where = f"http://127.0.0.1:{free_port()}"
    process = await start_run(
        framework,
        tmp_path,
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_TELEGRAM_API_URL=where,
        CIRCLECART_TELEGRAM_WAIT_SECONDS="2",
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    said = stderr.decode()
    assert process.returncode == 2, said[-2000:]
    *retries, last = said.strip().splitlines()
    assert retries and all("WARNING circlecart.app: Telegram is not reachable" in line for line in retries), said
    assert last.startswith(f"circlecart: Telegram is not reachable at {where}")
    assert "after trying for 2s: check CIRCLECART_TELEGRAM_API_URL" in last
    assert "Traceback" not in said and "Unclosed" not in said, said[-2000:]
