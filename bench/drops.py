"""Drops under load: how fast the announcement reaches 100 groups, and drop claims per second.

    .venv/bin/python -m bench.drops [--groups 100] [--concurrency 16] [--seconds 5] [--json]
    .venv/bin/python -m bench.drops --claims-only --backend postgres --seconds 3   # the claims table only

1. Announcement latency: the real app (``circlecart.app.CircleCart`` on aiogram, SQLite file in a temp dir)
   against the in-process fake Telegram Bot API server (real HTTP on 127.0.0.1, every call spec-checked).
   N groups allowed the brand; the drop's start comes; the reconciler opens it (exactly what the
   date-triggered job does at the start time) and the outbox sender delivers one announcement per group
   within Telegram's limits (30 messages/s overall). Reported: seconds from the start to the first and to
   the last group's announcement, and the floor the 30/s limit sets (N / 30).
2. Claims per second, on SQLite and on PostgreSQL: C concurrent tasks each run units of work for S seconds,
   one claim each, in the unit of work the tree's pre-checkout holds in: on a tree with
   ``Database.autocommit`` (PostgreSQL statements that commit on their own, so the hot row's lock ends with
   the statement), that one; on an earlier tree an ordinary transaction and its COMMIT. The drop claim is
   ``drops.claim_units`` (``UPDATE drops SET claimed = claimed + 1 WHERE id = ? AND status ... AND claimed +
   1 <= quantity``). The full claim is the member's allowance and the drop's unit, both or neither, through
   ``drops.claim_for_member`` (one statement on PostgreSQL, two on SQLite); on a tree without it (before
   issue 16) the two calls it replaced, ``drop_claims.take_allowance`` (an upsert and a conditional UPDATE)
   then ``drops.claim_units``. Where the tree has it, the pre-checkout hold is what the product's drop
   pre-checkout writes, ``drops.hold_units``: the order's claim and the order move to HELD together with the
   allowance and the unit (one statement on PostgreSQL), each hold on its own order, made before timing.
   Next to them, in the same run, pgbench with C clients runs the very same conditional UPDATE against the
   same PostgreSQL database: the database's own rate for it, without Python, SQLAlchemy or asyncpg in the way,
   and asyncpg alone runs it prepared, each in BEGIN ... COMMIT: the rate of any client that claims inside
   a transaction (the hot row stays locked for one round trip more than pgbench's autocommit statement).
   Each row also gives the benchmark process's CPU per claim: when claims/s times it is near 1000 ms, the
   Python side was the bound; far below, the claims waited (on the hot row's lock, on round trips).

Every claim targets one hot row (one drop), as in a real rush. Timings are a report, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import platform
import re
import resource
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
    cpu_ms_per_claim: float | None = None

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
_DROPS = itertools.count(1)


async def _hot_drop(database: Database) -> int:
    from domain.drops.model import DropStatus as Status

    async with database.uow() as uow:
        number = next(_DROPS)
        brand = await uow.brands.add(f"Bench brand {number}")
        product = await uow.products.add(
            NewProduct(f"BENCH-{number}", "Bench product", "", Money(200, "XTR"), 1, brand_id=brand.id)
        )
        now = _now()
        plan = DropPlan(brand.id, product.id, HUGE, Money(200, "XTR"), now, now + timedelta(hours=1), 1)
        drop = await uow.drops.add(plan, product.title, Status.OPEN, 0, now, None, None)
        await uow.commit()
    return drop.id


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _full_claim_entry_point() -> str:
    """The product's full-claim call on this tree (the bench also runs on trees before it existed)."""
    from storage.repositories.drops import SqlDropRepository

    return "claim_for_member" if hasattr(SqlDropRepository, "claim_for_member") else "take_allowance+claim_units"


def _claim_unit(database: Database) -> Any:
    """The unit of work this tree's pre-checkout holds in: statements that commit on their own
    (`Database.autocommit`, PostgreSQL) where the tree has it, else an ordinary transaction with its COMMIT."""
    return database.autocommit() if hasattr(database, "autocommit") else database.uow()


def _has_holds() -> bool:
    from storage.repositories.drops import SqlDropRepository

    return hasattr(SqlDropRepository, "hold_units")


async def _run_claims(database: Database, drop_id: int, concurrency: int, seconds: float, full: bool) -> int:
    done = 0
    stop_at = time.perf_counter() + seconds
    users = iter(range(1, 10**9))
    one_call = _full_claim_entry_point() == "claim_for_member"

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            async with _claim_unit(database) as uow:
                if full and one_call:
                    taken = await uow.drops.claim_for_member(  # type: ignore[attr-defined,unused-ignore]
                        drop_id, next(users), 1, 1, (DropStatus.SCHEDULED, DropStatus.OPEN)
                    )
                    if str(taken) != "taken":
                        raise RuntimeError(f"claim refused: {taken}")
                else:
                    if full and not await uow.drop_claims.take_allowance(drop_id, next(users), 1, 1):
                        raise RuntimeError("allowance refused")
                    if not await uow.drops.claim_units(drop_id, 1, (DropStatus.OPEN,)):
                        raise RuntimeError("claim refused")
                await uow.commit()
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


