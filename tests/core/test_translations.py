"""Every text the bot can say exists in Chinese, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bots.core.i18n import LOCALES_DIR, Translations

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"{(\w+)}")


def _msgids() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "bots"), method_map=[("**.py", "python")], keywords={"t": None, "plain": None, "N_": None}
    )
    # extract_from_dir yields (filename, lineno, message, comments, context)
    return {item[2] for item in found if isinstance(item[2], str)}


def test_every_text_in_the_code_has_a_chinese_translation() -> None:
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    msgids = _msgids()
    assert len(msgids) > 40  # the extraction itself works
    missing = sorted(m for m in msgids if (entry := catalog.get(m)) is None or not entry.string or entry.fuzzy)
    assert missing == [], f"add Chinese translations to {LOCALES_DIR}/zh: {missing}"


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
