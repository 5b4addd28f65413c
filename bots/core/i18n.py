"""Translations through Babel: gettext catalogs (.po) per language, English msgids as the source.

The .po files are read with Babel at start-up, so no compiled .mo has to be built or committed.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.units import format_unit

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}


class Translations:
    def __init__(self, locales_dir: Path = LOCALES_DIR, default: str = SOURCE_LANGUAGE) -> None:
        self._catalogs: dict[str, Catalog] = {}
        for po in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            with po.open("rb") as handle:
                self._catalogs[po.parent.parent.name] = read_po(handle)
        self.supported: tuple[str, ...] = (SOURCE_LANGUAGE, *sorted(self._catalogs))
        if default not in self.supported:
            raise ValueError(f"default language {default!r} has no catalog; have {self.supported}")
        self.default = default

    def gettext(self, language: str, msgid: str) -> str:
        catalog = self._catalogs.get(language)
        if catalog is None:
            return msgid
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            if language != SOURCE_LANGUAGE:
                log.debug("missing %s translation for %r", language, msgid)
            return msgid
        return str(message.string)

    def ngettext(self, language: str, singular: str, plural: str, count: int) -> str:
        """The form of a text for `count` in `language` (gettext plural forms: English has two, Chinese one)."""
        english = singular if count == 1 else plural
        catalog = self._catalogs.get(language)
        if catalog is None:
            return english
        message = catalog.get(singular)
        forms = message.string if message is not None and not message.fuzzy else None
        if not isinstance(forms, (tuple, list)) or not all(forms):
            if language != SOURCE_LANGUAGE:
                log.debug("missing %s plural translation for %r", language, singular)
            return english
        index = _plural_rule(catalog)(count)
        return str(forms[index if 0 <= index < len(forms) else 0])

    def translate_plural(self, language: str, singular: str, plural: str, count: int, /, **params: object) -> str:
        """`ngettext`, then the params filled in (the count is one of them, under the name the text uses)."""
        text = self.ngettext(language, singular, plural, count)
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            log.warning("bad %s plural translation for %r", language, singular)
            return (singular if count == 1 else plural).format(**params)

    def translate(self, language: str, msgid: str, /, **params: object) -> str:
        """`language` and `msgid` are positional-only, so a message may have placeholders of those names."""
        text = self.gettext(language, msgid)
        if not params:
            return text
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            # A broken translation must not break the reply: fall back to the English text.
            log.warning("bad %s translation for %r", language, msgid)
            return msgid.format(**params)


def N_(msgid: str) -> str:
    return msgid


def count_of(value: object) -> int:
    """A count as a notice carried it (an int, or digits), for choosing a plural form; anything else is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.lstrip("-").isdigit() else 0


_rules: dict[str, Callable[[int], int]] = {}


def _plural_rule(catalog: Catalog) -> Callable[[int], int]:
    """The catalog's Plural-Forms expression (`plural=0;` in Chinese) as a function of the count."""
    expression = catalog.plural_expr
    if expression not in _rules:
        _rules[expression] = gettext.c2py(expression)
    return _rules[expression]


# -- dates and durations in the reader's language (Babel's CLDR data) --------------------------------------


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, LookupError):
        return Locale.parse(SOURCE_LANGUAGE)


def date_text(language: str, moment: datetime) -> str:
    """A day as its readers write it: "Nov 24, 2026", "2026年11月24日" (the UTC day of an aware moment)."""
    return format_date(moment.astimezone(UTC).date(), "medium", locale=_locale(language))


def moment_text(language: str, moment: datetime, seconds: bool = False) -> str:
    """A day and a time in UTC: "Nov 24, 2026 10:05 UTC", "2026年11月24日 10:05 UTC"."""
    utc = moment.astimezone(UTC)
    locale = _locale(language)
    clock = format_skeleton("Hms" if seconds else "Hm", utc, tzinfo=UTC, locale=locale)
    return f"{format_date(utc.date(), 'medium', locale=locale)} {clock} UTC"


def _unit(language: str, amount: int, unit: str) -> str:
    locale = _locale(language)
    text = format_unit(amount, f"duration-{unit}", length="long", locale=locale)
    if "duration-" in text:  # CLDR's long forms are missing for some locales (Chinese): the short ones are words
        text = format_unit(amount, f"duration-{unit}", length="short", locale=locale)
    return text


def duration_text(language: str, span: timedelta | int) -> str:
    """An exact length of time in words: "30 days", "1 hour, 2 minutes, 5 seconds", "30天", "2分钟5秒钟".

    Exact, not rounded (Babel's format_timedelta would call 30 days "1 month")."""
    seconds = int(span.total_seconds()) if isinstance(span, timedelta) else int(span)
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    amounts = [(days, "day"), (hours, "hour"), (minutes, "minute"), (secs, "second")]
    parts = [_unit(language, amount, unit) for amount, unit in amounts if amount]
    if not parts:
        return _unit(language, 0, "second")
    return format_list(parts, style="unit", locale=_locale(language))


def parse_moment(text: str) -> datetime | None:
    """A moment a notice carried as text (ISO, or "2026-11-24 10:05 UTC" as older notices wrote it), or None."""
    value = text.strip()
    for pattern in ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M UTC", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
