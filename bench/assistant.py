"""The shop assistant against its labelled set: hit rate at 3, latency and tokens per request.

    .venv/bin/python -m bench.assistant [--json] [--repeat N]

With `CIRCLECART_AI_BASE_URL` (and `_API_KEY`, `_MODEL`) set, the configured endpoint answers through the
product's own client; without, the fallback (the catalog's search over plain words) does, so the two can be
compared on the same set. Each request runs the assistant's use case (`domain.assistant.conversation.ask`)
as the bot does, on a fresh SQLite file with the example catalog (`examples/catalog.yaml`), without Telegram.
A request is a hit at 3 when one of its expected SKUs is among the first three products answered.
Latency is the whole request (model turns, tools, reading the cards' products), never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from circlecart.app import assistant_client
from circlecart.catalog_io import import_file
from circlecart.settings import load_settings
from domain.assistant.conversation import AssistantLimits, ask
from domain.clock import SystemClock
from storage.database import Database
from storage.migrate import upgrade_async

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "examples" / "catalog.yaml"
REQUESTS = Path(__file__).resolve().parent / "assistant_requests.yaml"
UNLIMITED = AssistantLimits(member_daily_requests=1_000_000, daily_token_budget=10**15)


@dataclass
class Outcome:
    lang: str
    hit: bool
    seconds: float
    tokens: int
    fell_back: bool


def load_requests() -> list[dict[str, Any]]:
    data = yaml.safe_load(REQUESTS.read_text(encoding="utf-8"))
    return list(data["requests"])


async def measure(repeat: int) -> tuple[str, list[Outcome]]:
    settings = load_settings()
    model = assistant_client(settings)
    label = f"endpoint {settings.ai_model} at {settings.ai_base_url}" if model is not None else "fallback (no endpoint)"
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade_async(url)
        await import_file(url, CATALOG)
        database = await Database.connect(url)
        clock = SystemClock()
        try:
            member = 10_000
            for _ in range(repeat):
                for case in load_requests():
                    member += 1
                    started = time.perf_counter()
                    answer = await ask(database.uow, clock.now(), member, member, case["text"], model, UNLIMITED)
                    elapsed = time.perf_counter() - started
                    shown = [p.sku for p in answer.products[:3]]
                    hit = any(sku in case["expected"] for sku in shown)
                    fell_back = answer.fallback is not None
                    outcomes.append(Outcome(case["lang"], hit, elapsed, answer.tokens, fell_back))
        finally:
            await database.dispose()
            if model is not None:
                await model.close()
    return label, outcomes


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    millis = sorted(o.seconds * 1000 for o in outcomes)
    p95 = millis[min(len(millis) - 1, round(0.95 * (len(millis) - 1)))]
    return {
        "requests": len(outcomes),
        "hit_rate_at_3": round(sum(o.hit for o in outcomes) / len(outcomes), 3),
        "median_ms": round(statistics.median(millis), 1),
        "p95_ms": round(p95, 1),
        "tokens_per_request": round(sum(o.tokens for o in outcomes) / len(outcomes), 1),
        "fell_back": sum(o.fell_back for o in outcomes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeat", type=int, default=3, help="runs over the set (latency is over all of them)")
    args = parser.parse_args()
    label, outcomes = asyncio.run(measure(args.repeat))
    rows = {
        "all": summary(outcomes),
        "en": summary([o for o in outcomes if o.lang == "en"]),
        "zh": summary([o for o in outcomes if o.lang == "zh"]),
    }
    if args.json:
        print(json.dumps({"answered_by": label, "python": platform.python_version(), "rows": rows}, indent=2))
        return
    print(f"Answered by: {label}; Python {platform.python_version()}; {args.repeat} runs over the set\n")
    print("| requests | n | hit rate at 3 | median ms | p95 ms | tokens/request | fell back |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['requests']} | {row['hit_rate_at_3']:.0%} | {row['median_ms']} | {row['p95_ms']} "
            f"| {row['tokens_per_request']} | {row['fell_back']} |"
        )


if __name__ == "__main__":
    main()
