"""Translations through Babel: gettext catalogs (.po) per language, English msgids as the source.

The .po files are read with Babel at start-up, so no compiled .mo has to be built or committed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

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
