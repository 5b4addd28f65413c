"""The composition root: settings in, a running bot out. The only place that knows every layer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta

from apscheduler.events import EVENT_JOB_SUBMITTED
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from bots.core.adapter import FrameworkAdapter
from bots.core.app import build_table
from bots.core.context import BotSettings, Services
from bots.core.i18n import Translations
from bots.core.menu import command_menus
from bots.core.notices import TableNoticeRenderer
from bots.core.runtime import BotCore, UpdateListener
from bots.core.state import make_state_store
from circlecart.assistant_client import OpenAICompatibleClient
from circlecart.errors import StartupError
from circlecart.heap import freeze_start_up_heap
from circlecart.operations import Metrics, Operations, count_rate_limits, job_lag_listener
from circlecart.rewards_config import rewards_policy
from circlecart.settings import Settings
from domain.assistant.conversation import AssistantLimits
from domain.clock import Clock, SystemClock
from domain.messenger import (
    Messenger,
    MessengerError,
    RecipientUnavailable,
    Rejected,
    TransientFailure,
    Unauthorized,
)
from jobs.leader import JobsLeader
from jobs.outbox import OutboxSender
from jobs.scheduler import ShopJobs
from jobs.spec import JobDeps
from jobs.telegram_limits import TelegramLimits
from storage.database import Database
from storage.schema_version import database_revision, revisions

log = logging.getLogger(__name__)

START_RETRY_MAX_SECONDS = 60.0  # the longest wait between two tries to reach Telegram at start-up


def make_adapter(settings: Settings) -> FrameworkAdapter:
    token = settings.token()
    if settings.framework == "ptb":
        from bots.ptb.runner import PtbAdapter

        adapter: FrameworkAdapter = PtbAdapter(token, settings.telegram_api_url)
        return adapter
    from bots.aiogram.runner import AiogramAdapter

    return AiogramAdapter(token, settings.telegram_api_url)


def assistant_client(settings: Settings) -> OpenAICompatibleClient | None:
    """The shop assistant's model, when an endpoint is configured; None: the assistant answers without one."""
    if not settings.ai_base_url:
        return None
    return OpenAICompatibleClient(
        settings.ai_base_url,
        settings.ai_api_key.get_secret_value(),
        settings.ai_model,
        timeout=settings.ai_timeout_seconds,
        retries=settings.ai_retries,
    )


