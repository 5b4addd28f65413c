"""Running circlecart on aiogram: the Bot pointed at the configured API server, polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bots.aiogram.messenger import AiogramMessenger, mapped
from bots.aiogram.router import UpdateDoneMiddleware, build_router
from bots.core.runtime import BotCore

log = logging.getLogger(__name__)

# Updates handled at once (aiogram's default is no bound). Unbounded, a burst of 500 payment forms advances
# every handler a step at a time, so they all finish together at the end of the burst, and the switching
# costs CPU on top; bounded, they finish about in the order they came, and a payment form waits for the ones
# before it, not for all of them. 16 still overlaps the database round trips. bench/drop_rush.py, 200 forms
# on SQLite: the slowest answer 1.31 s unbounded, 0.67 s with 16, and 40 % less CPU in the bot.
MAX_CONCURRENT_UPDATES = 16


def _keep_response_models_alive() -> list[object]:
    """Build aiogram's parametrized `Response[...]` models for the calls circlecart makes, once, and hold them.

    aiogram asks pydantic for `Response[<result type>]` on every API answer; pydantic caches those classes
    only weakly, so they are garbage-collected and rebuilt at 2-12 ms each, which bench/README.md measured
    at about 30 % of the full bot path. Holding a reference keeps pydantic's cache warm.
    """
    from aiogram import methods
    from aiogram.methods.base import Response

    used = (
        methods.GetUpdates, methods.GetMe, methods.SendMessage, methods.SendPhoto, methods.EditMessageText,
        methods.EditMessageCaption, methods.AnswerCallbackQuery, methods.AnswerInlineQuery,
        methods.AnswerPreCheckoutQuery, methods.SendInvoice, methods.CreateInvoiceLink, methods.GetChatMember,
        methods.CreateChatInviteLink, methods.SetMyCommands,
    )  # fmt: skip
    returning = {method.__returning__ for method in used}
    return [Response[result] for result in returning]  # type: ignore[valid-type]


_RESPONSE_MODELS = _keep_response_models_alive()


def create_bot(token: str, api_url: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def create_dispatcher(core: BotCore, done: UpdateDoneMiddleware | None = None) -> Dispatcher:
    # No FSM: circlecart keeps its dialogs' state in the database. aiogram's default in-memory FSM storage
    # adds a record per (chat, member) it ever saw and never drops it: memory that grows with the community.
    dispatcher = Dispatcher(disable_fsm=True)
    dispatcher.update.outer_middleware(done or UpdateDoneMiddleware(core))
    dispatcher.include_router(build_router(core))
    return dispatcher


async def run_polling(
    bot: Bot, dispatcher: Dispatcher, handle_signals: bool = True, close_bot_session: bool = True
) -> None:
    await dispatcher.start_polling(
        bot,
        allowed_updates=dispatcher.resolve_used_update_types(),
        handle_signals=handle_signals,
        close_bot_session=close_bot_session,
        tasks_concurrency_limit=MAX_CONCURRENT_UPDATES,
    )


class CheckedRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler, answering 400 to a body that is no update (aiogram itself answers 500 to
    bad JSON, and 200 to JSON that is no update, failing later in the background)."""

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            Update.model_validate(await request.json(loads=bot.session.json_loads), context={"bot": bot})
        except (ValueError, TypeError) as error:  # bad JSON or text, and pydantic's ValidationError
            log.warning("refused a webhook body that is no update: %s", str(error).splitlines()[0])
            return web.Response(status=400, text="Bad Request")
        return await super().handle(request)  # the body is read once: aiohttp keeps it


def webhook_app(
    bot: Bot, dispatcher: Dispatcher, path: str, secret: str, routes: Sequence[web.RouteDef] = ()
) -> web.Application:
    """aiogram's own webhook handler; it rejects requests without the secret token, and bodies that are no update.
    `routes` are served beside it (health and metrics)."""
    app = web.Application()
    app.add_routes(routes)
    CheckedRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    return app


class AiogramAdapter:
    """circlecart's own aiogram bot: polling in a background task."""

    def __init__(self, token: str, api_url: str) -> None:
        self.bot = create_bot(token, api_url)
        self.messenger = AiogramMessenger(self.bot)
        self.dispatcher: Dispatcher | None = None
        self._done: UpdateDoneMiddleware | None = None
        self._polling: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None

    async def username(self) -> str:
        me = await mapped(self.bot.me())
        return me.username or ""

    async def bot_id(self) -> int:
        return (await mapped(self.bot.me())).id

    def attach(self, core: BotCore) -> None:
        self._done = UpdateDoneMiddleware(core)
        self.dispatcher = create_dispatcher(core, self._done)

    async def start(self) -> None:
        assert self.dispatcher is not None, "attach() first"
        # The session stays open after polling ends: the updates in flight and the outbox still need it.
        self._polling = asyncio.create_task(
            run_polling(self.bot, self.dispatcher, handle_signals=False, close_bot_session=False)
        )

    async def start_webhook(
        self, listen: str, port: int, public_url: str, secret: str, routes: Sequence[web.RouteDef] = ()
    ) -> None:
        """Serve Telegram's webhook with aiogram's aiohttp handler and point Telegram at it with the secret."""
        assert self.dispatcher is not None, "attach() first"
        app = webhook_app(self.bot, self.dispatcher, urlsplit(public_url).path or "/", secret, routes)
        self._web = web.AppRunner(app)
        await self._web.setup()
        await web.TCPSite(self._web, listen, port).start()
        await self.bot.set_webhook(
            public_url, secret_token=secret, allowed_updates=self.dispatcher.resolve_used_update_types()
        )

    async def stop_receiving(self) -> None:
        if self._web is not None:
            for site in list(self._web.sites):  # no new webhook requests; the app and its session stay up
                await site.stop()
        elif self.dispatcher is not None and self._polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._polling, timeout=10)
            self._polling = None
        if self._done is not None:
            await self._done.in_flight.finish()

    async def stop(self) -> None:
        await self.stop_receiving()
        if self._web is not None:
            await self._web.cleanup()  # aiogram's shutdown hook closes the bot session
            return
        await self.bot.session.close()
