"""SQL statements per update kind, on a small and a large shop: the figures of the statement-count test.

    .venv/bin/python -m bench.statements                   # SQLite and PostgreSQL, 1k and 100k rows
    .venv/bin/python -m bench.statements --json
    .venv/bin/python -m bench.statements --backend sqlite --small 1000 --large 10000

Each update kind (browse, search, card, Buy, pre-checkout, payment, /points, /membership, join request) is
played through the fake Bot API into the real app by a seeded member, exactly as
`tests/scenarios/test_statement_counts.py` does (this imports its steps), on a shop with `--small` and one
with `--large` members, products and ledger rows each. What is counted is described there. The test asserts
the two columns are equal; this prints them, so a before/after comparison is one command on each tree (copy
this file, that test and `tests/support/large_shop.py` into the other tree).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from tests.scenarios.test_statement_counts import statements_by_kind
from tests.support.large_shop import LargeShop


async def measure(backends: list[str], small: int, large: int) -> dict[str, dict[str, dict[str, int]]]:
    """{backend: {kind: {"small": n, "large": n}}}"""
    results: dict[str, dict[str, dict[str, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="circlecart-statements-") as scratch:
        for backend in backends:
            by_size = {}
            for label, rows in (("small", small), ("large", large)):
                size = LargeShop(members=rows, products=rows, ledger_rows=rows)
                by_size[label] = await statements_by_kind(backend, size, Path(scratch))
            results[backend] = {
                kind: {"small": len(statements), "large": len(by_size["large"][kind])}
                for kind, statements in by_size["small"].items()
            }
    return results


def markdown(results: dict[str, dict[str, dict[str, int]]], small: int, large: int) -> str:
    backends = list(results)
    header = "| update | " + " | ".join(f"{b}, {small:,} rows | {b}, {large:,} rows" for b in backends) + " |"
    lines = [header, "|---|" + "---:|" * (2 * len(backends))]
    for kind in next(iter(results.values())):
        cells = []
        for backend in backends:
            counts = results[backend][kind]
            mark = "" if counts["small"] == counts["large"] else " **≠**"
            cells += [str(counts["small"]), f"{counts['large']}{mark}"]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SQL statements per update kind at two shop sizes")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"], help="repeatable")
    parser.add_argument("--small", type=int, default=1_000, help="members, products and ledger rows")
    parser.add_argument("--large", type=int, default=100_000, help="members, products and ledger rows")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    backends = args.backend or ["sqlite", "postgres"]
    results = asyncio.run(measure(backends, args.small, args.large))
    print(json.dumps(results, indent=2) if args.json else markdown(results, args.small, args.large))
    differs = any(c["small"] != c["large"] for kinds in results.values() for c in kinds.values())
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
