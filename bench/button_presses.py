"""Button presses per second: circlecart's full bot path against a bare echo bot, on aiogram and on PTB.

    .venv/bin/python -m bench.button_presses [--presses N] [--concurrency C] [--rounds 3] [--json]
    .venv/bin/python -m bench.button_presses --profile aiogram-full   # where the time of one row goes
    .venv/bin/python -m bench.button_presses --profile aiogram-full --sample DIR   # the same, sampled by py-spy

Every bot runs in this process against one in-process fake Telegram Bot API server
(``circlecart/sandbox/bot_api``, real HTTP on 127.0.0.1, every call checked against the Bot API spec), one bot at
a time, each with its own token and group:

- full: the real circlecart app (``circlecart.app.CircleCart``: domain + storage on a SQLite file in a temp
  dir + core + framework adapter, polling). A member presses the catalog's "Next ▶" / "◀ Previous" paging
  buttons: callback_query -> getUpdates -> handler -> member lookup + catalog page read -> editMessageText
  + answerCallbackQuery.
- bare: a minimal Dispatcher (aiogram) / Application (PTB) whose only handler edits the pressed message to a
  text that changes each time (with the other paging button) and answers the callback: the same two Bot API
  calls without business logic, i.e. the floor the framework (and the fake server) sets.

The bare bots are built with circlecart's own ``create_bot`` / ``build_application`` (same HTTP client set-up)
and report finished updates through the very hooks the adapters use (aiogram ``UpdateDoneMiddleware``, PTB
``UpdateDoneProcessor``) into the scenario tests' ``UpdateTracker``: a press counts as handled the same way
on every row. The fake server shares the process and the event loop, so its CPU is in every row alike.
Timings are a report, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import dataclasses
import inspect
import itertools
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from circlecart.sandbox.bot_api import FakeTelegram
from circlecart.sandbox.bot_api.world import FakeChat, FakeUser
from circlecart.sandbox.tracker import UpdateTracker

ROOT = Path(__file__).resolve().parent.parent
# The Stars-priced catalog the tests use (the example shop sells physical goods in euros now): the same
# products as every earlier run, so the figures compare.
CATALOG = ROOT / "tests" / "support" / "stars_catalog.yaml"
NEXT, PREVIOUS = "Next ▶", "◀ Previous"
FRAMEWORKS = ("aiogram", "ptb")
PATHS = ("full", "bare")
WAIT_TIMEOUT = 30.0

_bot_ids = itertools.count(700_001)
_group_ids = itertools.count(1)


# ------------------------------------------------------------------------------------------- bots under test


@dataclass
class Target:
    """A running bot and, for each member, the message with paging buttons that member presses."""

    framework: str
    path: str
    fake: FakeTelegram
    token: str
    tracker: UpdateTracker
    group: FakeChat
    members: list[FakeUser]
    message_ids: list[int]


class _Reporter:
    """Stands in for BotCore where the adapters' done-hooks only need `update_done(update_id, kind, seconds)`."""

    def __init__(self, listener: Callable[[int], None]) -> None:
        self._listener = listener

    def update_done(self, update_id: int, kind: str = "unknown", seconds: float = 0.0) -> None:
        self._listener(update_id)


def _register_bot(fake: FakeTelegram, name: str) -> str:
    bot_id = next(_bot_ids)
    token = f"{bot_id}:BENCH-{name}"
    fake.add_bot(token, bot_id, f"bench_{name.replace('-', '_')}_bot", name)
    return token


def _new_group(fake: FakeTelegram, title: str, bots_are_members: bool) -> FakeChat:
    return fake.group(-1009000000000 - next(_group_ids), title, bots_are_members=bots_are_members)


