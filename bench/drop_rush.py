"""The rush through the whole bot: M members pay at once for U units of a drop. How long does each wait?

    .venv/bin/python -m bench.drop_rush [--members 500] [--units 100] [--only sqlite/aiogram] [--json]
                                        [--in-process] [--profile DIR]

By default the bot runs as production runs it: ``circlecart run`` in a process of its own, long-polling the
fake Telegram Bot API server (real HTTP on 127.0.0.1, every call spec-checked), which runs in this process
with the members. The shop's database (a SQLite file, or a fresh PostgreSQL database) gets the test catalog;
the bot is added to a group whose moderator allows the brand with /brands. Then a first-come drop of U units,
limit one per member, is scheduled and the bot started again: its catch-up at start opens the drop and
announces it in the group. Every member presses Buy (50 at a time: the rush under test is the paying), then
all submit the payment form at the same moment.

Reported per backend and framework: the time from a member's pre-checkout query to the bot's answer as the
fake server saw it (Telegram allows 10 s; the fake refuses a later answer, counted as unanswered), as p50,
p95, p99 and max; the time until every payment has settled (the drop's sold count reached the payments); and
how many were paid (must be U) and refused (M - U); and the CPU seconds the bot process and this one (the
fake server and the members) spent in the rush.

``--in-process`` runs the bot and the fake server in one event loop (``tests/scenarios/harness.py``), as
earlier versions of this bench did: the figures then include the fake's own work. ``--profile DIR`` samples
the bot process with py-spy (``uv pip install py-spy``) from the first payment form until all settled, and
writes collapsed stacks there. Timings are a report, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.databases import fresh_database

ROOT = Path(__file__).resolve().parent.parent
# The Stars-priced catalog the tests use (the example shop sells physical goods in euros now): the same
# products as every earlier run, so the figures compare.
CATALOG = ROOT / "tests" / "support" / "stars_catalog.yaml"
BACKENDS = ("sqlite", "postgres")
FRAMEWORKS = ("aiogram", "ptb")
IN_PROCESS_RUNS = (("sqlite", "aiogram"), ("postgres", "ptb"))  # what earlier versions of this bench ran
BRAND = "Celadon Studio"
SKU = "TEA-SET-01"
PRICE = 200
OPENS_AFTER = timedelta(seconds=1)
BOT_TOKEN = "123456:TEST-circlecart"
BOT_ID = 123456
BOT_USERNAME = "circlecart_test_bot"


@dataclass
class RushResult:
    backend: str
    framework: str
    mode: str
    members: int
    units: int
    paid: int
    refused: int
    unanswered: int
    answer_p50_seconds: float
    answer_p95_seconds: float
    answer_p99_seconds: float
    answer_max_seconds: float
    all_settled_seconds: float
    # CPU seconds spent from the first payment form until all settled: by the bot process, and by this one
    # (the fake server and the members). With separate processes the sum shows what a busy machine took.
    bot_cpu_seconds: float | None = None
    fake_cpu_seconds: float | None = None
    # The slowest answers to paid and to refused forms, apart: which kind makes the tail.
    paid_answer_max_seconds: float | None = None
    refused_answer_max_seconds: float | None = None


def quantile(ordered: list[float], q: float) -> float:
    """Nearest rank: the smallest wait that at least a fraction q of the answers did not exceed."""
    if not ordered:
        return math.inf
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 3)


def result(backend: str, framework: str, mode: str, members: int, units: int, fake: Any, paid: list[Any],
           settled: float, cpu: tuple[float | None, float | None] = (None, None)) -> RushResult:  # fmt: skip
    answered = [(r, fake.queries[r.pre_checkout_query_id]) for r in paid]
    waits = sorted(q.answered_at - q.created_at for _, q in answered if q.answered_at is not None)
    paid_waits = [q.answered_at - q.created_at for r, q in answered if q.answered_at is not None and r.accepted]
    refused_waits = [q.answered_at - q.created_at for r, q in answered if q.answered_at is not None and not r.accepted]
    return RushResult(
        backend=backend,
        framework=framework,
        mode=mode,
        members=members,
        units=units,
        paid=sum(r.accepted for r in paid),
        refused=sum(r.answered and not r.accepted for r in paid),
        unanswered=sum(not r.answered for r in paid),
        answer_p50_seconds=quantile(waits, 0.50),
        answer_p95_seconds=quantile(waits, 0.95),
        answer_p99_seconds=quantile(waits, 0.99),
        answer_max_seconds=quantile(waits, 1.0),
        all_settled_seconds=round(settled, 2),
        bot_cpu_seconds=None if cpu[0] is None else round(cpu[0], 2),
        fake_cpu_seconds=None if cpu[1] is None else round(cpu[1], 2),
        paid_answer_max_seconds=round(max(paid_waits), 3) if paid_waits else None,
        refused_answer_max_seconds=round(max(refused_waits), 3) if refused_waits else None,
    )


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process so far (Linux), None where /proc does not tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the bot in this process (as earlier versions of the bench) ------------------------------------------------


async def rush_in_process(backend: str, framework: str, members: int, units: int, directory: Path) -> RushResult:
    from tests.scenarios.drops_steps import open_rush_drop, press_buy_in_waves
    from tests.scenarios.harness import running_shop

    async with (
        fresh_database(backend, directory) as url,
        running_shop(framework, url, str(CATALOG)) as shop,
    ):
        opened = await open_rush_drop(shop, units)
        buyers = [shop.member(f"Buyer{i}") for i in range(members)]
        invoices = await press_buy_in_waves(shop, buyers, opened.announcement, opened.drop.id, opened.group)

        started = time.perf_counter()
        results = await asyncio.gather(*(shop.pay(m, inv) for m, inv in zip(buyers, invoices, strict=True)))
        settled = time.perf_counter() - started
    return result(backend, framework, "in-process", members, units, shop.fake, results, settled)


# -- the bot in its own process, as in production ---------------------------------------------------------------


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Seeder:
    """What `tests.scenarios.drops_steps.schedule` needs of a shop: a unit of work and a clock."""

    uow: Any
    clock: SystemClock


def circlecart_command() -> list[str]:
    """The documented command, from the venv this bench runs in."""
    script = Path(sys.executable).with_name("circlecart")
    return [str(script)] if script.exists() else [sys.executable, "-m", "circlecart.cli"]


@contextlib.asynccontextmanager
async def bot_process(framework: str, url: str, fake: Any, directory: Path) -> AsyncIterator[Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    env.update(
        CIRCLECART_BOT_TOKEN=BOT_TOKEN,
        CIRCLECART_TELEGRAM_API_URL=fake.base_url,
        CIRCLECART_DATABASE_URL=url,
        CIRCLECART_FRAMEWORK=framework,
        CIRCLECART_LOG_LEVEL="WARNING",
    )
    log = (directory / "bot.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        *circlecart_command(), "run", env=env, cwd=directory, stdout=log, stderr=log
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()
        if process.returncode not in (0, -signal.SIGTERM):
            tail = (directory / "bot.log").read_text(errors="replace")[-3000:]
            print(f"circlecart run exited with {process.returncode}:\n{tail}", file=sys.stderr)


async def answered(fake: Any, delivered: Any, within: float = 30) -> None:
    assert delivered.query_id is not None
    if not await fake.queries[delivered.query_id].wait_answered(within):
        raise TimeoutError(f"the bot did not answer callback query {delivered.query_id}")


async def sent_after(fake: Any, chat: Any, count: int) -> list[Any]:
    await fake.wait_for_sent(chat, count + 1, timeout=30)
    return list(fake.sent(chat)[count:])


def is_buy(button: dict[str, Any]) -> bool:
    return "dbuy" in str(button.get("callback_data", "")).split(":")


SPY_RATE = 250  # py-spy's samples a second


@contextlib.asynccontextmanager
async def profiling(pid: int, directory: Path | None, name: str) -> AsyncIterator[None]:
    """py-spy samples the bot process for as long as the block runs (nothing when not asked to)."""
    if directory is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before the rush
    out = directory / f"{name}.txt"
    process = await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--rate", str(SPY_RATE), "--format", "raw", "--output", str(out),
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # py-spy attaches
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        await process.wait()
        print(f"profile of the bot process: {out}", file=sys.stderr)


async def rush_separate(
    backend: str, framework: str, members: int, units: int, directory: Path, profile: Path | None
) -> RushResult:
    from circlecart.catalog_io import import_file
    from circlecart.sandbox.bot_api.server import FakeTelegram
    from storage.database import Database
    from tests.scenarios.drops_steps import schedule

    async with fresh_database(backend, directory) as url:
        await import_file(url, CATALOG)
        database = await Database.connect(url)
        fake = FakeTelegram()
        await fake.start()
        try:
            fake.add_bot(BOT_TOKEN, BOT_ID, BOT_USERNAME, "circlecart")
            async with bot_process(framework, url, fake, directory):
                await fake.wait_for(lambda _: fake.commands("all_private_chats"), timeout=120)
                group = await group_allows_the_brand(fake)
            # Due by the time the bot is back: its catch-up at start opens the drop in the group, however long
            # a busy machine takes to start it (a drop due while it runs would wait for the next reconciliation).
            drop = await schedule(
                Seeder(database.uow, SystemClock()),  # type: ignore[arg-type]
                sku=SKU, brand=BRAND, quantity=units, price=PRICE, starts_in=OPENS_AFTER, limit=1,
            )  # fmt: skip
            async with bot_process(framework, url, fake, directory) as process:
                announcement = await fake.wait_for(lambda _: announced(fake, group), timeout=120)
                buyers = [fake.user(100_000 + i, f"Buyer{i}") for i in range(members)]
                for start in range(0, members, 50):
                    wave = buyers[start : start + 50]
                    presses = [await fake.press_button(m, announcement, is_buy_data(announcement)) for m in wave]
                    await asyncio.gather(*(answered(fake, p) for p in presses))
                invoices = await invoices_of(fake, database, group, drop.id, buyers)

                async with profiling(process.pid, profile, f"{backend}-{framework}"):
                    bot_cpu, own_cpu = cpu_seconds(process.pid), time.process_time()
                    started = time.perf_counter()
                    results = await asyncio.gather(*(fake.pay(m, inv) for m, inv in zip(buyers, invoices, strict=True)))
                    await sold_reaches(database, drop.id, sum(r.accepted for r in results))
                    settled = time.perf_counter() - started
                    bot_after = cpu_seconds(process.pid)
                    used = (None if bot_cpu is None or bot_after is None else bot_after - bot_cpu,
                            time.process_time() - own_cpu)  # fmt: skip
        finally:
            await fake.stop()
            await database.engine.dispose()
    return result(backend, framework, "separate", members, units, fake, results, settled, used)


def is_buy_data(announcement: Any) -> str:
    return str(next(b["callback_data"] for b in announcement.buttons if is_buy(b)))


def announced(fake: Any, group: Any) -> Any:
    return next((m for m in reversed(fake.sent(group)) if any(is_buy(b) for b in m.buttons)), None)


async def group_allows_the_brand(fake: Any) -> Any:
    """The bot joins a group as admin and its moderator allows the brand with /brands."""
    moderator = fake.user(90_001, "Lin")
    group = fake.group(-1001000000001, "Tea Lovers", bots_are_members=False)
    group.add_member(moderator)
    group.set_admin(moderator)
    before = len(fake.sent(group))
    await fake.add_bot_to_group(group, moderator, status="administrator")
    await fake.wait_for_sent(group, before + 1, timeout=30)  # the bot greets the group: it knows it now
    before = len(fake.sent(group))
    await fake.send_message(moderator, group, "/brands")
    (menu,) = (m for m in await sent_after(fake, group, before) if f"⛔ {BRAND}" in m.button_texts)
    await answered(fake, await fake.press_button(moderator, menu, text=f"⛔ {BRAND}"))
    return group


async def invoices_of(fake: Any, database: Any, group: Any, drop_id: int, buyers: list[Any]) -> list[Any]:
    """Each member's invoice, found by the order their claim holds (the bot sends them to the group)."""
    payloads = []
    async with database.uow() as uow:
        for member in buyers:
            claim = await uow.drop_claims.open_for(drop_id, member.id)
            assert claim is not None, f"member {member.id} holds no claim after pressing Buy"
            payloads.append(f"drop:{claim.order_id}")

    def all_sent(_: Any) -> Any:
        invoices = {m.invoice.payload: m for m in fake.sent(group) if m.invoice is not None}
        return [invoices[p] for p in payloads] if all(p in invoices for p in payloads) else None

    return await fake.wait_for(all_sent, timeout=60)  # type: ignore[no-any-return]


