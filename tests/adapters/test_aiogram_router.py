"""The aiogram router's filters: every one runs on the event loop, and each routes what it did before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.types import CallbackQuery, Chat, Document, Message, SuccessfulPayment, User

from bots.aiogram.filters import ActionButton, PlainText, PrivateDocument
from bots.aiogram.filters import SuccessfulPayment as PaymentFilter
from bots.aiogram.router import build_router
from bots.core.app import build_table
from bots.core.table import HandlerTable

MEMBER = User(id=7, is_bot=False, first_name="Ai")


class TableOnly:
    """build_router reads only the table when it registers."""

    def __init__(self, table: HandlerTable) -> None:
        self.table = table


def _press(data: str | None) -> CallbackQuery:
    return CallbackQuery(id="q1", from_user=MEMBER, chat_instance="c1", data=data)


def _message(chat_type: str = "private", **fields: object) -> Message:
    chat = Chat(id=7 if chat_type == "private" else -100, type=chat_type)
    return Message(message_id=1, date=datetime(2026, 1, 1, tzinfo=UTC), chat=chat, from_user=MEMBER, **fields)


def test_every_filter_of_the_router_is_checked_on_the_event_loop() -> None:
    """aiogram runs a synchronous filter (a magic filter such as F.data) in a worker thread, a hop per check."""
    router = build_router(TableOnly(build_table()))  # type: ignore[arg-type]
    filters = [
        check
        for observer in router.observers.values()
        for handler in observer.handlers
        for check in handler.filters or ()
    ]
    assert filters
    assert all(check.awaitable for check in filters)


@pytest.mark.parametrize(
    ("data", "routed"),
    [
        ("1:page:2", True),
        ("1:dbuy:5:0", True),
        ("1:page:", True),
        ("1:pagex:2", False),  # a longer action is another action
        ("1:page", False),
        ("2:page:2", False),  # another version of the codec
        ("", False),
        (None, False),
    ],
)
async def test_a_button_is_routed_by_its_action_when_the_table_knows_it(data: str | None, routed: bool) -> None:
    table = build_table()
    assert await ActionButton(table.actions)(_press(data)) is routed


async def test_messages_are_told_apart_as_before() -> None:
    paid = SuccessfulPayment(
        currency="XTR",
        total_amount=5,
        invoice_payload="p",
        telegram_payment_charge_id="t",
        provider_payment_charge_id="",
    )
    assert await PaymentFilter()(_message(successful_payment=paid))
    assert not await PaymentFilter()(_message(text="hello"))

    chats = {"private", "group", "supergroup"}
    assert await PlainText(chats)(_message(text="a name for the drop"))
    assert await PlainText(chats)(_message("supergroup", text="how much is the teapot?"))
    assert not await PlainText(chats)(_message(text="/shop"))
    assert not await PlainText(chats)(_message("channel", text="news"))
    assert not await PlainText(chats)(_message())

    codes = Document(file_id="f", file_unique_id="u", file_name="codes.txt")
    assert await PrivateDocument()(_message(document=codes))
    assert not await PrivateDocument()(_message("group", document=codes))
    assert not await PrivateDocument()(_message(text="codes"))
