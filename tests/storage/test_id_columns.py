"""Telegram ids pass 32 bits (user ids already do; group ids are -100xxxxxxxxxx): every column that holds one is
64-bit in the migrated schema, on PostgreSQL as on SQLite, and such ids round-trip."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import BigInteger, Integer, inspect
from sqlalchemy.engine import Connection

from domain import member_registry
from domain.communities import Community
from domain.updates import claim_update
from storage.database import Database
from tests.storage.builders import NOW

# Integer columns that hold circlecart's own row numbers (a sequence of this database), keyed by the table
# they number. Any other id-like integer column is taken to hold a Telegram id and must be 64-bit.
OWN_KEYS = {
    "brand_id": "brands",
    "product_id": "products",
    "order_id": "orders",
    "plan_id": "membership_plans",
    "version_id": "membership_plan_versions",
    "current_version_id": "membership_plan_versions",
    "membership_id": "memberships",
    "payment_id": "payments",
    "drop_id": "drops",
    "lot_id": "points_entries",
    "group_buy_id": "group_buys",
    "vote_id": "votes",
    "giveaway_id": "giveaways",
    "meetup_id": "meetups",
}
ID_LIKE = re.compile(r"(^id$|_id$|_by$|_of$)")


def _columns(connection: Connection) -> list[tuple[str, str, Any, bool]]:
    inspector = inspect(connection)
    found = []
    for table in inspector.get_table_names():
        primary = set(inspector.get_pk_constraint(table)["constrained_columns"])
        for column in inspector.get_columns(table):
            found.append((table, column["name"], column["type"], column["name"] in primary))
    return found


def _own_key(table: str, name: str, primary: bool, all_columns: list[tuple[str, str, Any, bool]]) -> bool:
    if name == "id":
        return primary and table in set(OWN_KEYS.values()) | _surrogate_tables(all_columns)
    return name in OWN_KEYS


def _surrogate_tables(all_columns: list[tuple[str, str, Any, bool]]) -> set[str]:
    """Tables numbered by their own integer `id` that no Telegram id lives in (outbox rows, order lines...)."""
    return {t for t, n, _, p in all_columns if n == "id" and p and t != "members"}


async def test_every_column_holding_a_telegram_id_is_64_bit(database: Database) -> None:
    async with database.engine.connect() as connection:
        columns = await connection.run_sync(_columns)
    checked, narrow = [], []
    for table, name, column_type, primary in columns:
        if not ID_LIKE.search(name) or not isinstance(column_type, Integer):
            continue
        if _own_key(table, name, primary, columns):
            continue
        checked.append(f"{table}.{name}")
        if not isinstance(column_type, BigInteger):
            narrow.append(f"{table}.{name} is {column_type}")
    assert narrow == []
    # The rule found the Telegram ids we know of (so a renamed column cannot slip past it unnoticed).
    for known in ("members.id", "communities.chat_id", "orders.user_id", "outbox.chat_id", "processed_updates.bot_id"):
        assert known in checked, (known, checked)


async def test_ids_beyond_32_bits_round_trip(database: Database) -> None:
    user_id, group_id, update_id = 2**40 + 7, -1009876543210, 2**33
    async with database.uow() as uow:
        await member_registry.remember_member(uow, NOW, user_id, "Mei", None, "en", in_private_chat=True)
        await uow.communities.save(Community(group_id, "Tea Lovers", True, NOW))
        assert await claim_update(uow, 2**35, update_id, NOW)
        await uow.commit()
    async with database.uow() as uow:
        member = await uow.members.get(user_id)
        assert member is not None and member.id == user_id and member.started_bot
        assert not await claim_update(uow, 2**35, update_id, NOW)
        community = await uow.communities.get(group_id)
        assert community is not None and community.chat_id == group_id
