"""Every error a member can meet reads in their language, and every notice kind enqueued has a view.

An error code is a member of one feature's `ErrorCode` enum: `domain/<feature>/errors.py`, the shared
vocabulary's next to it (`domain/money.py`, `domain/members.py`, `domain/communities.py`), and the bot's own
command errors in `bots/core/<feature>/errors.py`. A code with no text reaches the member as the generic
apology ("Something went wrong on our side"), which tells them nothing; it is easy to miss when a rule is
added in domain/. So the enums are not listed here by hand: every module of domain/ and bots/ is imported
and ErrorCode's subclasses are walked, and every member must have

- an English text, in its feature's `ERRORS` table or in bots/core/error_messages.py;
- a Chinese translation of that text;
- a value of its own: the value is what logs, stored refund reasons and notices carry.

A code is a member, never a string, so that a typo cannot invent a code no table knows. mypy rejects
`DomainError("...")`; the tests run without mypy, so the source is also scanned here for a string where a
code belongs: raised, explained, or travelling as a value (a refund's reason returned from
domain/shop/payments, domain/drops/buying.py or domain/groupbuys, assigned to a `reason`/`why`/`refusal`/
`closed` name, or the fallback in `... reason or ShopError.ORDER_CLOSED`).

Notice kinds are the `kind` of every `Notice(...)`, a literal or a module constant (e.g. `mn.REMINDER`),
and every constant of the notice modules (domain/*/notices.py, domain/shop/payments/answers.py).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bots.core.app import build_table
from bots.core.error_messages import GENERIC
from bots.core.i18n import Translations
from bots.core.table import HandlerTable
from domain.errors import ErrorCode
from domain.shop.catalog_file import CatalogError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("domain", "bots", "circlecart", "jobs")
# The sandbox plays Telegram around the bot; no code of it reaches a member (its file names are no codes).
SANDBOX = ROOT / "circlecart" / "sandbox"
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
PLACEHOLDER = re.compile(r"{(\w+)}")
# Names under which a code travels as a value rather than being raised at once.
REASON_NAME = re.compile(r"reason|why|refusal|closed")
RAISERS = {"DomainError", "explain"}
# Codes no member can meet, by enum, with the module that holds it. `catalog.invalid` comes only from
# reading a catalog file, which only `circlecart catalog import` does; the CLI prints every problem line
# itself. test_cli_only_codes_stay_out_of_the_bot keeps that true: once bots/ reads catalog files, it needs
# a text.
CLI_ONLY: dict[type[ErrorCode], str] = {CatalogError: "domain.shop.catalog_file"}
NOTICE_MODULES = ("domain/*/notices.py", "domain/shop/payments/answers.py")


# -- the codes: every ErrorCode enum of the product --------------------------------------------------------


def _import_everything() -> None:
    """An enum exists for ErrorCode.__subclasses__() only once its module is imported."""
    for package in ("domain", "bots"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            importlib.import_module(module.name)


def _subclasses(cls: type[ErrorCode]) -> Iterator[type[ErrorCode]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_enums() -> list[type[ErrorCode]]:
    """Every ErrorCode enum in domain/ and bots/ (a test's own probe enums are not the product's)."""
    _import_everything()
    return sorted(
        (cls for cls in _subclasses(ErrorCode) if cls.__module__.startswith(("domain.", "bots."))),
        key=lambda cls: (cls.__module__, cls.__name__),
    )


def _name(code: ErrorCode) -> str:
    return f"{type(code).__name__}.{code.name} ({code.value})"


def codes_without_text(enums: list[type[ErrorCode]], table: HandlerTable) -> list[str]:
    return [_name(code) for cls in enums for code in cls if table.message_for(code) == GENERIC]


@pytest.fixture(scope="module")
def enums() -> list[type[ErrorCode]]:
    return error_enums()


@pytest.fixture(scope="module")
def member_facing(enums: list[type[ErrorCode]]) -> list[type[ErrorCode]]:
    return [cls for cls in enums if cls not in CLI_ONLY]


@pytest.fixture(scope="module")
def table() -> HandlerTable:
    return build_table()


def test_every_feature_has_its_codes(enums: list[type[ErrorCode]]) -> None:
    # The search itself works: it finds the domain's features, the vocabulary's enums and the bot's own.
    names = {cls.__name__ for cls in enums}
    for name in ("ShopError", "DropError", "MembershipError", "GroupBuyError", "PointsError", "ReferralError"):
        assert name in names, name
    for name in ("BrandError", "MoneyError", "MemberError", "CommunityError", "RefundCommandError"):
        assert name in names, name
    assert sum(len(cls) for cls in enums) > 100


def test_every_code_has_an_english_text(member_facing: list[type[ErrorCode]], table: HandlerTable) -> None:
    missing = codes_without_text(member_facing, table)
    assert missing == [], f"add a text (N_) to the feature's ERRORS table for: {missing}"


def test_a_code_without_a_text_is_named(table: HandlerTable) -> None:
    # The check above can fail: a new code nobody wrote a text for is named, not passed over.
    class Forgotten(ErrorCode):
        NO_TEXT = "forgotten.no_text"

    assert codes_without_text([Forgotten], table) == ["Forgotten.NO_TEXT (forgotten.no_text)"]


def test_every_code_reads_in_chinese(member_facing: list[type[ErrorCode]], table: HandlerTable) -> None:
    # Translations falls back to the English msgid when the catalog has no (or an empty, or a fuzzy) entry.
    translations = Translations()
    untranslated = sorted(
        f"{_name(code)}: {text!r}"
        for cls in member_facing
        for code in cls
        if (text := table.message_for(code)) != GENERIC and translations.gettext("zh", text) == text
    )
    assert untranslated == [], f"translate into bots/locales/zh/LC_MESSAGES/messages.po: {untranslated}"


def test_no_two_codes_share_a_value(enums: list[type[ErrorCode]]) -> None:
    # Within one enum a repeated value silently makes the second name an alias of the first.
    owners: defaultdict[str, list[str]] = defaultdict(list)
    for cls in enums:
        for name, code in cls.__members__.items():
            owners[code.value].append(f"{cls.__name__}.{name}")
    shared = {value: names for value, names in owners.items() if len(names) > 1}
    assert shared == {}, f"each code needs a value of its own: {shared}"


def test_every_code_reads_like_a_code(enums: list[type[ErrorCode]]) -> None:
    # `feature.what_went_wrong`, and the member's name says the same in capitals.
    odd = [_name(code) for cls in enums for code in cls if not CODE.match(code.value) or code.name != code.name.upper()]
    assert odd == []


# -- the source: codes are members, never strings ----------------------------------------------------------


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


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return _modules()


def _where(module: Module, node: ast.AST) -> str:
    return f"{module.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _strings(node: ast.AST) -> Iterator[ast.AST]:
    """Any text in an expression that stands for a code: a literal or an f-string."""
    if isinstance(node, ast.JoinedStr) or _literal(node) is not None:
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _strings(child)


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


def codes_as_strings(modules: dict[str, Module]) -> list[str]:
    """Every place a code is written as a string: where -> the string."""
    found: list[str] = []
    for module in modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _call_name(node) in RAISERS and node.args:
                found.extend(f"{_where(module, s)}: {ast.unparse(s)}" for s in _strings(node.args[0]))
            elif isinstance(node, ast.ClassDef) and any(ast.unparse(base) == "DomainError" for base in node.bases):
                # a subclass names its code in `super().__init__(CatalogError.INVALID, ...)`
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and ast.unparse(call.func) == "super().__init__" and call.args:
                        found.extend(f"{_where(module, s)}: {ast.unparse(s)}" for s in _strings(call.args[0]))
            values: list[ast.AST] = []
            if isinstance(node, ast.Return) and node.value is not None:
                values.append(node.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                if any(REASON_NAME.search(name) for name in _target_names(node)):
                    values.append(node.value)
            elif isinstance(node, ast.keyword) and node.arg and REASON_NAME.search(node.arg):
                values.append(node.value)
            elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                # `payment.refund_reason or ShopError.ORDER_CLOSED`: the fallback is a reason too
                if any(REASON_NAME.search(ast.unparse(operand)) for operand in node.values):
                    values.append(node)
            for value in values:
                found.extend(f"{_where(module, c)}: {c.value!r}" for c in _codes_in_value(value))
    return sorted(set(found))


def test_codes_are_members_never_strings(modules: dict[str, Module]) -> None:
    strings = codes_as_strings(modules)
    assert strings == [], f"use the feature's ErrorCode member (domain/<feature>/errors.py) instead of: {strings}"


def test_the_scan_finds_a_code_written_as_a_string() -> None:
    # The scan above can fail: each way a code used to be written as a string is caught.
    source = """
