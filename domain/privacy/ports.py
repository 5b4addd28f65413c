"""What the privacy use cases need from storage besides each feature's erasers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

Value = str | int | float | bool | None
Record = Mapping[str, Value]
MemberRecords = Mapping[str, Sequence[Record]]  # table -> its rows that refer to the member


class PersonalDataRepository(Protocol):
    async def export_member(self, user_id: int) -> MemberRecords:
        """Every stored row that refers to the member, table by table (tables with none are left out).

        A row refers to them when a column naming a person (user_id, referrer_id, created_by...) or a chat
        (their private chat's id is theirs) holds their id. Other people's ids in those rows are left out, and
        so are secrets (a raffle's seed before it is revealed). Datetimes are ISO 8601 text."""