@asynccontextmanager
async def circlecart_target(
    fake: FakeTelegram, framework: str, members: list[FakeUser], workdir: Path
) -> AsyncIterator[Target]:
    """The real circlecart app on `framework`, the example catalog on a fresh SQLite file."""
    from circlecart.app import CircleCart
    from circlecart.catalog_io import import_file
    from circlecart.settings import Settings

    token = _register_bot(fake, f"full-{framework}")
    database_url = f"sqlite+aiosqlite:///{workdir / f'circlecart-{framework}.db'}"
    await import_file(database_url, CATALOG)
    tracker = UpdateTracker()
    settings = Settings(
        _env_file=None,
        bot_token=token,
        telegram_api_url=fake.base_url,
        database_url=database_url,
        framework=framework,
    )
    app = CircleCart(settings, update_listeners=[tracker.done])
    await app.start()
    try:
        group = _new_group(fake, f"Bench circlecart {framework}", bots_are_members=False)
        owner = fake.user(4999, "Owner")
        group.add_member(owner)
        group.set_admin(owner)
        added = await fake.add_bot_to_group(group, owner, bot=token)
        await tracker.wait(added.update_id, WAIT_TIMEOUT)  # type: ignore[arg-type]
        message_ids = []
        for member in members:  # every member opens their own catalog page with /shop
            said = await fake.send_message(member, group, "/shop", bot=token)
            await tracker.wait(said.update_id, WAIT_TIMEOUT)  # type: ignore[arg-type]
            page = fake.last(group, bot=token)
            if page is None or page.find_button(text=NEXT) is None:
                raise RuntimeError(f"circlecart answered /shop without a catalog page: {page!r}")
            message_ids.append(page.message_id)
        yield Target(framework, "full", fake, token, tracker, group, members, message_ids)
    finally:
        await app.stop()


def _turned(turns: itertools.count[int]) -> str:
    return f"Turned the page <b>{next(turns)}</b> times"


@asynccontextmanager
async def bare_aiogram_target(fake: FakeTelegram, members: list[FakeUser]) -> AsyncIterator[Target]:
    """A Dispatcher with one callback handler: editMessageText + answerCallbackQuery, nothing else."""
    from aiogram import Dispatcher, Router
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

    from bots.aiogram.router import UpdateDoneMiddleware
    from bots.aiogram.runner import create_bot, run_polling

    def paging(data: str) -> InlineKeyboardMarkup:
        text = NEXT if data == "next" else PREVIOUS
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)]])

    token = _register_bot(fake, "bare-aiogram")
    tracker = UpdateTracker()
    bot = create_bot(token, fake.base_url)  # the same Bot/session setup as circlecart's adapter
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(UpdateDoneMiddleware(_Reporter(tracker.done)))  # type: ignore[arg-type]
    router = Router()
    turns = itertools.count(1)

    @router.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        message = query.message
        assert message is not None
        other = "prev" if query.data == "next" else "next"
        await bot.edit_message_text(
            chat_id=message.chat.id, message_id=message.message_id, text=_turned(turns), reply_markup=paging(other)
        )
        await bot.answer_callback_query(query.id)

    dispatcher.include_router(router)
    group = _new_group(fake, "Bench bare aiogram", bots_are_members=True)
    message_ids = []
    for member in members:
        sent = await bot.send_message(group.id, f"{member.first_name}'s page", reply_markup=paging("next"))
        message_ids.append(sent.message_id)
    polling = asyncio.create_task(run_polling(bot, dispatcher, handle_signals=False))
    try:
        yield Target("aiogram", "bare", fake, token, tracker, group, members, message_ids)
    finally:
        with contextlib.suppress(RuntimeError):
            await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()


