"""A handler makes domain calls; it never reaches into a repository (`uow.orders.get(...)`) itself, so
every rule lives in the domain where a reader looks for it. import-linter keeps storage out of bots/
(tests/test_layers.py)."""

from __future__ import annotations

import ast
from pathlib import Path

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


def test_the_check_sees_a_repository_call() -> None:
    assert repository_uses("async def f(uow):\n    await uow.orders.get(1)\n    await uow.commit()\n") == [
        "line 2: uow.orders"
    ]
