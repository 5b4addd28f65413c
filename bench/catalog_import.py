"""A big catalog through `circlecart catalog import`: wall time and the command's peak resident memory.

    .venv/bin/python -m bench.catalog_import [--rows 200000] [--backend sqlite|postgres|both] [--yaml] [--json]

Generates a catalog of N products in a temp dir (CSV, the format spreadsheets export; `--yaml` adds the same
products as YAML): 40 brands, physical goods in EUR, digital goods and services in XTR, tags, photos, a few
inactive products. Then, on each backend, on a fresh database migrated to head (a SQLite file in the temp
dir; a new PostgreSQL database, dropped afterwards, as `tests/support/databases.py` makes them), runs the
documented command as a child process, three times:

1. **first import**: every row creates a product;
2. **same file again**: every row is unchanged (the command still reads, checks and compares every row);
3. **changed file**: every row's stock and every other row's price differ, so every product is updated.

The command is this tree's `.venv/bin/circlecart` (or, in a tree without a venv, `python -m circlecart.cli`
run from the tree). Wall time is the child's, from start to exit. Peak RSS is the child's own maximum
resident set size, from `os.wait4` on that child (not RUSAGE_CHILDREN, which is the maximum over every child
so far). Nothing here is asserted; only the public command line is used, so the file also runs against older
trees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.support.databases import fresh_database

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ROOT / ".venv" / "bin" / "circlecart"
HEADER = "sku,title,description,price,currency,stock,tags,photo,active,brand,kind,content,final_sale,return_days"
BRANDS = [f"Studio {name} {n}" for n in range(1, 5) for name in ("Celadon", "Kiln", "Loom", "Ink", "Cedar",
          "Paper", "Indigo", "Moss", "Amber", "Slate")]  # fmt: skip
WORDS = ("tea", "ceramics", "linen", "print", "notebook", "candle", "vase", "bowl", "scarf", "poster", "class", "zine")
NOUNS = ("Tea set", "Vase", "Bowl", "Scarf", "Notebook", "Candle", "Print", "Mug", "Plate", "Tote")


@dataclass
class Run:
    backend: str
    fmt: str
    step: str
    rows: int
    seconds: float
    peak_rss_mb: float
    output: str


def product_row(i: int, changed: bool) -> str:
    brand = BRANDS[i % len(BRANDS)]
    tags = ";".join(sorted({WORDS[i % len(WORDS)], WORDS[(i * 7) % len(WORDS)], WORDS[(i // 3) % len(WORDS)]}))
    noun = NOUNS[i % len(NOUNS)]
    stock = (i * 13) % 500 + (1 if changed else 0)
    active = "false" if i % 50 == 0 else "true"
    photo = f"https://cdn.example.org/p/{i}.jpg" if i % 3 else ""
    kind_pick = i % 10
    if kind_pick < 7:  # physical goods, priced through a payment provider
        cents = 500 + (i * 37) % 20000 + (100 if changed and i % 2 else 0)
        price, currency, kind, content = f"{cents // 100}.{cents % 100:02d}", "EUR", "physical", ""
    elif kind_pick < 9:  # digital goods, in Stars
        price, currency, kind = str(50 + i % 900 + (1 if changed and i % 2 else 0)), "XTR", "digital"
        content = f"https://files.example.org/d/{i}.pdf" if i % 4 else "pool"
    else:
        price, currency, kind, content = str(100 + i % 500 + (1 if changed and i % 2 else 0)), "XTR", "service", ""
    final_sale = "true" if i % 17 == 0 else "false"
    return_days = str(14 + i % 16) if i % 5 == 0 else ""
    description = f"{noun} number {i} by {brand}, made by hand in small batches."
    return (
        f'SKU-{i:07d},{noun} {i},"{description}",{price},{currency},{stock},{tags},{photo},{active},{brand},'
        f"{kind},{content},{final_sale},{return_days}\n"
    )


def write_csv(path: Path, rows: int, changed: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            out.write(product_row(i, changed))


def write_yaml(path: Path, rows: int, changed: bool = False) -> None:
    import csv

    fields = HEADER.split(",")
    with path.open("w", encoding="utf-8") as out:
        out.write("products:\n")
        for i in range(rows):
            values = dict(zip(fields, next(csv.reader([product_row(i, changed)])), strict=True))
            out.write(f"  - sku: {values['sku']}\n")
            for name in fields[1:]:
                value = values[name]
                if name == "tags":
                    out.write(f"    tags: [{', '.join(value.split(';'))}]\n")
                elif value:
                    out.write(f"    {name}: {json.dumps(value) if name in ('title', 'description') else value}\n")


def run_import(path: Path, database_url: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, last line of stdout) of one `circlecart catalog import`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    env["CIRCLECART_DATABASE_URL"] = database_url
    # This tree's code even when its file was copied into another tree that has no venv of its own (then the
    # module is run with this interpreter, as tests/cli does: the tree's own directory comes first).
    env["PYTHONPATH"] = str(ROOT)
    command = [str(COMMAND)] if COMMAND.exists() else [sys.executable, "-m", "circlecart.cli"]
    started = time.perf_counter()
    child = subprocess.Popen(
        [*command, "catalog", "import", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    # Read the pipes until they close, then reap the child ourselves to get its own rusage.
    out, err = child.stdout.read(), child.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"circlecart catalog import {path} failed ({child.returncode}):\n{err.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out.decode().strip().splitlines()[-1]


async def measure_backend(
    backend: str, files: dict[str, dict[str, Path]], rows: int, directory: Path, first_only: bool = False
) -> list[Run]:
    runs: list[Run] = []
    for fmt, paths in files.items():
        async with fresh_database(backend, directory) as url:
            steps = [("first import", paths["base"]), ("same file again", paths["base"]),
                     ("changed file", paths["changed"])]  # fmt: skip
            for step, path in steps[:1] if first_only else steps:
                seconds, peak, output = await asyncio.to_thread(run_import, path, url)
                runs.append(Run(backend, fmt, step, rows, round(seconds, 2), round(peak, 1), output))
                print(f"  {backend} {fmt} {step}: {seconds:.1f} s, {peak:.0f} MB ({output})", file=sys.stderr)
    return runs


def table(runs: list[Run]) -> str:
    lines = [
        "| backend | file | step | rows | seconds | rows/s | peak RSS MB | reported |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        rate = r.rows / r.seconds if r.seconds else 0
        report = r.output.split(": ", 1)[-1]
        lines.append(
            f"| {r.backend} | {r.fmt} | {r.step} | {r.rows:,} | {r.seconds:.1f} | {rate:,.0f} | {r.peak_rss_mb:.0f} "
            f"| {report} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--yaml", action="store_true", help="also import the same products as YAML")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    parser.add_argument(
        "--first-only", action="store_true", help="only the first import (an old tree takes minutes per step)"
    )
    args = parser.parse_args()

    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="circlecart-bench-import-") as temp:
        directory = Path(temp)
        files: dict[str, dict[str, Path]] = {"csv": {}, "yaml": {}} if args.yaml else {"csv": {}}
        for fmt in files:
            for variant in ("base", "changed"):
                path = directory / f"catalog-{variant}.{fmt}"
                (write_csv if fmt == "csv" else write_yaml)(path, args.rows, changed=variant == "changed")
                files[fmt][variant] = path
        size = files["csv"]["base"].stat().st_size / 1e6
        print(f"generated {args.rows:,} rows: {size:.1f} MB of CSV", file=sys.stderr)
        runs: list[Run] = []
        for backend in backends:
            runs += asyncio.run(measure_backend(backend, files, args.rows, directory, args.first_only))

    if args.json:
        meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "rows": args.rows}
        print(json.dumps({"meta": meta, "runs": [asdict(r) for r in runs]}, indent=2))
    else:
        print(f"`circlecart catalog import`, {args.rows:,} rows, Python {platform.python_version()}, "
              f"{os.cpu_count()} CPUs\n")  # fmt: skip
        print(table(runs))


if __name__ == "__main__":
    main()
