"""PTB objects (parsed from real Bot API payloads) into core events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from bots.core.events import (
    BotMembershipEvent,
    ButtonEvent,
    Chat,
    ChosenInlineEvent,
    CommandEvent,
    InlineQueryEvent,
    JoinRequestEvent,
    PaymentEvent,
    PreCheckoutEvent,
    Sender,
)
from bots.ptb import convert
from domain.outgoing import MessageRef
from tests.ptb import payloads

MEI = Sender(1001, "Mei", "mei", "zh-hans", False)
GROUP = Chat(-1001234, "supergroup", "Tea Lovers")


def update(data: dict[str, Any]) -> Update:
    parsed = Update.de_json(data, None)
    assert parsed is not None
    return parsed


def test_command_with_mention_is_lower_case_without_slash_and_mention() -> None:
    u = update(payloads.command_message("/Shop@circlecart_test_bot   green  tea  "))
    assert u.message is not None
    event = convert.command(u.update_id, u.message)
    assert event == CommandEvent(10, MEI, GROUP, 77, "shop", "green  tea")
    assert type(event.chat.type) is str  # PTB's ChatType enum is flattened to the plain string


def test_command_without_args() -> None:
    u = update(payloads.command_message("/help", chat=payloads.PRIVATE))
    assert u.message is not None
    event = convert.command(u.update_id, u.message)
    assert event is not None
    assert (event.command, event.args, event.chat) == ("help", "", Chat(1001, "private", None))
    assert event.chat.is_private


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start ref_42", ("start", "", "ref_42")),
        ("/start@Bot", ("start", "Bot", "")),
        ("/x@other_bot a b", ("x", "other_bot", "a b")),
        ("/start\nline two", ("start", "", "line two")),
        ("hello", None),
        ("/", None),
        ("/@bot", None),
        (None, None),
    ],
)
def test_split_command(text: str | None, expected: tuple[str, str, str] | None) -> None:
    assert convert.split_command(text) == expected


def test_callback_on_inline_message_has_no_chat() -> None:
    u = update(payloads.callback_on_inline_message("1:product:3"))
    assert u.callback_query is not None
    event = convert.button(u.update_id, u.callback_query)
    assert event == ButtonEvent(
        11, MEI, "4382bfdwdsb323b2d9", "1:product:3", MessageRef(inline_message_id="AAEAAAxyz"), None
    )


def test_callback_on_chat_message() -> None:
    u = update(payloads.callback_on_chat_message("1:page:2"))
    assert u.callback_query is not None
    event = convert.button(u.update_id, u.callback_query)
    assert event == ButtonEvent(12, MEI, "99", "1:page:2", MessageRef(chat_id=-1001234, message_id=500), GROUP)


def test_successful_payment_with_subscription() -> None:
    u = update(payloads.successful_payment())
    assert u.message is not None
    event = convert.payment(u.update_id, u.message)
    assert event == PaymentEvent(
        13,
        MEI,
        Chat(1001, "private", None),
        78,
        "XTR",
        250,
        "order:42",
        "stxABC",
        None,  # empty provider charge id (Stars) becomes None
        True,
        datetime.fromtimestamp(1_792_592_000, UTC),
    )
    assert event.subscription_expiration_date is not None
    assert event.subscription_expiration_date.utcoffset() is not None


def test_one_off_payment() -> None:
    u = update(payloads.successful_payment(recurring=False))
    assert u.message is not None
    event = convert.payment(u.update_id, u.message)
    assert event is not None
    assert (event.is_recurring, event.subscription_expiration_date) == (False, None)


def test_bot_added_to_group() -> None:
    u = update(payloads.my_chat_member("left", "administrator"))
    assert u.my_chat_member is not None
    event = convert.bot_membership(u.update_id, u.my_chat_member)
    assert event == BotMembershipEvent(14, MEI, GROUP, "left", "administrator")
    assert type(event.new_status) is str
    assert event.joined and not event.left


def test_bot_removed_from_group() -> None:
    u = update(payloads.my_chat_member("member", "kicked"))
    assert u.my_chat_member is not None
    assert convert.bot_membership(u.update_id, u.my_chat_member).left


def test_pre_checkout_query() -> None:
    u = update(payloads.pre_checkout_query())
    assert u.pre_checkout_query is not None
    event = convert.pre_checkout(u.update_id, u.pre_checkout_query)
    assert event == PreCheckoutEvent(15, MEI, "pcq-1", "XTR", 250, "order:42")


def test_join_request() -> None:
    u = update(payloads.chat_join_request())
    assert u.chat_join_request is not None
    event = convert.join_request(u.update_id, u.chat_join_request)
    assert event == JoinRequestEvent(16, MEI, GROUP, 1001, "https://t.me/+AbCdEf")


def test_inline_query_and_chosen_result() -> None:
    u = update(payloads.inline_query())
    assert u.inline_query is not None
    assert convert.inline_query(u.update_id, u.inline_query) == InlineQueryEvent(17, MEI, "iq-1", "tea", "20")
    c = update(payloads.chosen_inline_result())
    assert c.chosen_inline_result is not None
    event = convert.chosen_inline(c.update_id, c.chosen_inline_result)
    assert event == ChosenInlineEvent(18, MEI, "p:3", "tea", "AAEAAAxyz")