@dataclass
class CircleCart:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    adapter: FrameworkAdapter | None = None
    database: Database | None = None
    core: BotCore | None = None
    jobs: ShopJobs | None = None
    sender: OutboxSender | None = None
    leader: JobsLeader | None = None
    receive_updates: bool = True  # False: `circlecart jobs`, which only runs the jobs and the outbox sender
    embedded: bool = False  # inside a host bot: payments circlecart did not issue are the host's
    update_listeners: list[UpdateListener] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)
    started: bool = False  # Telegram answered and updates are coming in: /readyz says so
    operations: Operations | None = None
    operations_address: tuple[str, int] | None = None  # where /healthz, /readyz and /metrics are served alone
    messenger: Messenger | None = None  # the adapter's, counting Telegram's 429s
    _last_update_at: float = 0.0
    _renderer: TableNoticeRenderer | None = None
    _assistant: OpenAICompatibleClient | None = None

    async def start(self) -> None:
        adapter = self.adapter or make_adapter(self.settings)
        self.adapter = adapter
        self.operations = Operations(self)
        await self._serve_operations()  # first: /healthz answers, and /readyz says what is still missing
        database = self.database = await self._open_database()
        translations = Translations(default=self.settings.default_language)
        table = build_table()
        username, bot_id = await self._who_am_i(adapter)
        messenger = self.messenger = count_rate_limits(adapter.messenger, self.metrics)
        self._assistant = assistant_client(self.settings)
        services = Services(
            messenger=messenger,
            uow_factory=database.uow,
            reader_factory=database.reader,
            autocommit_factory=database.autocommit,
            clock=self.clock,
            translations=translations,
            codec=table.codec,
            settings=BotSettings(
                username=username,
                bot_id=bot_id,
                payment_provider_token=self.settings.payment_provider_token.get_secret_value(),
                shipping=self.settings.shipping_rules(),
                returns=self.settings.return_policy(),
                owner_ids=self.settings.owner_ids,
                rewards=rewards_policy(self.settings),
                beacon=self.settings.beacon(),
                embedded=self.embedded,
                reply_grace=timedelta(seconds=self.settings.reply_grace_seconds),
                codes_low_at=self.settings.codes_low_at,
                assistant_limits=AssistantLimits(
                    member_daily_requests=self.settings.ai_member_daily_requests,
                    daily_token_budget=self.settings.ai_daily_token_budget,
                ),
                digest_retention=timedelta(hours=self.settings.digest_retention_hours),
            ),
            error_text=table.message_for,
            state_keys_of=table.state_keys_of,
            commands=table.commands,
            assistant=self._assistant,
            state=make_state_store(self.settings.redis_url),
        )
        self.core = BotCore(services, table)
        for listener in self.update_listeners:
            self.core.on_update_done(listener)
        self._last_update_at = asyncio.get_running_loop().time()
        self.core.on_update_done(self._update_done)
        self.core.on_update_handled(self.metrics.update_handled)
        self.core.on_handler_failure(lambda kind: self.metrics.failed("update"))
        services.outbox.subscribe(self._wake_sender)
        self._renderer = TableNoticeRenderer(services, table)
        adapter.attach(self.core)
        if self.receive_updates:
            await self._register_menus(translations)
            if self.settings.webhook_url:
                host, port = self.settings.listen_address()
                secret = self.settings.webhook_secret.get_secret_value()
                # Without an address of their own, health and metrics share the webhook's server.
                routes = self.operations.routes() if self.operations_address is None else []
                await adapter.start_webhook(host, port, self.settings.webhook_url, secret, routes)
                log.info("serving the webhook on %s:%s for %s", host, port, self.settings.webhook_url)
            else:
                await adapter.start()
            # Catch up only after the updates Telegram kept while we were down have come in: a Stars renewal
            # waiting in that queue must count before an expiry job decides the member has lapsed.
            await self._let_pending_updates_in()
        else:
            # The workers take in that backlog; give them the same quiet time before the catch-up.
            await asyncio.sleep(self.settings.startup_settle_seconds)
        self.leader = JobsLeader(
            database.job_lock(),
            self._take_over_jobs,
            self._step_down_from_jobs,
            retry_seconds=self.settings.jobs_lock_retry_seconds,
        )
        await self.leader.start()
        if self.settings.gc_freeze:
            freeze_start_up_heap()
        self.started = True
        role = "the bot" if self.receive_updates else "the jobs process"
        log.info("circlecart is running %s as @%s on %s", role, username, self.settings.framework)

    async def _take_over_jobs(self) -> None:
        """This process won the jobs lock: start the sender, catch up what came due, start the schedule."""
        assert self.database is not None and self.messenger is not None and self.core is not None
        assert self._renderer is not None
        services = self.core.services
        self.sender = OutboxSender(
            self.database.uow,
            self.messenger,
            self._renderer,
            self.clock,
            limits=TelegramLimits(
                paid_per_second=self.settings.paid_broadcast_per_second if self.settings.paid_broadcast else None
            ),
            supported_languages=services.translations.supported,
            default_language=services.translations.default,
        )
        self.jobs = ShopJobs(
            JobDeps(
                self.database.uow,
                self.clock,
                self.messenger,
                wake_outbox=services.outbox.wake,
                owner_ids=self.settings.owner_ids,
                options={
                    "payment_provider_token": self.settings.payment_provider_token.get_secret_value(),
                    "database_url": self.settings.database_url,
                    "drop_teasers": self.settings.drop_teasers,
                    "drop_claim_minutes": self.settings.drop_claim_minutes,
                    "beacon_url": self.settings.beacon_url,
                    "rewards": rewards_policy(self.settings),
                    "reconcile_seconds": self.settings.reconcile_seconds,
                    "reconcile_settle_after": self.settings.reconcile_after_seconds,
                    "embedded": self.embedded,
                    "codes_low_at": self.settings.codes_low_at,
                    "digest_retention_hours": self.settings.digest_retention_hours,
                    "digest_hour": self.settings.digest_hour,
                    "address_retention_days": self.settings.address_retention_days,
                    "platform_fee_bp": self.settings.platform_fee_bp,
                },
            )
        )
        self.sender.failure_listeners.append(lambda: self.metrics.failed("outbox"))
        self.jobs.failure_listeners.append(lambda job: self.metrics.failed("job"))
        self.jobs.scheduler.add_listener(
            job_lag_listener(self.metrics, self.jobs.scheduler.timezone), EVENT_JOB_SUBMITTED
        )
        self.sender.start()
        await self.jobs.catch_up()
        self.jobs.start()

    async def _step_down_from_jobs(self) -> None:
        jobs, sender = self.jobs, self.sender
        self.jobs = self.sender = None
        if jobs is not None:
            await jobs.stop()
        if sender is not None:
            await sender.stop()

    def _wake_sender(self) -> None:
        if self.sender is not None:
            self.sender.wake()

    async def _register_menus(self, translations: Translations) -> None:
        assert self.messenger is not None and self.core is not None
        for menu in command_menus(self.core.table, translations):
            try:
                await self.messenger.set_commands(menu)
            except MessengerError as error:
                # A missing menu is cosmetic; the bot still answers every command.
                log.warning("could not set the %s command menu: %s", menu.scope, error)

    async def _let_pending_updates_in(self) -> None:
        """Wait until no update has finished for `startup_settle_seconds` (bounded), i.e. the backlog is in."""
        loop = asyncio.get_running_loop()
        quiet = self.settings.startup_settle_seconds
        bound = max(15.0, quiet * 15)
        deadline = loop.time() + bound
        while loop.time() < deadline:
            since = loop.time() - self._last_update_at
            if since >= quiet:
                return
            await asyncio.sleep(quiet - since)
        log.warning("updates kept arriving for %.0fs after start; catching up anyway", bound)

    def _update_done(self, update_id: int) -> None:
        self._last_update_at = asyncio.get_running_loop().time()

    async def stop(self) -> None:
        """Stop in the order that leaves nothing half done: take in no more updates and let those in flight
        finish; then the jobs and the outbox sender (the message in flight is finished, the rest handed back);
        then the framework's session; then the database."""
        self.started = False  # /readyz answers 503 from now on, so a load balancer sends no more
        if self.adapter is not None and self.core is not None:
            await self.adapter.stop_receiving()
        if self.leader is not None:
            await self.leader.stop()  # finishes the message in flight, then frees the lock for another process
        if self.adapter is not None:
            await self.adapter.stop()
        if self.database is not None:
            await self.database.dispose()
        if self.core is not None:
            await self.core.services.state.close()
        if self.operations is not None:
            await self.operations.stop()

    async def _serve_operations(self) -> None:
        assert self.operations is not None
        address = self.settings.metrics_listen_address()
        if address is None:
            return
        try:
            self.operations_address = await self.operations.serve(*address)
        except OSError as error:
            raise StartupError(
                f"cannot serve health and metrics on {self.settings.metrics_address} ({error.strerror or error}): "
                "set CIRCLECART_METRICS_ADDRESS to a free HOST:PORT, or empty"
            ) from None
        host, port = self.operations_address
        log.info("serving /healthz, /readyz and /metrics on http://%s:%s", host, port)
        if self._assistant is not None:
            await self._assistant.close()

    async def run_until_stopped(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        starting = asyncio.create_task(self.start())
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if starting.done():
                starting.result()  # a StartupError ends here, after the cleanup below
                await stopping
            else:  # Ctrl-C while still starting (say, Telegram unreachable): stop without a traceback
                starting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await starting
        finally:
            stopping.cancel()
            await self.stop()

    async def _open_database(self) -> Database:
        """Reach the database, then bring its schema up to this release's migrations (or say why not)."""
        url = self.settings.database_url
        shown = make_url(url).render_as_string(hide_password=True)
        try:
            database = await Database.connect(url)
        except (OSError, TimeoutError, OperationalError, InterfaceError) as error:
            raise StartupError(
                f"cannot reach the database at {shown} ({_first_line(error)}): check CIRCLECART_DATABASE_URL and "
                "that the database server is running"
            ) from None
        try:
            await self._migrate(database, url, shown)
        except BaseException:
            await database.dispose()
            raise
        return database

    async def _migrate(self, database: Database, url: str, shown: str) -> None:
        async with database.engine.connect() as connection:
            at = await database_revision(connection)
        known = revisions()
        newest = known.head
        if at == newest:
            return
        if at is not None and at not in known.known:
            raise StartupError(
                f"the database at {shown} is at migration {at}, which this circlecart does not know (its newest is "
                f"{newest}): run the circlecart release that migrated it, or restore a backup made before"
            )
        from storage.migrate import upgrade_async  # Alembic: imported only when there is something to apply

        try:
            await upgrade_async(url)
        except Exception as error:
            raise StartupError(
                f"the database at {shown} needs migrations ({at or 'empty'} to {newest}) and applying them failed "
                f"({_first_line(error)}): run `circlecart db upgrade` as a database user allowed to change the "
                "schema, then start again"
            ) from None

    async def _who_am_i(self, adapter: FrameworkAdapter) -> tuple[str, int]:
        """The bot's username and id (getMe). Telegram out of reach is waited out with backoff, for up to
        `telegram_wait_seconds`; a token Telegram does not know is the operator's to fix."""
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.settings.telegram_wait_seconds
        delay = 1.0
        while True:
            try:
                return await adapter.username(), await adapter.bot_id()
            except (Unauthorized, RecipientUnavailable, Rejected) as error:
                raise StartupError(
                    f"Telegram does not accept the bot token ({error}): set CIRCLECART_BOT_TOKEN to the token "
                    "@BotFather gave you"
                ) from None
            except TransientFailure as error:
                where = self.settings.telegram_api_url
                if loop.time() >= give_up_at:
                    raise StartupError(
                        f"Telegram is not reachable at {where} ({error}) after trying for "
                        f"{self.settings.telegram_wait_seconds:.0f}s: check CIRCLECART_TELEGRAM_API_URL and this "
                        "machine's network (CIRCLECART_TELEGRAM_WAIT_SECONDS sets how long to keep trying)"
                    ) from None
                delay = min(delay, max(0.1, give_up_at - loop.time()))
                log.warning("Telegram is not reachable at %s (%s); trying again in %.0fs", where, error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, START_RETRY_MAX_SECONDS)


def _first_line(error: BaseException) -> str:
    """The driver's own message when SQLAlchemy wraps one, on one line."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
