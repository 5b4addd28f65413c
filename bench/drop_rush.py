"""The rush through the whole bot: M members pay at once for U units of a drop. How long does each wait?

    .venv/bin/python -m bench.drop_rush [--members 500] [--units 100] [--json]

The real app (``circlecart.app.CircleCart``: aiogram on a SQLite file, python-telegram-bot on PostgreSQL)
against the in-process fake Telegram Bot API server (real HTTP on 127.0.0.1, every call spec-checked). The
drop opens in a group; every member presses Buy (the invoices are made beforehand, 50 at a time), then all
submit the payment form at the same moment. Reported per backend: the time from a member's pre-checkout
query to the bot's answer (Telegram allows 10 s; the fake refuses a later answer), as p50, p95 and max;
the time until every payment has settled; and how many were paid (must be U) and refused (M - U).

The bot and the fake server share one event loop, so the figures include the fake's own work: they are an
upper bound for the bot alone. Timings are a report, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.support.databases import fresh_database

ROOT = Path(__file__).resolve().parent.parent
# The Stars-priced catalog the tests use (the example shop sells physical goods in euros now): the same
# products as every earlier run, so the figures compare.
CATALOG = ROOT / "tests" / "support" / "stars_catalog.yaml"
RUNS = (("sqlite", "aiogram"), ("postgres", "ptb"))


@dataclass
class RushResult:
    backend: str
    framework: str
    members: int
    units: int
    paid: int
    refused: int
    answer_p50_seconds: float
    answer_p95_seconds: float
    answer_max_seconds: float
    all_settled_seconds: float


async def rush(backend: str, framework: str, members: int, units: int, directory: Path) -> RushResult:
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

    waits = sorted(
        query.answered_at - query.created_at
        for query in (shop.fake.queries[r.pre_checkout_query_id] for r in results)
        if query.answered_at is not None
    )
    return RushResult(
        backend=backend,
        framework=framework,
        members=members,
        units=units,
        paid=sum(r.accepted for r in results),
        refused=sum(r.answered and not r.accepted for r in results),
        # No answer at all (every query missed its window) reports infinite waits rather than failing.
        answer_p50_seconds=round(statistics.median(waits), 2) if waits else math.inf,
        answer_p95_seconds=round(waits[max(0, int(len(waits) * 0.95) - 1)], 2) if waits else math.inf,
        answer_max_seconds=round(waits[-1], 2) if waits else math.inf,
        all_settled_seconds=round(settled, 2),
    )


async def run(members: int, units: int) -> dict[str, Any]:
    import tempfile

    results = []
    for backend, framework in RUNS:
        with tempfile.TemporaryDirectory() as directory:
            results.append(await rush(backend, framework, members, units, Path(directory)))
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "rush": [asdict(r) for r in results],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drop_rush", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    report = asyncio.run(run(args.members, args.units))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(report["machine"])
    columns = ("paid", "refused", "p50 s", "p95 s", "max s", "all s")
    print(f"{'backend':<9} {'framework':<9} " + " ".join(f"{c:>7}" for c in columns))
    for r in report["rush"]:
        print(
            f"{r['backend']:<9} {r['framework']:<9} {r['paid']:>7} {r['refused']:>7} {r['answer_p50_seconds']:>7.2f} "
            f"{r['answer_p95_seconds']:>7.2f} {r['answer_max_seconds']:>7.2f} {r['all_settled_seconds']:>7.2f}"
        )


if __name__ == "__main__":
    main()