async def sold_reaches(database: Any, drop_id: int, paid: int) -> None:
    deadline = time.perf_counter() + 120
    while True:
        async with database.uow() as uow:
            drop = await uow.drops.get(drop_id)
        if drop.sold >= paid:
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{drop.sold} of {paid} payments settled")
        await asyncio.sleep(0.02)


# -- the report -------------------------------------------------------------------------------------------------


async def run(
    members: int, units: int, runs: list[tuple[str, str]], in_process: bool, profile: Path | None
) -> dict[str, Any]:
    results = []
    for backend, framework in runs:
        with tempfile.TemporaryDirectory() as directory:
            if in_process:
                results.append(await rush_in_process(backend, framework, members, units, Path(directory)))
            else:
                results.append(await rush_separate(backend, framework, members, units, Path(directory), profile))
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rush": [asdict(r) for r in results],
    }


def chosen_runs(only: list[str], in_process: bool) -> list[tuple[str, str]]:
    every = list(IN_PROCESS_RUNS) if in_process else [(b, f) for b in BACKENDS for f in FRAMEWORKS]
    if not only:
        return every
    wanted = []
    for item in only:
        backend, _, framework = item.partition("/")
        matches = [(b, f) for b in BACKENDS for f in FRAMEWORKS if b == backend and framework in ("", f)]
        if not matches:
            raise SystemExit(f"--only {item}: give backend[/framework] from {BACKENDS} and {FRAMEWORKS}")
        wanted += matches
    return wanted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drop_rush", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument(
        "--only", action="append", default=[], metavar="BACKEND[/FRAMEWORK]",
        help="run only these (repeatable), e.g. sqlite/aiogram or postgres",
    )  # fmt: skip
    parser.add_argument("--in-process", action="store_true", help="bot and fake server in one event loop")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="py-spy the bot process during the rush")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    runs = chosen_runs(args.only, args.in_process)
    report = asyncio.run(run(args.members, args.units, runs, args.in_process, args.profile))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['machine']}; load average {report['load_average']} at the end")
    print()
    print(
        "| backend | framework | bot | paid | refused | unanswered | p50 s | p95 s | p99 s | max s | all settled s "
        "| bot CPU s | fake CPU s |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in report["rush"]:
        print(
            f"| {r['backend']} | {r['framework']} | {r['mode']} | {r['paid']} | {r['refused']} | {r['unanswered']} "
            f"| {r['answer_p50_seconds']:.2f} | {r['answer_p95_seconds']:.2f} | {r['answer_p99_seconds']:.2f} "
            f"| {r['answer_max_seconds']:.2f} | {r['all_settled_seconds']:.2f} "
            f"| {cpu(r['bot_cpu_seconds'])} | {cpu(r['fake_cpu_seconds'])} |"
        )


def cpu(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f}"


if __name__ == "__main__":
    main()
