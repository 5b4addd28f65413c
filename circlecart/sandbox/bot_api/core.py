"""HTTP transport, update delivery, fault injection and flood control of the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
from aiohttp import web

from .spec import ApiError, Spec, UploadedFile, bad_request, load_spec
from .updates import DEFAULT_ALLOWED, update_kind
from .world import (
    CallbackAnswer,
    Charge,
    ChatState,
    FakeBot,
    FakeChat,
    FakeUser,
    InvoiceRecord,
    PreCheckoutAnswer,
    QueryRecord,
    Refund,
    StoredMessage,
)

log = logging.getLogger(__name__)

Handler = Callable[[FakeBot, dict[str, Any]], Awaitable[Any]]

# Methods that put a new message into a chat; these are what Telegram's flood limits count.
_COUNTED_PREFIXES = ("send", "copymessage", "forwardmessage")
_NOT_COUNTED = {"sendchataction", "sendmessagedraft"}


class Call(NamedTuple):
    token: str
    method: str
    params: dict[str, Any]


@dataclass
class ErrorRecord:
    token: str
    method: str
    params: dict[str, Any]
    error_code: int
    description: str


@dataclass
class SendRecord:
    """A message-sending call the fake accepted, with the (injectable) monotonic time it arrived."""

    at: float
    bot_id: int
    chat_id: int | str | None
    method: str
    paid: bool = False  # sent with allow_paid_broadcast: Telegram bills it in Stars


@dataclass
class FloodEvent:
    """A 429 the flood limiter answered; `violation` means it came while an earlier retry_after ran."""

    at: float
    chat_id: int | str | None
    method: str
    retry_after: int
    violation: bool


@dataclass
class FloodConfig:
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    global_per_second: int = 30
    retry_after: int | None = None
    # A call with allow_paid_broadcast may go while fewer than this many (paid or not) went in the last second.
    paid_per_second: int = 1000


@dataclass
class _Fault:
    error_code: int
    description: str
    retry_after: int | None
    count: int


@dataclass
class _Pending:
    update_id: int
    update: dict[str, Any]
    # A redelivered update must survive the offset that already confirmed its id once.
    sticky: bool = False


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    task: asyncio.Task[None] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotQueue:
    bot: FakeBot
    next_update_id: int
    pending: list[_Pending] = field(default_factory=list)
    history: dict[int, dict[str, Any]] = field(default_factory=dict)
    allowed: frozenset[str] = DEFAULT_ALLOWED
    webhook: _Webhook | None = None
    poll_generation: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


class FakeTelegramCore:
    """State and transport of the fake; bot methods and the scenario API are mixed in on top."""

    def __init__(
        self,
        spec_path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        webhook_retry_delay: float = 0.05,
        check_results: bool = True,
        pre_checkout_timeout: float = 10.0,
    ) -> None:
        self.spec: Spec = load_spec(spec_path)
        self.clock = clock
        self.wall_clock = wall_clock
        self.webhook_retry_delay = webhook_retry_delay
        # Telegram's window for answering a pre-checkout query. A test of correctness under a burst may
        # widen it: how fast answers come under load is measured in bench/, not raced in a test.
        self.pre_checkout_timeout = pre_checkout_timeout
        self._frozen: asyncio.Event | None = None
        self.check_results = check_results

        self.bots: dict[str, FakeBot] = {}
        self.users: dict[int, FakeUser] = {}
        self.groups: dict[int, FakeChat] = {}
        self.private_chats: dict[tuple[int, int], ChatState] = {}
        self.user_chats: dict[tuple[int, int], ChatState] = {}
        self.inline_messages: dict[str, StoredMessage] = {}
        self.invoice_links: dict[str, InvoiceRecord] = {}
        self.queries: dict[str, QueryRecord] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: list[Refund] = []
        # getStarTransactions: every Stars payment and refund per bot, oldest first, as Telegram keeps them.
        self.star_ledger: dict[int, list[dict[str, Any]]] = {}
        self.bot_commands: dict[tuple[int, str, int | None, int | None, str], list[dict[str, Any]]] = {}
        self.bot_texts: dict[tuple[int, str, str], str] = {}
        self.menu_buttons: dict[tuple[int, int | None], dict[str, Any]] = {}

        self.calls: list[Call] = []
        self.errors: list[ErrorRecord] = []
        self.injected_failures: list[ErrorRecord] = []
        self.sends: list[SendRecord] = []
        # The flood limiter's view of `sends`: per bot the last second's, per chat the last minute's.
        self._recent_sends: dict[int, deque[float]] = {}
        self._recent_free: dict[int, deque[float]] = {}
        self._chat_sends: dict[tuple[int, Any], deque[float]] = {}
        self.flood_events: list[FloodEvent] = []

        self._queues: dict[int, BotQueue] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._flood: FloodConfig | None = None
        self._flood_blocked: dict[tuple[int, Any], float] = {}
        self._calls_changed = asyncio.Event()
        # Called after every bot call and every person's action: the sandbox's web chat redraws on it.
        self.change_listeners: list[Callable[[], None]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0, setup: Callable[[web.Application], None] | None = None) -> None:
        """Listen on 127.0.0.1 (only: this server trusts whoever reaches it) at `port` (0: any free one).
        `setup` may add routes and middlewares (the sandbox's web chat) before the app starts."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_http)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        if setup is not None:
            setup(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._client = aiohttp.ClientSession()

    async def stop(self) -> None:
        self._closing = True
        for queue in self._queues.values():
            if queue.webhook is not None and queue.webhook.task is not None:
                queue.webhook.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await queue.webhook.task
            queue.notify()
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramCore:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- registry -------------------------------------------------------------------------------

    def add_bot(
        self,
        token: str,
        user_id: int,
        username: str,
        first_name: str = "Bot",
        *,
        privacy_mode: bool = True,
    ) -> FakeBot:
        """Register a bot. With privacy_mode (Telegram's default) a non-admin bot in a group only
        receives commands, replies to its messages and mentions."""
        bot = FakeBot(token, user_id, username, first_name, can_read_all_group_messages=not privacy_mode)
        self.bots[token] = bot
        self._queues[user_id] = BotQueue(bot, next_update_id=100_000 + len(self._queues) * 10_000_000)
        return bot

    def bot(self, token: str | FakeBot | None = None) -> FakeBot:
        """The bot with this token; the only (or first) bot when token is None."""
        if isinstance(token, FakeBot):
            return token
        if token is None:
            if not self.bots:
                raise LookupError("no bot registered: call fake.add_bot(...) first")
            return next(iter(self.bots.values()))
        return self.bots[token]

    def queue(self, bot: str | FakeBot | None = None) -> BotQueue:
        return self._queues[self.bot(bot).user_id]

    def bot_by_id(self, user_id: int) -> FakeBot | None:
        queue = self._queues.get(user_id)
        return queue.bot if queue else None

    # -- HTTP -----------------------------------------------------------------------------------

    async def _handle_http(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        bot = self.bots.get(token)
        if bot is None:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        name = self.spec.method_name(method)
        if name is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            raw, from_form = await self._read_params(request)
        except ApiError as exc:
            self._record_error(bot.token, name, {}, exc)
            return web.json_response(exc.payload(), status=exc.error_code)
        body, status = await self.execute(bot, name, raw, from_form, request=request)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Download a file by the file_path getFile gave (https://api.telegram.org/file/bot<token>/<file_path>)."""
        if request.match_info["token"] not in self.bots:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        content = self.file_at(request.match_info["path"])
        if content is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    def file_at(self, file_path: str) -> bytes | None:
        """The content behind a file_path; the methods that store files say what they hold."""
        return None

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], bool]:
        params: dict[str, Any] = dict(request.query)
        if request.method not in {"POST", "PUT"} or not request.body_exists:
            return params, True
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.text() or "{}")
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
            return params, False
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
            else:
                params[key] = value
        # multipart files referenced by attach://name stay in params under their own names.
        return params, True

    async def execute(
        self,
        bot: FakeBot,
        name: str,
        raw: dict[str, Any],
        from_form: bool,
        request: web.Request | None = None,
    ) -> tuple[dict[str, Any], int]:
        """Run one Bot API call; return the JSON body and HTTP status."""
        try:
            return await self._execute(bot, name, raw, from_form, request)
        finally:
            if self.change_listeners:  # only the sandbox listens; the tests and benchmarks pay nothing
                self.notify_change()

    def notify_change(self) -> None:
        for listener in self.change_listeners:
            listener()

    async def _execute(
        self,
        bot: FakeBot,
        name: str,
        raw: dict[str, Any],
        from_form: bool,
        request: web.Request | None,
    ) -> tuple[dict[str, Any], int]:
        frozen = self._frozen
        if frozen is not None:
            # Telegram is unreachable: the call hangs, and is never carried out.
            await frozen.wait()
            return {"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502
        recorded = dict(raw)
        self.calls.append(Call(bot.token, name, recorded))
        self._calls_changed.set()
        self._calls_changed = asyncio.Event()
        try:
            params = self.spec.validate_call(name, raw, from_form)
            for key, value in params.items():
                # aiogram uploads a top-level file as a separate part named by "attach://<part>".
                if isinstance(value, str) and value.startswith("attach://"):
                    part = raw.get(value[len("attach://") :])
                    if isinstance(part, UploadedFile):
                        params[key] = part
            recorded.update(params)
            self._check_fault(bot, name, recorded)
            counted = name.lower().startswith(_COUNTED_PREFIXES) and name.lower() not in _NOT_COUNTED
            paid = bool(params.get("allow_paid_broadcast"))
            if counted:
                self._flood_check(bot, name, params.get("chat_id"), paid)
            handler: Handler | None = getattr(self, f"_m_{name}", None)
            if handler is None:
                result = await self._generic(bot, name, params)
            else:
                result = await handler(bot, params)
            if counted:
                self._record_send(SendRecord(self.clock(), bot.user_id, params.get("chat_id"), name, paid))
            if handler is not None or result is not True:
                self._check_result(name, result)
        except _Superseded as exc:
            if request is not None and request.transport is not None and not request.transport.is_closing():
                self._record_error(bot.token, name, recorded, exc.error)
            return exc.error.payload(), exc.error.error_code
        except ApiError as exc:
            if not getattr(exc, "expected", False):
                self._record_error(bot.token, name, recorded, exc)
            return exc.payload(), exc.error_code
        return {"ok": True, "result": result}, 200

    def _record_error(self, token: str, method: str, params: dict[str, Any], exc: ApiError) -> None:
        record = ErrorRecord(token, method, params, exc.error_code, exc.description)
        self.errors.append(record)
        log.info("fake telegram rejected %s: %s", method, exc.description)

    def _check_result(self, name: str, result: Any) -> None:
        if not self.check_results:
            return
        returns = self.spec.returns(name)
        if not returns:
            return
        problems = []
        for type_expr in returns:
            problem = self.spec.check_value(result, type_expr, "result")
            if problem is None:
                return
            problems.append(problem)
        raise ApiError(500, f"Internal Server Error: fake telegram built an invalid {name} result: {problems}")

    async def _generic(self, bot: FakeBot, name: str, params: dict[str, Any]) -> Any:
        return True

    # -- fault injection and flood control ----------------------------------------------------

    def freeze(self) -> None:
        """From now on every bot call hangs and is never carried out (Telegram out of reach), until thaw()."""
        if self._frozen is None:
            self._frozen = asyncio.Event()

    def thaw(self) -> None:
        """End freeze(): the calls that hung get a 502 (they did nothing); new calls work again."""
        frozen, self._frozen = self._frozen, None
        if frozen is not None:
            frozen.set()

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Answer the next `count` valid calls of `method` with this error instead of running them."""
        self._faults.setdefault(method.lower(), []).append(_Fault(error_code, description, retry_after, count))

    def _check_fault(self, bot: FakeBot, name: str, params: dict[str, Any]) -> None:
        faults = self._faults.get(name.lower())
        if not faults:
            return
        fault = faults[0]
        fault.count -= 1
        if fault.count <= 0:
            faults.pop(0)
        error = ApiError(fault.error_code, fault.description, fault.retry_after)
        error.expected = True  # type: ignore[attr-defined]
        self.injected_failures.append(ErrorRecord(bot.token, name, params, fault.error_code, fault.description))
        raise error

    def flood_limit(
        self,
        per_chat_per_second: int = 1,
        per_group_per_minute: int = 20,
        global_per_second: int = 30,
        retry_after: int | None = None,
        paid_per_second: int = 1000,
    ) -> None:
        """Switch on Telegram's flood limits (429 with parameters.retry_after when exceeded). Calls without
        allow_paid_broadcast get `global_per_second` bot-wide; calls with it may go past that while all
        sends together stay under `paid_per_second`."""
        self._flood = FloodConfig(
            per_chat_per_second, per_group_per_minute, global_per_second, retry_after, paid_per_second
        )

    def no_flood_limit(self) -> None:
        self._flood = None
        self._flood_blocked.clear()

    @property
    def flood_violations(self) -> list[FloodEvent]:
        """429s caused by sending again before an earlier retry_after had passed."""
        return [event for event in self.flood_events if event.violation]

    def _record_send(self, record: SendRecord) -> None:
        self.sends.append(record)
        self._recent_sends.setdefault(record.bot_id, deque()).append(record.at)
        if not record.paid:
            self._recent_free.setdefault(record.bot_id, deque()).append(record.at)
        self._chat_sends.setdefault((record.bot_id, record.chat_id), deque()).append(record.at)

    def _flood_check(self, bot: FakeBot, method: str, chat_id: Any, paid: bool = False) -> None:
        config = self._flood
        if config is None:
            return
        now = self.clock()
        keys = [(bot.user_id, "global"), (bot.user_id, chat_id)]
        blocked_until = max(self._flood_blocked.get(key, -math.inf) for key in keys)
        if now < blocked_until:
            self._flood_reject(now, chat_id, method, blocked_until - now, violation=True, block_keys=[])
        is_group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        # The free 30 a second count the unpaid sends; a paid one may go while all of them stay under 1,000.
        recent_global = _within(self._recent_sends.get(bot.user_id), now, 1.0)
        recent_free = _within(self._recent_free.get(bot.user_id), now, 1.0)
        ceiling = max(config.paid_per_second, config.global_per_second)
        for recent, limit in ((recent_global, ceiling), (recent_free, config.global_per_second)):
            if len(recent) >= limit and (recent is recent_global or not paid):
                self._flood_reject(now, chat_id, method, recent[-limit] + 1.0 - now, False, [keys[0]])
        in_chat = _within(self._chat_sends.get((bot.user_id, chat_id)), now, 60.0)
        last_second = [at for at in in_chat if now - at < 1.0]
        if len(last_second) >= config.per_chat_per_second:
            self._flood_reject(now, chat_id, method, last_second[0] + 1.0 - now, False, [keys[1]])
        if is_group and len(in_chat) >= config.per_group_per_minute:
            self._flood_reject(now, chat_id, method, in_chat[0] + 60.0 - now, False, [keys[1]])

    def _flood_reject(
        self,
        now: float,
        chat_id: Any,
        method: str,
        wait: float,
        violation: bool,
        block_keys: list[tuple[int, Any]],
    ) -> None:
        assert self._flood is not None
        retry_after = self._flood.retry_after if self._flood.retry_after is not None else max(1, math.ceil(wait))
        for key in block_keys:
            self._flood_blocked[key] = now + retry_after
        self.flood_events.append(FloodEvent(now, chat_id, method, retry_after, violation))
        error = ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        error.expected = not violation  # type: ignore[attr-defined]
        raise error

    # -- update delivery ------------------------------------------------------------------------

    def enqueue(
        self, kind: str, payload: dict[str, Any], bot: str | FakeBot | None = None
    ) -> tuple[int, dict[str, Any]]:
        queue = self.queue(bot)
        update_id = queue.next_update_id
        queue.next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        if self.check_results:
            problem = self.spec.check_value(update, "Update", "update")
            if problem is not None:
                raise AssertionError(f"fake telegram built an invalid update: {problem}")
        queue.history[update_id] = update
        queue.pending.append(_Pending(update_id, update))
        queue.notify()
        self.notify_change()
        return update_id, update

    def requeue(self, update_id: int, bot: str | FakeBot | None = None) -> None:
        queue = self.queue(bot)
        update = queue.history[update_id]
        queue.pending.append(_Pending(update_id, json.loads(json.dumps(update)), sticky=True))
        queue.notify()

    def pending_updates(self, bot: str | FakeBot | None = None) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return [p.update for p in self.queue(bot).pending]

    async def _m_getUpdates(self, bot: FakeBot, params: dict[str, Any]) -> list[dict[str, Any]]:
        queue = self._queues[bot.user_id]
        if queue.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        queue.poll_generation += 1
        generation = queue.poll_generation
        queue.notify()  # wakes an older long poll so that it ends with 409, as on the real server
        offset = params.get("offset")
        if offset is not None:
            if offset < 0:
                keep = queue.pending[offset:] if -offset < len(queue.pending) else queue.pending
                queue.pending = list(keep)
            else:
                queue.pending = [p for p in queue.pending if p.update_id >= offset or p.sticky]
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            queue.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(int(params.get("timeout") or 0), 0)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if queue.poll_generation != generation:
                raise _Superseded(
                    ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                )
            queue.pending = [p for p in queue.pending if update_kind(p.update) in queue.allowed]
            if queue.pending:
                batch = queue.pending[:limit]
                for pending in batch:
                    pending.sticky = False
                return [json.loads(json.dumps(p.update)) for p in batch]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or self._closing:
                return []
            changed = queue.changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _m_setWebhook(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        queue = self._queues[bot.user_id]
        url = params["url"]
        if url == "":
            return await self._m_deleteWebhook(bot, params)
        if not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)):
            raise bad_request("secret token contains unallowed characters")
        await self._stop_webhook(queue)
        if params.get("drop_pending_updates"):
            queue.pending.clear()
        if "allowed_updates" in params:
            queue.allowed = frozenset(params["allowed_updates"]) or DEFAULT_ALLOWED
        queue.webhook = _Webhook(url, secret, int(params.get("max_connections") or 40))
        queue.webhook.task = asyncio.create_task(self._webhook_loop(queue, queue.webhook))
        queue.poll_generation += 1
        queue.notify()
        return True

    async def _m_deleteWebhook(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        queue = self._queues[bot.user_id]
        await self._stop_webhook(queue)
        if params.get("drop_pending_updates"):
            queue.pending.clear()
        return True

    async def _stop_webhook(self, queue: BotQueue) -> None:
        webhook, queue.webhook = queue.webhook, None
        if webhook is not None and webhook.task is not None and webhook.task is not asyncio.current_task():
            webhook.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await webhook.task

    async def _m_getWebhookInfo(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queues[bot.user_id]
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(queue.pending),
        }
        if queue.webhook is not None:
            info["url"] = queue.webhook.url
            info["max_connections"] = queue.webhook.max_connections
            if queue.allowed != DEFAULT_ALLOWED:
                info["allowed_updates"] = sorted(queue.allowed)
            if queue.webhook.last_error_date is not None:
                info["last_error_date"] = queue.webhook.last_error_date
                info["last_error_message"] = queue.webhook.last_error_message
        return info

    async def _webhook_loop(self, queue: BotQueue, webhook: _Webhook) -> None:
        assert self._client is not None
        while queue.webhook is webhook and not self._closing:
            queue.pending = [p for p in queue.pending if update_kind(p.update) in queue.allowed]
            if not queue.pending:
                await queue.changed.wait()
                continue
            pending = queue.pending[0]
            headers = {"Content-Type": "application/json"}
            if webhook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
            try:
                async with self._client.post(webhook.url, data=json.dumps(pending.update), headers=headers) as resp:
                    body = await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                webhook.last_error_date = int(self.wall_clock())
                webhook.last_error_message = f"Connection failed: {exc}"
                await asyncio.sleep(self.webhook_retry_delay)
                continue
            if not 200 <= status < 300:
                webhook.last_error_date = int(self.wall_clock())
                webhook.last_error_message = f"Wrong response from the webhook: {status}"
                await asyncio.sleep(self.webhook_retry_delay)
                continue
            if pending in queue.pending:
                queue.pending.remove(pending)
            await self._run_webhook_reply(queue.bot, body)

    async def _run_webhook_reply(self, bot: FakeBot, body: bytes) -> None:
        # A webhook may answer with a method call in its response body.
        try:
            reply = json.loads(body) if body else None
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            name = self.spec.method_name(reply["method"])
            params = {k: v for k, v in reply.items() if k != "method"}
            if name is not None:
                await self.execute(bot, name, params, from_form=False)

    # -- readers --------------------------------------------------------------------------------

    def calls_to(self, method: str, token: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower() and (token is None or c.token == token)]

    async def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 5) -> Any:
        """Wait until predicate(fake.calls) is truthy; return its value (TimeoutError if never)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate(self.calls)
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                tail = [(c.method, c.params) for c in self.calls[-5:]]
                raise TimeoutError(f"condition not met within {timeout}s; last calls: {tail}")
            changed = self._calls_changed
            # asyncio.timeout rather than wait_for: no task per wake-up, which adds up with many waiters.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 0.05)):
                    await changed.wait()

    async def wait_for_call(self, method: str, timeout: float = 5, after: int = 0, **match: Any) -> Call:
        """Wait for a call of `method` (index >= after) whose params contain all of `match`."""

        def find(calls: list[Call]) -> Call | None:
            for call in calls[after:]:
                if call.method.lower() != method.lower():
                    continue
                if all(call.params.get(k) == v for k, v in match.items()):
                    return call
            return None

        return await self.wait_for(find, timeout)  # type: ignore[no-any-return]

    def assert_no_errors(self, ignore_codes: Iterable[int] = (), ignore: Iterable[str] = ()) -> None:
        """Fail if the fake rejected any call (except given codes / description substrings)."""
        codes = set(ignore_codes)
        texts = list(ignore)
        left = [
            e for e in self.errors if e.error_code not in codes and not any(text in e.description for text in texts)
        ]
        if left:
            lines = "\n".join(f"  {e.method} -> {e.error_code} {e.description} {e.params}" for e in left)
            raise AssertionError(f"fake telegram rejected {len(left)} call(s):\n{lines}")

    def callback_answer(self, callback_query_id: str) -> CallbackAnswer | None:
        record = self.queries.get(callback_query_id)
        return record.answer if record is not None and record.answered else None

    def inline_answers(self, inline_query_id: str) -> list[dict[str, Any]] | None:
        record = self.queries.get(inline_query_id)
        if record is None or not record.answered:
            return None
        return list(record.answer["results"])

    def inline_answer_params(self, inline_query_id: str) -> dict[str, Any] | None:
        record = self.queries.get(inline_query_id)
        return dict(record.answer) if record is not None and record.answered else None

    def pre_checkout_answer(self, query_id: str) -> PreCheckoutAnswer | None:
        record = self.queries.get(query_id)
        return record.answer if record is not None and record.answered else None

    def commands(
        self,
        scope_type: str = "default",
        language_code: str = "",
        chat_id: int | None = None,
        user_id: int | None = None,
        bot: str | None = None,
    ) -> list[dict[str, Any]] | None:
        """Commands stored by setMyCommands for exactly this scope and language (None if unset)."""
        key = (self.bot(bot).user_id, scope_type, chat_id, user_id, language_code or "")
        found = self.bot_commands.get(key)
        return None if found is None else [dict(c) for c in found]

    def bot_text(self, kind: str, language_code: str = "", bot: str | None = None) -> str | None:
        """What setMyDescription / setMyShortDescription / setMyName stored ("description", ...)."""
        return self.bot_texts.get((self.bot(bot).user_id, kind, language_code or ""))

    def menu_button(self, chat_id: int | None = None, bot: str | None = None) -> dict[str, Any] | None:
        return self.menu_buttons.get((self.bot(bot).user_id, chat_id))


class _Superseded(Exception):
    def __init__(self, error: ApiError) -> None:
        super().__init__(error.description)
        self.error = error


def _within(times: deque[float] | None, now: float, window: float) -> deque[float]:
    """The times of `times` in the last `window` seconds, after dropping the older ones for good. Records from
    before a test swapped in its own clock may lie "in the future": they count for nothing, so they go too."""
    if times is None:
        return deque()
    while times and not 0 <= now - times[0] < window:
        times.popleft()
    if times and times[-1] > now:  # the clock went back: keep only what lies in this window
        return deque(at for at in times if 0 <= now - at < window)
    return times
