"""A member's export, read from every table of the metadata: a table added later is covered by its columns' names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, or_, select
from sqlmodel import SQLModel

from domain.privacy.ports import MemberRecords, Value
from storage.repositories._base import SqlRepository

# Columns that hold a person's Telegram id; `chat_id` holds a private chat's id, which is its member's id.
PERSON_COLUMNS = frozenset(
    {"user_id", "referee_id", "referrer_id", "starter_id", "created_by", "changed_by", "refunded_by", "language_of"}
)
CHAT_COLUMNS = frozenset({"chat_id", "seat_chat_id"})
# Never exported: a raffle's secret before it is revealed, and the scheduler's pickled jobs.
SECRET_COLUMNS = frozenset({"seed", "pseudonym_key", "job_state"})


def member_columns(table_name: str, columns: list[Column[Any]]) -> list[Column[Any]]:
    """The columns of a table through which a row can refer to a member."""
    found = [c for c in columns if c.name in PERSON_COLUMNS or c.name in CHAT_COLUMNS]
    if table_name == "members":
        found += [c for c in columns if c.name == "id"]
    return found


def _value(value: Any) -> Value:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class SqlPersonalDataRepository(SqlRepository):
    async def export_member(self, user_id: int) -> MemberRecords:
        found: dict[str, list[dict[str, Value]]] = {}
        for table in SQLModel.metadata.sorted_tables:
            columns = list(table.columns)
            links = member_columns(table.name, columns)
            if not links:
                continue
            query = select(table).where(or_(*(c == user_id for c in links)))
            primary = list(table.primary_key.columns) or columns[:1]
            rows = (await self._session.execute(query.order_by(*primary))).mappings().all()
            for row in rows:
                record: dict[str, Value] = {}
                for column in columns:
                    if column.name in SECRET_COLUMNS:
                        continue
                    value = row[column.name]
                    if column.name in PERSON_COLUMNS and value is not None and value != user_id:
                        value = None  # someone else: their id is theirs, not part of this member's export
                    record[column.name] = _value(value)
                found.setdefault(table.name, []).append(record)
        return found
