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


async def test_numbers_are_ascii_digits_only(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    mei = shop.member("Mei")
    for command in ("/raffle ²", "/raffle ١٢", "/raffle 1²"):
        (reply,) = await shop.say(mei, None, command)
        assert reply.text.startswith("Use: /raffle DROP_ID"), (command, reply.text)
    (reply,) = await shop.say(mei, None, "/refund ²")
    assert "/refund" in reply.text, reply.text
    (page,) = await shop.say(mei, None, "/shop")
    answer = await shop.press(mei, page, data="1:page:١", forge=True)  # a forged page number in Arabic-Indic digits
    assert answer is not None and answer.show_alert and "no longer" in answer.text
    assert unhandled(caplog) == []


async def test_a_button_whose_message_is_gone_is_still_answered(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    (page,) = await shop.say(mei, group, "/shop")
    delivered = await shop.fake.press_button(mei, page, text="Next ▶")
    page.deleted = True  # deleted before the bot edits it: "message to edit not found"
    await shop.settle(delivered)
    assert shop.fake.callback_answer(delivered.query_id) is not None
    assert [e.description for e in shop.fake.errors] == ["Bad Request: message to edit not found"]
    assert unhandled(caplog) == []


async def test_over_long_words_are_quoted_back_shortened(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    mei = shop.member("Mei")
    words = ("zeppelin " * 512)[:4090]  # with "/find " the message is 4,096 characters, Telegram's most
    (nothing,) = await shop.say(mei, None, f"/find {words}")
    assert "Nothing found for “zeppelin zeppelin" in nothing.text and "…”" in nothing.text
    assert len(nothing.text) < 200
    (unknown,) = await shop.say(mei, None, "/" + "x" * 32)
    assert "I don't know the command" in unknown.text
    owner = shop.member("Owner")
    community = await shop.group_with_bot("Tea Lovers", admin=owner)
    (refused,) = await shop.say(owner, community, "/plan add 100 XTR Club " + "bad=" + "y" * 3000)
    assert len(refused.text) < 1000, refused.text
    assert unhandled(caplog) == []
    shop.fake.assert_no_errors()
