"""Date-triggered timers kept by APScheduler in the shop's own database: punctuality for timed transitions.

A timer only wakes a reconciler at a moment; the reconciler decides what is due by the injected clock, so a
timer that fires early, late, twice or never does no harm (the periodic reconciler is the safety net).

Moments are domain time (the injected clock); APScheduler waits in wall time. Each moment is turned into
the wall-clock instant that lies as far ahead of the system clock as the moment lies ahead of the domain
clock, so a test clock, a sandbox clock moved forward, or a system date far from the domain's all work.

The scheduler runs in its own thread (APScheduler's BackgroundScheduler), because APScheduler 3 calls its
job store synchronously, and the thread only hands the reconciler to the event loop when a timer fires, so
the event loop never waits on the store. On PostgreSQL the store (jobs/loop_job_store.py) hands each query
to the event loop's asyncpg and waits in that thread, so the bot loads no synchronous PostgreSQL driver; on
SQLite it is APScheduler's own store over Python's sqlite3, waiting for the file's lock in that thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Table
from sqlalchemy.engine import make_url

from domain.clock import Clock
from jobs.loop_job_store import LoopJobStore

log = logging.getLogger(__name__)

# How soon the timer thread asks an unreachable job store again.
_STORE_RETRY = timedelta(seconds=5)


class _OutageTolerant:
    """APScheduler survives a failing store when it fetches due jobs, but not when it asks for the next
    run time: one lost database connection would end the timer thread for good. Ask again shortly instead."""

    jobs_t: Table

    def get_next_run_time(self) -> datetime | None:
        try:
            return super().get_next_run_time()  # type: ignore[misc,no-any-return]
        except Exception as error:  # the driver's, the pool's, or no answer from the loop: all mean "not now"
            log.warning("timers: the job store %s is unreachable (%s); asking again shortly", self.jobs_t.name, error)
            return datetime.now(UTC) + _STORE_RETRY

    # APScheduler calls these two without a guard after a timer fired: a failure would end its thread. The
    # stored timer is then left as it was and fires again, which a reconciler takes as a no-op.
    def update_job(self, job: Job) -> None:
        try:
            super().update_job(job)  # type: ignore[misc]
        except JobLookupError:
            raise
        except Exception as error:
            log.warning("timers: could not update %s in %s (%s); it stays as it was", job.id, self.jobs_t.name, error)

    def remove_job(self, job_id: str) -> None:
        try:
            super().remove_job(job_id)  # type: ignore[misc]
        except JobLookupError:
            raise
        except Exception as error:
            log.warning("timers: could not remove %s from %s (%s); it may fire again", job_id, self.jobs_t.name, error)


class _PostgresJobStore(_OutageTolerant, LoopJobStore):
    """On PostgreSQL: the queries run on the bot's asyncpg (jobs/loop_job_store.py), no psycopg loaded."""


class _SqliteJobStore(_OutageTolerant, SQLAlchemyJobStore):  # type: ignore[misc]  # APScheduler 3 ships no types
    """On SQLite: Python's own sqlite3, in the scheduler's thread, which waits there for the file's lock.

    sqlite3 is loaded anyway, so the loop's driver would save nothing here, and a query of aiosqlite's thread
    still running when the loop closes fails there with a traceback."""

    def __init__(self, database_url: str, table: str) -> None:
        url = make_url(database_url).set(drivername="sqlite").render_as_string(hide_password=False)
        # Wait for the lock in this thread, not fail.
        super().__init__(url=url, tablename=table, engine_options={"connect_args": {"timeout": 30}})

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)  # the migrations own the table: nothing to create

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        pass  # nothing runs on the loop

    def close(self) -> None:
        pass

    async def drain(self) -> None:
        pass


Runner = Callable[[], Coroutine[Any, Any, object]]

# A timer already set for this moment is moved only when the domain clock drifted from the system clock
# by more than this since it was set (a test or sandbox clock jump).
_RESET_AFTER_DRIFT = timedelta(seconds=1)

# Timers are pickled into the job store, so they name a module-level function and a key; the key finds
# this process's reconciler and event loop.
_ACTIVE: dict[str, tuple[asyncio.AbstractEventLoop, Runner]] = {}
_ACTIVE_LOCK = threading.Lock()