@asynccontextmanager
async def bare_ptb_target(fake: FakeTelegram, members: list[FakeUser]) -> AsyncIterator[Target]:
    """An Application with one CallbackQueryHandler: editMessageText + answerCallbackQuery, nothing else."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.constants import ParseMode
    from telegram.ext import CallbackQueryHandler, ContextTypes

    from bots.ptb.runner import UpdateDoneProcessor, build_application

    def paging(data: str) -> InlineKeyboardMarkup:
        text = NEXT if data == "next" else PREVIOUS
        return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]])

    token = _register_bot(fake, "bare-ptb")
    tracker = UpdateTracker()
    processor = UpdateDoneProcessor(_Reporter(tracker.done))  # type: ignore[arg-type]
    application = build_application(token, fake.base_url, processor)  # circlecart's own PTB wiring
    turns = itertools.count(1)

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        other = "prev" if query.data == "next" else "next"
        await context.bot.edit_message_text(
            _turned(turns),
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=paging(other),
        )
        await context.bot.answer_callback_query(query.id)

    application.add_handler(CallbackQueryHandler(on_press, block=True))
    group = _new_group(fake, "Bench bare ptb", bots_are_members=True)
    await application.initialize()
    message_ids = []
    for member in members:
        sent = await application.bot.send_message(group.id, f"{member.first_name}'s page", reply_markup=paging("next"))
        message_ids.append(sent.message_id)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
    try:
        yield Target("ptb", "bare", fake, token, tracker, group, members, message_ids)
    finally:
        if application.updater.running:
            with contextlib.suppress(RuntimeError):
                await application.updater.stop()
        if application.running:
            with contextlib.suppress(RuntimeError):
                await application.stop()
        await application.shutdown()


def target(fake: FakeTelegram, framework: str, path: str, members: list[FakeUser], workdir: Path) -> Any:
    if path == "full":
        return circlecart_target(fake, framework, members, workdir)
    return bare_aiogram_target(fake, members) if framework == "aiogram" else bare_ptb_target(fake, members)


# -------------------------------------------------------------------------------------------------- measuring


@dataclass
class Row:
    framework: str
    path: str
    sequential_presses: int
    sequential_per_s: float
    median_ms: float
    p95_ms: float
    cpu_ms: float  # process CPU time (every thread: bot, fake server, SQLite) per press
    concurrency: int
    concurrent_presses: int
    concurrent_per_s: float
    concurrent_median_ms: float
    concurrent_p95_ms: float
    concurrent_cpu_ms: float
    rejected_calls: int  # Bot API calls the fake refused during the run (should be 0)
    unanswered: int  # measured presses whose callback query was never answered (should be 0)


@dataclass
class Timing:
    wall: float
    cpu: float
    latencies: list[float]


async def press(bot: Target, index: int, query_ids: list[str]) -> float:
    """Member `index` presses whichever paging button their message shows; seconds until handled."""
    page = bot.group.messages[bot.message_ids[index]]
    text = NEXT if page.find_button(text=NEXT) is not None else PREVIOUS
    start = time.perf_counter()
    delivered = await bot.fake.press_button(bot.members[index], page, text=text, bot=bot.token)
    await bot.tracker.wait(delivered.update_id, WAIT_TIMEOUT)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    query_ids.append(delivered.query_id)  # type: ignore[arg-type]
    return elapsed


async def sequential(bot: Target, presses: int, query_ids: list[str]) -> Timing:
    """One member presses, waits until the bot has handled it, presses again."""
    latencies = []
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(presses):
        latencies.append(await press(bot, 0, query_ids))
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, latencies)


async def concurrent(bot: Target, batches: int, query_ids: list[str]) -> Timing:
    """`batches` rounds of every member pressing at once (asyncio.gather)."""
    latencies: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(batches):
        latencies += await asyncio.gather(*(press(bot, i, query_ids) for i in range(len(bot.members))))
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, latencies)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


async def measure(bot: Target, presses: int, warmup: int) -> Row:
    scratch: list[str] = []
    await sequential(bot, warmup, scratch)
    await concurrent(bot, 1, scratch)  # every member has pressed once before measuring
    errors_before = len(bot.fake.errors)
    seq_ids: list[str] = []
    con_ids: list[str] = []
    # No gc.collect() here: a full collection would also throw away pydantic's cached parametrized
    # generics (aiogram's Response[T]), which a running bot only loses now and then.
    seq = await sequential(bot, presses, seq_ids)
    width = len(bot.members)
    batches = max(1, round(presses / width))
    con = await concurrent(bot, batches, con_ids)
    rejected = sum(1 for e in bot.fake.errors[errors_before:] if e.token == bot.token)
    unanswered = sum(1 for q in seq_ids + con_ids if bot.fake.callback_answer(q) is None)
    return Row(
        framework=bot.framework,
        path=bot.path,
        sequential_presses=presses,
        sequential_per_s=presses / seq.wall,
        median_ms=statistics.median(seq.latencies) * 1000,
        p95_ms=p95(seq.latencies) * 1000,
        cpu_ms=seq.cpu * 1000 / presses,
        concurrency=width,
        concurrent_presses=batches * width,
        concurrent_per_s=batches * width / con.wall,
        concurrent_median_ms=statistics.median(con.latencies) * 1000,
        concurrent_p95_ms=p95(con.latencies) * 1000,
        concurrent_cpu_ms=con.cpu * 1000 / (batches * width),
        rejected_calls=rejected,
        unanswered=unanswered,
    )


ROWS = [f"{framework}-{path}" for framework in FRAMEWORKS for path in PATHS]


def median_row(rounds: list[Row]) -> Row:
    """One row from several rounds of it: each figure's median; refusals and unanswered presses summed."""
    first = rounds[0]
    figures = {
        name: statistics.median(getattr(row, name) for row in rounds)
        for name in (
            "sequential_per_s", "median_ms", "p95_ms", "cpu_ms",
            "concurrent_per_s", "concurrent_median_ms", "concurrent_p95_ms", "concurrent_cpu_ms",
        )
    }  # fmt: skip
    return dataclasses.replace(
        first,
        **figures,
        rejected_calls=sum(row.rejected_calls for row in rounds),
        unanswered=sum(row.unanswered for row in rounds),
    )


