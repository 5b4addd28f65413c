"""The command line's words: the operator's language, and every error as the sentence the bot would say.

A DomainError is explained with the very text the bot sends a member for its code (the handler table's
messages, bots/core/*/errors.py and each capability's ERRORS), translated with the same catalogs; the
CLI's own failures (CliError) are English msgids translated the same way. So no raw code such as
`brand.exists (brand=…)` reaches the operator.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from functools import cache

from bots.core.i18n import N_, SOURCE_LANGUAGE, Translations
from bots.core.table import HandlerTable
from circlecart.errors import CliError
from domain.errors import DomainError
from domain.shop.catalog_file import CatalogFileError

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set decides
_TAG = re.compile(r"</?[a-z]+>")  # the bot's texts are HTML; a terminal shows plain text


@cache
def translations() -> Translations:
    return Translations()


@cache
def _table() -> HandlerTable:
    from bots.core.app import build_table

    return build_table()


def supported_languages() -> tuple[str, ...]:
    return translations().supported


def choose_language(option: str | None, environ: Mapping[str, str], default: str | None) -> str:
    """`--language` if given; else the shell's locale (LC_ALL, LC_MESSAGES, LANG) when it names a language
    with a catalog (zh_CN.UTF-8 -> zh); else CIRCLECART_DEFAULT_LANGUAGE; else English."""
    supported = supported_languages()
    if option:
        return option
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:
            language = re.split(r"[_.@-]", value, maxsplit=1)[0].lower()
            if language in supported:
                return language
            break
    return default if default in supported else SOURCE_LANGUAGE


_CHOSEN: list[str] = []


def use_language(language: str) -> None:
    """The operator's language for this run (set once by circlecart.cli.main)."""
    _CHOSEN[:] = [language]


def language() -> str:
    return _CHOSEN[0] if _CHOSEN else SOURCE_LANGUAGE


def note(msgid: str, /, **params: object) -> None:
    """A remark on standard error in the operator's language (what stdout carries stays data)."""
    print(say(language(), msgid, **params), file=sys.stderr)


def say(language: str, msgid: str, /, **params: object) -> str:
    """A CLI sentence in the operator's language (msgids are marked with N_ where they are written)."""
    return translations().translate(language, msgid, **params)


def explain(error: BaseException, language: str) -> str:
    """Any failure the CLI reports, as sentences in `language` (several lines for a file's problems)."""
    if isinstance(error, CatalogFileError):
        return "\n".join(
            say(language, N_("line {line}: {problem}"), line=line, problem=problem) if line > 0 else problem
            for line, problem in error.problems
        )
    if isinstance(error, DomainError):
        msgid = _table().message_for(error.code)
        return _TAG.sub("", say(language, msgid, **error.params))
    if isinstance(error, CliError):
        params = {k: explain(v, language) if isinstance(v, BaseException) else v for k, v in error.params.items()}
        return say(language, error.msgid, **params)
    return str(error)