async def _waiting_claims(database: Database, drop_id: int, count: int) -> list[Any]:
    """`count` orders for one unit of the drop, each with its claim waiting for a pre-checkout (what Buy
    leaves), as the holds they are to become."""
    from domain.drops.buying import pre_checkout_hold  # type: ignore[attr-defined,unused-ignore]
    from domain.drops.model import ClaimStatus, DropClaim
    from domain.shop.orders import NewOrder, OrderLine

    holds = []
    now = _now()
    async with database.uow() as uow:
        drop = await uow.drops.get(drop_id)
        assert drop is not None
        line = OrderLine(drop.product_id, "BENCH", drop.title, 1, drop.price)
        for user_id in range(1, count + 1):
            order = await uow.orders.add(NewOrder(user_id, -1001, None, (line,), now))
            claim = DropClaim(order.id, drop_id, user_id, 1, ClaimStatus.PENDING, None, now)
            await uow.drop_claims.add(claim)
            holds.append(pre_checkout_hold(drop, claim, now + timedelta(minutes=15)))
        await uow.commit()
    return holds


async def _run_holds(database: Database, holds: list[Any], concurrency: int, seconds: float) -> int:
    """Pre-checkout holds (`drops.hold_units`) of distinct orders until `seconds` pass or the orders run out."""
    done = 0
    stop_at = time.perf_counter() + seconds
    waiting = iter(holds)

    async def worker() -> None:
        nonlocal done
        for hold in waiting:
            if time.perf_counter() >= stop_at:
                return
            async with _claim_unit(database) as uow:
                taken = await uow.drops.hold_units(hold)  # type: ignore[attr-defined,unused-ignore]
                if str(taken) != "taken":
                    raise RuntimeError(f"hold refused: {taken}")
                await uow.commit()
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def _pre_ping_by_default() -> bool:
    engine = Database.from_url("postgresql://bench@127.0.0.1/unused").engine  # never connects
    return bool(engine.sync_engine.pool._pre_ping)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def claims_per_second(
    backend: str, concurrency: int, seconds: float, compare_pre_ping: bool = False
) -> tuple[list[ClaimResult], str | None]:
    results: list[ClaimResult] = []
    entry = _full_claim_entry_point()
    variants: list[tuple[str, bool, dict[str, Any]]] = [
        ("drop claim (claim_units)", False, {}),
        (f"full claim ({entry})", True, {}),
    ]
    if compare_pre_ping and backend == "postgres":
        # The other side of the tree's own choice: before issue 16 the engine pinged on every checkout.
        flipped = not _pre_ping_by_default()
        state = "on" if flipped else "off"
        variants += [
            (f"drop claim, pool_pre_ping {state}", False, {"pool_pre_ping": flipped}),
            (f"full claim, pool_pre_ping {state}", True, {"pool_pre_ping": flipped}),
        ]
    with tempfile.TemporaryDirectory() as directory:
        async with fresh_database(backend, Path(directory)) as url:
            for what, full, options in variants:
                pool = {"pool_size": concurrency} if backend == "postgres" else {}
                database = await Database.connect(url, **pool, **options)
                try:
                    drop_id = await _hot_drop(database)  # a fresh drop per row: new members, same hot row
                    await _run_claims(database, drop_id, concurrency, min(0.5, seconds / 5), full)  # warm pool
                    drop_id = await _hot_drop(database)
                    cpu, started = _cpu_seconds(), time.perf_counter()
                    count = await _run_claims(database, drop_id, concurrency, seconds, full)
                    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
                    ms = 1000 * cpu / count if count else None
                    results.append(ClaimResult(backend, what, concurrency, count, elapsed, ms))
                finally:
                    await database.dispose()
            if _has_holds():
                results.append(await _holds_per_second(url, backend, concurrency, seconds))
            if backend == "postgres":
                results.append(await _asyncpg_in_transactions(url, await _hot_drop_at(url), concurrency, seconds))
                pgbench = _pgbench(url, drop_id, concurrency, seconds)
                if pgbench is not None:
                    results.append(pgbench)
    return results, None


