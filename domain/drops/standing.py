"""What a member may see of a raffle: its published record, and their own pseudonym and place in it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.drops import lifecycle
from domain.drops.errors import DropError
from domain.drops.model import Drop, DropStatus, RaffleEntry
from domain.drops.raffle import RaffleRecord
from domain.errors import DomainError
from domain.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class RaffleStanding:
    drop: Drop
    entry: RaffleEntry | None  # the asking member's own entry: nobody is shown anyone else's
    record: RaffleRecord | None  # once drawn (raffles with pseudonyms)

    @property
    def place(self) -> int | None:
        """1-based place in the draw order."""
        return self.entry.rank + 1 if self.entry is not None and self.entry.rank is not None else None


async def raffle_standing(uow: UnitOfWork, drop_id: int, user_id: int) -> RaffleStanding:
    drop = await uow.drops.get(drop_id)
    if drop is None or drop.status is DropStatus.DRAFT:
        raise DomainError(DropError.UNKNOWN)
    if not drop.is_raffle:
        raise DomainError(DropError.NOT_A_RAFFLE, title=drop.title)
    entry = await uow.drop_fans.entry(drop_id, user_id)
    return RaffleStanding(drop, entry, await lifecycle.published_record(uow, drop))
