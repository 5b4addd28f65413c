"""Running circlecart on python-telegram-bot: the Application pointed at the configured API server,
polling or webhook, with concurrent updates and every finished update reported to the core."""

from __future__ import annotations

import contextlib
import hmac
import logging
import time
from collections.abc import Awaitable, Sequence
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bots.core.adapter import InFlight
from bots.core.runtime import BotCore, update_kind
from bots.ptb.handlers import AnyApplication, add_handlers
from bots.ptb.messenger import PtbMessenger, mapped

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class OneLineShutdownCleanup(logging.Filter):
    """PTB's Updater, when it stops polling, calls getUpdates once more to mark the fetched updates as read,
    and logs a full traceback at ERROR if Telegram does not answer. That is harmless here (a redelivered
    update is skipped: processed_updates), so it becomes one warning line, like every expected fault."""

    MARK = "one more time to mark all fetched updates"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and self.MARK in str(record.msg):
            cause = record.exc_info[1]
            record.msg = "could not tell Telegram at shutdown which updates were read (%s); the next start skips them"
            record.args = (cause,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_SHUTDOWN_CLEANUP_FILTER = OneLineShutdownCleanup()


class UpdateDoneProcessor(BaseUpdateProcessor):
    """Runs up to `max_concurrent_updates` updates at once and reports each finished one to the core
    (logs and tests wait on it), routed or not. `core` may be set after the Application is built."""

    def __init__(self, core: BotCore | None = None, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self.core = core
        self.in_flight = InFlight()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        task = self.in_flight.begin()
        try:
            await coroutine
        finally:
            self.in_flight.end(task)
            if self.core is not None and isinstance(update, Update):
                self.core.update_done(update.update_id, update_kind(update), time.perf_counter() - started)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def build_application(token: str, api_url: str, processor: BaseUpdateProcessor) -> AnyApplication:
    base = api_url.rstrip("/")
    return (
        Application.builder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(processor)
        .job_queue(None)  # circlecart schedules with its own jobs process
        .build()
    )


def parse_update(body: object, application: AnyApplication) -> Update:
    """A webhook body as an Update; ValueError (or whatever PTB's parsing raises) when it is none."""
    if not isinstance(body, dict) or type(body.get("update_id")) is not int:
        raise ValueError("not an object with an integer update_id")
    update = Update.de_json(body, application.bot)
    if update is None:
        raise ValueError("no update")
    return update


def webhook_app(
    application: AnyApplication, path: str, secret: str, routes: Sequence[web.RouteDef] = ()
) -> web.Application:
    """An aiohttp app feeding `application` from Telegram's webhook; it rejects requests without the
    secret token. It initializes and starts the Application with the web app and stops it after.
    (PTB's own Updater.start_webhook needs tornado, the `python-telegram-bot[webhooks]` extra.)"""

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = parse_update(await request.json(), application)
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # JSON or text errors are ValueErrors
            log.warning("refused a webhook body that is no update: %s", error)
            return web.Response(status=400, text="Bad Request")
        await application.update_queue.put(update)
        return web.Response()

    async def on_startup(_: web.Application) -> None:
        await application.initialize()
        await application.start()

    async def on_shutdown(_: web.Application) -> None:
        if application.running:
            await application.stop()
        await application.shutdown()

    app = web.Application()
    app.add_routes(routes)  # health and metrics, when they share this server
    app.router.add_post(path, receive)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    return app


class PtbAdapter:
    """circlecart's own python-telegram-bot bot: polling in the background (or PTB's webhook server)."""

    def __init__(self, token: str, api_url: str, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        logging.getLogger("telegram.ext.Updater").addFilter(_SHUTDOWN_CLEANUP_FILTER)  # added once
        self.processor = UpdateDoneProcessor(max_concurrent_updates=max_concurrent_updates)
        self.application = build_application(token, api_url, self.processor)
        self.messenger = PtbMessenger(self.application.bot)
        self.core: BotCore | None = None
        self._web: web.AppRunner | None = None

    async def username(self) -> str:
        await mapped(self.application.initialize())  # calls getMe once; a no-op when already initialized
        return self.application.bot.username or ""

    async def bot_id(self) -> int:
        await mapped(self.application.initialize())
        return int(self.application.bot.id)

    def attach(self, core: BotCore) -> None:
        self.core = core
        self.processor.core = core
        add_handlers(self.application, core)

    async def start(self) -> None:
        assert self.core is not None, "attach() first"
        await self.application.initialize()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(allowed_updates=Update.ALL_TYPES)

    async def start_webhook(
        self, listen: str, port: int, public_url: str, secret: str, routes: Sequence[web.RouteDef] = ()
    ) -> None:
        """Serve Telegram's webhook with aiohttp (see webhook_app) and point Telegram at it with the secret.

        PTB's own Updater.start_webhook would need tornado; aiohttp is what the rest of circlecart serves with.
        """
        assert self.core is not None, "attach() first"
        app = webhook_app(self.application, urlsplit(public_url).path or "/", secret, routes)
        self._web = web.AppRunner(app)
        await self._web.setup()
        await web.TCPSite(self._web, listen, port).start()
        await self.application.bot.set_webhook(public_url, secret_token=secret, allowed_updates=Update.ALL_TYPES)

    def webhook_app(self, path: str, secret: str) -> web.Application:
        """The aiohttp webhook app for this adapter's Application (production workers)."""
        assert self.core is not None, "attach() first"
        return webhook_app(self.application, path, secret)

    async def stop_receiving(self) -> None:
        if self._web is not None:
            for site in list(self._web.sites):  # no new webhook requests; the Application stays up
                await site.stop()
        else:
            updater = self.application.updater
            if updater is not None and updater.running:
                with contextlib.suppress(RuntimeError):
                    await updater.stop()
        await self.processor.in_flight.finish()

    async def stop(self) -> None:
        await self.stop_receiving()
        if self._web is not None:
            await self._web.cleanup()  # its shutdown hook stops and shuts down the Application
            return
        if self.application.running:
            with contextlib.suppress(RuntimeError):
                await self.application.stop()
        await self.application.shutdown()
