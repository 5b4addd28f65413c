"""Resident memory of `circlecart run` on a large PostgreSQL shop, while many members use it.

    .venv/bin/python -m bench.memory                       # 100k members, 10k products, 1M ledger rows
    .venv/bin/python -m bench.memory --json
    .venv/bin/python -m bench.memory --members 10000 --products 1000 --ledger 100000 --updates 600
    .venv/bin/python -m bench.memory --tracemalloc 25      # also: the 25 lines that allocated most, in the child

A fresh PostgreSQL database (``CIRCLECART_TEST_POSTGRES_URL``, default postgres@127.0.0.1:5432) is migrated and
filled by COPY (`tests/support/large_shop.py`). Then `circlecart run` starts as a child process, with its own
environment only (a fake token, the database, and the Bot API at a fake server that runs in this process:
`circlecart/sandbox/bot_api`), in an empty working directory so no ``.env`` is read. Distinct seeded members
then send a mix of updates in rounds of `--concurrency` at once: ``/shop``, "Next ▶", a product
card, ``/find``, ``/points`` and ``/membership``. Each update is waited for until the bot
answered it (a message sent, or the callback query answered). ``/shop`` and its buttons are used in the
member's private chat, where the page they press is surely theirs; ``/find`` is sent in the group.

The child's ``VmRSS`` and ``VmHWM`` (peak) are read from /proc/<pid>/status every `--sample` seconds. The
table gives the RSS once the bot polls (start), after each quarter of the updates, and the peak. Nothing
here is asserted; the issue's goal is < 150 MB. Two runs of the same size differed by up to 12 MB: native
memory (glibc arenas of the threads, pydantic-core's validators built on first use, asyncpg's buffers) is
not returned in the same order each time; ``MALLOC_ARENA_MAX`` (and other ``MALLOC_*``) set for the bench
reaches the child.

With ``--tracemalloc TOP`` the child traces Python allocations (its RSS then means nothing: tracing costs
more than it measures) and the report lists the TOP lines holding the most, and which grew between the
end of the first quarter of updates and the end: after warm-up, a cache that grows per member shows there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from circlecart.sandbox.bot_api.server import FakeTelegram
from tests.support.databases import fresh_database
from tests.support.large_shop import LargeShop, seed_large_shop

TOKEN = "424242:BENCH-memory"
BOT_ID = 424242
BOT_USERNAME = "circlecart_memory_bot"
GOAL_MB = 150

# Run inside the child with --tracemalloc: start tracing before circlecart is imported, and on SIGUSR1 write
# the top allocation sites to the file named by the environment.
_TRACED_CHILD = """
import os, signal, sys, tracemalloc
tracemalloc.start(int(os.environ["BENCH_TRACEMALLOC_FRAMES"]))
_first = []
def _dump(*_):
    snapshot = tracemalloc.take_snapshot().filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")))
    top = int(os.environ["BENCH_TRACEMALLOC_TOP"])
    total = sum(stat.size for stat in snapshot.statistics("filename"))
    with open(os.environ["BENCH_TRACEMALLOC_FILE"] + ".tmp", "w") as out:
        out.write(f"traced Python memory: {total / 2**20:.1f} MiB\\n")
        for stat in snapshot.statistics("lineno")[:top]:
            out.write(f"{stat.size / 2**20:8.2f} MiB {stat.count:8d} blocks  {stat.traceback[0]}\\n")
        if _first:
            out.write("\\ngrowth since the previous snapshot (after the first quarter of the updates):\\n")
            for stat in snapshot.compare_to(_first[0], "lineno")[:top]:
                out.write(f"{stat.size_diff / 2**20:+8.2f} MiB {stat.count_diff:+8d} blocks  {stat.traceback[0]}\\n")
    os.replace(os.environ["BENCH_TRACEMALLOC_FILE"] + ".tmp", os.environ["BENCH_TRACEMALLOC_FILE"])
    _first[:] = [snapshot]
signal.signal(signal.SIGUSR1, _dump)
sys.argv = ["circlecart", "run"]
from circlecart.cli import main
raise SystemExit(main())
"""


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    hwm_mb: float


@dataclass
class Report:
    members: int
    products: int
    ledger_rows: int
    updates: int
    distinct_members: int
    seed_seconds: float
    start_rss_mb: float
    checkpoints: list[tuple[int, float]] = field(default_factory=list)  # (updates done, RSS MB)
    peak_rss_mb: float = 0.0
    end_rss_mb: float = 0.0
    updates_per_second: float = 0.0
    threads: int = 0  # the most the child ran at once: each may hold a malloc arena of its own
    unanswered: int = 0
    refused_calls: int = 0
    tracemalloc: str = ""
    samples: list[Sample] = field(default_factory=list)


def read_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) and Threads of `pid`."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                values[key] = int(rest.split()[0])
    return values


def read_memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid` in MB (2**20 bytes)."""
    values = read_status(pid)
    return values.get("VmRSS", 0) / 1024, values.get("VmHWM", 0) / 1024


