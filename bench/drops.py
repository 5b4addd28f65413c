"""Drops under load: how fast the announcement reaches 100 groups, and drop claims per second.

    .venv/bin/python -m bench.drops [--groups 100] [--concurrency 16] [--seconds 5] [--json]

1. Announcement latency: the real app (``circlecart.app.CircleCart`` on aiogram, SQLite file in a temp dir)
   against the in-process fake Telegram Bot API server (real HTTP on 127.0.0.1, every call spec-checked).
   N groups allowed the brand; the drop's start comes; the reconciler opens it (exactly what the
   date-triggered job does at the start time) and the outbox sender delivers one announcement per group
   within Telegram's limits (30 messages/s overall). Reported: seconds from the start to the first and to
   the last group's announcement, and the floor the 30/s limit sets (N / 30).
2. Claims per second, on SQLite and on PostgreSQL: C concurrent tasks each run units of work that claim one
   unit (``drops.claim_units``: ``UPDATE drops SET claimed = claimed + 1 WHERE id = ? AND status IN (...)
   AND claimed + 1 <= quantity``, one transaction each) for S seconds; and the full claim of a purchase
   (member allowance upsert + its conditional update + the unit claim). Next to them, in the same run,
   pgbench with C clients runs the very same conditional UPDATE against the same PostgreSQL database: the
   database's own rate for it, without Python, SQLAlchemy or asyncpg in the way.

Every claim targets one hot row (one drop), as in a real rush. Timings are a report, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from domain.drops.model import DropPlan, DropStatus
from domain.money import Money
from domain.shop.products import NewProduct
from storage.database import Database
from tests.support.databases import fresh_database, postgres_admin_dsn

ROOT = Path(__file__).resolve().parent.parent
# The Stars-priced catalog the tests use (the example shop sells physical goods in euros now): the same
# products as every earlier run, so the figures compare.
CATALOG = ROOT / "tests" / "support" / "stars_catalog.yaml"
HUGE = 1_000_000_000  # units: the claims measured never run out


@dataclass
class AnnouncementResult:
    groups: int
    first_seconds: float
    last_seconds: float
    floor_seconds: float


@dataclass
class ClaimResult:
    backend: str
    what: str
    concurrency: int
    claims: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0


# -- 1. announcement latency -------------------------------------------------------------------------------
async def announcement_latency(groups: int) -> AnnouncementResult:
    from tests.scenarios.drops_steps import OPERATOR
    from tests.scenarios.harness import running_shop

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        async with running_shop("aiogram", url, str(CATALOG)) as shop:
            chats = [shop.fake.group(-1002000000000 - i, f"Circle {i}") for i in range(groups)]
            async with shop.uow() as uow:
                brand = await uow.brands.get_by_name("Celadon Studio")
                product = await uow.products.get_by_sku("TEA-SET-01")
                now = shop.clock.now()
                for chat in chats:
                    await uow.communities.save(_community(chat.id, chat.title, now))
                    await uow.brand_optins.set(chat.id, brand.id, True, 1, now)
                from domain.drops import scheduling

                await uow.products.recount(product.id, product.counted + 100)  # the drop's units on the shelf
                plan = DropPlan(
                    brand.id,
                    product.id,
                    100,
                    Money(200, "XTR"),
                    now + timedelta(minutes=30),
                    now + timedelta(hours=2),
                    communities=(),
                )
                drop = await scheduling.schedule_drop(uow, now, OPERATOR, plan)
                await uow.commit()
            shop.clock.set(drop.starts_at)
            started = time.perf_counter()
            await shop.app.jobs.run_now("drops_reconcile")  # type: ignore[union-attr]
            arrived: dict[int, float] = {}
            deadline = started + 120
            while len(arrived) < groups and time.perf_counter() < deadline:
                for chat in chats:
                    if chat.id not in arrived and shop.fake.sent(chat):
                        arrived[chat.id] = time.perf_counter() - started
                await asyncio.sleep(0.005)
    times = sorted(arrived.values())
    return AnnouncementResult(len(times), times[0], times[-1], groups / 30)


def _community(chat_id: int, title: str, now: Any) -> Any:
    from domain.communities import Community

    return Community(chat_id=chat_id, title=title, active=True, joined_at=now)


# -- 2. claims per second ----------------------------------------------------------------------------------
async def _hot_drop(database: Database) -> int:
    from domain.drops.model import DropStatus as Status

    async with database.uow() as uow:
        brand = await uow.brands.add("Bench brand")
        product = await uow.products.add(
            NewProduct("BENCH-1", "Bench product", "", Money(200, "XTR"), 1, brand_id=brand.id)
        )
        now = _now()
        plan = DropPlan(brand.id, product.id, HUGE, Money(200, "XTR"), now, now + timedelta(hours=1), 1)
        drop = await uow.drops.add(plan, product.title, Status.OPEN, 0, now, None, None)
        await uow.commit()
    return drop.id


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def _run_claims(database: Database, drop_id: int, concurrency: int, seconds: float, full: bool) -> int:
    done = 0
    stop_at = time.perf_counter() + seconds
    users = iter(range(1, 10**9))

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            async with database.uow() as uow:
                if full:
                    user = next(users)
                    if not await uow.drop_claims.take_allowance(drop_id, user, 1, 1):
                        raise RuntimeError("allowance refused")
                if not await uow.drops.claim_units(drop_id, 1, (DropStatus.OPEN,)):
                    raise RuntimeError("claim refused")
                await uow.commit()
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


async def claims_per_second(backend: str, concurrency: int, seconds: float) -> tuple[list[ClaimResult], str | None]:
    results: list[ClaimResult] = []
    with tempfile.TemporaryDirectory() as directory:
        async with fresh_database(backend, Path(directory)) as url:
            database = await Database.connect(url, **({"pool_size": concurrency} if backend == "postgres" else {}))
            try:
                drop_id = await _hot_drop(database)
                for what, full in (("claim_units (one UPDATE)", False), ("full claim (allowance + unit)", True)):
                    started = time.perf_counter()
                    count = await _run_claims(database, drop_id, concurrency, seconds, full)
                    results.append(ClaimResult(backend, what, concurrency, count, time.perf_counter() - started))
            finally:
                await database.dispose()
            pgbench = _pgbench(url, drop_id, concurrency, seconds) if backend == "postgres" else None
            if pgbench is not None:
                results.append(pgbench)
    return results, None


def _pgbench(url: str, drop_id: int, concurrency: int, seconds: float) -> ClaimResult | None:
    binary = shutil.which("pgbench")
    if binary is None:
        return None
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = make_url(postgres_admin_dsn())
    script = (
        f"UPDATE drops SET claimed = claimed + 1 WHERE id = {drop_id} AND status IN ('open') "
        "AND claimed + 1 <= quantity;\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
        path = handle.name
    env = dict(os.environ, PGPASSWORD=admin.password or "")
    command = [
        binary,
        "-n",
        "-c",
        str(concurrency),
        "-j",
        str(min(concurrency, os.cpu_count() or 1)),
        "-T",
        str(max(1, int(seconds))),
        "-f",
        path,
        "-h",
        admin.host or "127.0.0.1",
        "-p",
        str(admin.port or 5432),
        "-U",
        admin.username or "postgres",
        parsed.database or "",
    ]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    finally:
        os.unlink(path)
    transactions = re.search(r"number of transactions actually processed: (\d+)", output)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    if transactions is None or tps is None:
        return None
    count = int(transactions.group(1))
    return ClaimResult("postgres", "pgbench, same UPDATE", concurrency, count, count / float(tps.group(1)))


# -- report ------------------------------------------------------------------------------------------------
async def run(groups: int, concurrency: int, seconds: float) -> dict[str, Any]:
    announcement = await announcement_latency(groups)
    claims: list[ClaimResult] = []
    for backend in ("sqlite", "postgres"):
        found, _ = await claims_per_second(backend, concurrency, seconds)
        claims += found
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "announcement": asdict(announcement),
        "claims": [asdict(c) | {"per_second": round(c.per_second, 1)} for c in claims],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    report = asyncio.run(run(args.groups, args.concurrency, args.seconds))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    a = report["announcement"]
    print(report["machine"])
    print(
        f"announcement in {a['groups']} groups: first after {a['first_seconds']:.2f} s, "
        f"last after {a['last_seconds']:.2f} s (the 30 messages/s limit alone needs {a['floor_seconds']:.2f} s)"
    )
    print(f"{'backend':<9} {'what':<32} {'clients':>7} {'claims':>8} {'claims/s':>9}")
    for c in report["claims"]:
        print(f"{c['backend']:<9} {c['what']:<32} {c['concurrency']:>7} {c['claims']:>8} {c['per_second']:>9.1f}")


if __name__ == "__main__":
    main()
