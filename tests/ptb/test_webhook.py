"""The aiohttp webhook app: Telegram (the fake) pushes updates with the secret token; others are refused."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bots.core.app import build_table
from bots.core.events import CommandEvent
from bots.ptb.runner import SECRET_HEADER, PtbAdapter
from circlecart.sandbox.bot_api.server import FakeTelegram
from tests.bot_api.fixtures import BOT_TOKEN
from tests.ptb import payloads
from tests.ptb.test_against_fake import RecordingCore

SECRET = "s3cret-Token_1"


async def test_updates_arrive_through_the_webhook_with_the_secret(fake_telegram: FakeTelegram) -> None:
    adapter = PtbAdapter(BOT_TOKEN, fake_telegram.base_url)
    core = RecordingCore(build_table())
    await adapter.username()
    adapter.attach(core)  # type: ignore[arg-type]
    runner = web.AppRunner(adapter.webhook_app("/telegram", SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/telegram"
    try:
        assert adapter.application.running
        await adapter.application.bot.set_webhook(url, secret_token=SECRET)
        mei = fake_telegram.user(1001, "Mei", "mei")
        delivered = await fake_telegram.send_message(mei, None, "/orders")
        event = await core.finished(delivered.update_id or 0)
        assert isinstance(event, CommandEvent) and event.command == "orders"

        forged = payloads.command_message("/shop", update_id=1)
        async with aiohttp.ClientSession() as client:
            async with client.post(url, json=forged) as response:
                assert response.status == 401
            async with client.post(url, json=forged, headers={SECRET_HEADER: "wrong"}) as response:
                assert response.status == 401
            async with client.post(url, data=b"not json", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
        assert 1 not in core.done
        await adapter.application.bot.delete_webhook()
    finally:
        await runner.cleanup()
        assert not adapter.application.running
        await adapter.stop()
