"""Health, readiness and Prometheus metrics: what an operator (or a load balancer) asks a running bot.

- `/healthz`: the process is alive and its event loop answers (200).
- `/readyz`: the database answers and Telegram has started (200), else 503 with what is missing.
- `/metrics`: the series below, in Prometheus' text format, through the `prometheus-client` library.

They are served on `CIRCLECART_METRICS_ADDRESS` when it is set (polling or webhook mode), and otherwise, in
webhook mode, on the webhook's own server. The counts are taken at the edges, never in `domain/`: the
adapters report each update (kind, latency), the core each handler that failed, the messenger each 429,
the jobs and the outbox sender their failures; the outbox and payment series are read from the database
when Prometheus scrapes.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bots.core.runtime import HandledUpdate
from domain.messenger import Messenger, RateLimited
from storage.operations import OperationsSnapshot, read_operations

if TYPE_CHECKING:
    from circlecart.app import CircleCart

log = logging.getLogger(__name__)

READY_TIMEOUT = 2.0  # seconds the database may take to answer a readiness or metrics check
# Handler latency buckets (seconds): a button answered in a few ms up to a payment waiting on Telegram.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Every series circlecart exposes, in a registry of its own (one per running bot, so that several bots
    in one process, as in the tests, never share or clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("circlecart_updates", "Updates handled, by Telegram update kind", ["kind"], registry=r)
        self.latency = Histogram(
            "circlecart_update_handling_seconds",
            "Time from taking an update in to its handler's end, by update kind",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "circlecart_errors",
            "Unexpected failures: update (a handler), job (a scheduled job), outbox (a notice given up or a drain)",
            ["where"],
            registry=r,
        )
        self.rate_limited = Counter(
            "circlecart_telegram_rate_limited",
            "429 Too Many Requests answers received from Telegram, by messenger call",
            ["call"],
            registry=r,
        )
        self.job_lag = Gauge(
            "circlecart_job_lag_seconds",
            "How late the last run of each scheduled job started, after the time it was due",
            ["job"],
            registry=r,
        )
        self.jobs_leader = Gauge(
            "circlecart_jobs_leader",
            "1 if this process holds the jobs lock (runs the jobs and the outbox sender), else 0",
            registry=r,
        )
        self.stored = StoredCollector()
        r.register(self.stored)
        for where in ("update", "job", "outbox"):
            self.errors.labels(where)  # present at 0 from the start, so a rate can be taken at once

    # -- what the edges report -------------------------------------------------------------------------
    def update_handled(self, update: HandledUpdate) -> None:
        self.updates.labels(update.kind).inc()
        self.latency.labels(update.kind).observe(update.seconds)

    def failed(self, where: str) -> None:
        self.errors.labels(where).inc()

    def rate_limited_call(self, call: str) -> None:
        self.rate_limited.labels(call).inc()

    def job_started_late(self, job: str, seconds: float) -> None:
        self.job_lag.labels(job).set(max(0.0, seconds))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class StoredCollector(Collector):
    """The series read from the database: refreshed by the /metrics handler just before it renders."""

    def __init__(self) -> None:
        self.snapshot: OperationsSnapshot | None = None
        self.database_up = False

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "circlecart_database_up", "1 if the database answered the last scrape", value=int(self.database_up)
        )
        s = self.snapshot
        if s is None:
            return
        yield GaugeMetricFamily("circlecart_outbox_depth", "Notices waiting in the outbox", value=s.outbox_pending)
        yield GaugeMetricFamily(
            "circlecart_outbox_oldest_age_seconds",
            "Age of the oldest notice waiting in the outbox (0 when none waits)",
            value=s.outbox_oldest_seconds,
        )
        yield CounterMetricFamily("circlecart_payments", "Payments recorded, of every kind", value=s.payments)
        yield CounterMetricFamily("circlecart_refunds", "Payments refunded, by Telegram or by hand", value=s.refunds)
        yield GaugeMetricFamily("circlecart_refunds_due", "Refunds owed and not yet made", value=s.refunds_due)
        yield GaugeMetricFamily(
            "circlecart_payments_unsettled",
            "Payments stored from Telegram and not yet settled (the payments job retries them)",
            value=s.payments_unsettled,
        )


def count_rate_limits(messenger: Messenger, metrics: Metrics) -> Messenger:
    """The messenger, counting every 429 Telegram answers to one of its calls (then raising it as before)."""
    return cast(Messenger, _RateLimitCounting(messenger, metrics))


class _RateLimitCounting:
    def __init__(self, inner: Messenger, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        @functools.wraps(attribute)
        async def counted(*args: Any, **kwargs: Any) -> Any:
            try:
                return await attribute(*args, **kwargs)
            except RateLimited:
                self._metrics.rate_limited_call(name)
                raise

        return counted


def job_lag_listener(metrics: Metrics, timezone: Any) -> Callable[[Any], None]:
    """An APScheduler listener for EVENT_JOB_SUBMITTED: how long after its due time each run started.

    APScheduler schedules by the wall clock, so the lag is measured on the same clock (not the shop's
    injected one, which a sandbox or a test may have moved)."""

    def submitted(event: Any) -> None:
        due = list(getattr(event, "scheduled_run_times", None) or [])
        if due:
            metrics.job_started_late(event.job_id, (datetime.now(timezone) - min(due)).total_seconds())

    return submitted


class Operations:
    """The three endpoints for one running CircleCart."""

    def __init__(self, app: CircleCart) -> None:
        self.app = app
        self.metrics = app.metrics
        self._runner: web.AppRunner | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/healthz", self.healthz),
            web.get("/readyz", self.readyz),
            web.get("/metrics", self.metrics_page),
        ]

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, request: web.Request) -> web.Response:
        database = await self._database_answers()
        telegram = self.app.started
        body = {
            "database": "reachable" if database else "unreachable",
            "telegram": "started" if telegram else "starting",
        }
        return web.json_response(body, status=200 if database and telegram else 503)

    async def metrics_page(self, request: web.Request) -> web.Response:
        stored = self.metrics.stored
        database = self.app.database
        try:
            if database is None:
                raise ConnectionError("the database is not open yet")
            async with asyncio.timeout(READY_TIMEOUT):
                stored.snapshot = await read_operations(database.engine, self.app.clock.now())
            stored.database_up = True
        except Exception as error:
            log.warning("metrics: could not read the outbox and payments from the database: %s", error)
            stored.snapshot, stored.database_up = None, False
        leader = self.app.leader
        self.metrics.jobs_leader.set(1 if leader is not None and leader.leading else 0)
        body = await asyncio.to_thread(self.metrics.render)  # rendering the histogram takes a moment
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database_answers(self) -> bool:
        database = self.app.database
        if database is None:
            return False
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await database.ping()
        except Exception as error:
            log.warning("readiness: the database does not answer: %s", error)
            return False
        return True

    # -- a server of their own (CIRCLECART_METRICS_ADDRESS) -------------------------------------------
    async def serve(self, host: str, port: int) -> tuple[str, int]:
        """Listen on host:port (0: any free port); the address actually bound."""
        application = web.Application()
        application.add_routes(self.routes())
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0]
        return str(bound[0]), int(bound[1])

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
