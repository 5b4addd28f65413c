"""An operator watches the running bot: /healthz, /readyz and /metrics (Prometheus), in polling and webhook mode."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from domain.notices import Notice
from domain.outgoing import View
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import Shop, running_shop

SERIES = (
    "circlecart_updates",
    "circlecart_update_handling_seconds",
    "circlecart_errors",
    "circlecart_outbox_depth",
    "circlecart_outbox_oldest_age_seconds",
    "circlecart_telegram_rate_limited",
    "circlecart_payments",
    "circlecart_refunds",
    "circlecart_refunds_due",
    "circlecart_payments_unsettled",
    "circlecart_job_lag_seconds",
    "circlecart_jobs_leader",
    "circlecart_database_up",
)


class Scrape:
    """One scrape of /metrics, parsed with prometheus-client's own parser."""

    def __init__(self, text: str) -> None:
        self.families = {family.name: family for family in text_string_to_metric_families(text)}

    def value(self, sample_name: str, **labels: str) -> float:
        """The sample's value; 0 when the series has no such sample yet (a counter never incremented)."""
        for family in self.families.values():
            for sample in family.samples:
                if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return float(sample.value)
        return 0.0


class Operator:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base + path) as response:
            return response.status, await response.text()

    async def scrape(self) -> Scrape:
        status, text = await self.get("/metrics")
        assert status == 200, text
        return Scrape(text)