class LegacyError(DomainError):
    def __init__(self) -> None:
        super().__init__("legacy.broken")

def check(order):
    if order is None:
        raise DomainError("order.unknown")
    return "order.closed"

def answer(ctx, payment):
    refusal = "order.not_yours"
    text = ctx.explain(f"order.{payment.state}")
    return notify(reason="order.refunded", why=payment.refund_reason or "order.closed")
"""
    module = Module(ROOT / "domain" / "probe.py", ast.parse(source))
    found = [line.split(": ", 1)[1] for line in codes_as_strings({"domain.probe": module})]
    assert sorted(found) == sorted(
        [
            "'legacy.broken'",  # super().__init__ of a DomainError subclass
            "'order.unknown'",  # raised
            "'order.closed'",  # returned as a reason
            "'order.not_yours'",  # assigned to a reason's name
            "f'order.{payment.state}'",  # explained, made up at run time
            "'order.refunded'",  # passed as a reason
            "'order.closed'",  # the fallback of a stored reason
        ]
    )


def _members_named(node: ast.AST, enums: dict[str, type[ErrorCode]]) -> Iterator[ErrorCode]:
    """The members an expression names: `DropError.ENDED`, or either side of `A if ... else B`."""
    if isinstance(node, ast.IfExp):
        yield from _members_named(node.body, enums)
        yield from _members_named(node.orelse, enums)
    elif isinstance(node, ast.Attribute):
        owner = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", None)
        if owner in enums:
            yield enums[owner][node.attr]


def raise_sites(modules: dict[str, Module], enums: list[type[ErrorCode]]) -> Iterator[tuple[str, ErrorCode, set[str]]]:
    """(where, code, the params it is raised with) for every `DomainError(Code.X, ...)` and `ctx.explain(...)`
    whose params can be read (no `**params`)."""
    by_name = {cls.__name__: cls for cls in enums}
    assert len(by_name) == len(enums), "two ErrorCode enums share a name"
    for module in modules.values():
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and _call_name(node) in RAISERS and node.args):
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue
            params = {keyword.arg for keyword in node.keywords if keyword.arg}
            if _call_name(node) == "explain":
                params.discard("html")  # explain's own argument, not the message's
            for code in _members_named(node.args[0], by_name):
                yield _where(module, node), code, params


def test_every_raise_fills_its_texts_placeholders(
    modules: dict[str, Module], member_facing: list[type[ErrorCode]], table: HandlerTable
) -> None:
    # A placeholder nobody fills reaches the member as "{title}". (Reasons explained after a refund are
    # filled by payment_views.why, which leaves what a notice cannot know empty.)
    sites = list(raise_sites(modules, member_facing))
    assert len(sites) > 150  # the scan itself reads the raise sites
    unfilled = sorted(
        f"{where}: {_name(code)} needs {sorted(missing)}"
        for where, code, params in sites
        if (missing := set(PLACEHOLDER.findall(table.message_for(code))) - params)
    )
    assert unfilled == [], f"pass these params where the code is raised: {unfilled}"


def test_cli_only_codes_stay_out_of_the_bot(modules: dict[str, Module], table: HandlerTable) -> None:
    for cls, home in CLI_ONLY.items():
        assert cls.__module__ == home, f"{cls.__name__} moved: update CLI_ONLY"
        users = sorted(
            name
            for name, module in modules.items()
            if name.startswith(("bots.", "jobs."))
            and any(
                target == home or target.startswith(home + ".")
                for target in [*module.aliases.values(), *(m for m, _ in module.imported.values())]
            )
        )
        assert users == [], f"{cls.__name__} can now reach a member through {users}: give it a text"
        assert codes_without_text([cls], table) == [_name(code) for code in cls], f"{cls.__name__} has texts now"


# -- the notices --------------------------------------------------------------------------------------------


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


def test_the_search_finds_notice_kinds(modules: dict[str, Module]) -> None:
    kinds = notice_kinds(modules)
    for kind in ("points.returned", "drops.teaser", "membership.reminder", "groupbuy.card", "payment.refund"):
        assert kind in kinds, kind


def test_every_notice_kind_has_a_view(modules: dict[str, Module], table: HandlerTable) -> None:
    missing = sorted(f"{kind} ({where})" for kind, where in notice_kinds(modules).items() if kind not in table.notices)
    assert missing == [], f"register a view with table.notice(...) for: {missing}"
