"""The README's table of commands stays true: every command the CLI has is in it, and every example in it
is a command line the CLI accepts."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from circlecart.cli import _parser

README = Path(__file__).resolve().parents[2] / "README.md"


def command_rows() -> list[tuple[str, str]]:
    """(command cell, example cell) of each row in the README's table of commands."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| command | what it does | example |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows.append((cells[0], cells[-1]))
    return rows


def leaf_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        yield path
        return
    for action in actions:
        for name, sub in action.choices.items():
            yield from leaf_commands(sub, (*path, name))


def documented(path: tuple[str, ...], cell: str) -> bool:
    """The command line `path` is written in the cell: `circlecart brand staff remove ...`, or one of the
    alternatives of `circlecart member export|forget ...`, or `... / `plan open ID``."""
    *parents, last = (re.escape(word) for word in path)
    alternatives = rf"(?:[\w-]+\|)*{last}(?:\|[\w-]+)*"
    pattern = rf"^(?:circlecart )?{' '.join([*parents, alternatives])}(?:$|\s)"
    return any(re.search(pattern, segment) for segment in re.findall(r"`([^`]*)`", cell))


def test_every_command_of_the_cli_is_in_the_readmes_table() -> None:
    cells = [command for command, _ in command_rows()]
    missing = [" ".join(path) for path in leaf_commands(_parser()) if not any(documented(path, cell) for cell in cells)]
    assert missing == [], f"add these commands to the README's table: {missing}"


@pytest.mark.parametrize("example", [e for _, e in command_rows() if e.startswith("`circlecart ")])
def test_every_example_in_the_readme_is_a_command_line_the_cli_accepts(example: str) -> None:
    words = shlex.split(example.strip("`"))
    args = _parser().parse_args(words[1:])  # argparse exits (and fails this test) on anything it refuses
    assert hasattr(args, "handler"), f"{example} names no command"
