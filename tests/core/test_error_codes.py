"""Every error code the code can produce has a member-facing text, in English and Chinese; every notice
kind enqueued has a view.

A code with no text falls back to the generic apology ("Something went wrong on our side"), which tells
the member nothing; a notice kind with no view is never delivered. Both are easy to miss when a rule is
added in domain/, so the codes are found statically in the source rather than listed by hand here:

- the first argument of `DomainError("...")` and `ctx.explain("...")`;
- reason codes that travel as values (refusals and refund reasons, e.g. `return "order.closed"` in
  domain/shop/payments, domain/drops/buying.py, domain/groupbuys): string literals of the code's shape that are
  returned, assigned to a `reason`/`why`/`refusal`/`closed` name, passed as such a keyword, or the fallback
  in `... reason or "order.closed"`.

Notice kinds are the `kind` of every `Notice(...)`, a literal or a module constant (e.g. `mn.REMINDER`),
and every constant of the notice modules (domain/*/notices.py, domain/shop/payments/answers.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bots.core.app import build_table
from bots.core.error_messages import GENERIC
from bots.core.i18n import LOCALES_DIR
from bots.core.table import HandlerTable

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("domain", "bots", "circlecart", "jobs")
# The sandbox plays Telegram around the bot; no code of it reaches a member (its file names are no codes).
SANDBOX = ROOT / "circlecart" / "sandbox"
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Names under which a code travels as a value rather than being raised at once.
REASON_NAME = re.compile(r"reason|why|refusal|closed")
RAISERS = {"DomainError", "explain"}
# Codes no member can meet, with the one module that raises each. `catalog.invalid` comes only from reading
# a catalog file, which only `circlecart catalog import` does; the CLI prints every problem line itself.
# test_cli_only_codes_stay_out_of_the_bot keeps that true: once bots/ reads catalog files, it needs a text.
CLI_ONLY = {"catalog.invalid": "domain.shop.catalog_file"}
NOTICE_MODULES = ("domain/*/notices.py", "domain/shop/payments/answers.py")


@dataclass
class Module:
    path: Path
    tree: ast.Module
    constants: dict[str, str] = field(default_factory=dict)  # module-level NAME = "x.y"
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> module it stands for
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module, name)


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _modules() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            if path.is_relative_to(SANDBOX):
                continue
            module = Module(path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for node in module.tree.body:
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            module.constants[target.id] = node.value.value
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    for name in node.names:
                        local = name.asname or name.name
                        module.aliases[local] = f"{node.module}.{name.name}"  # if it is a module
                        module.imported[local] = (node.module, name.name)  # if it is a constant
                elif isinstance(node, ast.Import):
                    for name in node.names:
                        if name.asname:
                            module.aliases[name.asname] = name.name
            modules[_dotted(path)] = module
    return modules


def _where(module: Module, node: ast.AST) -> str:
    return f"{module.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _resolve(modules: dict[str, Module], module: Module, node: ast.AST) -> str | None:
    """A literal, a module constant (`TEASER`) or another module's constant (`notices.TEASER`)."""
    if (value := _literal(node)) is not None:
        return value
    if isinstance(node, ast.Name):
        if node.id in module.constants:
            return module.constants[node.id]
        if node.id in module.imported:
            home, name = module.imported[node.id]
            return modules[home].constants.get(name) if home in modules else None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        home = module.aliases.get(node.value.id)
        if home in modules:
            return modules[home].constants.get(node.attr)
    return None


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _codes_in_value(node: ast.AST) -> Iterator[ast.Constant]:
    """Code-shaped literals in a value that is a reason. A `Notice(...)` inside it carries a notice kind,
    and other calls' keywords are their own business (e.g. `kind=`), unless the keyword is a reason too."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and CODE.match(node.value):
            yield node
        return
    if isinstance(node, ast.Call):
        if _call_name(node) == "Notice":
            return
        for arg in node.args:
            yield from _codes_in_value(arg)
        for keyword in node.keywords:
            if keyword.arg and REASON_NAME.search(keyword.arg):
                yield from _codes_in_value(keyword.value)
        return
    for child in ast.iter_child_nodes(node):
        yield from _codes_in_value(child)


def _target_names(node: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [ast.unparse(target) for target in targets]


def raised_codes(modules: dict[str, Module]) -> dict[str, str]:
    """Every error code the source can produce -> where it is first produced."""
    found: dict[str, str] = {}
    for module in modules.values():
        for node in ast.walk(module.tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call) and _call_name(node) in RAISERS and node.args:
                values.append(node.args[0])
                # A code held in a name (`raise DomainError(closed)`) comes from a returned reason, found below.
            elif isinstance(node, ast.ClassDef) and any(ast.unparse(base) == "DomainError" for base in node.bases):
                # a subclass names its code in `super().__init__("catalog.invalid", ...)`
                values.extend(
                    call.args[0]
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call) and ast.unparse(call.func) == "super().__init__" and call.args
                )
            elif isinstance(node, ast.Return) and node.value is not None:
                values.append(node.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                if any(REASON_NAME.search(name) for name in _target_names(node)):
                    values.append(node.value)
            elif isinstance(node, ast.keyword) and node.arg and REASON_NAME.search(node.arg):
                values.append(node.value)
            elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                # `payment.refund_reason or "order.closed"`: the fallback is a reason too
                if any(REASON_NAME.search(ast.unparse(operand)) for operand in node.values):
                    values.append(node)
            for value in values:
                for constant in _codes_in_value(value):
                    found.setdefault(constant.value, _where(module, constant))
    return found


def notice_kinds(modules: dict[str, Module]) -> dict[str, str]:
    """Every notice kind the source can enqueue -> where."""
    found: dict[str, str] = {}
    for module in modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _call_name(node) == "Notice":
                kind_node = next((k.value for k in node.keywords if k.arg == "kind"), None)
                if kind_node is None and len(node.args) >= 3:
                    kind_node = node.args[2]  # Notice(key, chat_id, kind, ...)
                kind = _resolve(modules, module, kind_node) if kind_node is not None else None
                if kind is None:
                    # A kind chosen at run time (`TEASER if ... else CANCELLED`) is fine inside a notice
                    # module, whose constants are all counted below; anywhere else it would go unchecked.
                    assert _is_notice_module(module), f"{_where(module, node)}: a Notice kind this test cannot read"
                    continue
                found.setdefault(kind, _where(module, node))
    for module in modules.values():
        if _is_notice_module(module):
            for value in module.constants.values():
                if CODE.match(value):
                    found.setdefault(value, str(module.path.relative_to(ROOT)))
    return found


def _is_notice_module(module: Module) -> bool:
    return any(module.path.relative_to(ROOT).match(pattern) for pattern in NOTICE_MODULES)


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return _modules()


@pytest.fixture(scope="module")
def table() -> HandlerTable:
    return build_table()


@pytest.fixture(scope="module")
def zh() -> Catalog:
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_the_search_finds_codes_of_every_kind(modules: dict[str, Module]) -> None:
    # The search itself works: raised, explained, and returned or assigned as a reason.
    codes = raised_codes(modules)
    assert len(codes) > 100
    for code in ("product.sold_out", "membership.busy", "order.closed", "groupbuy.full", "order.refunded"):
        assert code in codes, code
    assert "image.png" not in codes  # a file name, not a reason
    assert "groupbuy.card" not in codes  # a notice kind, not an error
    kinds = notice_kinds(modules)
    for kind in ("points.returned", "drops.teaser", "membership.reminder", "groupbuy.card", "payment.refund"):
        assert kind in kinds, kind


def _member_facing(modules: dict[str, Module]) -> dict[str, str]:
    return {code: where for code, where in raised_codes(modules).items() if code not in CLI_ONLY}


def test_every_error_code_has_a_text(modules: dict[str, Module], table: HandlerTable) -> None:
    missing = sorted(
        f"{code} ({where})" for code, where in _member_facing(modules).items() if table.message_for(code) == GENERIC
    )
    assert missing == [], f"add a text (N_) to the feature's ERRORS table for: {missing}"


def test_cli_only_codes_stay_out_of_the_bot(modules: dict[str, Module]) -> None:
    codes = raised_codes(modules)
    for code, home in CLI_ONLY.items():
        assert code in codes, f"{code} is raised no more: drop it from CLI_ONLY"
        users = sorted(
            name
            for name, module in modules.items()
            if name.startswith(("bots.", "jobs."))
            and any(
                target == home or target.startswith(home + ".")
                for target in [*module.aliases.values(), *(m for m, _ in module.imported.values())]
            )
        )
        assert users == [], f"{code} can now reach a member through {users}: give it a text"


def test_every_error_text_has_a_chinese_translation(
    modules: dict[str, Module], table: HandlerTable, zh: Catalog
) -> None:
    texts = {table.message_for(code) for code in _member_facing(modules)} | set(table.error_messages.values())
    missing = sorted(t for t in texts if (entry := zh.get(t)) is None or not entry.string or entry.fuzzy)
    assert missing == [], f"translate into bots/locales/zh/LC_MESSAGES/messages.po: {missing}"


def test_every_notice_kind_has_a_view(modules: dict[str, Module], table: HandlerTable) -> None:
    missing = sorted(f"{kind} ({where})" for kind, where in notice_kinds(modules).items() if kind not in table.notices)
    assert missing == [], f"register a view with table.notice(...) for: {missing}"