async def _holds_per_second(url: str, backend: str, concurrency: int, seconds: float) -> ClaimResult:
    pool = {"pool_size": concurrency} if backend == "postgres" else {}
    database = await Database.connect(url, **pool)
    try:
        # More orders than the holds the run can make (a few thousand a second at most), made before timing.
        warm = await _waiting_claims(database, await _hot_drop(database), 2 * concurrency)
        await _run_holds(database, warm, concurrency, seconds)
        holds = await _waiting_claims(database, await _hot_drop(database), int(5_000 * seconds))
        cpu, started = _cpu_seconds(), time.perf_counter()
        count = await _run_holds(database, holds, concurrency, seconds)
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    finally:
        await database.dispose()
    what = "pre-checkout hold (hold_units: claim + order + allowance + unit)"
    return ClaimResult(backend, what, concurrency, count, elapsed, 1000 * cpu / count if count else None)


async def _hot_drop_at(url: str) -> int:
    database = await Database.connect(url)
    try:
        return await _hot_drop(database)
    finally:
        await database.dispose()


async def _asyncpg_in_transactions(url: str, drop_id: int, concurrency: int, seconds: float) -> ClaimResult:
    """The same UPDATE from asyncpg alone, prepared, each in BEGIN ... COMMIT: what any transactional client
    reaches. The hot row's lock is held from the UPDATE until the COMMIT arrives, one client round trip
    later; pgbench's single autocommit statement holds it only while the server runs it."""
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    statement = (
        "UPDATE drops SET claimed = claimed + 1 WHERE id = $1 AND status = ANY($2::varchar[]) "
        "AND reported_at IS NULL AND claimed + 1 <= quantity"
    )
    connections = [await asyncpg.connect(dsn) for _ in range(concurrency)]
    done = 0

    async def worker(connection: Any, stop_at: float) -> None:
        nonlocal done
        prepared = await connection.prepare(statement)
        while time.perf_counter() < stop_at:
            async with connection.transaction():
                await prepared.fetch(drop_id, ["open"])
            done += 1

    try:
        cpu, started = _cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(worker(c, started + seconds) for c in connections))
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    finally:
        for connection in connections:
            await connection.close()
    what = "asyncpg alone, same UPDATE in BEGIN/COMMIT"
    return ClaimResult("postgres", what, concurrency, done, elapsed, 1000 * cpu / done if done else None)


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
async def run(
    groups: int, concurrency: int, seconds: float, backends: list[str], claims_only: bool, compare_pre_ping: bool
) -> dict[str, Any]:
    announcement = None if claims_only else await announcement_latency(groups)
    claims: list[ClaimResult] = []
    for backend in backends:
        found, _ = await claims_per_second(backend, concurrency, seconds, compare_pre_ping)
        claims += found
    pgbench = next((c.per_second for c in claims if c.what.startswith("pgbench")), None)
    rows = []
    for c in claims:
        ratio = round(c.per_second / pgbench, 2) if pgbench and c.backend == "postgres" else None
        cpu = round(c.cpu_ms_per_claim, 3) if c.cpu_ms_per_claim is not None else None
        rows.append(asdict(c) | {"per_second": round(c.per_second, 1), "cpu_ms_per_claim": cpu, "of_pgbench": ratio})
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "full_claim_entry_point": _full_claim_entry_point(),
        "announcement": asdict(announcement) if announcement is not None else None,
        "claims": rows,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgres"), help="repeatable; default both")
    parser.add_argument("--claims-only", action="store_true", help="skip the announcement")
    parser.add_argument(
        "--compare-pre-ping",
        action="store_true",
        help="PostgreSQL rows again with pool_pre_ping flipped from the tree's default (its cost)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    backends = args.backend or ["sqlite", "postgres"]
    report = asyncio.run(
        run(args.groups, args.concurrency, args.seconds, backends, args.claims_only, args.compare_pre_ping)
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['machine']}; load average at the end {report['load_average_at_end']}")
    a = report["announcement"]
    if a is not None:
        print(
            f"\nannouncement in {a['groups']} groups: first after {a['first_seconds']:.2f} s, "
            f"last after {a['last_seconds']:.2f} s (the 30 messages/s limit alone needs {a['floor_seconds']:.2f} s)"
        )
    print("\n| backend | what | clients | claims | claims/s | of pgbench | CPU ms/claim |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for c in report["claims"]:
        ratio = f"{c['of_pgbench']:.2f}×" if c["of_pgbench"] is not None else ""
        cpu = f"{c['cpu_ms_per_claim']:.3f}" if c["cpu_ms_per_claim"] is not None else ""
        print(
            f"| {c['backend']} | {c['what']} | {c['concurrency']} | {c['claims']} | {c['per_second']:.0f} "
            f"| {ratio} | {cpu} |"
        )


if __name__ == "__main__":
    main()