def fire(key: str) -> None:
    """Run by APScheduler's thread at a moment: hand the reconciler to the event loop."""
    with _ACTIVE_LOCK:
        found = _ACTIVE.get(key)
    if found is None:
        log.warning("a timer fired for %s but no reconciler runs in this process", key)
        return
    loop, run = found
    if not loop.is_closed():
        asyncio.run_coroutine_threadsafe(run(), loop)


def timer_key(database_url: str, table: str) -> str:
    """What a stored timer names to find its reconciler: the table and the database, password hidden.

    Spelt with the synchronous driver names the timers stored by earlier versions carry (they used one), so
    those still find the reconciler after an upgrade."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        url = url.set(drivername="sqlite")
    elif url.get_backend_name() in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return f"{table}@{url.render_as_string(hide_password=True)}"


def wall_time_of(moment: datetime, clock: Clock) -> datetime:
    """The system-clock instant at which `moment` of the domain clock comes, as things stand now."""
    return datetime.now(UTC) + (moment - clock.now())


class Timers:
    """Named timers in a persistent job store; each wakes the registered reconciler at its moment."""

    def __init__(self, database_url: str, table: str, clock: Clock) -> None:
        self.table = table
        self.key = timer_key(database_url, table)
        self.clock = clock
        sqlite = make_url(database_url).get_backend_name() == "sqlite"
        self.store: _PostgresJobStore | _SqliteJobStore = (
            _SqliteJobStore(database_url, table) if sqlite else _PostgresJobStore(database_url, table)
        )
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            jobstores={"default": self.store},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._known: dict[str, tuple[datetime, datetime]] = {}  # id -> (domain moment, wall instant)
        self._started = False
        self._closed = False

    async def update(self, run: Runner, moments: Iterable[tuple[str, datetime]]) -> None:
        """Have the timers wake `run` on this event loop, and set one at each (id, domain moment).

        APScheduler's calls are synchronous, so this waits in a worker thread. A failure is only logged: the periodic
        reconciler still performs every transition, only punctuality suffers."""
        loop = asyncio.get_running_loop()
        wanted = list(moments)
        try:
            await asyncio.to_thread(self.start, loop, run)
            await asyncio.to_thread(self.ensure, wanted)
        except Exception:
            log.exception("could not update the timers in %s", self.table)

    def start(self, loop: asyncio.AbstractEventLoop, run: Runner) -> None:
        if self._closed:
            return  # a reconciler run that outlived the jobs' stop must not bring the thread back
        with _ACTIVE_LOCK:
            _ACTIVE[self.key] = (loop, run)
        if not self._started:
            self.store.bind(loop)
            self.scheduler.start()
            self._started = True

    def ensure(self, moments: Iterable[tuple[str, datetime]]) -> int:
        """Create (or move) the timer of each (id, domain moment) not already set for that moment."""
        if not self._started:
            return 0
        added = 0
        for job_id, moment in moments:
            at = wall_time_of(moment, self.clock)
            known = self._known.get(job_id)
            if known is not None and known[0] == moment and abs(known[1] - at) <= _RESET_AFTER_DRIFT:
                continue
            self.scheduler.add_job(
                "jobs.timers:fire", "date", run_date=at, args=[self.key], id=job_id, replace_existing=True
            )
            self._known[job_id] = (moment, at)
            added += 1
        return added

    async def close(self) -> None:
        """Stop the timers (they stay stored for the next process) and let a query in progress finish."""
        self._closed = True
        self.store.close()  # a query the scheduler's thread would start now is refused at once
        with _ACTIVE_LOCK:
            _ACTIVE.pop(self.key, None)
        if self._started and self.scheduler.running:
            # shutdown() waits for the job-store lock, which the scheduler's thread holds for as long as a
            # store query takes (the database unreachable: the connect timeout). Never wait for it on the
            # event loop; a take-over builds new timers, so this scheduler is never used again.
            threading.Thread(
                target=self.scheduler.shutdown, kwargs={"wait": False}, name="timers-shutdown", daemon=True
            ).start()
        self._started = False
        await self.store.drain()
