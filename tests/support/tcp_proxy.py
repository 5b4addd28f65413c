"""A TCP proxy the tests can cut and restore, to play a database server that goes away for a while.

The app is given the proxy's port instead of the server's. `cut()` does to the app what a stopped
PostgreSQL does: every open connection dies and every new one is refused at once, while the real server
(and the test's own connections to it on the real port) stays untouched. `restore()` brings it back.

    proxy = TcpProxy(upstream_port=5432)
    await proxy.start()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/db"
    proxy.cut(); ...; proxy.restore()
    await proxy.stop()

The proxy runs its own event loop in its own thread. A server must not depend on its client's event
loop: the app also talks to the database from other threads with synchronous drivers (APScheduler's job
store), and if the app's loop waits on such a thread (a lock, a join) while that thread waits on a proxy
served by the very same loop, both wait until the driver's connect timeout (130 s for psycopg).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
CHUNK = 64 * 1024
CONTROL_TIMEOUT = 10.0  # seconds a cut, restore or stop may take in the proxy's thread before it is a bug


class _Link:
    """One client connection and the upstream connection it is forwarded to."""

    def __init__(self, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter) -> None:
        self.client = client
        self.upstream = upstream

    def abort(self) -> None:
        # abort(), not close(): close() flushes the write buffer first, and a stopped server does not wait
        # to send what it still had for the client. Both sides go, so the server ends the session (and frees
        # its locks, such as the jobs' advisory lock) just as it would if it had stopped.
        for writer in (self.client, self.upstream):
            writer.transport.abort()


class TcpProxy:
    """Listens on `host`, port 0 (a free port, see `port`), and forwards each connection to upstream."""

    def __init__(self, upstream_host: str = "127.0.0.1", upstream_port: int = 5432, host: str = "127.0.0.1") -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.host = host
        self.refused = 0  # connections refused while cut: lets a test check the app really tried
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        # Everything below is touched in the proxy's thread only (control calls are handed over to it).
        self._links: set[_Link] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._cut = False

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the proxy is not started")
        return self._port

    @property
    def is_cut(self) -> bool:
        return self._cut

    async def start(self) -> None:
        """Start the proxy's thread and listen; `port` is known when this returns."""
        if self._loop is not None:
            raise RuntimeError("the proxy is already started")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name=f"tcp-proxy->{self.upstream_port}", daemon=True)
        self._thread.start()
        self._server = await asyncio.wrap_future(self._submit(asyncio.start_server(self._accept, self.host, 0)))
        self._port = int(self._server.sockets[0].getsockname()[1])

    def cut(self) -> None:
        """Close every open connection and refuse new ones until `restore()`.

        Synchronous and done when it returns: a test that goes on to pay must know the database is gone."""
        closed = self._call(self._cut_now())
        log.info("proxy :%s cut (%d connections closed)", self._port, closed)

    def restore(self) -> None:
        """Forward new connections again (the ones closed by `cut()` stay closed, as after a restart)."""
        if self._loop is None:
            return
        self._call(self._restore_now())
        log.info("proxy :%s restored", self._port)

    async def stop(self) -> None:
        """Stop listening, close every connection and end the proxy's thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        await asyncio.wrap_future(self._submit(self._shut_down()))
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, CONTROL_TIMEOUT)
        loop.close()
        self._loop = self._thread = self._server = None
        self._port = None

    # -- in the proxy's thread -------------------------------------------------------------------------

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("the proxy is not started")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        # Blocking the caller's loop is harmless here: the proxy's thread never waits on it.
        return self._submit(coroutine).result(CONTROL_TIMEOUT)

    async def _cut_now(self) -> int:
        self._cut = True
        links = list(self._links)
        for link in links:
            link.abort()
        return len(links)

    async def _restore_now(self) -> None:
        self._cut = False

    async def _shut_down(self) -> None:
        self._cut = True  # a connection still being set up upstream is dropped rather than forwarded
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.abort()
        # Awaited here: Python 3.11's wait_closed() does not wait for connection handlers, and a handler
        # still pending when the loop closes is reported as destroyed.
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            await self._forward(reader, writer)
        finally:
            self._handlers.discard(handler)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            # Accept-and-close is what the client sees as "the server is not there": refusing at the TCP
            # level would need the listening socket closed, which could give its port away meanwhile.
            self.refused += 1
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError as error:
            log.warning("proxy: upstream %s:%s unreachable: %s", self.upstream_host, self.upstream_port, error)
            writer.transport.abort()
            return
        if self._cut:  # cut while we were connecting upstream: this one must not get through either
            upstream_writer.transport.abort()
            writer.transport.abort()
            return
        link = _Link(writer, upstream_writer)
        self._links.add(link)
        try:
            await asyncio.gather(
                self._pump(reader, upstream_writer, link),
                self._pump(upstream_reader, writer, link),
                return_exceptions=True,
            )
        finally:
            self._links.discard(link)

    async def _pump(self, source: asyncio.StreamReader, target: asyncio.StreamWriter, link: _Link) -> None:
        try:
            while data := await source.read(CHUNK):
                target.write(data)
                await target.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            # Either side ending ends the link: the PostgreSQL protocol has no use for a half-closed socket,
            # and a pump left waiting on the other side would keep the proxy from stopping.
            link.abort()
            with contextlib.suppress(Exception):
                await target.wait_closed()
