"""The drops' timers: kept in the shop's database, fired by APScheduler's thread, queried by the bot's own driver.

A timer that must fire here is set for a moment already past, so it comes due at once: the tests wait for the
reconciler to be woken, never for a clock.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.clock import SystemClock
from jobs.timers import Timers
from storage.database import Database
from storage.drops_tables import drop_scheduler_jobs

TABLE = "drop_scheduler_jobs"
WAIT = 20.0  # only a guard against a hang: each wait below ends as soon as the timer fires


def _waker() -> tuple[asyncio.Event, object]:
    woken = asyncio.Event()

    async def reconcile() -> None:
        woken.set()

    return woken, reconcile


async def _stored(url: str) -> dict[str, float | None]:
    async with Database.from_url(url) as database, database.engine.connect() as connection:
        rows = await connection.execute(select(drop_scheduler_jobs.c.id, drop_scheduler_jobs.c.next_run_time))
        return {row.id: row.next_run_time for row in rows}


async def test_a_due_timer_wakes_the_reconciler_and_a_later_one_waits_in_the_shops_database(
    database_url: str,
) -> None:
    clock = SystemClock()
    timers = Timers(database_url, TABLE, clock)
    woken, reconcile = _waker()
    later = clock.now() + timedelta(hours=2)
    try:
        await timers.update(reconcile, [("drop:1:open", clock.now() - timedelta(seconds=1)), ("drop:1:close", later)])
        await asyncio.wait_for(woken.wait(), WAIT)
        stored = await _stored(database_url)
    finally:
        await timers.close()
    close_at = stored["drop:1:close"]
    assert close_at is not None
    assert abs(datetime.fromtimestamp(close_at, UTC) - later) < timedelta(seconds=5)


async def test_the_timers_a_stopped_process_stored_are_the_next_ones(database_url: str) -> None:
    clock = SystemClock()
    opens_at = clock.now() + timedelta(hours=3)
    first = Timers(database_url, TABLE, clock)
    _, first_reconcile = _waker()
    await first.update(first_reconcile, [("drop:7:open", opens_at)])
    await first.close()

    second = Timers(database_url, TABLE, clock)
    _, reconcile = _waker()
    try:
        await second.update(reconcile, [])  # the new process sets nothing itself
        jobs = await asyncio.to_thread(second.scheduler.get_jobs)
    finally:
        await second.close()
    (job,) = jobs
    assert job.id == "drop:7:open"
    assert job.args == (second.key,)  # it finds this process's reconciler when it fires
    assert abs(job.next_run_time - opens_at) < timedelta(seconds=5)


async def test_an_unreachable_database_delays_the_timers_instead_of_ending_their_thread(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timers = Timers("postgresql://circlecart@127.0.0.1:9/nowhere", TABLE, SystemClock())
    timers.store.bind(asyncio.get_running_loop())
    caplog.set_level(logging.WARNING, logger="jobs.timers")
    asked = datetime.now(UTC)
    retry_at = await asyncio.to_thread(timers.store.get_next_run_time)
    assert retry_at is not None and retry_at > asked
    assert "unreachable" in caplog.text


@pytest.mark.postgres
async def test_the_job_store_refuses_a_call_from_the_event_loop_it_waits_on(postgres_url: str) -> None:
    timers = Timers(postgres_url, TABLE, SystemClock())
    timers.store.bind(asyncio.get_running_loop())
    with pytest.raises(RuntimeError, match="wait for itself"):
        timers.store.get_all_jobs()  # answering would need this very thread: refused, not a hang


def test_the_timers_load_no_synchronous_database_driver() -> None:
    probe = (
        "import sys\n"
        "from domain.clock import SystemClock\n"
        "from jobs.timers import Timers\n"
        "Timers('postgresql://u@127.0.0.1/shop', 'drop_scheduler_jobs', SystemClock())\n"
        "Timers('sqlite:///shop.db', 'drop_scheduler_jobs', SystemClock())\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'psycopg', 'psycopg2', 'pg8000'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
