"""The SQL a member's update costs does not grow with the shop: the same statements with 1k and with 100k rows.

Each update kind (browse, search, card, Buy, pre-checkout, payment, /points, /membership, a join request) is
played through the fake Bot API into the real app, once on a shop of 1,000 members, products and ledger rows
and once on one of 100,000, and the SQL statements each update ran are counted. An N+1 or a query that reads
every row into Python shows up as a count that differs between the two. Counting is a test; timing is not
(the time is measured in `bench/`).

What is counted: every statement SQLAlchemy hands to the driver (``before_cursor_execute``) while the core
handles that update, including SQLite's ``BEGIN IMMEDIATE``; PostgreSQL's BEGIN/COMMIT are sent by asyncpg
itself and never pass there. Statements of background work (the outbox, jobs) run in tasks of their own and
are not the update's: a statement is the update's when it runs inside the core's entry point for it (a
context variable set around that call, which SQLAlchemy's greenlets carry to the event).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.memberships_steps import open_club
from tests.support.clock import FakeClock
from tests.support.databases import BACKEND_PARAMS, fresh_database
from tests.support.large_shop import LargeShop, seed_large_shop, seed_memberships

SMALL = LargeShop(members=1_000, products=1_000, ledger_rows=1_000)
LARGE = LargeShop(members=100_000, products=100_000, ledger_rows=100_000)

# The core's entry points the adapters call, one per kind of update.
ENTRY_POINTS = ("command", "text", "button", "pre_checkout", "payment", "join_request", "inline_query")

_statements: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("statements", default=None)


@dataclass
class StatementCounter:
    """Statements per core call, in the order the calls finished since the last `take`."""

    calls: list[tuple[str, list[str]]] = field(default_factory=list)

    def on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements = _statements.get()
        if statements is not None:
            statements.append(statement)

    def wrap(self, name: str, method: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        @functools.wraps(method)
        async def counted(event: Any) -> None:
            statements: list[str] = []
            token = _statements.set(statements)
            try:
                await method(event)
            finally:
                _statements.reset(token)
                self.calls.append((name, statements))

        return counted

    def take(self) -> list[tuple[str, list[str]]]:
        calls, self.calls = self.calls, []
        return calls


@contextmanager
def counting(shop: Shop) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    core = shop.app.core
    assert core is not None and shop.app.database is not None
    engine = shop.app.database.engine.sync_engine
    for name in ENTRY_POINTS:  # the adapters look the method up on every update, so the instance's wins
        setattr(core, name, counter.wrap(name, getattr(core, name)))
    event.listen(engine, "before_cursor_execute", counter.on_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter.on_execute)
        for name in ENTRY_POINTS:
            delattr(core, name)


def only(calls: list[tuple[str, list[str]]], name: str) -> list[str]:
    (statements,) = [statements for called, statements in calls if called == name]
    return statements


async def play_every_kind(shop: Shop, size: LargeShop) -> dict[str, list[str]]:
    """One update of each kind by a seeded member with a membership and a points history; statements by kind."""
    club = await open_club(shop)
    plan = await club.plan()
    me = shop.fake.user(size.first_member, "Member 0", username="member0", language_code="en")
    await seed_memberships(shop.app.settings.database_url, size, plan.id, plan.current.id, shop.clock.now())
    group = club.community
    counts: dict[str, list[str]] = {}
    with counting(shop) as counter:
        (page,) = await shop.say(me, group, "/shop")
        counts["browse: /shop"] = only(counter.take(), "command")
        await shop.press(me, page, text="Next ▶")
        counts["browse: next page"] = only(counter.take(), "button")
        (found,) = await shop.say(me, group, "/find bulk item 7")
        counts["search: /find"] = only(counter.take(), "command")
        await shop.press(me, found, text=next(t for t in found.button_texts if t.startswith("Bulk item")))
        counts["card"] = only(counter.take(), "button")
        card = shop.fake.last(group)
        assert card is not None
        await shop.press(me, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
        counts["Buy"] = only(counter.take(), "button")
        paid = await shop.pay(me, shop.fake.last(group))
        assert paid.accepted, paid.error_message
        calls = counter.take()
        counts["pre-checkout"] = only(calls, "pre_checkout")
        counts["payment"] = only(calls, "payment")
        answers = await shop.say(me, None, "/points")
        assert any("point" in (answer.text or "").lower() for answer in answers), answers
        counts["/points"] = only(counter.take(), "command")
        views = await shop.say(me, None, "/membership")
        assert views, "/membership answered nothing"
        counts["/membership"] = only(counter.take(), "command")
        await club.ask_to_join(me)
        assert club.group.is_member(me.id), "an active member is let in"
        counts["join request"] = only(counter.take(), "join_request")
    shop.fake.assert_no_errors()
    return counts


async def statements_by_kind(backend: str, size: LargeShop, directory: Path) -> dict[str, list[str]]:
    clock = FakeClock()
    async with fresh_database(backend, directory) as url:
        await seed_large_shop(url, size, clock.now())
        async with running_shop("aiogram", url, clock=clock) as shop:
            return await play_every_kind(shop, size)


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
async def test_an_update_runs_as_many_statements_with_100k_rows_as_with_1k(backend: str, tmp_path: Path) -> None:
    small = await statements_by_kind(backend, SMALL, tmp_path)
    large = await statements_by_kind(backend, LARGE, tmp_path)

    print(f"\nSQL statements per update on {backend} (1k rows / 100k rows):")
    for kind, statements in small.items():
        print(f"  {kind:<20} {len(statements):>3} / {len(large[kind]):>3}")
    for kind, statements in small.items():
        assert statements, f"{kind}: no statement counted; the counter missed the update"
        assert len(large[kind]) == len(statements), (
            f"{kind} runs {len(statements)} statements with 1k rows but {len(large[kind])} with 100k:\n"
            + "\n".join(large[kind])
        )
