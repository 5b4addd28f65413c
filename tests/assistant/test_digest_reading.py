"""How the digest reads a day of group messages: plain rules, no model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.assistant.digest import compose, is_question, message_link
from domain.assistant.ports import KeptMessage
from domain.money import Money
from domain.shop.products import Product

GROUP = -1001234567890
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEA = Product(3, "TEA-SET-01", "Celadon tea set", "Teapot and cups.", Money(250, "XTR"), 10, ("tea",))


def said(number: int, user: int, text: str, reply_to: int | None = None) -> KeptMessage:
    return KeptMessage(GROUP, number, user, text, START + timedelta(minutes=number), reply_to)


def test_questions_in_english_and_chinese_are_recognised() -> None:
    assert is_question("does it come with cups?") and is_question("有现货吗") and is_question("how big is it")
    assert not is_question("I love it") and not is_question("thanks all")


def test_a_question_someone_else_answered_leaves_the_list_but_a_self_reply_does_not() -> None:
    messages = [
        said(1, 10, "does the celadon tea set come with cups?"),
        said(2, 11, "yes, four of them", reply_to=1),
        said(3, 12, "when is the next drop?"),
        said(4, 12, "anyone?", reply_to=3),
    ]
    digest = compose(GROUP, messages, [TEA], date(2026, 11, 23))
    assert "come with cups" not in str(digest["questions"])
    assert "when is the next drop?" in str(digest["questions"])
    assert "https://t.me/c/1234567890/3" in str(digest["questions"])
    assert "Celadon tea set ×1" in str(digest["products"])


def test_complaints_set_the_tone_and_scam_links_are_flagged() -> None:
    messages = [
        said(1, 10, "my teapot arrived cracked, terrible, I want a refund"),
        said(2, 11, "mine never arrived"),
        said(3, 13, "free USDT airdrop https://example.net/claim"),
        said(4, 14, "see https://bit.ly/x1"),
        *(said(5 + i, 15, "pics https://photos.example.org/album") for i in range(3)),
    ]
    digest = compose(GROUP, messages, [], date(2026, 11, 23))
    assert digest["complaint_count"] == 2 and digest["tone"] == "mixed"  # 2 complaints, no praise, of 7
    assert str(digest["complaints"]).startswith("• my teapot arrived cracked")  # the strongest first
    links = str(digest["links"])
    assert "example.net/claim" in links and "bit.ly/x1" in links and "photos.example.org/album" in links
    assert compose(GROUP, messages[:3], [], date(2026, 11, 23))["tone"] == "tense"  # a third or more complain
    assert compose(GROUP, [said(1, 10, "love it, thanks!")], [], date(2026, 11, 23))["tone"] == "calm"
    assert compose(GROUP, [], [], date(2026, 11, 23))["tone"] == "quiet"


def test_a_basic_groups_messages_have_no_link_but_their_number() -> None:
    assert message_link(-4321, 7) == "#7"
    assert message_link(-1009876543210, 7) == "https://t.me/c/9876543210/7"
