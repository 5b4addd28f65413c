"""APScheduler's job store in the shop's database, run by the async driver the bot already has loaded.

APScheduler 3 calls its job store synchronously, from the scheduler's own thread. Its SQLAlchemyJobStore needs
a synchronous driver for that: on PostgreSQL, psycopg, 9.4 MB resident in a bot that otherwise speaks asyncpg
(issue 16's memory budget), and a second connection pool, for a handful of timers. This store hands each of
its queries to the event loop instead, where the async driver runs it, and waits for the answer in the
scheduler's thread. The table and the pickled jobs are SQLAlchemyJobStore's own, so timers stored by an
earlier version load as they are.

Nothing here may be called from the event loop's own thread: the loop would wait for itself. The timers
reach the scheduler from worker threads only (jobs/timers.py), and a call from the loop is refused.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import pickle
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime
from sqlalchemy import Column, ColumnElement, Float, LargeBinary, MetaData, Table, Unicode, and_, null, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

T = TypeVar("T")


class StoreClosed(RuntimeError):
    """The store was closed: the event loop is stopping and answers no more queries."""


# The longest the scheduler's thread waits for one query: the connection attempt (its own timeout, below)
# and the query. A loop that has stopped never answers; the thread must not wait for it for ever.
_ANSWER_TIMEOUT = 30.0
_CONNECT_TIMEOUT = 5  # seconds; asyncpg's default is 60


def _engine(database_url: str) -> AsyncEngine:
    """On the shop's PostgreSQL through asyncpg (SQLite's timers keep APScheduler's own store: jobs/timers.py)."""
    url = make_url(database_url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    # No pool: the store runs a query when a timer is set or comes due, a few times an hour, so an idle
    # connection would be kept for nothing, and one that died in an outage would need a ping to notice.
    return create_async_engine(url, poolclass=NullPool, connect_args={"timeout": _CONNECT_TIMEOUT})


class LoopJobStore(BaseJobStore):  # type: ignore[misc]  # APScheduler 3 ships no types
    def __init__(self, database_url: str, tablename: str) -> None:
        super().__init__()
        self.engine = _engine(database_url)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._running: set[asyncio.Task[Any]] = set()  # queries in progress; touched on the loop's thread only
        # The same columns as SQLAlchemyJobStore's (storage declares the table for the migrations).
        self.jobs_t = Table(
            tablename,
            MetaData(),
            Column("id", Unicode(191), primary_key=True),
            Column("next_run_time", Float(25), index=True),
            Column("job_state", LargeBinary, nullable=False),
        )

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop that runs the queries; set before the scheduler starts."""
        self.loop = loop

    def close(self) -> None:
        """Refuse every query from now on (called on the event loop's thread, which is about to stop)."""
        self._closed = True

    async def drain(self) -> None:
        """After close(), wait for the queries already running: the loop's end would cut them off half way,
        and a connection cut off in a transaction fails its rollback with a traceback. They take
        milliseconds; with the database unreachable, up to the connect timeout."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=_CONNECT_TIMEOUT + _ANSWER_TIMEOUT)

    def _run(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        loop = self.loop
        if self._closed or loop is None or loop.is_closed():
            raise StoreClosed(f"the job store {self.jobs_t.name} is closed")
        try:
            caller: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            caller = None
        if caller is loop:
            raise RuntimeError("the job store was called from its event loop's thread, which would wait for itself")

        async def in_transaction() -> T:
            # On the loop's thread, as close() is: a query either began before the close, and drain() waits
            # for it, or it sees the close and never touches the database.
            if self._closed:
                raise StoreClosed(f"the job store {self.jobs_t.name} is closed")
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                async with self.engine.begin() as connection:
                    return await work(connection)
            finally:
                self._running.discard(task)

        future = asyncio.run_coroutine_threadsafe(in_transaction(), loop)
        try:
            return future.result(timeout=_ANSWER_TIMEOUT)
        except concurrent.futures.TimeoutError:
            future.cancel()
            table = self.jobs_t.name
            raise TimeoutError(f"the job store {table} did not answer within {_ANSWER_TIMEOUT:.0f} s") from None

    def lookup_job(self, job_id: str) -> Job | None:
        async def work(connection: AsyncConnection) -> bytes | None:
            return await connection.scalar(select(self.jobs_t.c.job_state).where(self.jobs_t.c.id == job_id))

        state = self._run(work)
        return self._reconstitute_job(state) if state else None

    def get_due_jobs(self, now: datetime) -> list[Job]:
        # APScheduler's thread looks once more as it stops: nothing is due in a closed store.
        try:
            return self._get_jobs(self.jobs_t.c.next_run_time <= datetime_to_utc_timestamp(now))
        except StoreClosed:
            return []

    def get_next_run_time(self) -> datetime | None:
        query = (
            select(self.jobs_t.c.next_run_time)
            .where(self.jobs_t.c.next_run_time != null())
            .order_by(self.jobs_t.c.next_run_time)
            .limit(1)
        )

        async def work(connection: AsyncConnection) -> float | None:
            return await connection.scalar(query)

        try:
            return utc_timestamp_to_datetime(self._run(work))  # type: ignore[no-any-return]
        except StoreClosed:
            return None

    def get_all_jobs(self) -> list[Job]:
        jobs = self._get_jobs()
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def add_job(self, job: Job) -> None:
        insert = self.jobs_t.insert().values(
            id=job.id, next_run_time=datetime_to_utc_timestamp(job.next_run_time), job_state=self._state(job)
        )

        async def work(connection: AsyncConnection) -> None:
            await connection.execute(insert)

        try:
            self._run(work)
        except IntegrityError:
            raise ConflictingIdError(job.id) from None

    def update_job(self, job: Job) -> None:
        update = (
            self.jobs_t.update()
            .values(next_run_time=datetime_to_utc_timestamp(job.next_run_time), job_state=self._state(job))
            .where(self.jobs_t.c.id == job.id)
        )

        async def work(connection: AsyncConnection) -> int:
            return (await connection.execute(update)).rowcount

        if self._run(work) == 0:
            raise JobLookupError(job.id)

    def remove_job(self, job_id: str) -> None:
        async def work(connection: AsyncConnection) -> int:
            return (await connection.execute(self.jobs_t.delete().where(self.jobs_t.c.id == job_id))).rowcount

        if self._run(work) == 0:
            raise JobLookupError(job_id)

    def remove_all_jobs(self) -> None:
        async def work(connection: AsyncConnection) -> None:
            await connection.execute(self.jobs_t.delete())

        self._run(work)

    def _state(self, job: Job) -> bytes:
        return pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL)

    def _reconstitute_job(self, job_state: bytes) -> Job:
        state = pickle.loads(job_state)
        state["jobstore"] = self
        job = Job.__new__(Job)
        job.__setstate__(state)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def _get_jobs(self, *conditions: ColumnElement[bool]) -> list[Job]:
        query = select(self.jobs_t.c.id, self.jobs_t.c.job_state).order_by(self.jobs_t.c.next_run_time)
        if conditions:
            query = query.where(and_(*conditions))

        async def work(connection: AsyncConnection) -> Sequence[Any]:
            return (await connection.execute(query)).all()

        jobs: list[Job] = []
        unreadable: list[str] = []
        for row in self._run(work):
            try:
                jobs.append(self._reconstitute_job(row.job_state))
            except BaseException:
                self._logger.exception('Unable to restore job "%s" -- removing it', row.id)
                unreadable.append(row.id)
        if unreadable:

            async def forget(connection: AsyncConnection) -> None:
                await connection.execute(self.jobs_t.delete().where(self.jobs_t.c.id.in_(unreadable)))

            self._run(forget)
        return jobs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ({self.jobs_t.name} at {self.engine.url.render_as_string(hide_password=True)})>"