def child_python_path() -> str:
    """This process's import path, absolute: the child runs elsewhere and must import this tree's code."""
    return os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry)


def child_command(trace: int) -> list[str]:
    if trace:
        return [sys.executable, "-c", _TRACED_CHILD]
    return [sys.executable, "-c", "import sys; from circlecart.cli import main; sys.argv = ['circlecart', 'run']; "
            "raise SystemExit(main())"]  # fmt: skip


async def snapshot(child: asyncio.subprocess.Process, trace_file: Path) -> str:
    """Have the traced child write its allocation sites (and their growth since the last time); the text."""
    _read_once(trace_file)
    child.send_signal(signal.SIGUSR1)
    for _ in range(1200):
        text = _read_once(trace_file)
        if text is not None:
            return text
        await asyncio.sleep(0.1)
    return "(no snapshot)"


def _read_once(path: Path) -> str | None:
    """The file's text, and the file gone; None while the child has not written it (it renames it in whole)."""
    if not path.exists():
        return None
    text = path.read_text()
    path.unlink()
    return text


class Driver:
    """Members of the seeded shop, acting through the fake Bot API; each action waits for the bot's answer."""

    def __init__(self, fake: FakeTelegram, size: LargeShop, timeout: float) -> None:
        self.fake = fake
        self.size = size
        self.timeout = timeout
        self.unanswered = 0
        self.owner = fake.user(size.first_member + size.members + 1, "Owner", language_code="en")
        self.group = fake.group(-1009000000001, "Bulk Lovers", bots_are_members=False)
        self.group.add_member(self.owner)
        self.group.set_admin(self.owner)

    async def join_group(self) -> None:
        await self.fake.add_bot_to_group(self.group, self.owner, status="administrator")
        await self._answered(lambda: len(self.fake.sent(self.group)) >= 1)

    async def _answered(self, done: Any) -> bool:
        try:
            await self.fake.wait_for(lambda _calls: done(), self.timeout)
        except (TimeoutError, AssertionError):
            self.unanswered += 1
            return False
        return True

    async def say(self, user: Any, chat: Any, text: str) -> Any:
        where = chat if chat is not None else user
        before = len(self.fake.sent(where))
        delivered = await self.fake.send_message(user, chat, text)
        if await self._answered(lambda: len(self.fake.sent(where)) > before):
            return self.fake.sent(where)[-1] if delivered else None
        return None

    async def press(self, user: Any, message: Any, text: str) -> bool:
        if message is None or not any(t.startswith(text) for t in message.button_texts):
            self.unanswered += 1
            return False
        button = next(t for t in message.button_texts if t.startswith(text))
        delivered = await self.fake.press_button(user, message, text=button)
        assert delivered.query_id is not None
        query = self.fake.queries[delivered.query_id]
        if not await query.wait_answered(self.timeout):
            self.unanswered += 1
            return False
        return True

    async def visit(self, index: int, on_update: Any) -> None:
        """One member's round: six updates."""
        user = self.fake.user(self.size.member_id(index), f"Member {index}", language_code="en")
        # The page in private: in the group, members answering at once could not tell their pages apart.
        page = await self.say(user, None, "/shop")
        on_update()
        await self.press(user, page, "Next ▶")
        on_update()
        await self.press(user, page, "Bulk item")  # the card, in a message of its own
        on_update()
        await self.say(user, self.group, f"/find bulk item {index % self.size.products}")
        on_update()
        await self.say(user, None, "/points")
        on_update()
        await self.say(user, None, "/membership")
        on_update()