@asynccontextmanager
async def watched_shop(framework: str, tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[Shop, Operator]]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, database_url, str(STARS_CATALOG), **settings) as shop:
        if shop.app.operations_address is not None:
            host, port = shop.app.operations_address
        else:  # sharing the webhook's server
            host, port = shop.app.settings.listen_address()
        async with aiohttp.ClientSession() as http:
            yield shop, Operator(http, f"http://{host}:{port}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_metrics_count_updates_by_kind_with_their_latency(framework: str, tmp_path: Path) -> None:
    async with watched_shop(framework, tmp_path, metrics_address="127.0.0.1:0") as (shop, operator):
        assert await operator.get("/healthz") == (200, '{"status": "alive"}')
        status, readiness = await operator.get("/readyz")
        assert status == 200 and '"database": "reachable"' in readiness and '"telegram": "started"' in readiness
        group = await shop.group_with_bot()
        assert (await operator.scrape()).value("circlecart_updates_total", kind="my_chat_member") == 1
        before = await operator.scrape()
        for name in SERIES:
            assert name in before.families, f"/metrics lacks {name}"
        assert before.value("circlecart_jobs_leader") == 1  # one process on SQLite: it runs the jobs

        mei = shop.member("Mei")
        (page,) = await shop.say(mei, group, "/shop")
        await shop.press(mei, page, text="Next ▶")

        after = await operator.scrape()
        for kind in ("message", "callback_query"):
            counted = after.value("circlecart_updates_total", kind=kind) - before.value(
                "circlecart_updates_total", kind=kind
            )
            assert counted == 1, kind
            assert after.value("circlecart_update_handling_seconds_count", kind=kind) == after.value(
                "circlecart_updates_total", kind=kind
            )
        assert after.value("circlecart_update_handling_seconds_sum", kind="message") > 0
        assert after.value("circlecart_errors_total", where="update") == 0
        assert after.value("circlecart_database_up") == 1


async def test_the_outbox_depth_its_age_and_telegrams_429s_move(framework: str, tmp_path: Path) -> None:
    async with watched_shop(framework, tmp_path, metrics_address="127.0.0.1:0") as (shop, operator):
        table = shop.app.core.table  # type: ignore[union-attr]
        table.notice("test.hello", lambda ctx, params: View(ctx.t("Hello, {name}!", name=str(params["name"]))))
        jun = shop.member("Jun")
        jun.start_bot()
        await shop.outbox_drained()
        assert (await operator.scrape()).value("circlecart_outbox_depth") == 0

        # A notice due in an hour waits in the outbox; ten minutes on, it is ten minutes old.
        async with shop.uow() as uow:
            later = Notice(
                "ops:hello", jun.id, "test.hello", {"name": "Jun"}, not_before=shop.clock.now() + timedelta(hours=1)
            )
            await uow.outbox.enqueue(later, shop.clock.now())
            await uow.commit()
        shop.clock.advance(timedelta(minutes=10))
        waiting = await operator.scrape()
        assert waiting.value("circlecart_outbox_depth") == 1
        assert 600 <= waiting.value("circlecart_outbox_oldest_age_seconds") < 3600
        assert waiting.value("circlecart_telegram_rate_limited_total", call="send") == 0

        # When it comes due, Telegram answers 429 once; the sender waits retry_after and sends it.
        shop.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        shop.clock.advance(timedelta(hours=1))
        shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
        await shop.outbox_drained()
        assert [m.text for m in shop.fake.sent(jun)].count("Hello, Jun!") == 1
        sent = await operator.scrape()
        assert sent.value("circlecart_telegram_rate_limited_total", call="send") == 1
        assert sent.value("circlecart_outbox_depth") == 0
        assert sent.value("circlecart_outbox_oldest_age_seconds") == 0
        assert sent.value("circlecart_errors_total", where="outbox") == 0

        # A notice Telegram refuses for good is an error of the outbox.
        shop.fake.fail_next("sendMessage", 400, "Bad Request: message is too long")
        async with shop.uow() as uow:
            await uow.outbox.enqueue(Notice("ops:refused", jun.id, "test.hello", {"name": "Jun"}), shop.clock.now())
            await uow.commit()
        shop.app.core.services.outbox.wake()  # type: ignore[union-attr]
        await shop.outbox_drained()
        assert (await operator.scrape()).value("circlecart_errors_total", where="outbox") == 1


async def test_job_lag_is_reported_once_the_scheduled_jobs_run(framework: str, tmp_path: Path) -> None:
    async with watched_shop(framework, tmp_path, metrics_address="127.0.0.1:0") as (_, operator):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not (await operator.scrape()).families["circlecart_job_lag_seconds"].samples:
            assert loop.time() < deadline, "no scheduled job ran within 30 s"
            await asyncio.sleep(0.2)
        for sample in (await operator.scrape()).families["circlecart_job_lag_seconds"].samples:
            assert 0 <= sample.value < 30, sample


async def test_a_paid_order_counts_as_a_payment(framework: str, tmp_path: Path) -> None:
    async with watched_shop(framework, tmp_path, metrics_address="127.0.0.1:0") as (shop, operator):
        assert (await operator.scrape()).value("circlecart_payments_total") == 0
        mei = shop.member("Mei")
        (card,) = await shop.say(mei, None, "/start p_PIN-CRANE")
        await shop.press(mei, card, text="Buy · 35 ⭐")
        paid = await shop.pay(mei, shop.fake.last(mei))
        assert paid.accepted, paid.error_message
        scrape = await operator.scrape()
        assert scrape.value("circlecart_payments_total") == 1
        assert scrape.value("circlecart_refunds_total") == 0
        assert scrape.value("circlecart_payments_unsettled") == 0


async def test_in_webhook_mode_health_and_metrics_share_the_webhooks_server(framework: str, tmp_path: Path) -> None:
    port = _free_port()
    async with watched_shop(
        framework,
        tmp_path,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret="s3cret-token_for-tests",
        webhook_listen=f"127.0.0.1:{port}",
    ) as (shop, operator):
        mei = shop.member("Mei")
        await shop.say(mei, None, "/shop")
        assert (await operator.get("/healthz"))[0] == 200
        assert (await operator.get("/readyz"))[0] == 200
        scrape = await operator.scrape()
        assert scrape.value("circlecart_updates_total", kind="message") == 1
