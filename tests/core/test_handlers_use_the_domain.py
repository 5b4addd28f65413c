"""A handler makes domain calls; it never reaches into a repository (`uow.orders.get(...)`) itself, so
every rule lives in the domain where a reader looks for it. import-linter keeps storage out of bots/
(tests/test_layers.py)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from bots.core.app import build_table

BOTS = Path(__file__).resolve().parents[2] / "bots"
ALLOWED = {"commit", "rollback"}  # a handler ends its unit of work; what happens inside is the domain's


def repository_uses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "uow"
            and node.attr not in ALLOWED
        ):
            found.append(f"line {node.lineno}: uow.{node.attr}")
    return found


def test_no_bot_module_touches_a_repository() -> None:
    offenders = {
        str(path.relative_to(BOTS.parent)): uses
        for path in sorted(BOTS.rglob("*.py"))
        if (uses := repository_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def handler_modules() -> set[Path]:
    """The source file of every function the handler table routes to: handlers and notice views."""
    table = build_table()
    functions = [
        *(command.handler for command in table.commands.values()),
        *(action.handler for action in table.actions.values()),
        *(f for kind in table.payment_kinds.values() for f in (kind.pre_checkout, kind.payment)),
        *table.notices.values(),
        table.unknown_command,
        table.inline_query,
        table.chosen_inline,
        table.bot_membership,
        table.join_request,
        table.text,
    ]
    return {Path(source).resolve() for f in functions if f is not None and (source := inspect.getsourcefile(f))}


def test_the_check_reads_every_handler_module() -> None:
    # The scan walks bots/ rather than a list, so a feature package moved out of its reach (or a walk that
    # finds nothing) would pass quietly; the handler table says which modules it must have read.
    scanned = {path.resolve() for path in BOTS.rglob("*.py")}
    handlers = handler_modules()
    assert len(handlers) > 10
    assert sorted(map(str, handlers - scanned)) == []


def test_the_check_sees_a_repository_call() -> None:
    assert repository_uses("async def f(uow):\n    await uow.orders.get(1)\n    await uow.commit()\n") == [
        "line 2: uow.orders"
    ]