async def run(args: argparse.Namespace) -> Report:
    size = LargeShop(members=args.members, products=args.products, ledger_rows=args.ledger)
    rounds = max(1, args.updates // 6)
    with tempfile.TemporaryDirectory(prefix="circlecart-memory-") as scratch:
        async with fresh_database("postgres", Path(scratch)) as url:
            started = time.perf_counter()
            await seed_large_shop(url, size, datetime.now(UTC))
            seed_seconds = time.perf_counter() - started

            fake = FakeTelegram()
            await fake.start()
            fake.add_bot(TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
            trace_file = Path(scratch) / "tracemalloc.txt"
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": scratch,
                "PYTHONPATH": child_python_path(),
                "CIRCLECART_BOT_TOKEN": TOKEN,
                "CIRCLECART_TELEGRAM_API_URL": fake.base_url,
                "CIRCLECART_DATABASE_URL": url,
                "CIRCLECART_FRAMEWORK": args.framework,
                "BENCH_TRACEMALLOC_FRAMES": str(max(1, args.frames)),
                "BENCH_TRACEMALLOC_TOP": str(args.tracemalloc),
                "BENCH_TRACEMALLOC_FILE": str(trace_file),
                # glibc's allocator tuning, when the caller sets it (MALLOC_ARENA_MAX=2 ...), reaches the child
                **{key: value for key, value in os.environ.items() if key.startswith(("MALLOC_", "PYTHONMALLOC"))},
            }
            workdir = Path(scratch) / "cwd"
            workdir.mkdir()
            child = await asyncio.create_subprocess_exec(
                *child_command(args.tracemalloc),
                env=env,
                cwd=workdir,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=None if args.child_log else asyncio.subprocess.DEVNULL,
            )
            samples: list[Sample] = []
            threads = [0]
            clock0 = time.perf_counter()

            async def sample() -> None:
                while child.returncode is None:
                    try:
                        status = read_status(child.pid)
                    except (FileNotFoundError, ProcessLookupError):
                        return
                    threads[0] = max(threads[0], status.get("Threads", 0))
                    rss, hwm = status.get("VmRSS", 0) / 1024, status.get("VmHWM", 0) / 1024
                    samples.append(Sample(round(time.perf_counter() - clock0, 2), round(rss, 1), round(hwm, 1)))
                    await asyncio.sleep(args.sample)

            sampler = asyncio.create_task(sample())
            try:
                await fake.wait_for(lambda _calls: bool(fake.calls_to("getUpdates", TOKEN)), 120)
                driver = Driver(fake, size, args.timeout)
                await driver.join_group()
                await asyncio.sleep(1)  # the start-up catch-up of the jobs runs once the backlog is read
                if args.tracemalloc:
                    await snapshot(child, trace_file)
                start_rss, _ = read_memory(child.pid)
                report = Report(
                    size.members, size.products, size.ledger_rows, rounds * 6,
                    min(rounds, size.members), round(seed_seconds, 1), round(start_rss, 1),
                )  # fmt: skip
                done = 0

                def on_update() -> None:
                    nonlocal done
                    done += 1

                quarter = max(1, rounds // 4)
                began = time.perf_counter()
                for first in range(0, rounds, args.concurrency):
                    batch = range(first, min(rounds, first + args.concurrency))
                    await asyncio.gather(*(driver.visit(index, on_update) for index in batch))
                    if (first // quarter) != ((first + len(batch)) // quarter) or first + len(batch) == rounds:
                        report.checkpoints.append((done, round(read_memory(child.pid)[0], 1)))
                        if args.tracemalloc and len(report.checkpoints) == 1:
                            await snapshot(child, trace_file)  # warmed up: the last one shows what grows
                report.updates_per_second = round(done / (time.perf_counter() - began), 1)
                report.end_rss_mb, hwm = read_memory(child.pid)
                report.end_rss_mb = round(report.end_rss_mb, 1)
                report.peak_rss_mb = round(hwm, 1)
                report.unanswered = driver.unanswered
                report.refused_calls = len(fake.errors)
                if args.tracemalloc:
                    report.tracemalloc = await snapshot(child, trace_file)
            finally:
                if child.returncode is None:
                    child.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(child.wait(), 30)
                    except TimeoutError:
                        child.kill()
                        await child.wait()
                sampler.cancel()
                await fake.stop()
            report.samples = samples
            report.threads = threads[0]
            return report


def markdown(report: Report) -> str:
    mark = "under" if report.peak_rss_mb < GOAL_MB else "OVER"
    lines = [
        f"`circlecart run` on PostgreSQL: {report.members:,} members, {report.products:,} products, "
        f"{report.ledger_rows:,} ledger rows (seeded in {report.seed_seconds} s); "
        f"{report.updates:,} updates from {report.distinct_members:,} distinct members "
        f"({report.updates_per_second} updates/s)",
        "",
        "| moment | RSS MB |",
        "|---|---:|",
        f"| polling, before any member's update | {report.start_rss_mb} |",
    ]
    lines += [f"| after {done:,} updates | {rss} |" for done, rss in report.checkpoints]
    lines += [f"| **peak (VmHWM)** | **{report.peak_rss_mb}** ({mark} the {GOAL_MB} MB goal) |"]
    arenas = os.environ.get("MALLOC_ARENA_MAX", "glibc's default")
    lines += ["", f"The child ran at most {report.threads} threads; MALLOC_ARENA_MAX: {arenas}."]
    if report.unanswered or report.refused_calls:
        lines += ["", f"WARNING: {report.unanswered} updates unanswered, {report.refused_calls} Bot API calls refused"]
    if report.tracemalloc:
        lines += ["", "```", report.tracemalloc.rstrip(), "```"]
    lines += ["", f"Python {platform.python_version()}, {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--ledger", type=int, default=1_000_000, help="points ledger rows")
    parser.add_argument("--updates", type=int, default=3_000, help="updates to send (six per member)")
    parser.add_argument("--concurrency", type=int, default=20, help="members acting at once")
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--sample", type=float, default=0.25, help="seconds between RSS samples")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one answer")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="TOP", help="trace the child's allocations")
    parser.add_argument("--frames", type=int, default=1, help="traceback depth with --tracemalloc")
    parser.add_argument("--child-log", action="store_true", help="show the child's log (stderr)")
    parser.add_argument("--json", action="store_true", help="the report as JSON (with every RSS sample)")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args))
    print(json.dumps(asdict(report), indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
