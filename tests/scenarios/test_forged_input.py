"""Never trust the client: forged buttons, odd numbers, over-long words and vanished messages get clear answers."""

from __future__ import annotations

import logging

import pytest

from tests.scenarios.harness import Shop


def unhandled(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Error log lines: an update that failed inside the bot or its framework."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_forged_language_button_is_answered_plainly(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    mei = shop.member("Mei")
    (menu,) = await shop.say(mei, None, "/language")
    for code in ("fr", "xx", "language"):
        answer = await shop.press(mei, menu, data=f"1:lang:{code}", forge=True)
        assert answer is not None and answer.show_alert, code
        assert answer.text == "That language is not available.", (code, answer.text)
    (help_text,) = await shop.say(mei, None, "/help")
    assert "browse the catalog" in help_text.text  # still English
    assert unhandled(caplog) == []
    shop.fake.assert_no_errors()
