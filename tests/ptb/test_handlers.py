"""add_handlers registers the whole core table into PTB's own routing."""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
)

from bots.core.app import build_table
from bots.core.table import HandlerTable
from bots.ptb.handlers import action_pattern, add_handlers
from bots.ptb.runner import UpdateDoneProcessor, build_application


class TableOnly:
    """add_handlers only reads the table at registration time."""

    def __init__(self, table: HandlerTable) -> None:
        self.table = table


def application() -> Application[Any, Any, Any, Any, Any, Any]:
    return build_application("123456:TEST", "http://127.0.0.1:9", UpdateDoneProcessor())


def test_every_table_entry_gets_a_handler() -> None:
    table = build_table()
    app = application()
    add_handlers(app, TableOnly(table), group=3)  # type: ignore[arg-type]
    handlers = app.handlers[3]

    commands = [h for h in handlers if isinstance(h, CommandHandler)]
    assert {name for h in commands for name in h.commands} == set(table.commands)
    assert len(commands) == len(table.commands)

    message_handlers = [h for h in handlers if isinstance(h, MessageHandler)]
    # successful_payment, then commands no table entry claims, then private dialog text (table.text) and
    # private documents (table.document: pools of codes)
    assert len(message_handlers) == 2 + (table.text is not None) + (table.document is not None)
    assert message_handlers[-1].callback.__name__ == "on_document"

    callbacks = [h for h in handlers if isinstance(h, CallbackQueryHandler)]
    assert [h.pattern for h in callbacks] == [action_pattern(a) for a in table.actions] + [None]

    for kind in (InlineQueryHandler, ChosenInlineResultHandler, PreCheckoutQueryHandler):
        assert sum(isinstance(h, kind) for h in handlers) == 1
    members = [h for h in handlers if isinstance(h, ChatMemberHandler)]
    assert [h.chat_member_types for h in members] == [ChatMemberHandler.MY_CHAT_MEMBER]
    join_requests = sum(isinstance(h, ChatJoinRequestHandler) for h in handlers)
    assert join_requests == (1 if table.join_request is not None else 0)  # memberships declares one
    assert all(h.block is True for h in handlers)


def test_order_payment_first_and_catch_all_commands_after_known_ones() -> None:
    app = application()
    add_handlers(app, TableOnly(build_table()))  # type: ignore[arg-type]
    handlers = app.handlers[0]
    kinds = [type(h).__name__ for h in handlers]
    assert kinds[0] == "MessageHandler"  # successful_payment
    last_command = max(i for i, k in enumerate(kinds) if k == "CommandHandler")
    assert kinds[last_command + 1] == "MessageHandler"  # unknown commands


def test_optional_entries_are_left_out() -> None:
    table = HandlerTable()
    app = application()
    add_handlers(app, TableOnly(table))  # type: ignore[arg-type]
    kinds = [type(h) for h in app.handlers[0]]
    # The payment and pre-checkout handlers always exist (a pre-checkout query must be answered, and the
    # core logs a payment nobody handles); buttons always get the catch-all for stale or forged data.
    assert kinds == [MessageHandler, CallbackQueryHandler, PreCheckoutQueryHandler]


def test_join_requests_when_declared() -> None:
    table = build_table()

    async def on_join(ctx: object, event: object) -> None:
        return None

    table.join_request = on_join
    app = application()
    add_handlers(app, TableOnly(table))  # type: ignore[arg-type]
    assert sum(isinstance(h, ChatJoinRequestHandler) for h in app.handlers[0]) == 1


def test_action_pattern_needs_the_whole_action_name() -> None:
    pattern = action_pattern("page")
    assert pattern.match("1:page:2")
    assert not pattern.match("1:pages:2")
    assert not pattern.match("2:page:2")
    assert not pattern.match("x1:page:2")


def test_application_points_at_the_configured_server() -> None:
    app = build_application("123456:TEST", "http://127.0.0.1:8081/", UpdateDoneProcessor())
    assert app.bot.base_url == "http://127.0.0.1:8081/bot123456:TEST"
    assert app.bot.base_file_url == "http://127.0.0.1:8081/file/bot123456:TEST"
    assert app.update_processor.max_concurrent_updates == 64