async def run(presses: int, concurrency: int, warmup: int, only: list[str]) -> list[Row]:
    rows = []
    fake = FakeTelegram()
    await fake.start()
    try:
        members = [fake.user(5000 + i, f"Member{i}") for i in range(concurrency)]
        with tempfile.TemporaryDirectory(prefix="circlecart-bench-") as workdir:
            for name in ROWS:
                if only and name not in only:
                    continue
                framework, path = name.split("-")
                started = time.perf_counter()
                async with target(fake, framework, path, members, Path(workdir)) as bot:
                    rows.append(await measure(bot, presses, warmup))
                print(f"  {name}: {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
    finally:
        await fake.stop()
    return rows


# -------------------------------------------------------------------------------------------------- profiling

AREAS = [
    (str(ROOT / "circlecart" / "sandbox" / "bot_api"), "fake Bot API server (circlecart/sandbox/bot_api)"),
    (str(ROOT / "tests"), "bench harness (tracker)"),
    (str(ROOT / "bench"), "bench harness (tracker)"),
    (str(ROOT / "bots"), "circlecart bots/ (core + adapter)"),
    (str(ROOT / "domain"), "circlecart domain/"),
    (str(ROOT / "storage"), "circlecart storage/"),
    (str(ROOT / "circlecart"), "circlecart app"),
    ("/aiogram/", "aiogram"),
    ("/telegram/", "python-telegram-bot"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/aiosqlite/", "aiosqlite"),
    ("/aiohttp/", "aiohttp"),
    ("/multidict/", "aiohttp"),
    ("/yarl/", "aiohttp"),
    ("/httpx/", "httpx/httpcore"),
    ("/httpcore/", "httpx/httpcore"),
    ("/h11/", "httpx/httpcore"),
    ("/anyio/", "httpx/httpcore"),
    ("/pydantic", "pydantic"),
    ("/asyncio/", "asyncio"),
    ("/json/", "json"),
    ("/copy.py", "copy (deepcopy)"),
]


_RESUMABLE = inspect.CO_COROUTINE | inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR
IDLE = "idle (epoll wait: SQLite thread, sockets)"


def area(code: Any) -> str:
    if isinstance(code, str):  # a C function
        return IDLE if "poll' of 'select.epoll" in code else "C builtins"
    for marker, name in AREAS:
        if marker in code.co_filename:
            return name
    return "other stdlib / libraries"


# py-spy names a frame "function (path:line)", the path cut after site-packages/ or at the working directory.
SAMPLED_AREAS = [
    ("circlecart/sandbox/bot_api/", "fake Bot API server (circlecart/sandbox/bot_api)"),
    ("bench/", "bench harness (tracker)"),
    ("tests/", "bench harness (tracker)"),
    ("bots/", "circlecart bots/ (core + adapter)"),
    ("domain/", "circlecart domain/"),
    ("storage/", "circlecart storage/"),
    ("circlecart/", "circlecart app"),
    *((marker.strip("/") + "/", name) for marker, name in AREAS if marker.startswith("/") and marker.endswith("/")),
    ("pydantic", "pydantic"),
    ("copy.py", "copy (deepcopy)"),
    ("selectors.py", IDLE),
]


def sampled_area(frame: str) -> str:
    location = frame.rpartition("(")[2]
    for marker, name in SAMPLED_AREAS:
        if location.startswith(marker) or f"/{marker}" in location:
            return name
    return "other stdlib / libraries"


def report_samples(path: Path, presses: int, elapsed: float, rate: int) -> str:
    """The event loop's thread's samples by the area of the function running: where a press's time goes.

    Samples of other threads (the thread pool's and aiosqlite's workers, mostly waiting) are left out: their
    stacks begin in threading's bootstrap, the event loop's in the program itself (or, inside SQLAlchemy's
    greenlets, in the greenlet's first function)."""
    by_area: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not stack or frames[0].startswith("Thread._bootstrap"):
            continue
        total += int(count)
        name = sampled_area(frames[-1])
        by_area[name] = by_area.get(name, 0) + int(count)

    def per_press(samples: int) -> float:
        return samples / rate * 1000 / presses

    lines = [
        f"{presses} sequential presses in {elapsed:.2f}s ({presses / elapsed:.0f}/s), sampled by py-spy at {rate}/s "
        f"into {path}: the event loop's thread ran {per_press(total):.2f} ms a press. By area (the function running):"
    ]
    for name, samples in sorted(by_area.items(), key=lambda item: -item[1]):
        lines.append(f"  {100 * samples / max(total, 1):5.1f}%  {per_press(samples):6.2f} ms/press  {name}")
    return "\n".join(lines)


def where(code: Any) -> str:
    if isinstance(code, str):
        return code
    short = code.co_filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
    return f"{short}:{code.co_firstlineno} {code.co_qualname}"


def report_profile(profile: cProfile.Profile, presses: int, elapsed: float, top: int = 12) -> str:
    """Own time by area, the top functions by own time, and the top plain (not async) functions by
    cumulative time: cProfile's cumulative time of a coroutine counts each resumption, so it is left out."""
    entries = profile.getstats()
    total = sum(entry.inlinetime for entry in entries)
    by_area: dict[str, float] = {}
    for entry in entries:
        by_area[area(entry.code)] = by_area.get(area(entry.code), 0.0) + entry.inlinetime
    lines = [
        f"{presses} sequential presses in {elapsed:.2f}s under cProfile ({presses / elapsed:.0f}/s profiled; "
        "cProfile slows Python code several-fold, so read shares, not absolute ms). "
        "Own time by area (event-loop thread only):"
    ]
    for name, seconds in sorted(by_area.items(), key=lambda item: -item[1]):
        lines.append(f"  {100 * seconds / total:5.1f}%  {seconds * 1000 / presses:6.2f} ms/press  {name}")
    lines.append(f"Top {top} functions by own time:")
    for entry in sorted(entries, key=lambda e: -e.inlinetime)[:top]:
        lines.append(
            f"  {100 * entry.inlinetime / total:5.1f}%  {entry.callcount / presses:7.1f} calls/press  "
            f"{where(entry.code)}"
        )
    lines.append(f"Top {top} plain functions by cumulative time (nested: shares overlap):")
    plain = [
        entry
        for entry in entries
        if not isinstance(entry.code, str)
        and not entry.code.co_flags & _RESUMABLE
        and "/asyncio/" not in entry.code.co_filename
        and "/tests/support/" not in entry.code.co_filename
    ]
    for entry in sorted(plain, key=lambda e: -e.totaltime)[:top]:
        lines.append(
            f"  {100 * entry.totaltime / total:5.1f}%  {entry.callcount / presses:7.1f} calls/press  "
            f"{where(entry.code)}"
        )
    return "\n".join(lines)


async def run_profile(which: str, presses: int, concurrency: int, warmup: int, sample: Path | None = None) -> str:
    """cProfile the sequential presses of one row; or, with `sample`, have py-spy sample them into that folder."""
    from bench.drop_rush import SPY_RATE, profiling

    framework, path = which.split("-")
    fake = FakeTelegram()
    await fake.start()
    try:
        members = [fake.user(5000 + i, f"Member{i}") for i in range(concurrency)]
        with tempfile.TemporaryDirectory(prefix="circlecart-bench-") as workdir:
            async with target(fake, framework, path, members, Path(workdir)) as bot:
                await sequential(bot, warmup, [])
                if sample is not None:
                    async with profiling(os.getpid(), sample, which):
                        elapsed = (await sequential(bot, presses, [])).wall
                    return f"Samples of {which}: " + report_samples(sample / f"{which}.txt", presses, elapsed, SPY_RATE)
                profile = cProfile.Profile()
                profile.enable()
                elapsed = (await sequential(bot, presses, [])).wall
                profile.disable()
    finally:
        await fake.stop()
    return f"Profile of {which}: " + report_profile(profile, presses, elapsed)


# ------------------------------------------------------------------------------------------------------ output

LABELS = {"full": "full circlecart", "bare": "bare echo bot"}


def markdown(rows: list[Row]) -> str:
    width = rows[0].concurrency if rows else 0
    lines = [
        "| Framework | Path | Sequential presses/s | median ms | p95 ms | CPU ms/press "
        f"| {width} at once: presses/s | median ms | p95 ms | CPU ms/press |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for framework in FRAMEWORKS:
        mine = {row.path: row for row in rows if row.framework == framework}
        for row in mine.values():
            lines.append(
                f"| {framework} | {LABELS[row.path]} | {row.sequential_per_s:.0f} | {row.median_ms:.1f} "
                f"| {row.p95_ms:.1f} | {row.cpu_ms:.1f} | {row.concurrent_per_s:.0f} "
                f"| {row.concurrent_median_ms:.0f} | {row.concurrent_p95_ms:.0f} | {row.concurrent_cpu_ms:.1f} |"
            )
        if "full" in mine and "bare" in mine:
            full, bare = mine["full"], mine["bare"]
            lines.append(
                f"| {framework} | **full / bare** | **{full.sequential_per_s / bare.sequential_per_s:.2f}×** "
                f"| {full.median_ms - bare.median_ms:+.1f} | {full.p95_ms - bare.p95_ms:+.1f} "
                f"| {full.cpu_ms - bare.cpu_ms:+.1f} "
                f"| **{full.concurrent_per_s / bare.concurrent_per_s:.2f}×** "
                f"| {full.concurrent_median_ms - bare.concurrent_median_ms:+.0f} "
                f"| {full.concurrent_p95_ms - bare.concurrent_p95_ms:+.0f} "
                f"| {full.concurrent_cpu_ms - bare.concurrent_cpu_ms:+.1f} |"
            )
    problems = [row for row in rows if row.rejected_calls or row.unanswered]
    for row in problems:
        lines.append(
            f"\nWARNING {row.framework} {row.path}: {row.rejected_calls} rejected Bot API calls, "
            f"{row.unanswered} unanswered presses: these figures measure a failing path."
        )
    return "\n".join(lines)


def busy_cpu_seconds() -> float | None:
    """CPU seconds every process on the machine has used (Linux /proc/stat), None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def environment() -> dict[str, Any]:
    import aiogram
    import sqlalchemy
    import telegram

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "aiogram": aiogram.__version__,
        "python-telegram-bot": telegram.__version__,
        "sqlalchemy": sqlalchemy.__version__,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.button_presses", description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=300, help="measured presses per row and mode (300)")
    parser.add_argument("--concurrency", type=int, default=20, help="members pressing at once (20)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured presses first (20)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every row this many times, the rows taking turns, and report each figure's median (3):"
        " on a shared machine one round of a row can run a third slower than the next",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the Markdown table")
    parser.add_argument(
        "--profile",
        choices=ROWS,
        help="instead: cProfile the sequential presses of one row and print where the time goes",
    )
    parser.add_argument(
        "--sample",
        type=Path,
        metavar="DIR",
        help="with --profile: sample with py-spy (uv pip install py-spy) into DIR instead of cProfile: real"
        " proportions, without cProfile's inflation of Python code",
    )
    parser.add_argument(
        "--only", action="append", choices=ROWS, default=[], help="measure only these rows (repeatable)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.profile:
        print(asyncio.run(run_profile(args.profile, args.presses, args.concurrency, args.warmup, args.sample)))
        return
    busy_before, own_before, started = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    rounds = [asyncio.run(run(args.presses, args.concurrency, args.warmup, args.only)) for _ in range(args.rounds)]
    rows = [median_row([round_[i] for round_ in rounds]) for i in range(len(rounds[0]))]
    wall, busy_after, own = time.perf_counter() - started, busy_cpu_seconds(), own_cpu_seconds() - own_before
    env = environment()
    # Other processes on the machine skew every figure: say how much CPU they took meanwhile.
    others = None if busy_before is None or busy_after is None else max(0.0, busy_after - busy_before - own)
    env["other_processes_cpu_percent"] = None if others is None else round(100 * others / wall)
    if args.json:
        report = {"environment": env, "wall_s": round(wall, 1), "rounds": args.rounds}
        report["rows"] = [asdict(r) for r in rows]
        print(json.dumps(report))
        return
    print(markdown(rows))
    print(
        f"\n{args.presses} sequential presses after {args.warmup} warm-up, then "
        f"{rows[0].concurrent_presses} presses {args.concurrency} at once, per row; each figure the median of "
        f"{args.rounds} round(s), the rows taking turns; whole run {wall:.0f}s. "
        f"Python {env['python']}, {env['cpus']} CPUs, aiogram {env['aiogram']}, "
        f"python-telegram-bot {env['python-telegram-bot']}"
        + ("." if others is None else f"; other processes used {100 * others / wall:.0f}% of a CPU meanwhile.")
    )


if __name__ == "__main__":
    main()
