"""What community settings, giveaways and meetups need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.moderation.model import (
    CommunitySettings,
    EntryStatus,
    Giveaway,
    GiveawayEntry,
    GiveawayStatus,
    Meetup,
    NewGiveaway,
    NewMeetup,
    Rsvp,
    RsvpStatus,
)


class CommunitySettingsRepository(Protocol):
    async def get(self, chat_id: int) -> CommunitySettings | None: ...
    async def save(self, settings: CommunitySettings) -> None:
        """Insert or overwrite by chat_id."""

    async def for_chats(self, chat_ids: Sequence[int]) -> dict[int, CommunitySettings]:
        """The settings of those of the chats that decided any (one query)."""


class GiveawayRepository(Protocol):
    async def add(self, giveaway: NewGiveaway, status: GiveawayStatus) -> Giveaway: ...
    async def get(self, giveaway_id: int) -> Giveaway | None: ...
    async def open(
        self,
        giveaway_id: int,
        from_status: GiveawayStatus,
        opened_at: datetime,
        closes_at: datetime,
        beacon_chain: str,
        beacon_round: int,
        beacon_at: datetime,
    ) -> bool:
        """Conditional: from `from_status` to OPEN with its window and beacon round; True if this call moved it."""

    async def decline(self, giveaway_id: int) -> bool:
        """AWAITING_BRAND -> DECLINED; True if this call moved it."""

    async def close(self, giveaway_id: int, entrants: int, digest: str) -> bool:
        """OPEN -> CLOSED with the frozen list's size and digest; True if this call moved it."""

    async def drawn(
        self, giveaway_id: int, at: datetime, seed: str, randomness: str | None, signature: str | None
    ) -> bool:
        """CLOSED -> DRAWN; True if this call moved it."""

    async def due(self, now: datetime, limit: int) -> Sequence[Giveaway]:
        """OPEN giveaways whose entries closed by `now`, and CLOSED ones whose beacon round is due."""

    async def add_entry(self, entry: GiveawayEntry) -> bool:
        """Insert unless the member or the pseudonym is in already (ON CONFLICT DO NOTHING). True if stored."""

    async def entry(self, giveaway_id: int, user_id: int) -> GiveawayEntry | None: ...
    async def entries(self, giveaway_id: int) -> Sequence[GiveawayEntry]:
        """Every entry, by rank once drawn, else by pseudonym."""

    async def set_ranks(self, giveaway_id: int, ranks: dict[str, int]) -> None:
        """Store each pseudonym's place in the draw order."""

    async def offer(self, giveaway_id: int, user_id: int, claim_by: datetime) -> bool:
        """ENTERED -> OFFERED until `claim_by`; True if this call moved it."""

    async def set_entry_status(
        self, giveaway_id: int, user_id: int, from_status: EntryStatus, to_status: EntryStatus
    ) -> bool:
        """Conditional entry change; True if this call moved it (so a prize passes on once)."""

    async def lapsed_offers(self, now: datetime, limit: int) -> Sequence[GiveawayEntry]:
        """OFFERED entries whose claim_by <= now."""


class MeetupRepository(Protocol):
    async def add(self, meetup: NewMeetup) -> Meetup: ...
    async def get(self, meetup_id: int) -> Meetup | None: ...
    async def take_place(self, meetup_id: int) -> bool:
        """One conditional UPDATE: going + 1 where going < capacity. True if a place was taken."""

    async def free_place(self, meetup_id: int) -> None:
        """going - 1 (never below zero)."""

    async def rsvp(self, meetup_id: int, user_id: int) -> Rsvp | None: ...
    async def add_rsvp(self, meetup_id: int, user_id: int, status: RsvpStatus, now: datetime) -> Rsvp:
        """Insert, or bring a cancelled answer back with `status` at the end of the queue."""

    async def set_rsvp_status(self, rsvp_id: int, from_status: RsvpStatus, to_status: RsvpStatus) -> bool: ...
    async def first_waiting(self, meetup_id: int) -> Rsvp | None:
        """The earliest WAITING answer (the queue's head)."""

    async def waiting_place(self, rsvp_id: int) -> int:
        """1 for the head of its meetup's waiting list, 2 for the next, ... (0 when it is not waiting)."""

    async def going(self, meetup_id: int) -> Sequence[Rsvp]: ...
    async def set_code(self, meetup_id: int, code: str, until: datetime) -> None: ...
    async def check_in(self, rsvp_id: int, at: datetime) -> bool:
        """Record attendance once; True if this call recorded it."""

    async def due_reminders(self, now: datetime, lead: datetime, limit: int) -> Sequence[Meetup]:
        """Meetups starting in (now, lead] whose reminder was not sent."""

    async def mark_reminded(self, meetup_id: int, at: datetime) -> bool:
        """Conditional: True only the first time."""
