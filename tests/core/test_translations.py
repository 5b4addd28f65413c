"""Every text the bot can say exists in Chinese, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bots.core.i18n import LOCALES_DIR, Translations, date_text, duration_text, moment_text
from domain.members import Member, catalog_language

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"{(\w+)}")


# The keywords of the documented extract command: -k t -k plain -k N_ -k tn:1,2 -k plain_n:1,2
KEYWORDS = {"t": None, "plain": None, "N_": None, "tn": (1, 2), "plain_n": (1, 2)}


def _extracted() -> list[str | tuple[str, str]]:
    found = extract_from_dir(str(ROOT / "bots"), method_map=[("**.py", "python")], keywords=KEYWORDS)
    # extract_from_dir yields (filename, lineno, message, comments, context); a plural's message is a tuple
    return [item[2] for item in found]


def _msgids() -> set[str]:
    return {m for m in _extracted() if isinstance(m, str)}


def _plurals() -> set[tuple[str, str]]:
    return {(m[0], m[1]) for m in _extracted() if isinstance(m, tuple) and len(m) == 2}


def test_every_text_in_the_code_has_a_chinese_translation() -> None:
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    msgids = _msgids()
    assert len(msgids) > 40  # the extraction itself works
    missing = sorted(m for m in msgids if (entry := catalog.get(m)) is None or not entry.string or entry.fuzzy)
    assert missing == [], f"add Chinese translations to {LOCALES_DIR}/zh: {missing}"


def test_every_plural_text_has_its_chinese_forms() -> None:
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    plurals = _plurals()
    assert len(plurals) > 10  # counts shown to people go through tn / plain_n
    assert catalog.num_plurals == 1  # Chinese has one form: msgstr[0]
    missing = []
    for singular, plural in sorted(plurals):
        entry = catalog.get(singular)
        if entry is None or not entry.pluralizable or entry.id[1] != plural or not all(entry.string):
            missing.append(singular)
    assert missing == [], f"add msgid_plural and msgstr[0] to {LOCALES_DIR}/zh for: {missing}"


def test_plural_translations_keep_every_placeholder() -> None:
    translations = Translations()
    for singular, plural in _plurals():
        wanted = set(PLACEHOLDER.findall(plural))
        assert set(PLACEHOLDER.findall(singular)) <= wanted, singular
        for count in (1, 2):
            assert set(PLACEHOLDER.findall(translations.ngettext("zh", singular, plural, count))) == wanted, plural


def test_a_count_takes_its_plural_form_in_english_and_in_chinese() -> None:
    translations = Translations()
    one, many = "<b>Members</b> · {count} plan", "<b>Members</b> · {count} plans"  # the owners' /members
    assert translations.translate_plural("en", one, many, 1, count=1) == "<b>Members</b> · 1 plan"
    assert translations.translate_plural("en", one, many, 2, count=2) == "<b>Members</b> · 2 plans"
    zh = [translations.translate_plural("zh", one, many, n, count=n) for n in (1, 2, 0)]
    assert zh == ["<b>会员</b> · 1 个方案", "<b>会员</b> · 2 个方案", "<b>会员</b> · 0 个方案"]
    assert translations.translate_plural("fr", one, many, 1, count=1) == "<b>Members</b> · 1 plan"
    days = translations.translate_plural("en", "Try free for {days} day", "Try free for {days} days", 1, days=1)
    assert days == "Try free for 1 day"


def test_traditional_chinese_readers_get_the_simplified_catalog() -> None:
    supported = Translations().supported
    for tag in ("zh-hant", "zh-TW", "zh-HK", "zh-MO", "zh_TW", "zh-Hant-TW", "zh-hans", "zh-CN", "zh"):
        assert catalog_language(tag, supported) == "zh", tag
    assert catalog_language("en-GB", supported) == "en"
    assert catalog_language("fr", supported) is None
    with_traditional = (*supported, "zh-hant")  # once a Traditional catalog exists, it wins for them
    for tag in ("zh-hant", "zh-TW", "zh-HK", "zh-MO", "zh-Hant-TW"):
        assert catalog_language(tag, with_traditional) == "zh-hant", tag
    assert catalog_language("zh-CN", with_traditional) == "zh"
    assert Member(1, "Wen", telegram_language="zh-TW").language(supported, "en") == "zh"
    assert Member(1, "Wen", telegram_language="zh-TW", chosen_language="en").language(supported, "en") == "en"


def test_dates_and_durations_are_written_in_the_readers_language() -> None:
    moment = datetime(2026, 11, 24, 10, 5, 7, tzinfo=UTC)
    assert date_text("en", moment) == "Nov 24, 2026"
    assert date_text("zh", moment) == "2026年11月24日"
    assert moment_text("en", moment) == "Nov 24, 2026 10:05 UTC"
    assert moment_text("zh", moment, seconds=True) == "2026年11月24日 10:05:07 UTC"
    assert duration_text("en", timedelta(days=30)) == "30 days"
    assert duration_text("zh", timedelta(days=30)) == "30天"
    assert duration_text("en", 3725) == "1 hour, 2 minutes, 5 seconds"
    assert duration_text("en", 60) == "1 minute"
    assert "2分钟" in duration_text("zh", 125) and "duration" not in duration_text("zh", 125)


def test_translations_keep_every_placeholder() -> None:
    translations = Translations()
    for msgid in _msgids():
        assert set(PLACEHOLDER.findall(translations.gettext("zh", msgid))) == set(PLACEHOLDER.findall(msgid)), msgid


def test_a_member_with_an_unknown_language_gets_english() -> None:
    assert Translations().translate("fr", "Sold out") == "Sold out"


def test_the_po_files_parse_with_the_gettext_tools() -> None:
    po = LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "compile",
            "-i",
            str(po),
            "-o",
            "/dev/null",
            "-l",
            "zh",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
